"""Time columns read as the user meant them: day-first dates told from their values, zoned
timestamps read both ways (UTC and the wall clock), grid times given back in the user's zone,
and a time printed as a date where it is one."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from rnnkit.data.frequency import wall_grid
from rnnkit.data.zones import Zone, ZonedTimes, read_offsets, read_zoned
from rnnkit.errors import InputError


def parse_times(col: pd.Series, name: str, clock: str = "utc",
                dayfirst: bool | None = None) -> np.ndarray:
    """The naive times of ``col``; zoned ones on ``clock`` (a model's, see
    :mod:`rnnkit.data.zones`); numeric dates day first as ``dayfirst`` says (None: told
    from the values)."""
    times, zoned = read_times(col, name, dayfirst)
    return times if zoned is None else zoned.on(clock)[0]


def check_zone(name: str, zone: Zone | None, zoned: ZonedTimes | None, freq: str | None,
               what: str = "data") -> None:
    """New times for a fitted model (``zone``: how its training times were zoned; ``zoned``:
    the new ones' zone; ``freq``: the model's) must be zoned as the training times were
    where a reading would be a guess: on steps finer than a day (the UTC clock), naive times
    for a zoned model (read as UTC, local times were forecast hours off) and zoned times for
    a naive model (local or UTC?). On days and longer (the wall clock) either reads as the
    local date."""
    if (zone is None) == (zoned is None) or wall_grid(freq) or \
            (zone is not None and zone.clock == "wall"):
        return
    if zone is not None:
        fix = f"frame[{name!r}].dt.tz_localize({zone.tz!r})" if zone.tz else \
            "with their UTC offsets, as the training data had them (or in UTC, +00:00)"
        raise InputError(f"time_col={name!r} of {what} has no time zone, but the model was "
                         f"fitted on times {'in ' + zone.tz if zone.tz else 'with UTC offsets'}"
                         "; read as they are, its forecasts would be stamped at other hours. "
                         f"Pass the times zoned: {fix}.")
    raise InputError(f"time_col={name!r} of {what} is zoned ({zoned.tz or 'UTC offsets'}), but "
                     "the model was fitted on times without a zone. Pass them as at fit, "
                     f"without a zone (frame[{name!r}].dt.tz_localize(None) keeps the local "
                     "clock, .dt.tz_convert(None) gives UTC), or refit on zoned times.")


def read_times(col: pd.Series, name: str, dayfirst: bool | None = None
               ) -> tuple[np.ndarray, ZonedTimes | None]:
    """The times of a time column ``[n]`` (datetime64[ns] or int64), and for zoned
    timestamps both of their readings (UTC, the wall clock); the first is UTC then.
    ``dayfirst``: whether numeric dates (01/02/1949) put the day first (None: told from
    the values, see :func:`day_first`)."""
    if pd.api.types.is_integer_dtype(col):
        return col.to_numpy(dtype=np.int64), None
    if pd.api.types.is_float_dtype(col):  # read as nanoseconds since 1970, they collided
        values = col.to_numpy(dtype=np.float64)
        if np.isfinite(values).all() and (values == np.round(values)).all():
            return values.astype(np.int64), None  # whole numbers: steps
        row = int(np.flatnonzero(~np.isfinite(values) | (values != np.round(values)))[0])
        if np.isnan(values[row]):
            raise InputError(f"time_col={name!r} is empty at row {row}. Fill or drop that "
                             "row.")
        raise InputError(f"time_col={name!r} must hold timestamps or integer steps; row {row} "
                         f"holds {float(values[row])!r}. Number the steps with integers (0, "
                         "1, 2, ...), or give dates.")
    zoned = None
    try:
        try:
            with warnings.catch_warnings():  # pandas' "could not infer format": dateutil
                warnings.simplefilter("ignore", UserWarning)  # reads them one by one, right
                parsed = pd.to_datetime(col, dayfirst=day_first(col) if dayfirst is None
                                        else dayfirst)
        except ValueError as e:
            if "timezone" not in str(e).lower():
                raise
            zoned = read_offsets(col)  # offsets that vary: a zoned frame written as text
            parsed = pd.Series(zoned.utc)
    except (ValueError, TypeError) as e:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            bad = pd.to_datetime(col, errors="coerce").isna() & col.notna()
        row = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
        raise InputError(
            f"time_col={name!r} must hold timestamps or integers; row {row} holds "
            f"{col.iloc[row]!r}. Fix the value, or name the right column (time_col / --time-col)."
        ) from e
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise InputError(f"time_col={name!r} is empty at row {row}. Fill or drop that row.")
    zoned = zoned or read_zoned(parsed)
    if zoned is not None:
        return zoned.utc, zoned
    return parsed.to_numpy(dtype="datetime64[ns]"), None


_NUMERIC_DATE = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}\b"  # 01/02/1949, 13.01.2024


def day_first(col: pd.Series) -> bool:
    """Whether dates written with two small numbers in front (``01/02/1949``) put the day
    first. pandas reads them month first, so day-first dates became the wrong days (a
    monthly series read as the first twelve days of each year). Told from the values: the
    field that exceeds 12 somewhere is the day; else the field that never changes is (a
    monthly or quarterly series is stamped on one day of the month); else month first."""
    if not (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)):
        return False
    fields = col.astype(str).str.extract(_NUMERIC_DATE)
    if fields.isna().any().any() or fields.empty:
        return False
    first, second = fields[0].astype(int), fields[1].astype(int)
    if (first > 12).any() or (second > 12).any():
        return bool((first > 12).any())
    return bool(first.nunique() == 1 and second.nunique() > 1)


def user_times(times: np.ndarray, zone: Zone | None) -> np.ndarray | pd.DatetimeIndex:
    """Grid times as the user's timestamps: in their zone again where they had one."""
    return times if zone is None or not np.issubdtype(np.asarray(times).dtype,
                                                      np.datetime64) else zone.user_times(times)


def fmt_time(t: object) -> str:
    if isinstance(t, np.datetime64 | pd.Timestamp):
        ts = pd.Timestamp(t)
        return str(ts.date()) if ts == ts.normalize() else str(ts)
    return str(t)
