"""Typed training configuration; maps one-to-one onto CLI flags and model.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rnnkit.errors import InputError

LOSSES = ("mse", "mae", "huber")


@dataclass(frozen=True)
class TrainConfig:
    """How to train.

    Args:
        epochs: passes over the training samples (an upper bound with early stopping).
        batch_size: samples per optimiser step.
        learning_rate: Adam's step size.
        weight_decay: Adam's L2 penalty.
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
    """

    epochs: int = 100
    batch_size: int = 32
    learning_rate: float = 1e-3
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

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(
                    f"{name}={value!r} must be a positive integer. Pass e.g. {name}=32."
                )
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
