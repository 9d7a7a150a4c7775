"""Typed training configuration; maps one-to-one onto CLI flags and model.json."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from rnnkit.errors import InputError
from rnnkit.train.schedule import SCHEDULES

LOSSES = ("mse", "mae", "huber")
# RNNKIT_SMOKE=1: every fit trains at most 2 epochs (or 4 optimiser steps) and a search at
# most 3 trials, so a script, a notebook or the README runs through in seconds; its scores
# mean nothing.
SMOKE = "RNNKIT_SMOKE"


@dataclass(frozen=True)
class TrainConfig:
    """How to train.

    Args:
        epochs: passes over the training samples (an upper bound with early stopping).
        max_steps: the budget as optimiser steps instead (the last epoch may be partial);
            None counts epochs. On small data an epoch is a handful of steps, so a budget in
            epochs means very different amounts of training from one problem to the next.
        epoch_size: samples drawn (without replacement) per epoch when there are more; None:
            every sample every epoch. Long series then cost the same per epoch as short ones.
        max_time: seconds after which training stops at the end of an epoch (the best
            weights so far are kept and ``History.stopped_by_time`` says so); None: no limit.
        keep_initial: with validation, the untrained network is a candidate too: if no epoch
            beats its validation loss, it is kept (``History.best_epoch`` 0). For networks that
            start at a baseline (a forecaster at the seasonal naive forecast).
        batch_size: samples per optimiser step.
        learning_rate: Adam's step size (the peak of a "onecycle" schedule).
        schedule: "constant" or "onecycle" (see :func:`rnnkit.train.schedule.learning_rate`).
        weight_decay: decay of the weights, decoupled from the gradient (AdamW).
        loss: "mse", "mae" or "huber" (for regression targets).
        patience: epochs without a validation improvement before stopping; 0 disables.
        min_delta: the smallest decrease of the validation loss that counts as improvement.
        clip_norm: clip the global gradient norm to this value; 0 disables.
        seed: seeds initialisation, shuffling and dropout: the same seed gives the same
            weights on CPU.
        verbose: 0 silent, 1 progress bar on a terminal, 2 one line per epoch.
        device: "auto" (the GPU when there is one), "cpu" or "cuda".
        precision: "float32", or "bf16" for bfloat16 autocast (an opt-in: faster on CPUs
            with AVX512-BF16 and on GPUs, at some accuracy; see the README's figures).
        threads: CPU threads for torch; None keeps torch's default (the physical cores).
        checkpoint: a file the run writes its state to (see
            :mod:`rnnkit.train.checkpoint`) and continues from when it exists.
        checkpoint_every: seconds between checkpoint writes.
    """

    epochs: int = 100
    max_steps: int | None = None
    epoch_size: int | None = None
    max_time: float | None = None
    keep_initial: bool = False
    batch_size: int = 32
    learning_rate: float = 1e-3
    schedule: str = "constant"
    weight_decay: float = 0.0
    loss: str = "mse"
    patience: int = 20
    min_delta: float = 0.0
    clip_norm: float = 1.0
    seed: int = 0
    verbose: int = 1
    device: str = "auto"
    precision: str = "float32"
    threads: int | None = None
    checkpoint: str | None = None  # a file: written during training, resumed from if there
    checkpoint_every: float = 30.0  # seconds between checkpoint writes

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(
                    f"{name}={value!r} must be a positive integer. Pass e.g. {name}=32."
                )
        if self.max_steps is not None and (isinstance(self.max_steps, bool) or not isinstance(
                self.max_steps, int) or self.max_steps < 1):
            raise InputError(f"max_steps={self.max_steps!r} must be a positive integer or None. "
                             "Pass e.g. max_steps=1000.")
        if self.epoch_size is not None and (isinstance(self.epoch_size, bool) or not isinstance(
                self.epoch_size, int) or self.epoch_size < 1):
            raise InputError(f"epoch_size={self.epoch_size!r} must be a positive integer (samples "
                             "drawn per epoch) or None (all). Pass e.g. epoch_size=2048.")
        if self.max_time is not None and (isinstance(self.max_time, bool) or not isinstance(
                self.max_time, int | float) or not self.max_time > 0):
            raise InputError(f"max_time={self.max_time!r} must be a number of seconds > 0, or "
                             "None (no limit). Pass e.g. max_time=60.")
        if self.schedule not in SCHEDULES:
            raise InputError(f"schedule={self.schedule!r} is not one of {list(SCHEDULES)}. "
                             "Pass schedule='onecycle' or 'constant'.")
        if not self.weight_decay >= 0:
            raise InputError(f"weight_decay={self.weight_decay!r} must be >= 0. Pass e.g. "
                             "weight_decay=0.01.")
        if not self.learning_rate > 0:
            raise InputError(
                f"learning_rate={self.learning_rate!r} must be > 0. Pass e.g. learning_rate=1e-3."
            )
        if self.loss not in LOSSES:
            raise InputError(
                f"loss={self.loss!r} is not known; expected one of {list(LOSSES)}. Pass loss='mse'."
            )
        if self.patience < 0 or self.clip_norm < 0:
            raise InputError(
                f"patience={self.patience!r} and clip_norm={self.clip_norm!r} must be >= 0 "
                "(0 disables). Pass e.g. patience=20, clip_norm=1.0."
            )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], **overrides: Any) -> TrainConfig:
        """The training settings among an estimator's parameters (same names; None keeps the
        default), with ``overrides``: the one way every estimator builds its configuration."""
        names = {f.name for f in fields(cls)}
        chosen = {k: v for k, v in params.items() if k in names and v is not None}
        config = cls(**(chosen | overrides))
        if os.environ.get(SMOKE):  # a smoke run: every fit a few steps, the numbers mean nothing
            config = replace(config, epochs=min(config.epochs, 2), max_steps=None
                             if config.max_steps is None else min(config.max_steps, 4))
        return config
