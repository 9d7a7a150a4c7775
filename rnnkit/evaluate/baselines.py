"""Forecasting baselines that every score is printed beside (numpy, no training)."""

from __future__ import annotations

import numpy as np


def naive(history: np.ndarray, h: int) -> np.ndarray:
    """Repeat the last observed value ``h`` times.

    Shapes:
        history: ``[T]`` -> ``[h]``.
    """
    return np.full(h, float(history[-1]))


def seasonal_naive(history: np.ndarray, h: int, season: int | None) -> np.ndarray:
    """Repeat the last observed season: step k gets the value one (or more) seasons before.

    Falls back to :func:`naive` when the season is unknown or longer than the history.

    Shapes:
        history: ``[T]`` -> ``[h]``.
    """
    if not season or season < 2 or len(history) < season:
        return naive(history, h)
    last_season = np.asarray(history[-season:], float)
    return last_season[np.arange(h) % season]
