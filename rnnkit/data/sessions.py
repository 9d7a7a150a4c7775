"""Series observed only in sessions: business hours, trading days.

A call centre open 07:00-21:00 on weekdays records every 5 minutes while open and nothing at
night or at weekends. Its timestamps are not a regular grid, yet its observations are: the
model reads them as an ordinal sequence (step after step, nights and weekends skipped, a day
of slots as the season), and forecasts carry the real timestamps of the next open slots.

The calendar travels as a frequency string, ``"sessions:5min@07:00x169@0,1,2,3,4"`` (the
step, the first slot of a day and the slots per day, the weekdays open, Monday = 0), so a
panel, a fitted forecast and a model file hold it where they hold any pandas frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PREFIX = "sessions:"
DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Sessions:
    """The open slots of a day, and the days that open.

    Attributes:
        step: time between two observations of a session.
        first: the day's first slot, as time since midnight.
        slots: observations per open day (the season of the series; for one a day, as
            trading days are, the season is a week of open days).
        weekdays: the days of the week that open (Monday = 0).
    """

    step: pd.Timedelta
    first: pd.Timedelta
    slots: int
    weekdays: tuple[int, ...]

    def to_freq(self) -> str:
        hours, rest = divmod(int(self.first.total_seconds()), 3600)
        first = f"{hours:02d}:{rest // 60:02d}" + (f":{rest % 60:02d}" if rest % 60 else "")
        days = ",".join(str(d) for d in self.weekdays)
        return f"{PREFIX}{_alias(self.step)}@{first}x{self.slots}@{days}"

    @classmethod
    def from_freq(cls, freq: str) -> Sessions:
        step, first_slots, days = freq.removeprefix(PREFIX).split("@")
        first, slots = first_slots.split("x")
        return cls(pd.Timedelta(step), pd.Timedelta(f"{first}:00" if first.count(":") == 1
                                                     else first), int(slots),
                   tuple(int(d) for d in days.split(",")))

    @classmethod
    def detect(cls, times: np.ndarray) -> Sessions | None:
        """The sessions of sorted ``datetime64`` times, or None when they are not regular
        within each day, with every open day running the same slots (the first and last day
        may be cut short; whole days may be missing, as holidays are, up to a tenth of the
        open days). Trading days (one observation a day) need three weeks to show their
        pattern."""
        t = pd.DatetimeIndex(times).as_unit("ns")
        if len(t) < 4:
            return None
        diffs = np.diff(t.asi8)
        step = int(pd.Series(diffs).mode().iloc[0])
        if step <= 0 or DAY.astype("timedelta64[ns]").astype(np.int64) % step:
            return None
        since_midnight = (t - t.normalize()).asi8
        anchor = int(since_midnight[0] % step)  # slots may start off the hour: 09:30, 16:00
        if ((since_midnight - anchor) % step).any():
            return None
        slot = (since_midnight - anchor) // step
        first, last = int(slot.min()), int(slot.max())
        per_day = DAY.astype("timedelta64[ns]").astype(np.int64) // step
        if per_day > 1 and last - first + 1 >= per_day:  # open all day: a grid with gaps
            return None
        days = t.normalize().asi8 // DAY.astype("timedelta64[ns]").astype(np.int64)
        same_day = days[1:] == days[:-1]
        within = same_day & (np.diff(slot) == 1)
        across = ~same_day & (slot[:-1] == last) & (slot[1:] == first)
        if not (within | across).all():
            return None
        if same_day.all():  # one day: nothing says when it closes
            return None
        weekdays = tuple(sorted({int(d) for d in t.day_of_week}))
        if per_day == 1 and (len(weekdays) == 7 or days[-1] - days[0] < 21):
            return None  # a daily series with gaps; or too short to show a weekly pattern
        span = pd.date_range(t[0].normalize(), t[-1].normalize(), freq="D")
        open_days = int(np.isin(span.day_of_week, weekdays).sum())
        if open_days - len(np.unique(days)) > 0.1 * open_days:  # more gaps than holidays
            return None
        return cls(pd.Timedelta(step, "ns"), pd.Timedelta(anchor + first * step, "ns"),
                   last - first + 1, weekdays)

    def first_off(self, times: np.ndarray) -> int | None:
        """The first row of sorted ``datetime64`` times that does not follow the row before
        it on this calendar (the next open slot; whole days may be skipped, as holidays
        are), or None when every row does."""
        t = pd.DatetimeIndex(times).as_unit("ns")
        since = (t - t.normalize() - self.first).asi8
        step = self.step.value
        slot = since // step
        fits = (since % step == 0) & (slot >= 0) & (slot < self.slots) & \
            np.isin(t.day_of_week, self.weekdays)
        days = t.normalize().asi8
        same_day = days[1:] == days[:-1]
        follows = np.where(same_day, np.diff(slot) == 1,
                           (slot[:-1] == self.slots - 1) & (slot[1:] == 0) & ~same_day)
        bad = np.flatnonzero(~fits | np.concatenate([[False], ~follows]))
        return int(bad[0]) if bad.size else None

    def following(self, last: object, h: int) -> np.ndarray:
        """The ``h`` open slots after ``last``."""
        last = pd.Timestamp(last).as_unit("ns")
        day = last.normalize()
        k = int((last - day - self.first) / self.step)  # slot index of ``last`` in its day
        ahead, slot = np.divmod(k + 1 + np.arange(h), self.slots)  # open days on, slot
        weeks = int(ahead[-1]) // max(len(self.weekdays), 1) + 2  # enough calendar days
        calendar = day.asm8 + np.arange(7 * weeks + 8) * np.timedelta64(1, "D")
        weekday = (calendar.astype("datetime64[D]").view(np.int64) + 3) % 7  # 1970-01-01: Thu
        is_open = np.isin(weekday, self.weekdays)
        is_open[0] = True  # the day of ``last``: its own later slots come first
        return calendar[is_open][ahead] + self.first.to_timedelta64() + \
            slot * self.step.to_timedelta64()


    @property
    def season(self) -> int:
        return self.slots if self.slots > 1 else len(self.weekdays)


def is_sessions(freq: str | None) -> bool:
    return isinstance(freq, str) and freq.startswith(PREFIX)


def _alias(step: pd.Timedelta) -> str:
    seconds = int(step.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}min"
    return f"{seconds}s"
