"""Forecasting with a sequence-trained (stateful) model: the state at the end of the history,
forecasts from it, and ``update`` to carry it over new observations."""

from __future__ import annotations

import numpy as np
import torch

from rnnkit.data.frames import Panel
from rnnkit.data.frequency import future_times
from rnnkit.data.sessions import Sessions, is_sessions
from rnnkit.data.times import fmt_time
from rnnkit.data.windows import origin_windows
from rnnkit.errors import InputError
from rnnkit.forecast.options import ForecastOptions
from rnnkit.forecast.spec import FittedForecast, check_h, point_index
from rnnkit.nn.forecast import head_extras


def _device(fitted: FittedForecast) -> torch.device:
    return next(fitted.network.parameters()).device


def _scaled(fitted: FittedForecast, panel: Panel, rows: np.ndarray) -> list[np.ndarray]:
    return [fitted.scaler.transform(panel.series(s), series=r).astype(np.float32)
            for s, r in enumerate(rows)]


@torch.inference_mode()
def _run(member: torch.nn.Module, values: list[np.ndarray], state: tuple | None,
         device: torch.device) -> tuple[list[torch.Tensor], tuple[np.ndarray, ...]]:
    """The core over each series (``[T_i, F]``, as the network reads it) from ``state``
    (``(h[, c])`` each ``[layers, S, hidden]``, or None: zeros), series of one length in one
    batch. Returns the top layer's output at every step per series and the final states."""
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
def _head(fitted: FittedForecast, member: torch.nn.Module, summary: torch.Tensor,
          level: np.ndarray, rows: np.ndarray, future: np.ndarray | None) -> torch.Tensor:
    """The run's forecast ``[N, H, Q or 1]`` (scaled) from top-layer states ``[N, D]``, the
    scaled target at the origin ``[N]`` and future covariates ``[N, H, C]`` (user's units)."""
    device = summary.device
    fut = None
    if future is not None:
        fut = fitted.scaler.transform(future, series=rows, cols=fitted.spec.future_index)
        fut = torch.from_numpy(fut.astype(np.float32)).to(device)
    series = torch.from_numpy(rows.astype(np.int64)).to(device)
    extras = head_extras(member.series_inputs, series, fut, summary)
    ref = None
    if member.level_free:
        ref = torch.from_numpy(level.astype(np.float32)).to(device).view(-1, 1, 1)
    return member.head(summary, extras, ref)


def _combine(options: ForecastOptions, fitted: FittedForecast, outputs: list[torch.Tensor],
             rows: np.ndarray, h: int) -> np.ndarray:
    stacked = torch.stack(outputs)  # [M, N, H, Q]
    y = stacked.mean(0) if options.ensemble == "mean" else stacked.median(0).values
    y = y[:, :h].double().cpu().numpy()
    return fitted.scaler.inverse_transform(y, series=rows, cols=(0,))  # [N, h, Q]


def history_states(fitted: FittedForecast, panel: Panel) -> list[tuple[np.ndarray, ...]]:
    """Each run's state after reading the whole of ``panel`` from a zero state."""
    scaled = _scaled(fitted, panel, fitted.rows(panel.ids))
    return [_run(m, [m.network_inputs(v) for v in scaled], None, _device(fitted))[1]
            for m in fitted.members]


def forecast_from_state(options: ForecastOptions, fitted: FittedForecast, rows: np.ndarray,
                        h: int, future: np.ndarray | None) -> np.ndarray:
    """``[N, h, Q]`` from the saved state of series ``rows``."""
    level = fitted.scaler.transform(fitted.context[rows, -1], series=rows)[:, 0]
    outputs = []
    for member, state in zip(fitted.members, fitted.state, strict=True):
        summary = torch.from_numpy(state[0][-1][rows]).to(_device(fitted))  # top layer's h
        outputs.append(_head(fitted, member, summary, level, rows, future))
    return _combine(options, fitted, outputs, rows, h)


def forecast_from_history(options: ForecastOptions, fitted: FittedForecast, panel: Panel,
                          h: int, future: np.ndarray | None) -> np.ndarray:
    """``[S, h, Q]`` after reading each series of ``panel`` from a zero state."""
    return forecast_at(options, fitted, panel, np.arange(panel.n_series), panel.lengths,
                       fitted.rows(panel.ids), h, None, True, future)


def forecast_at(options: ForecastOptions, fitted: FittedForecast, panel: Panel,
                series: np.ndarray, at: np.ndarray, rows: np.ndarray, h: int,
                member: torch.nn.Module | None = None, all_quantiles: bool = False,
                future: np.ndarray | None = None) -> np.ndarray:
    """Forecasts from origins inside ``panel`` (see :func:`rnnkit.forecast.predict.forecast_at`):
    one pass of each run over each whole series serves every origin in it."""
    h = check_h(options, fitted, h)
    scaled = _scaled(fitted, panel, fitted.rows(panel.ids))
    if future is None:
        _, future = origin_windows(panel.values, panel.offsets, series, at, 0,
                                   fitted.spec.horizon, fitted.spec.future_index)
    last = np.asarray(at) - 1  # each origin's last observed step within its series
    level = np.concatenate(scaled)[_flat(scaled, series, last), 0]
    outputs = []
    for run in [member] if member is not None else fitted.members:
        steps, _ = _run(run, [run.network_inputs(v) for v in scaled], None, _device(fitted))
        index = torch.from_numpy(_flat(steps, series, last)).to(steps[0].device)
        summary = torch.cat(steps).index_select(0, index)  # one gather for every origin
        outputs.append(_head(fitted, run, summary, level, rows, future))
    y = _combine(options, fitted, outputs, rows, h)
    return y if all_quantiles else y[..., point_index(options)]


def _flat(parts, series: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Rows of (series, step) pairs in the concatenation of ``parts`` (one per series)."""
    starts = np.cumsum([0] + [len(p) for p in parts[:-1]])
    return (starts[np.asarray(series)] + step).astype(np.int64)


def update(options: ForecastOptions, fitted: FittedForecast, panel: Panel) -> None:
    """Advance ``fitted`` over observations that continue its series (see
    :meth:`rnnkit.Forecaster.update`)."""
    unknown = [i for i in panel.ids if i not in fitted.index]
    if unknown:
        raise InputError(f"update got series {unknown[:5]} that the model was not trained on "
                         f"(known: {fitted.ids[:5]}...). Pass rows of trained series only.")
    if panel.n_features != fitted.spec.n_features:
        raise InputError(f"update data has {panel.n_features} value columns; the model reads "
                         f"{fitted.spec.n_features}. Pass the same columns as in training.")
    rows = fitted.rows(panel.ids)
    for s, (sid, r) in enumerate(zip(panel.ids, rows, strict=True)):
        t = panel.series_times(s)
        expected = future_times(fitted.last_times[r], fitted.freq, 1, fitted.step)[0]
        if t[0] != expected and not (is_sessions(fitted.freq) and Sessions.from_freq(
                fitted.freq).first_off(np.array([fitted.last_times[r], t[0]])) is None):
            # (a session calendar may skip whole days, as holidays are)
            raise InputError(
                f"update: series {sid!r} ends at {fmt_time(fitted.last_times[r])}, so new "
                f"observations must start at {fmt_time(expected)}; they start at {fmt_time(t[0])}. "
                "Pass only the rows that follow the history, without gaps or repeats.")
        if len(t) > 1 and fitted.freq is None and (np.diff(t) != fitted.step).any():
            raise InputError(f"update: series {sid!r} must advance by {fitted.step} per row.")
    if fitted.state:
        previous = fitted.scaler.transform(fitted.context[rows, -1], series=rows)[:, 0]
        scaled = _scaled(fitted, panel, rows)
        fitted.state = [
            _advance(state, _run(m, [m.network_inputs(v, p) for v, p in
                                     zip(scaled, previous, strict=True)],
                                 tuple(part[:, rows] for part in state), _device(fitted))[1],
                     rows)
            for m, state in zip(fitted.members, fitted.state, strict=True)]
    lookback = fitted.spec.lookback
    for s, r in enumerate(rows):
        values = panel.series(s)
        if fitted.season_tails is not None:
            values = _with_history_lags(fitted, r, values, options.season_lags)
        fitted.context[r] = np.concatenate([fitted.context[r], values])[-lookback:]
        fitted.last_times[r] = panel.series_times(s)[-1]
        if fitted.lengths is not None:
            fitted.lengths[r] += len(values)


def _with_history_lags(fitted: FittedForecast, r: int, values: np.ndarray, n: int
                       ) -> np.ndarray:
    """New rows ``[T, F]`` of series row ``r`` with their season-lag columns (the last
    ``n``) read from the history before them, not from the new rows alone; the series' tail
    of past seasons moves on over them."""
    from rnnkit.data.season_lags import lag_columns, tail

    season = fitted.spec.season
    combined = np.concatenate([fitted.season_tails[r], values[:, 0]])
    values = values.copy()
    values[:, -n:] = lag_columns(combined, season, n)[-len(values):]
    fitted.season_tails[r] = tail(combined, season, n)
    return values


def _advance(state: tuple[np.ndarray, ...], new: tuple[np.ndarray, ...],
             rows: np.ndarray) -> tuple[np.ndarray, ...]:
    out = tuple(s.copy() for s in state)
    for s, n in zip(out, new, strict=True):
        s[:, rows] = n
    return out
