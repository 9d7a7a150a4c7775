"""In-memory batch sources: contiguous tensors, batches gathered by index (no DataLoader)."""

from __future__ import annotations

from typing import Protocol

import torch

from rnnkit.train.device import to_device

Batch = tuple[tuple[torch.Tensor, ...], torch.Tensor]


class Batches(Protocol):
    """Anything that can hand the loop a batch of inputs and targets for given indices."""

    def __len__(self) -> int: ...

    def get(self, index: torch.Tensor) -> Batch: ...

    def to(self, device: torch.device) -> Batches: ...


class TensorBatches:
    """Samples already stacked: ``inputs[i][index]`` and ``target[index]``.

    Shapes:
        inputs: each ``[N, ...]``; target: ``[N, ...]``.
    """

    def __init__(self, inputs: tuple[torch.Tensor, ...], target: torch.Tensor) -> None:
        self.inputs = tuple(t.contiguous() for t in inputs)
        self.target = target.contiguous()

    def __len__(self) -> int:
        return self.target.shape[0]

    def get(self, index: torch.Tensor) -> Batch:
        index = index.to(self.target.device)
        return tuple(t[index] for t in self.inputs), self.target[index]

    def to(self, device: torch.device) -> TensorBatches:
        """The same samples on ``device`` (copied once, not per batch)."""
        if self.target.device == device:
            return self
        inputs = tuple(to_device(t, device) for t in self.inputs)
        return TensorBatches(inputs, to_device(self.target, device))


class SequenceBatches:
    """Padded sequences with their lengths, served in batches of similar length.

    Each batch is cut to its own longest sequence, and an epoch groups sequences of similar
    length (shuffled, then sorted within pools of 50 batches, the pools' batches shuffled:
    the "sortish" sampling of fastai and torchtext), so a ragged list trains at about the
    speed of the same data padded to one length.

    Shapes:
        x: ``[N, T, F]`` (or ``[N, T]`` token ids); lengths ``[N]``; extra: each ``[N, ...]``
        (e.g. static covariates); target ``[N, ...]``, or ``[N, T]`` per step when
        ``per_step`` (cut like x).
    """

    POOL = 50  # batches sorted together

    def __init__(self, x: torch.Tensor, lengths: torch.Tensor, target: torch.Tensor,
                 extra: tuple[torch.Tensor, ...] = (), per_step: bool = False) -> None:
        self.x, self.lengths = x.contiguous(), lengths.to(torch.long)
        self.target, self.extra, self.per_step = target.contiguous(), extra, per_step
        self.ragged = bool((self.lengths != x.shape[1]).any())

    def __len__(self) -> int:
        return self.x.shape[0]

    def get(self, index: torch.Tensor) -> Batch:
        index = index.to(self.x.device)
        lengths = self.lengths[index]
        steps = int(lengths.max()) if self.ragged else self.x.shape[1]
        target = self.target[index]
        if self.per_step:
            target = target[:, :steps]
        inputs = (self.x[index, :steps], lengths, *(e[index] for e in self.extra))
        return inputs, target

    def batch_order(self, batch_size: int, generator: torch.Generator) -> list[torch.Tensor]:
        order = torch.randperm(len(self), generator=generator)
        batches = [order[start : start + batch_size] for start in range(0, len(self), batch_size)]
        if not self.ragged:
            return batches
        lengths = self.lengths.cpu()
        pool = batch_size * self.POOL
        grouped = []
        for start in range(0, len(order), pool):
            chunk = order[start : start + pool]
            chunk = chunk[torch.argsort(lengths[chunk], stable=True)]
            grouped += [chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size)]
        shuffle = torch.randperm(len(grouped), generator=generator)
        return [grouped[int(k)] for k in shuffle]

    def to(self, device: torch.device) -> SequenceBatches:
        if self.x.device == device:
            return self
        return SequenceBatches(to_device(self.x, device), self.lengths.to(device),
                               to_device(self.target, device),
                               tuple(to_device(e, device) for e in self.extra), self.per_step)


class WindowBatches:
    """Sliding windows over one contiguous tensor, gathered per batch.

    Only the batch is ever materialised: memory stays at the size of the series, whatever
    the lookback.

    A batch's inputs are ``(x,)``, or ``(x, series, future)`` when the model reads series
    row numbers or future covariates (None for the one it does not), plus the targets last
    when ``teacher`` (teacher forcing).

    Shapes:
        values: ``[total_T, F]`` all series concatenated; starts: ``[N]`` first input row.
        x ``[B, lookback, F]``; series ``[B]``; future ``[B, horizon, len(future_cols)]`` (the
        future covariates at the target steps); targets ``[B, horizon, n_targets]``.
    """

    def __init__(
        self,
        values: torch.Tensor,
        starts: torch.Tensor,
        lookback: int,
        horizon: int,
        target_cols: tuple[int, ...] = (0,),
        series: torch.Tensor | None = None,
        teacher: bool = False,
        future_cols: tuple[int, ...] = (),
    ) -> None:
        self.values = values.contiguous()
        self.starts = starts.to(torch.long)
        self.series = None if series is None else series.to(torch.long)  # [N], for id embeddings
        self.teacher = teacher  # also hand the targets to the model (teacher forcing)
        self.lookback, self.horizon, self.cols = lookback, horizon, tuple(target_cols)
        device = self.values.device
        self.input_steps = torch.arange(lookback, device=device)
        self.target_steps = torch.arange(lookback, lookback + horizon, device=device)
        self.target_cols = torch.tensor(target_cols, dtype=torch.long, device=device)
        self.future = tuple(future_cols)
        self.future_cols = torch.tensor(future_cols, dtype=torch.long, device=device)

    def to(self, device: torch.device) -> WindowBatches:
        """The same windows on ``device``: the series is copied once, batches gather there."""
        if self.values.device == device:
            return self
        series = None if self.series is None else self.series.to(device)
        return WindowBatches(to_device(self.values, device), self.starts.to(device),
                             self.lookback, self.horizon, self.cols, series, self.teacher,
                             self.future)

    def __len__(self) -> int:
        return self.starts.shape[0]

    def get(self, index: torch.Tensor) -> Batch:
        index = index.to(self.starts.device)
        start = self.starts[index].unsqueeze(1)  # [B, 1]
        x = self.values[start + self.input_steps]  # [B, L, F]
        ahead = self.values[start + self.target_steps]  # [B, H, F]
        y = ahead.index_select(2, self.target_cols)  # [B, H, nt]
        if self.series is None and not self.future and not self.teacher:
            return (x,), y
        series = None if self.series is None else self.series[index]
        future = ahead.index_select(2, self.future_cols) if self.future else None
        return ((x, series, future, y) if self.teacher else (x, series, future)), y
