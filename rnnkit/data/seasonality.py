"""Whether series repeat their season: the test the Theta method and statsforecast's
AutoTheta run before they deseasonalise (the autocorrelation at the seasonal lag against its
90% Bartlett bound), here on each series' changes, so that a trend alone does not pass for a
season. A seasonally adjusted series (growth rates, a monthly cycle that is not a year's)
fails it."""

from __future__ import annotations

import numpy as np

Z_90 = 1.645  # the one-sided 95% (two-sided 90%) normal quantile of the Theta method's test


def repeats_season(values: np.ndarray, offsets: np.ndarray, season: int) -> np.ndarray:
    """``[S]``: whether each series' changes are autocorrelated at lag ``season`` beyond
    ``1.645 * sqrt((1 + 2 * sum(r_k^2, k < season)) / n)``. Series of at most ``season``
    changes, or constant ones, do not.

    Shapes:
        values: ``[total]`` series after series; offsets: ``[S + 1]`` where each starts.
    """
    values, offsets = np.asarray(values, dtype=np.float64), np.asarray(offsets)
    n_series = len(offsets) - 1
    lengths = np.diff(offsets)
    series = np.repeat(np.arange(n_series), lengths)
    within = series[1:] == series[:-1]  # changes inside a series, not across a boundary
    sid, x = series[1:][within], np.diff(values)[within]
    n = np.bincount(sid, minlength=n_series).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.bincount(sid, x * x, minlength=n_series)
        x = x - (np.bincount(sid, x, minlength=n_series) / n)[sid]
        energy = np.bincount(sid, x * x, minlength=n_series)
        # constant changes (a straight line) leave only rounding, which must not pass
        energy = np.where(energy > 1e-12 * raw, energy, 0.0)
        r = np.zeros((season, n_series))
        for k in range(1, season + 1):  # lags, not steps: each a vector op over every series
            same = sid[k:] == sid[:-k]
            r[k - 1] = np.bincount(sid[k:][same], x[k:][same] * x[:-k][same],
                                   minlength=n_series) / energy
        bound = Z_90 * np.sqrt((1 + 2 * (r[:-1] ** 2).sum(axis=0)) / n)
        return (n > season) & (energy > 0) & (np.abs(r[-1]) > bound)
