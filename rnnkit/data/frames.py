"""Long frames of time series (one series or many) validated into a :class:`Panel`: one
grouped array with offsets and an id index, each series sorted, regular and finite.

Validation happens once, early, in a fixed order, and every message names the argument,
what was expected, what was received and the fix. Reading a file is :mod:`reading`'s, the
columns' parts :mod:`columns`', a time column :mod:`times`', a frequency's season
:mod:`frequency`'s.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any

import numpy as np
import pandas as pd

from rnnkit.data.columns import Columns, check_roles
from rnnkit.data.frequency import wall_grid
from rnnkit.data.reading import check_array, numeric_column, read_data
from rnnkit.data.sessions import Sessions, is_sessions
from rnnkit.data.times import check_zone, day_first, fmt_time, read_times, user_times
from rnnkit.data.zones import Zone
from rnnkit.errors import InputError

FILLS = ("ffill", "interpolate", "zero", "drop")
SINGLE_ID = "series"


@dataclass
class Panel:
    """Validated series: one or many, each sorted by time, regular and finite, stored as one
    grouped array (series after series) with the offsets that cut it.

    Attributes:
        ids: series ids in order of first appearance; ``index[id]`` is a series' row.
        values: ``[total, F]`` float64, every series' rows one after the other; columns
            ``Columns.value_cols`` (target first, then past covariates, then future
            covariates, then any calendar features).
        times: ``[total]`` datetime64[ns], or int64 for an integer time index.
        offsets: ``[S + 1]``: series s occupies rows ``offsets[s]:offsets[s + 1]``.
        freq: pandas frequency alias, or None for an integer index.
        step: the step between integer times (1 for datetimes).
        columns: the schema. has_id: whether the data had an id column.
        static: ``[S, len(static_cols)]`` one row per series, or None.
        extra_cols: names of columns appended after loading (calendar features).
        zone: how zoned timestamps sit on the naive ``times`` (see :mod:`rnnkit.data.zones`);
            None for timestamps without a zone.
        dayfirst: dates written as numbers (01/02/1949) were read day first.
        integer_ids: the id column held integers: ``ids`` are their text, and answers give
            them back as integers (:meth:`user_ids`).
    """

    ids: list[str]
    values: np.ndarray
    times: np.ndarray
    offsets: np.ndarray
    freq: str | None
    step: int = 1
    columns: Columns = field(default_factory=Columns)
    has_id: bool = True
    static: np.ndarray | None = None
    extra_cols: tuple[str, ...] = ()
    zone: Zone | None = None
    dayfirst: bool = False
    integer_ids: bool = False

    def user_ids(self, ids: Any) -> np.ndarray:
        """Series ids (text inside) as the user's column held them."""
        return as_user_ids(ids, self.integer_ids)

    @classmethod
    def from_series(cls, ids: list[str], values: list[np.ndarray], times: list[np.ndarray],
                    freq: str | None, **kwargs) -> Panel:
        """A panel from one array of values ``[T_i, F]`` and of times per series."""
        lengths = [len(v) for v in values]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        width = values[0].shape[1] if values else 0
        joined = np.concatenate(values) if values else np.zeros((0, width))
        return cls(list(ids), joined, np.concatenate(times), offsets, freq, **kwargs)

    @cached_property
    def index(self) -> dict[str, int]:
        """Series id -> row."""
        return {sid: k for k, sid in enumerate(self.ids)}

    @property
    def n_series(self) -> int:
        return len(self.ids)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def n_features(self) -> int:
        return len(self.columns.value_cols) + len(self.extra_cols)

    def series(self, s: int) -> np.ndarray:
        """Series ``s``'s values ``[T_s, F]`` (a view)."""
        return self.values[self.offsets[s] : self.offsets[s + 1]]

    def series_times(self, s: int) -> np.ndarray:
        return self.times[self.offsets[s] : self.offsets[s + 1]]

    @property
    def per_series(self) -> list[np.ndarray]:
        """Every series' values, as views."""
        return [self.series(s) for s in range(self.n_series)]

    @property
    def last_times(self) -> list:
        return [self.times[o - 1] for o in self.offsets[1:]]

    def target(self) -> np.ndarray:
        """The target column of every row: ``[total]``."""
        return self.values[:, 0]

    def rows_of(self, ids: list[str], what: str = "ids") -> np.ndarray:
        """The rows of series ``ids``; unknown ids are an error naming them."""
        unknown = [i for i in ids if i not in self.index]
        if unknown:
            raise InputError(f"{what} {unknown[:5]} are not among the series "
                             f"({self.ids[:5]}{'...' if self.n_series > 5 else ''}). Pass ids "
                             "of series in the data.")
        return np.array([self.index[i] for i in ids], dtype=np.int64)

    def to_frame(self) -> pd.DataFrame:
        """The long frame again, in the user's column names."""
        c = self.columns
        frame = pd.DataFrame({c.id_col: self.user_ids(np.repeat(self.ids, self.lengths)),
                              c.time_col: user_times(self.times, self.zone)})
        for j, name in enumerate(c.value_cols):
            frame[name] = self.values[:, j]
        for j, name in enumerate(c.static_cols):
            frame[name] = np.repeat(self.static[:, j], self.lengths)
        return frame


def time_from_index(frame: pd.DataFrame, time_col: str) -> pd.DataFrame:
    """A frame indexed by time, as a pandas Series is read (``rnnkit.data.native``): where
    ``time_col`` is not a column but the index holds timestamps or periods, or is named
    ``time_col``, the index becomes that column."""
    if time_col in frame.columns:
        return frame
    index = frame.index
    if index.nlevels > 1:
        if time_col not in index.names:
            return frame
        levels = [n for n in index.names if n is not None and n not in frame.columns]
        frame = frame.reset_index(level=levels)
        if isinstance(frame[time_col].dtype, pd.PeriodDtype):
            frame[time_col] = frame[time_col].dt.to_timestamp()
        return frame
    if not isinstance(index, pd.DatetimeIndex | pd.PeriodIndex) and index.name != time_col:
        return frame
    times = index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index
    return frame.reset_index(drop=True).assign(**{time_col: times.to_numpy()})


def _missing_column(name: str, arg: str, frame: pd.DataFrame, c: Columns,
                    fitted: bool = False) -> InputError:
    """``name`` (of argument ``arg``) is not a column. The time and target may be another
    column (the closest is proposed); a covariate may not: the data must hold the columns
    named, as a fitted model needs the columns it was trained on. load_panel cannot tell
    the command line from Python, so both spellings of the argument are given; for a fitted
    model's data (``fitted``: predict, update, score), whose columns are the model's, the
    fix is a rename."""
    cols = [str(x) for x in frame.columns]
    flag = f"--{arg.replace('_', '-')}"
    roles = {c.time_col, c.target_col, c.id_col, *c.feature_cols, *c.future_cols,
             *c.static_cols} - {name}
    free = [x for x in cols if x not in roles]  # a column in another role is never proposed
    close = difflib.get_close_matches(name, free, n=1)
    head = f"{arg}={name!r} is not a column; columns are {cols}."
    if arg in ("time_col", "target_col"):
        close = close or _columns_fit_for(arg, frame[free])
        if close and fitted:
            return InputError(f"{head} Did you mean {close[0]!r}? The model reads {arg}="
                              f"{name!r}, the name its training data had: rename {close[0]!r} "
                              f"to {name!r} (frame.rename(columns={{{close[0]!r}: {name!r}}})).")
        if close:
            return InputError(f"{head} Did you mean {close[0]!r}? Pass {flag} {close[0]} "
                              f"(Python: {arg}={close[0]!r}), or rename that column to "
                              f"{name!r} if a fitted model reads {name!r}.")
        what = "timestamps or integer steps" if arg == "time_col" else "the numbers to forecast"
        named = frame.index.name is not None and not isinstance(frame.index, pd.RangeIndex)
        index = f", or call .reset_index() if the index {frame.index.name!r} holds them" \
            if named else ""
        if fitted:  # the model's names are fixed: predict has no flag to rename them
            return InputError(f"{head} The model reads {what} from a column named {name!r}, "
                              f"as its training data had: give the data that column{index}.")
        return InputError(f"{head} Give the data a column of {what} and name it with {arg} / "
                          f"{flag}{index}.")
    wanted = list(getattr(c, arg))
    if close and arg == "static_cols" and not _constant(frame, close[0], c.id_col):
        close = []  # a column that varies within a series is no static covariate
    rename = f" (or rename {close[0]!r} to {name!r})" if close else ""
    return InputError(
        f"{head} The data must include every column in {arg}, {wanted}: a fitted model needs "
        f"the columns it was trained on. Add {name!r} to the data{rename}; for a new fit you "
        f"may instead drop it from {arg} / {flag}."
    )


def _constant(frame: pd.DataFrame, col: str, id_col: str) -> bool:
    """Whether ``col`` holds one value per series."""
    if id_col in frame.columns:
        return bool((frame.groupby(id_col)[col].nunique(dropna=False) <= 1).all())
    return frame[col].nunique(dropna=False) <= 1


def _columns_fit_for(arg: str, frame: pd.DataFrame) -> list[str]:
    """Columns that could play the role: timestamps for time_col, numbers for the others."""
    head = frame.head(5)
    if arg == "time_col":
        fits = []
        for c in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(head[c]):
                fits.append(str(c))
            elif head[c].dtype == object or pd.api.types.is_string_dtype(head[c]):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if pd.to_datetime(head[c], errors="coerce").notna().all():
                        fits.append(str(c))
        return fits[:1]
    return [str(c) for c in frame.columns if pd.api.types.is_float_dtype(head[c])][:1]


def load_panel(
    data: object, columns: Columns = Columns(), *, fill: str | None = None,
    freq: str | None = None, min_rows: int = 2, zone: Zone | None = None,
    fitted: bool = False, dayfirst: bool | None = None,
) -> Panel:
    """Read ``data`` and validate it into a :class:`Panel` (see the module docstring).

    ``fitted``: the data of a fitted model (predict, update, score), whose column names are
    fixed: a missing one is to be renamed. ``zone``: a fitted model's (its clock reads zoned
    timestamps); None: zoned timestamps
    go on the wall clock of their zone or on UTC, whichever keeps them regular, the wall
    clock first except for around-the-clock data finer than a day (see
    :mod:`rnnkit.data.zones`)."""
    if isinstance(data, Panel):
        return data
    if isinstance(data, np.ndarray):
        check_array(data, columns)
    c = columns
    frame = read_data(data, columns)
    if isinstance(frame, pd.DataFrame):
        frame = time_from_index(frame, c.time_col)
    if frame.empty:
        raise InputError("data has no rows. Give a frame with observations.")
    for col, arg in [(c.time_col, "time_col"), (c.target_col, "target_col")] + [
        (f, "feature_cols") for f in c.feature_cols] + [
        (f, "future_cols") for f in c.future_cols] + [(f, "static_cols") for f in c.static_cols
    ]:
        if col not in frame.columns:
            raise _missing_column(col, arg, frame, c, fitted)
    if fill is not None and fill not in FILLS:
        raise InputError(f"fill={fill!r} is not known; expected one of {list(FILLS)}.")
    has_id = c.id_col in frame.columns
    if not has_id and c.id_col != Columns().id_col:  # named by the user, so meant to be there
        raise InputError(f"id_col={c.id_col!r} is not a column; columns are "
                         f"{[str(x) for x in frame.columns]}. Name the column of series ids "
                         "(id_col / --id-col), or leave id_col out for one series.")
    if has_id and frame[c.id_col].isna().any():
        empty = np.flatnonzero(frame[c.id_col].isna().to_numpy())
        raise InputError(f"id_col={c.id_col!r} is empty in {len(empty)} row(s) (first: row "
                         f"{empty[0]}). Fill the ids of those rows, or drop them.")
    ids = frame[c.id_col].astype(str).to_numpy() if has_id else np.full(len(frame), SINGLE_ID)
    _check_roles(c)
    value_cols = list(c.value_cols)
    values = np.column_stack([numeric_column(frame, col) for col in value_cols])
    statics = np.column_stack([numeric_column(frame, col) for col in c.static_cols]) \
        if c.static_cols else None
    if dayfirst is None:  # a new fit: told from the values; a model's data: the model's
        dayfirst = day_first(frame[c.time_col])
    times, zoned = read_times(frame[c.time_col], c.time_col, dayfirst)
    if fitted:
        check_zone(c.time_col, zone, zoned, freq)
    build = partial(_assemble, ids, values, statics, c, has_id, fill, freq, min_rows,
                    dayfirst=dayfirst, fitted=fitted,
                    integer_ids=has_id and pd.api.types.is_integer_dtype(frame[c.id_col]))
    if zoned is None:
        return build(times, None)
    if zone is not None:
        return build(*zoned.on(zone.clock))
    try:
        panel = build(*zoned.on("wall"))
    except InputError as wall_error:
        try:
            return build(*zoned.on("utc"))
        except InputError:
            raise wall_error from None
    if not wall_grid(panel.freq):
        try:
            return build(*zoned.on("utc"))
        except InputError:
            pass
    return panel


def _assemble(ids: np.ndarray, values: np.ndarray, statics: np.ndarray | None, c: Columns,
              has_id: bool, fill: str | None, freq: str | None, min_rows: int,
              times: np.ndarray, zone: Zone | None, dayfirst: bool = False,
              fitted: bool = False, integer_ids: bool = False) -> Panel:
    """The rest of :func:`load_panel` once the times are read (one reading of them)."""
    value_cols = list(c.value_cols)
    order = np.lexsort((times, _first_appearance_codes(ids)))  # by series, then time
    ids, times, values = ids[order], times[order], values[order]
    uniq, starts = np.unique(ids, return_index=True)
    starts.sort()
    bounds = list(starts) + [len(ids)]
    series_ids = [str(ids[s]) for s in starts]
    static = None if statics is None else _static_rows(statics[order], bounds, series_ids, c)
    per_values = [values[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    per_times = [times[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    _check_duplicates(series_ids, per_times, c)
    integer = np.issubdtype(times.dtype, np.integer)
    if is_sessions(freq) and not integer:  # a session calendar (a model's): no grid to fill
        _check_sessions(series_ids, per_times, Sessions.from_freq(freq))
    given = [len(t) for t in per_times]
    if fill is not None and freq is None and not integer:
        freq = _fill_grid(per_times)  # the step kept between the gaps: theirs to fill
    if freq is not None and not integer and not is_sessions(freq):
        per_values, per_times = _reindex(per_values, per_times, freq, series_ids)
    added = [len(t) - n for t, n in zip(per_times, given, strict=True)]  # rows of the grid
    per_values = _check_finite(series_ids, per_values, per_times, value_cols, fill,
                               (freq or "integer steps", added) if fitted else None)
    if fill == "drop":
        keep = [np.isfinite(v).all(axis=1) for v in per_values]
        for sid, k, t in zip(series_ids, keep, per_times, strict=True):
            inside = np.flatnonzero(~k[np.argmax(k): len(k) - np.argmax(k[::-1])]) \
                if k.any() else np.array([], dtype=np.int64)
            if inside.size:  # a dropped row inside a series is a gap in its steps
                at = t[np.argmax(k) + inside[0]]
                raise InputError(
                    f"fill='drop' drops {inside.size} row(s) inside series {sid!r} (first at "
                    f"{fmt_time(at)}), which leaves gaps in its time steps. Use fill='interpolate' "
                    "or 'ffill' for missing values inside a series; 'drop' is for those at "
                    "its start or end.")
        per_values = [v[k] for v, k in zip(per_values, keep, strict=True)]
        per_times = [t[k] for t, k in zip(per_times, keep, strict=True)]
    for sid, v in zip(series_ids, per_values, strict=True):
        if len(v) < min_rows:
            raise InputError(f"series {sid!r} has {len(v)} observation(s); at least {min_rows} "
                             "are needed. Give more rows, or drop that series.")
    found, step = _regular(series_ids, per_times, integer, freq, c.time_col)
    return Panel.from_series(series_ids, per_values, per_times, found, step=step,
                             columns=c, has_id=has_id, static=static, zone=zone,
                             dayfirst=dayfirst, integer_ids=integer_ids)


def _check_roles(c: Columns) -> None:
    """A column plays one role: target, times, ids, past, future or static covariate."""
    check_roles([(c.target_col, "target_col"), (c.time_col, "time_col"), (c.id_col, "id_col")]
                + [(col, arg) for arg in ("feature_cols", "future_cols", "static_cols")
                   for col in getattr(c, arg)], answer=False)


def _static_rows(statics: np.ndarray, bounds: list[int], ids: list[str],
                 c: Columns) -> np.ndarray:
    """One row of static covariates per series; each must be constant and finite there."""
    rows = []
    for sid, a, b in zip(ids, bounds[:-1], bounds[1:], strict=True):
        block = statics[a:b]
        for j, col in enumerate(c.static_cols):
            if not np.isfinite(block[:, j]).all():
                raise InputError(
                    f"static column {col!r} of series {sid!r} has missing or infinite values. "
                    "Give every series one finite value."
                )
            if (block[:, j] != block[0, j]).any():
                raise InputError(
                    f"static column {col!r} varies within series {sid!r} ({block[0, j]:g}, then "
                    f"{block[block[:, j] != block[0, j]][0, j]:g}); a static covariate holds one "
                    "value per series. Pass it in feature_cols or future_cols if it changes."
                )
        rows.append(block[0])
    return np.asarray(rows, dtype=np.float64).reshape(len(ids), len(c.static_cols))


def _first_appearance_codes(ids: np.ndarray) -> np.ndarray:
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))
    return rank[inverse]


def _check_duplicates(ids: list[str], times: list[np.ndarray], c: Columns) -> None:
    for sid, t in zip(ids, times, strict=True):
        dup = t[1:] == t[:-1]
        if dup.any():
            first = fmt_time(t[1:][dup][0])
            raise InputError(
                f"series {sid!r} has {int(dup.sum())} duplicate timestamp(s) in "
                f"{c.time_col!r}, first {first}. Aggregate or drop duplicates (one row per "
                f"series and time{'' if c.id_col else ''}), or pass id_col if these are "
                "several series."
            )


def _check_sessions(ids, times, sessions: Sessions) -> None:
    """Every series' rows on the session calendar, each the next open slot after the one
    before it."""
    for sid, t in zip(ids, times, strict=True):
        k = sessions.first_off(t)
        if k is not None:
            where = (f"expected {fmt_time(sessions.following(t[k - 1], 1)[0])} (the next open "
                     f"slot) after {fmt_time(t[k - 1])}, found {fmt_time(t[k])}") if k else \
                f"{fmt_time(t[0])} is not an open slot"
            raise InputError(
                f"series {sid!r} is off the session calendar {sessions.to_freq()!r}: {where}. "
                "Pass the rows of the open slots, in order, with none missing within a day.")


def _reindex(values, times, freq, ids):
    """Each series on the regular grid of ``freq`` from its first to its last time (a gap
    becomes rows of NaN). Series already on it, the usual case (an update's new rows, a
    model's own data), are found in one vector check and kept as they are; a timestamp off
    the grid is an error (reindexing would drop its observation)."""
    regular = _on_grid(times, freq)
    out_v, out_t = [], []
    for sid, v, t, kept in zip(ids, values, times, regular, strict=True):
        if kept:
            out_v.append(np.array(v))
            out_t.append(np.asarray(t).astype("datetime64[ns]"))
            continue
        try:
            grid = pd.date_range(t[0], t[-1], freq=freq)
        except ValueError as e:
            raise InputError(f"freq={freq!r} is not a pandas frequency. Pass e.g. freq='D'.") from e
        index = pd.DatetimeIndex(t)
        off = ~index.isin(grid)
        if off.any():
            own = _infer_freq(t) if len(t) >= 3 else None
            follow = f"freq={own!r}, the frequency the timestamps follow" if own else \
                "the frequency the timestamps follow (e.g. 'W-MON' for weeks of Mondays)"
            raise InputError(
                f"freq={freq!r} puts series {sid!r} on a grid that {int(off.sum())} of its "
                f"{len(t)} timestamps are not on (first: {fmt_time(t[np.argmax(off)])}; the grid "
                f"starts {fmt_time(grid[0]) if len(grid) else 'nowhere'}): their observations "
                f"would be dropped. Pass {follow}, or resample the data to {freq!r} first.")
        frame = pd.DataFrame(v, index=index).reindex(grid)
        out_v.append(frame.to_numpy())
        out_t.append(grid.to_numpy(dtype="datetime64[ns]"))
    return out_v, out_t


def _on_grid(times: list[np.ndarray], freq: str) -> np.ndarray:
    """Per series, whether its times step by exactly ``freq``: one check over all series for
    a fixed-length frequency (hours, minutes, days of naive times); False for calendar
    frequencies (months, weeks), which the per-series grid decides."""
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        return np.zeros(len(times), dtype=bool)  # the per-series path names the bad freq
    if not isinstance(offset, pd.offsets.Tick | pd.offsets.Day) or not times:
        return np.zeros(len(times), dtype=bool)
    step = (pd.Timedelta(days=offset.n) if isinstance(offset, pd.offsets.Day)
            else pd.Timedelta(offset)).value
    lengths = np.fromiter(map(len, times), np.int64, len(times))
    flat = np.concatenate(times).astype("datetime64[ns]").view(np.int64)
    off = np.diff(flat) != step
    off[np.cumsum(lengths)[:-1] - 1] = False  # the step from one series to the next
    series = np.searchsorted(np.cumsum(lengths), np.flatnonzero(off), side="right")
    regular = np.ones(len(times), dtype=bool)
    regular[series] = False
    return regular


def _check_finite(ids, values, times, cols, fill, model: tuple | None = None):
    """The values with their missing ones filled as ``fill`` says; without ``fill``, any is
    refused. ``model``: the data is a fitted model's (predict, update, score): its grid and
    the rows it added to each series, for a fix in the data, not in an argument that the
    call has not."""
    out = []
    model_freq, added = model if model is not None else (None, [0] * len(ids))
    for sid, v, t, extra in zip(ids, values, times, added, strict=True):
        bad = ~np.isfinite(v)
        if not bad.any():
            out.append(v)
            continue
        if fill is None:
            rows, col_idx = np.nonzero(bad)
            col = cols[int(col_idx[0])]
            where = ", ".join(fmt_time(x) for x in t[rows[col_idx == col_idx[0]]][:3])
            count = int(bad[:, col_idx[0]].sum())
            head = (f"column {col!r} of series {sid!r} has {count} missing or infinite "
                    f"value(s), first at {where}.")
            if model_freq is not None and len(v) >= 6 and extra > len(v) / 2:  # the grid
                # added most rows: not a gap (nor a value or two of a short update)
                raise InputError(
                    f"{head} The model's steps are {model_freq!r}, and the data fills fewer "
                    "than half of them: it looks like data of another frequency. Give the "
                    "data at the model's frequency, or fit a model on this data.")
            if model_freq is not None:
                raise InputError(f"{head} The model was fitted without fill: give those "
                                 "values (add the missing rows) in the data, or refit with "
                                 "fill=... (CLI: --fill).")
            raise InputError(
                f"{head} Pass fill='ffill' | 'interpolate' | 'zero' | 'drop' (CLI: --fill) to "
                "fill them, or clean the data."
            )
        frame = pd.DataFrame(np.where(bad, np.nan, v))
        if fill == "ffill":
            frame = frame.ffill().bfill()
        elif fill == "interpolate":
            frame = frame.interpolate(limit_direction="both")
        elif fill == "zero":
            frame = frame.fillna(0.0)
        if fill != "drop" and frame.isna().any().any():  # a column with no value at all
            col = cols[int(np.flatnonzero(frame.isna().any().to_numpy())[0])]
            raise InputError(f"column {col!r} of series {sid!r} has no value to fill from "
                             f"(all {len(frame)} missing). Drop that series, or give it values.")
        out.append(frame.to_numpy())  # "drop" keeps NaN rows, dropped by the caller
    return out


BUSINESS = ("bh", "cbh")  # pandas business-hour frequencies


def _regular(ids, times, integer, freq, time_col: str = "ds"):
    if integer:
        steps = {sid: int(np.min(np.diff(t))) for sid, t in zip(ids, times, strict=True)
                 if len(t) > 1}
        if len(set(steps.values())) > 1:
            shown = dict(list(steps.items())[:5])
            raise InputError(f"series step by different amounts of the integer time index "
                             f"({shown}). Number every series' steps alike (e.g. 0, 1, 2, "
                             "...), or model them separately.")
        step = min(steps.values()) if steps else 1
        for sid, t in zip(ids, times, strict=True):
            gaps = np.flatnonzero(np.diff(t) != step)
            if gaps.size:
                g = gaps[0]
                dates = _dates_as_integers(np.concatenate(times))
                fix = (f"They look like {dates[0]} dates ({t[g]}): read them as dates, "
                       f"frame[{time_col!r}] = pd.to_datetime(frame[{time_col!r}]."
                       f"astype('int64').astype(str), format={dates[1]!r}).") if dates else \
                    ("Add the missing steps as rows (their values may be empty, with "
                     "fill=...), or renumber the steps.")
                raise InputError(
                    f"series {sid!r} has irregular integer time steps: expected {t[g] + step} "
                    f"after {t[g]}, found {t[g + 1]}. {fix}")
        return None, step
    found, few = {}, []
    for sid, t in zip(ids, times, strict=True):
        if freq is None and len(t) < 3 and len(ids) > 1:
            few.append((sid, t))  # too few to tell: the panel's frequency, if it has one
            continue
        inferred = freq or (_infer_freq(t) if len(t) >= 3 else None)
        # pandas' business hours ("bh") have no season; a session calendar has (a day of slots)
        business = inferred is not None and inferred.lstrip("0123456789").lower() in BUSINESS
        if (inferred is None or business) and freq is None:
            sessions = Sessions.detect(t)  # business hours, trading days
            inferred = sessions.to_freq() if sessions is not None else inferred
        if inferred is None:
            raise _first_break(sid, t)
        found[sid] = inferred
    kinds = set(found.values())
    if len(kinds) > 1:  # the odd series named, not five that agree
        common = max(kinds, key=list(found.values()).count)
        odd = {sid: f for sid, f in found.items() if f != common}
        shown = ", ".join(f"{sid!r} is {f!r}" for sid, f in list(odd.items())[:3])
        more = f" and {len(odd) - 3} more" if len(odd) > 3 else ""
        raise InputError(
            f"series have different frequencies: {shown}{more}, the other "
            f"{len(found) - len(odd)} {common!r}. Pass freq=... (--freq) to put them all on "
            "one grid, or model them separately."
        )
    if few and not kinds:
        raise _first_break(*few[0])
    for sid, t in few:  # one or two times: on the others' grid, or irregular
        _one_step_apart(sid, t, next(iter(kinds)))
    return kinds.pop(), 1


def _one_step_apart(sid: str, t: np.ndarray, freq: str) -> None:
    """Refuse two times ``t`` of a series that are not one step of ``freq`` apart."""
    if len(t) < 2:
        return
    try:
        step = pd.Timestamp(t[0]) + pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError, OverflowError):  # a session calendar: its own grid
        return
    if step != pd.Timestamp(t[1]):
        raise _irregular(sid, step, t[0], t[1], freq)


def _infer_freq(t: np.ndarray) -> str | None:
    with warnings.catch_warnings():  # pandas 3 warns that pandas 4 returns an offset object
        warnings.simplefilter("ignore")
        inferred = pd.infer_freq(pd.DatetimeIndex(t))
    return inferred if inferred is None or isinstance(inferred, str) else inferred.freqstr


def _dates_as_integers(t: np.ndarray) -> tuple[str, str] | None:
    """Whether integer times are dates written as digits (197301: January 1973; 19730115):
    their reading ("YYYYMM", "%Y%m"), or None."""
    for name, fmt, digits in (("YYYYMMDD", "%Y%m%d", 8), ("YYYYMM", "%Y%m", 6)):
        if ((t >= 10 ** (digits - 1)) & (t < 10 ** digits)).all():
            parsed = pd.to_datetime(pd.Series(t.astype(str)), format=fmt, errors="coerce")
            if parsed.notna().all() and parsed.dt.year.between(1000, 2999).all():
                return name, fmt
    return None


def _irregular(sid: str, expected: object, before: object, found: object,
               freq: str | None = None) -> InputError:
    return InputError(
        f"series {sid!r} has irregular timestamps: expected {fmt_time(expected)} after "
        f"{fmt_time(before)}, found {fmt_time(found)}. Resample to a regular grid, or pass "
        + (f"fill=... to fill the gaps on its {freq!r} grid (CLI: --fill; --freq sets "
           "another grid)." if freq is not None else "freq=... with fill=... (CLI: --freq, "
           "--fill) to reindex and fill the gaps.")
    )


def _usual_step(t: np.ndarray) -> tuple[str | None, np.ndarray, bool, Any]:
    """The frequency irregular times ``t`` keep between their breaks, inferred on the
    longest stretch that keeps the most common gap, counted in calendar months when the gaps
    are a month or more (months, quarters and years differ in days), else in time; with the
    gaps, whether they are months, and the usual one."""
    months = pd.DatetimeIndex(t).year.to_numpy() * 12 + pd.DatetimeIndex(t).month.to_numpy()
    diffs = np.diff(t)
    common = pd.Series(diffs).mode().iloc[0]
    calendar = common >= np.timedelta64(28, "D")
    gaps = np.diff(months) if calendar else diffs
    usual = pd.Series(gaps).mode().iloc[0]
    keep = np.concatenate([[False], gaps == usual, [False]])
    edges = np.flatnonzero(np.diff(keep.astype(np.int8)))  # run starts and ends, in pairs
    starts, ends = edges[0::2], edges[1::2]
    k = int(np.argmax(ends - starts))
    stretch = t[starts[k] : ends[k] + 1]  # the longest run of the usual gap, as times
    return (_infer_freq(stretch) if len(stretch) >= 3 else None), gaps, calendar, usual


def _fill_grid(times: list[np.ndarray]) -> str | None:
    """For ``fill=`` without ``freq=``: the frequency every series keeps between its gaps
    (months with some missing, say), where each that has gaps shows the same one; None where
    none has gaps, where they disagree, or where a series is on a session calendar (trading
    days skip weekends: no gaps to fill)."""
    found = set()
    for t in times:
        if len(t) < 3 or _infer_freq(t) is not None:
            continue
        if Sessions.detect(t) is not None:
            return None
        found.add(_usual_step(t)[0])
    return found.pop() if len(found) == 1 and None not in found else None


def _first_break(sid: str, t: np.ndarray) -> InputError:
    """The first place irregular times ``t`` break their usual step (see
    :func:`_usual_step`); failing that the most common gap itself is the step."""
    diffs = np.diff(t)
    common = pd.Series(diffs).mode().iloc[0]
    freq, gaps, calendar, usual = _usual_step(t)
    if freq is not None:
        try:
            offset = pd.tseries.frequencies.to_offset(freq)
            expected = (pd.DatetimeIndex(t[:-1]) + offset).to_numpy(dtype="datetime64[ns]")
        except (ValueError, TypeError, OverflowError):
            expected = None
        off = np.flatnonzero(expected != t[1:]) if expected is not None else np.array([])
        if off.size:
            g = int(off[0])
            return _irregular(sid, expected[g], t[g], t[g + 1], freq)
    if len(t) < 3:  # nothing breaks a step that two times cannot show
        return InputError(
            f"series {sid!r} has {len(t)} timestamps, too few to infer their frequency (pandas "
            "needs 3). Pass freq=... (CLI: --freq), e.g. freq='D', or give more rows."
        )
    if calendar and (gaps != usual).any():
        g = int(np.flatnonzero(gaps != usual)[0])
        expected = pd.Timestamp(t[g]) + pd.DateOffset(months=int(usual))
        return _irregular(sid, expected, t[g], t[g + 1])
    g = int(np.flatnonzero(diffs != common)[0]) if (diffs != common).any() else 0
    return _irregular(sid, t[g] + common, t[g], t[g + 1])


def as_user_ids(ids: Any, integer: bool) -> np.ndarray:
    """Series ids (text inside) as integers where the user's id column held them."""
    return pd.to_numeric(np.asarray(ids)) if integer else np.asarray(ids)  # int64, uint64


def select_series(panel: Panel, keep: list[int] | np.ndarray) -> Panel:
    """The series at positions ``keep``."""
    return replace(
        Panel.from_series([panel.ids[k] for k in keep], [panel.series(k) for k in keep],
                          [panel.series_times(k) for k in keep], panel.freq, step=panel.step,
                          columns=panel.columns, has_id=panel.has_id,
                          static=None if panel.static is None else panel.static[keep]),
        extra_cols=panel.extra_cols, zone=panel.zone, dayfirst=panel.dayfirst,
        integer_ids=panel.integer_ids)


def first_rows(panel: Panel, stop: np.ndarray) -> Panel:
    """The first ``stop[i]`` rows of each series."""
    keep = np.concatenate([np.arange(a, a + s) for a, s in
                           zip(panel.offsets[:-1], stop, strict=True)]).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(stop)]).astype(np.int64)
    return replace(panel, values=panel.values[keep], times=panel.times[keep], offsets=offsets)


def with_columns(panel: Panel, extra: np.ndarray, names: tuple[str, ...]) -> Panel:
    """``panel`` with columns ``extra`` ``[total, k]`` appended after its values."""
    return replace(panel, values=np.column_stack([panel.values, extra]),
                   extra_cols=panel.extra_cols + tuple(names))
