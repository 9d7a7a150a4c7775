"""Frequencies and their seasons: which frequencies count years, which season one is, the
usual seasonal period of each, a weekly year's length (not whole weeks), and the timestamps
that follow a series' last."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rnnkit.data.sessions import Sessions, is_sessions

_SEASONS = {"MS": 12, "ME": 12, "M": 12, "BMS": 12, "BME": 12, "QS": 4, "QE": 4, "Q": 4,
            "W": 52, "D": 7, "B": 5, "h": 24, "H": 24, "min": 1440, "T": 1440, "s": 60}


_MONTHS_QUARTERS = {"MS", "ME", "M", "BMS", "BME", "QS", "QE", "Q", "BQS", "BQE", "BQ"}


_YEARS = {"Y", "YS", "YE", "A", "AS", "AE", "BY", "BYS", "BYE", "BA", "BAS", "BAE"}


def is_yearly(freq: str | None) -> bool:
    """Whether a frequency counts years (one or several a step): a calendar with no season."""
    return bool(freq) and freq.lstrip("0123456789").split("-")[0] in _YEARS


def season_is_a_year(freq: str | None) -> bool:
    """Whether a frequency's season is one year: monthly and quarterly data, whose seasons
    (years) are alike step for step (a daily season is not: weekdays differ from weekends)."""
    return bool(freq) and freq.lstrip("0123456789").split("-")[0] in _MONTHS_QUARTERS \
        and freq[: len(freq) - len(freq.lstrip("0123456789"))] in ("", "1")


YEAR_WEEKS = 365.25 / 7  # a year of weekly data: 52.18 weeks, not 52


def year_steps(freq: str | None, season: int | None) -> float:
    """The length in steps of a season that is a year of whole steps only in name: 365.25 / 7
    = 52.18 on weekly data with the season of 52 (a year ago is between 52 and 53 weeks
    ago, and seasonal naive's 52 drifts a day and a quarter a year); 0 where the season is
    whole steps (months, quarters, days, hours)."""
    if season != 52 or not freq:
        return 0.0
    unit = freq.lstrip("0123456789")
    weekly = unit.split("-")[0] == "W" and freq[: len(freq) - len(unit)] in ("", "1")
    return YEAR_WEEKS if weekly else 0.0


def year_ago_rows(h: int, year: float) -> tuple[np.ndarray, np.ndarray]:
    """Where the value a year (``year`` steps, not whole) before each of ``h`` steps ahead
    lies: step ``k`` (from 0) looks back as many whole years as reach observed rows, to the
    fractional row ``k - ceil((k + 1) / year) * year`` counted from the first step ahead
    (-1: the last observed row), read between the rows ``before`` and ``before + 1`` with
    weight ``weight`` on the later one (linear interpolation).

    Returns:
        before ``[h]`` int64 (from -ceil(year) - 1 to -2), weight ``[h]`` float64 in [0, 1].
    """
    k = np.arange(h, dtype=np.float64)
    back = k - np.ceil((k + 1) / year) * year  # in (-year - 1, -1]
    before = np.minimum(np.floor(back), -2).astype(np.int64)
    return before, np.clip(back - before, 0.0, 1.0)


def season_length(freq: str | None) -> int | None:
    """The usual seasonal period of a frequency: monthly 12, daily 7, hourly 24, ..."""
    if not freq:
        return None
    if is_sessions(freq):
        return Sessions.from_freq(freq).season  # a day of open slots, or a week of days
    base = freq.lstrip("0123456789").split("-")[0]
    if base in _SEASONS and freq[: len(freq) - len(freq.lstrip("0123456789"))] in ("", "1"):
        return _SEASONS[base]
    if freq == "30min":
        return 48
    if freq == "15min":
        return 96
    return None


def future_times(last: object, freq: str | None, h: int, step: int = 1) -> np.ndarray:
    """The ``h`` timestamps after ``last``."""
    if freq is None:
        return int(last) + step * np.arange(1, h + 1, dtype=np.int64)
    if is_sessions(freq):
        return Sessions.from_freq(freq).following(last, h)
    return pd.date_range(start=pd.Timestamp(last), periods=h + 1, freq=freq)[1:].to_numpy()


def future_times_many(lasts: Any, freq: str | None, h: int, step: int = 1) -> np.ndarray:
    """The ``h`` timestamps after each of ``lasts``: ``[S, h]``, as :func:`future_times`
    gives them one series at a time. Fixed-length frequencies and integer steps are one
    broadcast; calendar offsets (month starts, weeks) one vector sum a step; session
    calendars series by series."""
    if freq is None:
        return np.asarray(lasts, dtype=np.int64)[:, None] + step * np.arange(1, h + 1,
                                                                             dtype=np.int64)
    if is_sessions(freq) or len(lasts) == 0:
        return np.array([future_times(t, freq, h, step) for t in lasts]).reshape(len(lasts), h)
    offset = pd.tseries.frequencies.to_offset(freq)
    last = pd.DatetimeIndex(np.asarray(lasts, dtype="datetime64[ns]"))
    if isinstance(offset, pd.offsets.Tick | pd.offsets.Day):  # a fixed length (naive times)
        length = pd.Timedelta(days=offset.n) if isinstance(offset, pd.offsets.Day) \
            else pd.Timedelta(offset)
        span = np.arange(1, h + 1) * length.to_timedelta64().astype("timedelta64[ns]")
        return last.to_numpy()[:, None] + span
    return np.stack([(last + k * offset).to_numpy() for k in range(1, h + 1)], axis=1)


def wall_grid(freq: str | None) -> bool:
    """Whether a grid of this frequency is kept on the wall clock: days and longer, and
    sessions (shop hours); around-the-clock steps finer than a day run on UTC."""
    if freq is None or is_sessions(freq):
        return True
    offset = pd.tseries.frequencies.to_offset(freq)
    return not (isinstance(offset, pd.offsets.Tick) and pd.Timedelta(offset) < pd.Timedelta(
        days=1))
