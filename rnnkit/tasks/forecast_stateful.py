"""Forecasting with a sequence-trained (stateful) Forecaster: the state at the end of the
history, forecasts from it, and ``update`` to carry it over new observations."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnkit.data.frames import Panel, _fmt, future_times
from rnnkit.errors import InputError
from rnnkit.nn.forecast import head_extras
from rnnkit.nn.stateful import step_inputs
from rnnkit.tasks.forecast_covariates import gather_origins
from rnnkit.tasks.forecaster import Forecaster


def members(f: Forecaster) -> list[torch.nn.Module]:
    return list(getattr(f.model_, "members", [f.model_]))


def _device(f: Forecaster) -> torch.device:
    return next(f.model_.parameters()).device


def _scaled(f: Forecaster, panel: Panel, rows: np.ndarray) -> list[np.ndarray]:
    return [f.scaler_.transform(v, series=r).astype(np.float32)
            for v, r in zip(panel.values, rows, strict=True)]


def _inputs(f: Forecaster, scaled: list[np.ndarray], previous: np.ndarray | None = None
            ) -> list[np.ndarray]:
    """What the network reads (see :func:`step_inputs`); ``previous``: the scaled target
    before each series' first row, when the rows continue a history."""
    before = [np.nan] * len(scaled) if previous is None else previous
    return [step_inputs(v, f.window_norm == "last", p)
            for v, p in zip(scaled, before, strict=True)]


@torch.inference_mode()
def _run(member: torch.nn.Module, values: list[np.ndarray], state: tuple | None,
         device: torch.device) -> tuple[list[torch.Tensor], tuple[np.ndarray, ...]]:
    """The core over each series (``[T_i, F]``) from ``state`` (``(h[, c])`` each
    ``[layers, S, hidden]``, or None: zeros), series of one length in one batch.
    Returns the top layer's output at every step per series and the final states."""
    outputs: list[torch.Tensor] = [torch.empty(0)] * len(values)
    final: list[np.ndarray] | None = None
    lengths = np.array([len(v) for v in values])
    for length in np.unique(lengths):
        group = np.flatnonzero(lengths == length)
        x = torch.from_numpy(np.stack([values[g] for g in group])).to(device)
        init = None
        if state is not None:
            parts = tuple(torch.from_numpy(s[:, group]).to(device) for s in state)
            init = parts if len(parts) > 1 else parts[0]
        out, last = member.core(x, state=init)  # [G, T, H]
        last = last if isinstance(last, tuple) else (last,)
        if final is None:
            final = [np.zeros((p.shape[0], len(values), p.shape[2]), np.float32) for p in last]
        for k, p in enumerate(last):
            final[k][:, group] = p.float().cpu().numpy()
        for j, g in enumerate(group):
            outputs[g] = out[j]
    return outputs, tuple(final or ())


@torch.inference_mode()
def _head(f: Forecaster, member: torch.nn.Module, summary: torch.Tensor, level: np.ndarray,
          rows: np.ndarray, future: np.ndarray | None) -> torch.Tensor:
    """The member's forecast ``[N, H, Q or 1]`` (scaled) from top-layer states ``[N, D]``,
    the scaled target at the origin ``[N]`` and future covariates ``[N, H, C]`` (user's)."""
    device = summary.device
    fut = None
    if future is not None:
        fut = f.scaler_.transform(future, series=rows, cols=f._future_index(f.n_features_))
        fut = torch.from_numpy(fut.astype(np.float32)).to(device)
    series = torch.from_numpy(rows.astype(np.int64)).to(device)
    extras = head_extras(member.series_inputs, series, fut, summary)
    ref = None
    if member.config.window_norm == "last":
        ref = torch.from_numpy(level.astype(np.float32)).to(device).view(-1, 1, 1)
    return member.head(summary, extras, ref)


def _combine(f: Forecaster, outputs: list[torch.Tensor], rows: np.ndarray, h: int
             ) -> np.ndarray:
    stacked = torch.stack(outputs)  # [M, N, H, Q]
    y = stacked.mean(0) if f.ensemble == "mean" else stacked.median(0).values
    y = y[:, :h].double().cpu().numpy()
    return f.scaler_.inverse_transform(y, series=rows, cols=(0,))  # [N, h, Q]


def history_states(f: Forecaster, panel: Panel) -> list[tuple[np.ndarray, ...]]:
    """Each run's state after reading the whole of ``panel`` from a zero state."""
    rows = np.array([f.ids_.index(i) for i in panel.ids])
    inputs = _inputs(f, _scaled(f, panel, rows))
    return [_run(m, inputs, None, _device(f))[1] for m in members(f)]


def forecast_from_state(f: Forecaster, rows: np.ndarray, h: int,
                        future: np.ndarray | None) -> np.ndarray:
    """``[N, h, Q]`` from the saved state of series ``rows``."""
    level = f.scaler_.transform(f.context_[rows, -1], series=rows)[:, 0]
    outputs = []
    for member, state in zip(members(f), f.state_, strict=True):
        summary = torch.from_numpy(state[0][-1][rows]).to(_device(f))  # top layer's h
        outputs.append(_head(f, member, summary, level, rows, future))
    return _combine(f, outputs, rows, h)


def forecast_from_history(f: Forecaster, panel: Panel, h: int,
                          future: np.ndarray | None) -> np.ndarray:
    """``[S, h, Q]`` after reading each series of ``panel`` from a zero state."""
    rows = np.array([f.ids_.index(i) for i in panel.ids])
    at = np.array(panel.lengths)
    return forecast_at(f, panel, np.arange(panel.n_series), at, rows, h, None, True, future)


def forecast_at(f: Forecaster, panel: Panel, series: np.ndarray, at: np.ndarray,
                rows: np.ndarray, h: int, module: torch.nn.Module | None = None,
                all_quantiles: bool = False, future: np.ndarray | None = None) -> np.ndarray:
    """Forecasts from origins inside ``panel`` (see ``Forecaster._forecast_at``): one pass
    of each run over each whole series serves every origin in it."""
    h = f._check_h(h)
    panel_rows = np.array([f.ids_.index(i) for i in panel.ids])
    scaled = _scaled(f, panel, panel_rows)
    if future is None:
        _, future = gather_origins(panel, series, at, 0, f.horizon_,
                                   list(f._future_index(panel.n_features)))
    level = np.array([scaled[s][a - 1, 0] for s, a in zip(series, at, strict=True)])
    outputs = []
    inputs = _inputs(f, scaled)
    for member in [module] if module is not None else members(f):
        steps, _ = _run(member, inputs, None, _device(f))
        summary = torch.stack([steps[s][a - 1] for s, a in zip(series, at, strict=True)])
        outputs.append(_head(f, member, summary, level, rows, future))
    y = _combine(f, outputs, rows, h)
    return y if all_quantiles else y[..., f._point_index()]


def update(f: Forecaster, new: Any) -> Forecaster:
    """See :meth:`Forecaster.update`."""
    panel = f._load(new, freq=f.freq_, min_rows=1)
    unknown = [i for i in panel.ids if i not in f.ids_]
    if unknown:
        raise InputError(f"update got series {unknown[:5]} that the model was not trained on "
                         f"(known: {f.ids_[:5]}...). Pass rows of trained series only.")
    if panel.n_features != f.n_features_:
        raise InputError(f"update data has {panel.n_features} value columns; the model reads "
                         f"{f.n_features_}. Pass the same columns as in training.")
    rows = np.array([f.ids_.index(i) for i in panel.ids])
    for sid, r, t in zip(panel.ids, rows, panel.times, strict=True):
        expected = future_times(f.last_times_[r], f.freq_, 1, f.step_)[0]
        if t[0] != expected:
            raise InputError(
                f"update: series {sid!r} ends at {_fmt(f.last_times_[r])}, so new observations "
                f"must start at {_fmt(expected)}; they start at {_fmt(t[0])}. Pass only the "
                "rows that follow the history, without gaps or repeats."
            )
        if len(t) > 1 and f.freq_ is None and (np.diff(t) != f.step_).any():
            raise InputError(f"update: series {sid!r} must advance by {f.step_} per row.")
    if getattr(f, "state_", None):
        previous = f.scaler_.transform(f.context_[rows, -1], series=rows)[:, 0]
        inputs = _inputs(f, _scaled(f, panel, rows), previous)
        f.state_ = [_advance(state, _run(m, inputs, tuple(s[:, rows] for s in state),
                                         _device(f))[1], rows)
                    for m, state in zip(members(f), f.state_, strict=True)]
    lookback = f.context_.shape[1]
    for v, r, t in zip(panel.values, rows, panel.times, strict=True):
        f.context_[r] = np.concatenate([f.context_[r], v])[-lookback:]
        f.last_times_[r] = t[-1]
    return f


def _advance(state: tuple[np.ndarray, ...], new: tuple[np.ndarray, ...],
             rows: np.ndarray) -> tuple[np.ndarray, ...]:
    out = tuple(s.copy() for s in state)
    for s, n in zip(out, new, strict=True):
        s[:, rows] = n
    return out
