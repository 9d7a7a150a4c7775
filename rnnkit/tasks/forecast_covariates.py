"""Covariates of a Forecaster: calendar features, the known future at prediction time, and
the inputs gathered around forecast origins."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rnnkit.data.calendar import calendar_cycles, calendar_features, calendar_names
from rnnkit.data.frames import Panel, _fmt, future_times, read_data
from rnnkit.errors import InputError

if TYPE_CHECKING:
    from rnnkit.tasks.forecaster import Forecaster


def with_calendar(panel: Panel, cycles: tuple[str, ...] | None = None) -> Panel:
    """``panel`` with sine/cosine calendar columns appended (future covariates)."""
    if panel.extra_cols:  # appended already
        return panel
    cycles = calendar_cycles(panel.freq) if cycles is None else cycles
    values = [np.column_stack([v, calendar_features(t, cycles)])
              for v, t in zip(panel.values, panel.times, strict=True)]
    return replace(panel, values=values, extra_cols=calendar_names(cycles))


def future_block(f: Forecaster, ids: list[str], last: list, steps: int,
                 future: Any) -> np.ndarray | None:
    """The future covariates of each series for the ``steps`` steps after ``last``:
    ``[S, steps, C]`` in the user's units (user columns, then calendar), or None."""
    if not f.n_future_:
        return None
    times = [future_times(t, f.freq_, steps, f.step_) for t in last]
    blocks = [np.zeros((steps, 0)) for _ in ids]
    cols = list(f.future_cols)
    if cols:
        if future is None:
            raise InputError(
                f"this model reads future covariates {cols}: predict needs their values for the "
                f"{steps} steps after the history (from {_fmt(times[0][0])} for series "
                f"{ids[0]!r}). Pass future=<a frame with {f.time_col!r}"
                f"{', ' + repr(f.id_col) if f.has_id_ else ''} and {cols}>."
            )
        frame = read_data(future)
        for col in [f.time_col, *cols] + ([f.id_col] if f.has_id_ else []):
            if col not in frame.columns:
                raise InputError(f"future has no column {col!r}; it needs {f.time_col!r}"
                                 f"{', ' + repr(f.id_col) if f.has_id_ else ''} and {cols}.")
        when = pd.to_datetime(frame[f.time_col]) if f.freq_ else frame[f.time_col]
        keys = frame[f.id_col].astype(str) if f.has_id_ else pd.Series("series", index=frame.index)
        table = pd.DataFrame(frame[cols].to_numpy(dtype=float), columns=cols,
                             index=pd.MultiIndex.from_arrays([keys.to_numpy(), when.to_numpy()]))
        table = table[~table.index.duplicated(keep="last")]
        for k, (sid, t) in enumerate(zip(ids, times, strict=True)):
            wanted = pd.MultiIndex.from_arrays([np.full(len(t), sid), t])
            block = table.reindex(wanted).to_numpy()
            missing = ~np.isfinite(block).all(axis=1)
            if missing.any():
                where = ", ".join(_fmt(x) for x in t[missing][:3])
                raise InputError(
                    f"future covariates {cols} are missing or NaN for series {sid!r} at {where}"
                    f"{' ...' if missing.sum() > 3 else ''} ({int(missing.sum())} of the "
                    f"{steps} steps the forecast needs). Pass future with a finite row for each."
                )
            blocks[k] = block
    if f.calendar_:
        blocks = [np.column_stack([b, calendar_features(t, tuple(f.calendar_))])
                  for b, t in zip(blocks, times, strict=True)]
    return np.stack(blocks)


def gather_origins(panel: Panel, series: np.ndarray, at: np.ndarray, lookback: int,
                   steps: int, future_cols: list[int]) -> tuple[np.ndarray, np.ndarray | None]:
    """Inputs around origins: the ``lookback`` rows before row ``at[n]`` of series
    ``series[n]`` (``[N, L, F]``) and the future covariates of the ``steps`` rows from it
    (``[N, steps, C]``; past a series' end the last row repeats), in the user's units."""
    values = np.concatenate(panel.values)
    offsets = np.concatenate([[0], np.cumsum(panel.lengths)])
    start = offsets[series] + at  # [N] first target row in `values`
    context = values[(start - lookback)[:, None] + np.arange(lookback)]
    if not future_cols:
        return context, None
    last = offsets[series + 1] - 1
    rows = np.minimum(start[:, None] + np.arange(steps), last[:, None])
    return context, values[rows][..., future_cols]


def static_table(panel: Panel) -> np.ndarray | None:
    """The static covariates standardised across series: ``[S, n_static]`` or None."""
    if panel.static is None:
        return None
    mean, std = panel.static.mean(axis=0), panel.static.std(axis=0)
    return (panel.static - mean) / np.where(std > 0, std, 1.0)
