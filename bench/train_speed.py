"""Training throughput: Forecaster.fit vs a minimal hand-written PyTorch loop, same work.

Configuration (issue "Foundation", item 10b): lookback 168, 2-layer LSTM of 128 units,
batch 256, horizon 1, the same synthetic series, the same threads. Each variant runs in its
own process so that one's allocator settings cannot help another:

- ``loop``: the tutorials' loop (windows materialised, TensorDataset + DataLoader, Adam),
  glibc malloc as it comes;
- ``loop-tuned``: the same loop with glibc told to keep its memory (what rnnkit does);
- ``rnnkit``: ``Forecaster(...).fit(frame)`` timed end to end (windowing and scaling included).

Prints windows per second, system CPU time and minor page faults, and the ratios.
Usage: ``python bench/train_speed.py [--points 20000] [--epochs 2] [--threads 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

LOOKBACK, HIDDEN, LAYERS, BATCH = 168, 128, 2, 256


def series(points: int):
    import numpy as np

    t = np.arange(points)
    rng = np.random.default_rng(0)
    return (10 + np.sin(2 * np.pi * t / 24) + 0.5 * np.sin(2 * np.pi * t / 168)
            + 0.1 * rng.standard_normal(points)).astype("float32")


def run_loop(points: int, epochs: int, tuned: bool) -> dict:
    if tuned:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-4, 0)  # M_MMAP_MAX
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD
    import numpy as np
    import torch
    from torch import nn

    y = series(points)
    y = (y - y.mean()) / y.std()
    x = np.lib.stride_tricks.sliding_window_view(y[:-1], LOOKBACK)
    X = torch.from_numpy(np.ascontiguousarray(x)[:, :, None])
    Y = torch.from_numpy(y[LOOKBACK:, None, None].copy())
    torch.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(1, HIDDEN, LAYERS, batch_first=True)
            self.head = nn.Linear(HIDDEN, 1)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1]).unsqueeze(1)

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, Y), batch_size=BATCH, shuffle=True
    )
    start = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    return {"windows": len(X) * epochs, "seconds": seconds}


def run_rnnkit(points: int, epochs: int) -> dict:
    import pandas as pd

    import rnnkit

    frame = pd.DataFrame({"ds": range(points), "y": series(points)})
    f = rnnkit.Forecaster(lookback=LOOKBACK, horizon=1, hidden_size=HIDDEN, num_layers=LAYERS,
                          batch_size=BATCH, epochs=epochs, val_size=0, clip_norm=0, verbose=0)
    start = time.perf_counter()
    f.fit(frame)
    seconds = time.perf_counter() - start
    return {"windows": (points - LOOKBACK) * epochs, "seconds": seconds,
            "loop_windows_per_s": f.history_.samples_per_second}


def child(variant: str, points: int, epochs: int, threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    before = resource.getrusage(resource.RUSAGE_SELF)
    if variant == "rnnkit":
        result = run_rnnkit(points, epochs)
    else:
        result = run_loop(points, epochs, tuned=variant == "loop-tuned")
    after = resource.getrusage(resource.RUSAGE_SELF)
    result.update(
        sys_s=after.ru_stime - before.ru_stime,
        user_s=after.ru_utime - before.ru_utime,
        minor_faults=after.ru_minflt - before.ru_minflt,
        peak_rss_mb=after.ru_maxrss / 1024,
    )
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--child", choices=["loop", "loop-tuned", "rnnkit"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.points, args.epochs, args.threads)
        return
    results = {}
    env = dict(os.environ, RNNKIT_TUNE_MALLOC="1")
    for variant in ("loop", "loop-tuned", "rnnkit"):
        cmd = [sys.executable, __file__, "--child", variant, "--points", str(args.points),
               "--epochs", str(args.epochs), "--threads", str(args.threads)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
        results[variant] = json.loads(out.strip().splitlines()[-1])
    print(f"training, lookback {LOOKBACK}, LSTM {LAYERS}x{HIDDEN}, batch {BATCH}, "
          f"{args.points} points, {args.epochs} epochs, {args.threads} threads")
    base = results["loop"]["windows"] / results["loop"]["seconds"]
    for variant, r in results.items():
        rate = r["windows"] / r["seconds"]
        print(f"  {variant:<11} {rate:>8.0f} windows/s  {rate / base:5.2f}x loop  "
              f"sys {r['sys_s']:5.1f} s  user {r['user_s']:5.1f} s  "
              f"minor faults {r['minor_faults']:>9,}  peak RSS {r['peak_rss_mb']:6.0f} MB")
    tuned = results["loop-tuned"]["windows"] / results["loop-tuned"]["seconds"]
    mine = results["rnnkit"]["windows"] / results["rnnkit"]["seconds"]
    print(f"  ratio rnnkit/loop {mine / base:.2f}x, rnnkit/loop-tuned {mine / tuned:.2f}x "
          f"(rnnkit's loop alone: {results['rnnkit']['loop_windows_per_s']:.0f} windows/s)")


if __name__ == "__main__":
    main()
