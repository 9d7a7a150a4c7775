"""Season lags: the value at the same position in each of the previous N seasons (the
"same minute of the previous 14 weeks" of the 1-minute tutorial, where a season is 10,080
minutes). A forecaster reads them as future covariates: at a step t + j of the horizon, the
lags t + j - k * season (k = 1..N) are already observed when j <= season, so they are
known at the origin without storing N seasons in every window.

Before a series has k full seasons, lag k is the same position in its first season (the
earliest value of that phase); within the first season, where no earlier value of that
position exists, it is the series' first value (never the step's own value: a lag must not
leak its target). No row is dropped and no NaN enters.
"""

from __future__ import annotations

import numpy as np


def lag_names(target: str, n: int) -> tuple[str, ...]:
    return tuple(f"{target}_season_lag{k}" for k in range(1, n + 1))


def lag_columns(values: np.ndarray, season: int, n: int) -> np.ndarray:
    """``[T, n]``: column ``k - 1`` holds ``values[t - k * season]`` at every step ``t``."""
    return _lags(np.asarray(values, dtype=np.float64), np.arange(len(values)), season, n)


def future_lags(history: np.ndarray, season: int, n: int, steps: int) -> np.ndarray:
    """``[steps, n]``: the lags of the ``steps`` steps after ``history`` (each in the history
    when ``steps <= season``)."""
    history = np.asarray(history, dtype=np.float64)
    return _lags(history, len(history) + np.arange(steps), season, n)


def tail(values: np.ndarray, season: int, n: int) -> np.ndarray:
    """What a forecast after ``values`` needs of them: the last ``n`` seasons (or all, for a
    shorter series, so that the first-season rule still finds its phase)."""
    values = np.asarray(values, dtype=np.float64)
    return values if len(values) <= n * season else values[-n * season:]


def _lags(values: np.ndarray, positions: np.ndarray, season: int, n: int) -> np.ndarray:
    k = np.arange(1, n + 1)[None, :]
    at = positions[:, None] - k * season  # [P, n]
    first_season = np.where(positions[:, None] >= season, positions[:, None] % season, 0)
    at = np.where(at >= 0, at, first_season)  # before k seasons: the first season's value
    return values[np.minimum(at, len(values) - 1)]
