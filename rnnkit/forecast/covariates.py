"""Reading a forecast's data with its column schema, and its covariates: calendar features,
the known future at prediction time, the static covariates of each series."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rnnkit.data.calendar import calendar_cycles, calendar_features, calendar_names
from rnnkit.data.columns import Columns
from rnnkit.data.frames import Panel, load_panel, time_from_index, with_columns
from rnnkit.data.frequency import future_times_many, season_length
from rnnkit.data.reading import numeric_column, read_data
from rnnkit.data.season_lags import future_lags, lag_columns, lag_names
from rnnkit.data.times import check_zone, fmt_time, read_times
from rnnkit.data.zones import Zone
from rnnkit.errors import InputError
from rnnkit.forecast.options import ForecastOptions


def columns(options: ForecastOptions) -> Columns:
    return Columns(options.time_col, options.target_col, options.id_col,
                   tuple(options.feature_cols), tuple(options.future_cols),
                   tuple(options.static_cols))


def read_panel(options: ForecastOptions, data: Any, calendar: tuple[str, ...] | None = None,
               freq: str | None = None, min_rows: int = 2, zone: Zone | None = None,
               fitted: bool = False, dayfirst: bool | None = None) -> Panel:
    """``data`` validated into a panel with the forecast's columns, calendar features
    appended (``calendar``: the cycles a fitted model reads; None: from the frequency;
    ``zone``: a fitted model's reading of zoned timestamps)."""
    if isinstance(data, Panel):
        return data
    panel = load_panel(data, columns(options), fill=options.fill, freq=freq or options.freq,
                       min_rows=min_rows, zone=zone, fitted=fitted, dayfirst=dayfirst)
    if options.calendar:
        cycles = calendar_cycles(panel.freq) if calendar is None else calendar
        panel = with_columns(panel, calendar_features(panel.times, cycles),
                             calendar_names(cycles))
    if options.season_lags:
        season = lag_season(options, panel.freq)
        lags = np.concatenate([lag_columns(v[:, 0], season, options.season_lags)
                               for v in panel.per_series])
        panel = with_columns(panel, lags, lag_names(options.target_col, options.season_lags))
    return panel


def lag_season(options: ForecastOptions, freq: str | None) -> int:
    """The season the lags step back by: ``season_length``, else the frequency's."""
    season = options.season_length or season_length(freq)
    if not season or season < 2:
        raise InputError(f"season_lags={options.season_lags} needs a season, and the data's "
                         f"frequency ({freq!r}) gives none. Pass season_length= (e.g. 10080 "
                         "for the same minute of previous weeks).")
    return int(season)


def future_values(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """The future covariates ``cols`` of ``frame`` as numbers (``[rows, len(cols)]``); a text
    value is refused with its column and row."""
    try:
        return np.stack([numeric_column(frame, c) for c in cols], axis=1) if len(frame) else \
            np.zeros((0, len(cols)))
    except InputError as error:
        raise InputError(f"future: {error}") from None

def future_block(options: ForecastOptions, freq: str | None, step: int, has_id: bool,
                 calendar: tuple[str, ...] | None, ids: list[str], last: list, steps: int,
                 future: Any, targets: list[np.ndarray] | None = None,
                 season: int | None = None, zone: Zone | None = None,
                 dayfirst: bool = False) -> np.ndarray | None:
    """The future covariates of each series for the ``steps`` steps after ``last``:
    ``[S, steps, C]`` in the user's units (user columns, calendar, then season lags from
    each series' ``targets``), or None."""
    if not options.future_cols and not calendar and not options.season_lags:
        return None
    times = future_times_many(last, freq, steps, step)  # [S, steps]
    parts = [np.zeros((len(ids), steps, 0))]
    cols = list(options.future_cols)
    time_col, id_col = options.time_col, options.id_col
    if cols:
        if future is None:
            raise InputError(
                f"this model reads future covariates {cols}: predict needs their values for the "
                f"{steps} steps after the history (from {fmt_time(times[0][0])} for series "
                f"{ids[0]!r}). Pass future= a frame with {time_col!r}"
                f"{', ' + repr(id_col) if has_id else ''} and {cols} (CLI: --future FILE).")
        # read as DATA is (its series ids kept as text), so "001" matches "001"
        frame = read_data(future, Columns(time_col, options.target_col, id_col),
                          what="future")
        frame = time_from_index(frame, time_col)  # a frame indexed by time, as DATA is read
        for col in [time_col, *cols] + ([id_col] if has_id else []):
            if col not in frame.columns:
                raise InputError(f"future has no column {col!r}; it needs {time_col!r}"
                                 f"{', ' + repr(id_col) if has_id else ''} and {cols}.")
        # read as the training times were (zoned ones on the model's clock)
        if freq:
            parsed, zoned = read_times(frame[time_col], time_col, dayfirst)
            check_zone(time_col, zone, zoned, freq, what="future")
            when = pd.Series(parsed if zoned is None else zoned.on(zone.clock)[0])
        else:
            when = frame[time_col]
        keys = frame[id_col].astype(str) if has_id else pd.Series("series", index=frame.index)
        values = future_values(frame, cols)
        table = pd.DataFrame(values, columns=cols,
                             index=pd.MultiIndex.from_arrays([keys.to_numpy(), when.to_numpy()]))
        table = table[~table.index.duplicated(keep="last")]
        wanted = pd.MultiIndex.from_arrays([np.repeat(np.asarray(ids, dtype=object), steps),
                                            times.reshape(-1)])  # every series at once
        block = table.reindex(wanted).to_numpy().reshape(len(ids), steps, len(cols))
        missing = ~np.isfinite(block).all(axis=2)  # [S, steps]
        if missing.any():
            k = int(np.flatnonzero(missing.any(axis=1))[0])  # the first series lacking some
            where = ", ".join(fmt_time(x) for x in times[k][missing[k]][:3])
            raise InputError(
                f"future covariates {cols} are missing or NaN for series {ids[k]!r} at {where}"
                f"{' ...' if missing[k].sum() > 3 else ''} ({int(missing[k].sum())} of the "
                f"{steps} steps the forecast needs). Pass future with a finite row for each "
                "(CLI: --future FILE).")
        parts.append(block)
    if calendar:
        parts.append(calendar_features(times.reshape(-1), tuple(calendar)).reshape(
            len(ids), steps, -1))
    if options.season_lags:
        parts.append(np.stack([future_lags(v, season, options.season_lags, steps)
                               for v in targets]))
    return np.concatenate(parts, axis=2)


def static_table(panel: Panel) -> np.ndarray | None:
    """The static covariates standardised across series: ``[S, n_static]`` or None."""
    if panel.static is None:
        return None
    mean, std = panel.static.mean(axis=0), panel.static.std(axis=0)
    return (panel.static - mean) / np.where(std > 0, std, 1.0)


def check_future_covers(options: ForecastOptions, panel: Panel, future: Any,
                        horizon: int | None = None) -> None:
    """Before a fit: ``future`` holds finite values of the future covariates for every
    series over the steps the forecast after the fit reads (the horizon after each series'
    end; ``horizon``: an evaluation's, where no horizon is given), so that a file a month
    short fails in a second, not after the training."""
    from dataclasses import replace

    from rnnkit.forecast.spec import resolve

    spec = resolve(options, panel, horizon)
    future_block(replace(options, season_lags=0), panel.freq, panel.step, panel.has_id, None,
                 list(panel.ids), panel.last_times,
                 spec.future_steps(spec.horizon, options.strategy), future, zone=panel.zone,
                 dayfirst=panel.dayfirst)
