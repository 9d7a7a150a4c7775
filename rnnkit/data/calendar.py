"""Calendar features: hour of day, day of week and month of year as sine/cosine pairs.

A pair places a cyclic position on a circle, so 23:00 sits next to 00:00 and December next
to January. Only the cycles shorter than a year that the frequency can resolve are made:
hourly data gets all three pairs, daily data day of week and month, monthly data month only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnkit.data.sessions import Sessions, is_sessions
from rnnkit.errors import InputError

CYCLES = ("hour", "dayofweek", "month")


def calendar_cycles(freq: str | None) -> tuple[str, ...]:
    """The cycles a frequency resolves (a step shorter than the cycle's unit)."""
    if freq is None:
        raise InputError(
            "calendar=True needs timestamps; this data has an integer time index. Give the "
            "time column as dates, or pass the calendar columns yourself in future_cols."
        )
    if is_sessions(freq):
        seconds = Sessions.from_freq(freq).step.total_seconds()
    else:
        two = pd.date_range("2001-01-01", periods=2, freq=freq)  # one step (months: ~30 days)
        seconds = (two[1] - two[0]).total_seconds()
    cycles = []
    if seconds < 3600 * 24:
        cycles.append("hour")
    if seconds < 86400 * 7:
        cycles.append("dayofweek")
    if seconds < 86400 * 365:
        cycles.append("month")
    if not cycles:
        raise InputError(f"calendar=True finds no cycle shorter than a year in freq={freq!r}. "
                         "Leave calendar off for yearly data.")
    return tuple(cycles)


def calendar_names(cycles: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{c}_{f}" for c in cycles for f in ("sin", "cos"))


def calendar_features(times: np.ndarray, cycles: tuple[str, ...]) -> np.ndarray:
    """``[T, 2 * len(cycles)]`` sine and cosine of each cycle's position at ``times``."""
    index = pd.DatetimeIndex(times)
    position = {
        "hour": (index.hour + index.minute / 60) / 24,
        "dayofweek": (index.day_of_week + index.hour / 24) / 7,
        "month": (index.month - 1 + (index.day - 1) / index.days_in_month) / 12,
    }
    columns = []
    for cycle in cycles:
        angle = 2 * np.pi * np.asarray(position[cycle], dtype=np.float64)
        columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns) if columns else np.zeros((len(times), 0))
