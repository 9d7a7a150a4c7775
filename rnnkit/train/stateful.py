"""Stateful ("sequence") training: long streams read in chunks, the hidden state carried
from one chunk to the next (truncated backpropagation through time).

Each series is cut into segments; the segments are the rows of one batch (the parallel
streams), so consecutive chunks continue every stream and any series length and number of
streams work (no "samples must divide the batch size"). A stream never crosses a series:
each segment starts from a zero state, and its first ``burn_in`` forecasts are not scored.
The state resets at every epoch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnnkit.errors import InputError
from rnnkit.nn.stateful import detach_state, step_inputs
from rnnkit.runtime import flushing_denormals
from rnnkit.train import distributed
from rnnkit.train.adam import Adam
from rnnkit.train.config import TrainConfig
from rnnkit.train.device import autocast
from rnnkit.train.loop import (
    _LISTENERS,
    EarlyStopping,
    History,
    LossFn,
    Progress,
    finish,
    out_of_time,
    place,
    regression_loss,
    step,
)


def rows_ahead(values: np.ndarray, horizon: int) -> np.ndarray:
    """``[T, horizon, F]``: row t holds rows ``t+1 .. t+horizon`` (NaN past the end)."""
    padded = np.concatenate([values[1:], np.full((horizon, values.shape[1]), np.nan)])
    view = np.lib.stride_tricks.sliding_window_view(padded, horizon, axis=0)  # [T, F, H]
    return view[: len(values)].transpose(0, 2, 1)


@dataclass
class SequenceStreams:
    """Padded streams and what to score in them.

    Shapes:
        x: ``[N, L, F]``; target: ``[N, L, H, 1]`` (the next H target values after each
        step); future: ``[N, L, H, C]`` or None; mask: ``[N, L]`` (scored steps);
        series: ``[N]`` the series row of each stream.
    """

    x: torch.Tensor
    target: torch.Tensor
    future: torch.Tensor | None
    mask: torch.Tensor
    series: torch.Tensor
    level: torch.Tensor | None = None

    @property
    def n_targets(self) -> int:
        return int(self.mask.sum())

    def __len__(self) -> int:
        return self.n_targets

    def to(self, device: torch.device) -> SequenceStreams:
        move = (lambda t: None if t is None else t.to(device))  # noqa: E731
        return SequenceStreams(move(self.x), move(self.target), move(self.future),
                               move(self.mask), move(self.series), move(self.level))

    @classmethod
    def from_series(cls, values: Sequence[np.ndarray], cut: np.ndarray, horizon: int,
                    n_streams: int, burn_in: int, future_cols: tuple[int, ...] = (),
                    min_length: int = 1, differenced: bool = False) -> SequenceStreams:
        """About ``n_streams`` segments of the rows before ``cut`` of each series, each at
        least ``min_length`` long where the series allows (fewer streams for short data); a
        step is scored when its ``horizon`` targets lie before the cut and it is past the
        burn-in."""
        total = int(np.sum(cut))
        length = max(min_length, math.ceil(total / max(n_streams, 1)))
        segments = []
        for s, c in enumerate(cut):
            pieces = max(1, round(int(c) / length))
            bounds = np.linspace(0, int(c), pieces + 1).astype(int)
            segments += [(s, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return cls._stack(values, [np.asarray(c) for c in cut], segments, horizon, burn_in,
                          future_cols, None, differenced)

    @classmethod
    def validation(cls, values: Sequence[np.ndarray], cut: np.ndarray, horizon: int,
                   warmup: int, future_cols: tuple[int, ...] = (),
                   differenced: bool = False, piece: int | None = None) -> SequenceStreams:
        """Streams over each series' rows from its cut on, scoring the steps whose targets
        all lie at or after the cut. The validation part is cut into pieces of ``piece``
        rows (default: ``warmup``), each read in parallel from ``warmup`` rows before it (a
        zero state forgets within a few seasons), so validation costs a few chunks, not a
        sequential pass over all of it."""
        piece = piece or max(warmup, 1)
        segments, first_scored = [], []
        for s, (c, v) in enumerate(zip(cut, values, strict=True)):
            for p0 in range(int(c) - 1, len(v) - 1, piece):  # origins p0 .. p0 + piece - 1
                segments.append((s, max(0, p0 - warmup), min(p0 + piece, len(v))))
                first_scored.append(p0)
        ends = [len(v) for v in values]
        return cls._stack(values, ends, segments, horizon, 0, future_cols, first_scored,
                          differenced)

    @classmethod
    def _stack(cls, values, ends, segments, horizon, burn_in, future_cols, scored_from,
               differenced):
        n, longest = len(segments), max(b - a for _, a, b in segments)
        f = values[0].shape[1]
        x = np.zeros((n, longest, f), dtype=np.float32)
        level = np.zeros((n, longest), dtype=np.float32)
        inputs = {s: step_inputs(values[s], differenced) for s in {s for s, _, _ in segments}}
        target = np.zeros((n, longest, horizon, 1), dtype=np.float32)
        future = np.zeros((n, longest, horizon, len(future_cols)), dtype=np.float32)
        mask = np.zeros((n, longest), dtype=bool)
        cols = list(future_cols)
        for k, (s, a, b) in enumerate(segments):
            ahead = rows_ahead(values[s][: int(ends[s])], horizon)[a:b]  # [b-a, H, F]
            x[k, : b - a] = inputs[s][a:b]
            level[k, : b - a] = values[s][a:b, 0]
            target[k, : b - a] = np.nan_to_num(ahead[..., :1])
            future[k, : b - a] = np.nan_to_num(ahead[..., cols])
            scored = np.isfinite(ahead[..., 0]).all(axis=1)
            scored[:burn_in] = False
            if scored_from is not None:  # validation: this piece's origins only
                scored &= np.arange(a, b) >= scored_from[k]
            mask[k, : b - a] = scored
        if not mask.any():
            raise InputError(
                f"training='sequence' finds no step to score: with horizon={horizon} and "
                f"burn_in={burn_in} the streams are too short. Lower burn_in or batch_size "
                "(fewer, longer streams), or use training='window'."
            )
        return cls(torch.from_numpy(x), torch.from_numpy(target),
                   torch.from_numpy(future) if cols else None, torch.from_numpy(mask),
                   torch.tensor([s for s, _, _ in segments], dtype=torch.long),
                   torch.from_numpy(level) if differenced else None)


def _chunk(streams: SequenceStreams, part: slice):
    future = None if streams.future is None else streams.future[:, part]
    level = None if streams.level is None else streams.level[:, part]
    return streams.x[:, part], future, level, streams.target[:, part], streams.mask[:, part]


@torch.inference_mode()
def stream_loss(module: nn.Module, streams: SequenceStreams, loss_fn: LossFn,
                precision: str = "float32") -> float:
    """The mean loss over the scored steps, one pass over every stream from a zero state."""
    was_training = module.training
    module.eval()
    device = next(module.parameters()).device
    with autocast(device, precision):
        y, _ = module(streams.x, streams.series, streams.future, None, streams.level)
        loss = loss_fn(y[streams.mask], streams.target[streams.mask])
    module.train(was_training)
    return float(loss)


@flushing_denormals()
def train_stateful(module: nn.Module, train: SequenceStreams, config: TrainConfig,
                   val: SequenceStreams | None = None, loss_fn: LossFn | None = None,
                   chunk: int = 64) -> History:
    """Train ``module`` (a :class:`rnnkit.nn.stateful.StatefulForecastNet`) in place over
    ``train`` in chunks of ``chunk`` steps; the best weights are restored.

    Per epoch: a zero state; per chunk: forward from the carried state, the loss over the
    chunk's scored steps, backward, clip, step, then the state is detached and carried on.
    Chunks with nothing scored (all burn-in) only advance the state.
    """
    if distributed.current().active:
        raise InputError("training='sequence' runs in one process: its streams are one batch. "
                         "Use training='window' under torchrun.")
    loss_fn = loss_fn or regression_loss(config.loss)
    device, train, val = place(module, train, val, config)
    torch.manual_seed(config.seed)  # dropout draws from the global generator
    optimizer = Adam(module.parameters(), lr=config.learning_rate,
                     weight_decay=config.weight_decay, decoupled=True)
    parts = [slice(k, k + chunk) for k in range(0, train.x.shape[1], chunk)]
    scored = [int(train.mask[:, p].sum()) for p in parts]  # host numbers, counted once
    n = sum(scored)
    history, stopping = History(), EarlyStopping(config, val is not None)
    if val is not None and config.keep_initial:
        stopping.start(module, history, stream_loss(module, val, loss_fn, config.precision))
    progress = Progress(config.verbose, config.epochs)
    started = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        module.train()
        state, total = None, torch.zeros((), device=device)
        for part, count in zip(parts, scored, strict=True):
            x, future, level, target, mask = _chunk(train, part)
            if not count:
                with torch.no_grad():
                    _, state = module(x, train.series, future, state, level)
            else:
                with autocast(device, config.precision):
                    y, state = module(x, train.series, future, state, level)
                    loss = loss_fn(y[mask], target[mask])
                step(module, optimizer, loss, config)
                total += loss.detach() * count
                if not history.first_batch_at:
                    history.first_batch_at = time.time()
            state = detach_state(state)
        val_loss = stream_loss(module, val, loss_fn, config.precision) \
            if val is not None else None
        for listener in _LISTENERS.get():  # e.g. a search pruning a bad trial
            listener(epoch, float(total) / n, val_loss)
        if stopping.end_epoch(module, history, epoch, float(total) / n, val_loss, progress):
            break
        if epoch < config.epochs and out_of_time(config, started, epoch):
            history.stopped_by_time = True
            break
    return finish(module, history, stopping, progress, started, n)
