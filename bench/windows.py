"""Windowing a 1,000,000-point series: rnnkit's views vs the tutorials' Python loop.

Prints time and peak memory of both and the ratio; asserts nothing.
Usage: ``python bench/windows.py``.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from rnnkit.data.windows import make_windows

POINTS = 1_000_000


def create_dataset(series: np.ndarray, lookback: int) -> tuple[np.ndarray, np.ndarray]:
    """The tutorials' loop: one slice per sample, then np.array of the list."""
    xs, ys = [], []
    for i in range(len(series) - lookback):
        xs.append(series[i : i + lookback])
        ys.append(series[i + lookback])
    return np.array(xs), np.array(ys)


def measure(fn, repeats: int) -> tuple[float, float, object]:
    best, peak, result = float("inf"), 0.0, None
    for _ in range(repeats):
        tracemalloc.start()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
        peak = max(peak, tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return best, peak, result


def main() -> None:
    series = np.random.default_rng(0).standard_normal(POINTS).astype(np.float32)
    for lookback in (24, 168):
        loop_s, loop_mb, (x_loop, _) = measure(lambda lb=lookback: create_dataset(series, lb), 1)

        def views(lb=lookback):
            w = make_windows(series, lb, 1)
            return w.inputs(), w.targets()

        fast_s, fast_mb, (x, y) = measure(views, 3)
        assert np.array_equal(x[:, :, 0], x_loop) and np.shares_memory(x, series)
        print(f"windows 1e6 pts lookback={lookback}: loop {loop_s:.2f} s {loop_mb:.0f} MB | "
              f"rnnkit {fast_s * 1e3:.3f} ms {fast_mb:.2f} MB (view, no copy) | "
              f"{loop_s / fast_s:,.0f}x faster")
        w = make_windows(series, lookback, 1)
        index = np.random.default_rng(1).choice(len(w), 256, replace=False)
        gather_s, _, _ = measure(lambda w=w, i=index: w.inputs(i), 20)
        print(f"  gather one batch of 256 windows by index: {gather_s * 1e6:.0f} us")


if __name__ == "__main__":
    main()
