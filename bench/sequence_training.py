"""Stateful sequence training vs window training on one long series.

A 100,000-point hourly series (trend, daily and weekly seasons, noise), lookback 168,
horizon 24, LSTM 1x64, 2 threads. Window training makes every window a sample (each target
costs a 168-step pass); training="sequence" reads the series once per epoch in about 32
parallel streams with the state carried between chunks (each step is a target). Prints the
supervised targets per second of each, their ratio, and the RMSE of both (and of the
seasonal naive forecast) on a holdout of 40 origins after the training data. Asserts nothing.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
import torch

import rnnkit

POINTS, LOOKBACK, HORIZON, ORIGINS = 100_000, 168, 24, 40


def series(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    i = np.arange(n)
    y = (50 + 0.0002 * i + 5 * np.sin(2 * np.pi * i / 24) + 3 * np.sin(2 * np.pi * i / 168)
         + np.convolve(rng.normal(0, 1, n + 5), np.ones(6) / 3, "valid")[:n])
    return pd.DataFrame({"ds": pd.date_range("2010-01-01", periods=n, freq="h"), "y": y})


def holdout_rmse(f: rnnkit.Forecaster, data: pd.DataFrame, at: np.ndarray) -> float:
    from rnnkit.forecast.predict import forecast_at

    panel = f.panel(data)
    forecast = forecast_at(f.options(), f.fitted_, panel, np.zeros(len(at), dtype=int), at,
                           HORIZON)
    actual = panel.values[at[:, None] + np.arange(HORIZON), 0]
    return float(np.sqrt(np.mean((forecast - actual) ** 2)))


def main() -> None:
    torch.set_num_threads(2)
    points = int(sys.argv[1]) if len(sys.argv) > 1 else POINTS
    data = series(points)
    first = points - ORIGINS * HORIZON
    at = first + HORIZON * np.arange(ORIGINS)
    train = data.iloc[:first]
    common = dict(lookback=LOOKBACK, horizon=HORIZON, verbose=0, device="cpu", threads=2)
    # window training gets 3 epochs (about the wall time sequence training takes to converge)
    # and the same validation rows for early stopping: the last 10% of the training data
    window = rnnkit.Forecaster(**common, batch_size=256, epochs=3, val_size=0.1).fit(train)
    sequence = rnnkit.Forecaster(**common, training="sequence", epochs=300, patience=20,
                                 learning_rate=3e-3).fit(train)
    y = data["y"].to_numpy()
    naive = np.sqrt(np.mean((y[at[:, None] - 168 + np.arange(HORIZON)]
                             - y[at[:, None] + np.arange(HORIZON)]) ** 2))
    w, s = window.history_, sequence.history_
    print(f"{points:,} points, lookback {LOOKBACK}, horizon {HORIZON}, LSTM 1x64, 2 threads")
    print(f"window training:   {w.samples_per_second:>10,.0f} targets/s  ({w.epochs_run} epochs, "
          f"{w.seconds:.1f} s)  holdout RMSE {holdout_rmse(window, data, at):.3f}")
    print(f"sequence training: {s.samples_per_second:>10,.0f} targets/s  ({s.epochs_run} epochs, "
          f"{s.seconds:.1f} s)  holdout RMSE {holdout_rmse(sequence, data, at):.3f}")
    print(f"ratio: {s.samples_per_second / w.samples_per_second:.0f}x targets/s; "
          f"seasonal naive (one week) holdout RMSE {naive:.3f}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(bench took {time.perf_counter() - start:.0f} s)")
