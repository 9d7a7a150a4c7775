"""Forecasting baselines that every score is printed beside (numpy, no training)."""

from __future__ import annotations

import numpy as np

from rnnkit.data.frequency import year_ago_rows

DRIFT = "naive with drift"  # the row of drift_at in the reports (yearly data)
PROFILE = "seasonal profile"  # the row of profile_at (monthly and quarterly data)
YEAR_AGO = "year-ago naive"  # the row of year_ago_at (weekly data)
STARTS = (PROFILE, DRIFT, YEAR_AGO)  # the models' starts, printed beside them


def naive_at(target: np.ndarray, start: np.ndarray, h: int) -> np.ndarray:
    """Repeat the value before each origin ``h`` times.

    Shapes:
        target: ``[total]`` (series after series); start: ``[N]`` the row of each origin's
        first forecast step -> ``[N, h]``.
    """
    return np.repeat(target[np.asarray(start) - 1][:, None], h, axis=1)


def seasonal_naive_at(target: np.ndarray, start: np.ndarray, history: np.ndarray, h: int,
                      season: int | None) -> np.ndarray:
    """Repeat the last observed season before each origin: step j gets the value one
    season before it (or before the last observed season's matching step). Naive where the
    season is unknown or longer than the ``history`` rows before the origin.

    Shapes:
        target: ``[total]``; start, history: ``[N]`` -> ``[N, h]``.
    """
    fallback = naive_at(target, start, h)
    if not season or season < 2:
        return fallback
    start = np.asarray(start)[:, None]
    rows = start - season + np.arange(h)[None, :] % season  # [N, h]
    return np.where(np.asarray(history)[:, None] >= season, target[np.maximum(rows, 0)],
                    fallback)


def drift_at(target: np.ndarray, start: np.ndarray, history: np.ndarray, h: int,
             lookback: int, log: bool = False) -> np.ndarray:
    """The naive forecast with drift: the value before each origin, going on at the pace of
    the ``lookback`` rows before it, (last - first) / (lookback - 1) a step; where fewer rows
    are observed, the first is taken as repeated in front (as the network's window pads
    it), which slows the pace. With ``log``, on the logs (a growth rate, as a model of a
    logged target reads it). The base yearly forecasts start from.

    Shapes:
        target: ``[total]``; start, history: ``[N]`` -> ``[N, h]``.
    """
    start, history = np.asarray(start), np.asarray(history)
    values = np.log(target) if log else target
    last = values[start - 1]
    first = values[start - np.clip(np.minimum(lookback, history), 1, None)]
    pace = (last - first) / max(lookback - 1, 1)
    out = last[:, None] + pace[:, None] * np.arange(1, h + 1)[None, :]
    return np.exp(out) if log else out


def profile_at(target: np.ndarray, start: np.ndarray, history: np.ndarray, h: int,
               season: int, seasons: int, log: bool = False,
               nonnegative: bool = False) -> np.ndarray:
    """The seasonal profile: the last ``seasons`` seasons before each origin averaged step
    by step (their shape), moved to the mean of the last season, repeated over ``h`` steps.
    Rows before a series' first are its first value (as the network's window pads them).
    With ``log``, averaged as logs (the geometric mean, as a model of a logged target reads
    it); with ``nonnegative``, floored at 0. The base monthly and quarterly forecasts start
    from.

    Shapes:
        target: ``[total]``; start, history: ``[N]`` -> ``[N, h]``.
    """
    start, history = np.asarray(start), np.asarray(history)
    span = seasons * season
    rows = start[:, None] - span + np.arange(span)[None, :]  # [N, k*m]
    values = target[np.maximum(rows, (start - history)[:, None])]
    values = np.log(values) if log else values
    shape = values.reshape(len(start), seasons, season).mean(axis=1)  # [N, m]
    level = values[:, -season:].mean(axis=1, keepdims=True) - shape.mean(axis=1, keepdims=True)
    out = (shape + level)[:, np.arange(h) % season]
    out = np.exp(out) if log else out
    return np.maximum(out, 0.0) if nonnegative else out


def year_ago_at(target: np.ndarray, start: np.ndarray, history: np.ndarray, h: int,
                year: float, log: bool = False) -> np.ndarray:
    """Each step's value a year before, a year of ``year`` steps that is not whole (weekly
    data: 52.18 weeks), read between the two rows around it (see
    :func:`rnnkit.data.frequency.year_ago_rows`). Rows before a series' first are its first
    value (as the network's window pads them). With ``log``, read between logs (as a model
    of a logged target reads it). The base weekly forecasts start from.

    Shapes:
        target: ``[total]``; start, history: ``[N]`` -> ``[N, h]``.
    """
    start, history = np.asarray(start), np.asarray(history)
    before, weight = year_ago_rows(h, year)
    first = (start - history)[:, None]  # each series' first row
    rows = np.maximum(start[:, None] + before[None, :], first)  # [N, h]
    later = np.maximum(start[:, None] + before[None, :] + 1, first)
    values = np.log(target) if log else target
    out = values[rows] + weight[None, :] * (values[later] - values[rows])
    return np.exp(out) if log else out


def naive(history: np.ndarray, h: int) -> np.ndarray:
    """Repeat the last observed value ``h`` times. Shapes: ``[T]`` -> ``[h]``."""
    return naive_at(np.asarray(history, float), np.array([len(history)]), h)[0]


def seasonal_naive(history: np.ndarray, h: int, season: int | None) -> np.ndarray:
    """Repeat the last observed season (naive when the season is unknown or longer than the
    history). Shapes: ``[T]`` -> ``[h]``."""
    n = np.array([len(history)])
    return seasonal_naive_at(np.asarray(history, float), n, n, h, season)[0]
