"""Time zones: timestamps that carry one are modelled on a naive grid and handed back in it.

A forecast steps along a regular grid of naive timestamps. Timestamps with a time zone map
to that grid in one of two ways, and the one that keeps the data regular is taken:

- the zone's wall clock ("wall"): a daily series stamped at local midnight, or shop hours
  07:00-21:00, stay on their grid across daylight-saving changes (in UTC they would move
  an hour twice a year and look irregular);
- UTC ("utc"): around-the-clock hourly data, whose wall clock skips an hour in spring and
  repeats one in autumn, is regular only in absolute time.

The choice is the model's: it is saved in the model file, and new rows, future covariates
and every timestamp rnnkit returns follow it, in the user's zone again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnnkit.errors import InputError

CLOCKS = ("wall", "utc")
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"  # a trailing UTC offset of an ISO timestamp


@dataclass(frozen=True)
class Zone:
    """How zoned timestamps sit on the model's naive grid.

    Attributes:
        tz: the zone's name ("Europe/Paris", "UTC+01:00"), or None when the timestamps had
            offsets that vary without a name (a CSV of a zoned frame): returned naive then.
        clock: "wall" (the zone's local times) or "utc".
    """

    tz: str | None
    clock: str

    def to_dict(self) -> dict:
        return {"tz": self.tz, "clock": self.clock}

    @classmethod
    def from_dict(cls, d: dict | None) -> Zone | None:
        if not d:
            return None
        if d.get("clock") not in CLOCKS:
            raise InputError(f"the model file's time zone clock {d.get('clock')!r} is not one "
                             f"of {list(CLOCKS)}. The file is damaged, or from a newer rnnkit.")
        return cls(d.get("tz"), d["clock"])

    def user_times(self, times: np.ndarray) -> pd.DatetimeIndex:
        """Naive grid times ``[n]`` as the user's zoned timestamps."""
        index = pd.DatetimeIndex(times)
        if self.clock == "utc":
            index = index.tz_localize("UTC")
            return index if self.tz is None else index.tz_convert(self.tz)
        if self.tz is None:
            return index  # wall times of a zone without a name
        # a local time that a clock change skips moves forward to the first that exists;
        # one it repeats is read as the first (summer) time
        return index.tz_localize(self.tz, ambiguous=np.ones(len(index), dtype=bool),
                                 nonexistent="shift_forward")


@dataclass(frozen=True)
class ZonedTimes:
    """A zoned time column read both ways: ``utc`` and ``wall`` naive ``[n]``."""

    utc: np.ndarray
    wall: np.ndarray
    tz: str | None

    def on(self, clock: str) -> tuple[np.ndarray, Zone]:
        return (self.wall if clock == "wall" else self.utc), Zone(self.tz, clock)


def read_zoned(parsed: pd.Series) -> ZonedTimes | None:
    """Timestamps as pandas read them, as zoned times; None when they carry no zone."""
    tz = getattr(parsed.dt, "tz", None)
    if tz is not None:  # one zone (or one fixed offset) for every row
        return ZonedTimes(parsed.dt.tz_convert(None).to_numpy("datetime64[ns]"),
                          parsed.dt.tz_localize(None).to_numpy("datetime64[ns]"), str(tz))
    return None


def read_offsets(col: pd.Series) -> ZonedTimes:
    """Text timestamps whose UTC offsets vary (as a zoned frame written to CSV has them,
    +01:00 in winter and +02:00 in summer): the instants, and the local times written.
    Offsets that are not one zone's standard and summer time (more than two, or further
    apart than an hour) are instants from several places: read in UTC only."""
    text = col.astype(str).str.strip()
    utc = pd.to_datetime(text, utc=True).dt.tz_convert(None).to_numpy("datetime64[ns]")
    wall = pd.to_datetime(text.str.replace(_OFFSET, "", regex=True)).to_numpy("datetime64[ns]")
    offsets = np.unique(wall - utc)
    one_zone = len(offsets) <= 2 and offsets[-1] - offsets[0] <= np.timedelta64(1, "h")
    return ZonedTimes(utc, wall if one_zone else utc, None)
