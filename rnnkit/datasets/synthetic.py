"""A seeded generator of series for tests, docs and benches (as utilsforecast's
``generate_series``): one or many series with a level, a trend, seasons, noise and an
optional promotion known ahead, in the long format ``unique_id, ds, y``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def generate_series(n_series: int = 1, length: int | Sequence[int] = 100, freq: str | None = "D",
                    start: str = "2024-01-01", seasons: Sequence[tuple[int, float]] = ((7, 1.0),),
                    trend: float = 0.0, noise: float = 0.0, level: float = 10.0,
                    promo: float = 0.0, stagger: int = 0, seed: int = 0) -> pd.DataFrame:
    """Series ``s`` of ``length`` steps (one length for all, or one each): ``level * (s + 1)
    + trend * t + sum(amplitude * sin(2 pi t / period + s)) + noise``; with ``promo`` > 0 a
    column ``promo`` (1 on about a tenth of the steps, known ahead) adds ``promo`` to y.

    Args:
        freq: a pandas frequency for ``ds``, or None for an integer time index 0, 1, ...
        stagger: each series starts this many steps after the previous one.
        seed: the same seed gives the same frame.

    Returns:
        A long frame: ``unique_id`` ("s0", "s1", ...), ``ds``, ``y`` (and ``promo``).
    """
    rng = np.random.default_rng(seed)
    lengths = [length] * n_series if isinstance(length, int) else list(length)
    frames = []
    for s, n in enumerate(lengths):
        t = np.arange(n)
        flags = (rng.random(n) < 0.1).astype(float) if promo else None
        y = level * (s + 1) + trend * t + (rng.normal(0.0, noise, n) if noise else 0.0)
        for period, amplitude in seasons:
            y = y + amplitude * np.sin(2 * np.pi * t / period + s)
        frame = {"unique_id": f"s{s}"}
        if freq is None:
            frame["ds"] = t + s * stagger
        else:
            frame["ds"] = pd.date_range(start, periods=n + s * stagger, freq=freq)[s * stagger:]
        if flags is not None:
            y = y + promo * flags
            frame["promo"] = flags
        frame["y"] = y
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)
