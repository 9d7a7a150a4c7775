"""Forecasting from 200 origins: rnnkit's batched pass vs a loop of predict calls.

A 5,000-point hourly-like series, lookback 168, horizon 24, LSTM 1x64. The loop calls
``predict(data=history)`` once per origin (what users write by hand); rnnkit's
``predict_windows`` forecasts the same origins in batched forward passes. Both warmed up once
(lazy imports), then the best of three runs each. Prints both times, the ratio, and the
largest difference between the two forecasts. Asserts nothing.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch

import rnnkit

POINTS, LOOKBACK, HORIZON, ORIGINS = 5000, 168, 24, 200


def main() -> None:
    torch.set_num_threads(2)
    t = np.arange(POINTS)
    y = 10 + np.sin(2 * np.pi * t / 24) + 0.1 * np.random.default_rng(0).standard_normal(POINTS)
    frame = pd.DataFrame({"ds": t, "y": y})
    f = rnnkit.Forecaster(lookback=LOOKBACK, horizon=HORIZON, epochs=1, verbose=0,
                          device="cpu").fit(frame)
    stride = (POINTS - LOOKBACK - 1) // ORIGINS
    batched = f.predict_windows(frame, stride=stride)  # warm-up: lazy imports, allocator
    cutoffs = batched["cutoff"].unique()[-ORIGINS:]
    f.predict(data=frame[frame["ds"] <= cutoffs[0]])
    batched_s = loop_s = float("inf")
    for _ in range(3):  # the best of three runs of each
        start = time.perf_counter()
        batched = f.predict_windows(frame, stride=stride)
        batched_s = min(batched_s, time.perf_counter() - start)
        start = time.perf_counter()
        looped = [f.predict(data=frame[frame["ds"] <= c]) for c in cutoffs]
        loop_s = min(loop_s, time.perf_counter() - start)
    batched = batched[batched["cutoff"].isin(cutoffs)]
    diff = np.abs(np.concatenate([p["y"] for p in looped]) - batched["y"].to_numpy()).max()
    print(f"{len(cutoffs)} origins, horizon {HORIZON}, lookback {LOOKBACK}: loop of predict "
          f"{loop_s:.2f} s | batched {batched_s:.3f} s | {loop_s / batched_s:.0f}x faster "
          f"(max difference {diff:.2e})")


if __name__ == "__main__":
    main()
