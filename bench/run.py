"""The benchmark table: rnnkit vs a minimal hand-written PyTorch loop, same work, one run.

Configuration: lookback 168, 2-layer LSTM of 128 units, batch 256, horizon 1, the same
synthetic series, the same threads. Each variant runs in its own process so that one's
allocator settings cannot help another:

- ``loop``: the tutorials' loop (windows materialised, TensorDataset + DataLoader, Adam;
  inference with ``no_grad`` in batches of 256), glibc malloc as it comes;
- ``loop-tuned``: the same loop with glibc told to keep its memory (what rnnkit does);
- ``rnnkit``: ``Forecaster(...).fit(frame)`` timed end to end (windowing and scaling
  included), then ``predict_windows(frame)`` over every origin;
- ``rnnkit-bf16``: the same with ``precision="bf16"`` (opt-in), with its holdout error;
- ``loop-cuda``, ``rnnkit-cuda``, ``rnnkit-cuda-bf16``: where ``torch.cuda.is_available()``,
  the same loop with model and batches on the GPU (cuDNN's fused LSTM) and rnnkit with
  ``device="cuda"``. Ratios stay against the CPU loop; compare GPU rows with each other.

Prints training and prediction windows per second, system CPU time, minor page faults and
peak RSS, and the ratios. Usage: ``python bench/run.py [--points 20000] [--epochs 1]``.
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
CPU_VARIANTS = ("loop", "loop-tuned", "rnnkit", "rnnkit-bf16")
GPU_VARIANTS = ("loop-cuda", "rnnkit-cuda", "rnnkit-cuda-bf16")
VARIANTS = CPU_VARIANTS + GPU_VARIANTS


def series(points: int):
    import numpy as np

    t = np.arange(points)
    rng = np.random.default_rng(0)
    return (10 + np.sin(2 * np.pi * t / 24) + 0.5 * np.sin(2 * np.pi * t / 168)
            + 0.1 * rng.standard_normal(points)).astype("float32")


def run_loop(points: int, epochs: int, tuned: bool, device: str = "cpu") -> dict:
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

    model = Net().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, Y), batch_size=BATCH, shuffle=True
    )
    start = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    _sync(device)
    seconds = time.perf_counter() - start
    model.eval()
    start = time.perf_counter()
    with torch.no_grad():
        preds = torch.cat([model(xb.to(device)).cpu() for (xb,) in torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(X), batch_size=BATCH)])
    predict_seconds = time.perf_counter() - start
    mse = float(((preds - Y) ** 2).mean())
    return {"windows": len(X) * epochs, "seconds": seconds, "predicted": len(X),
            "predict_seconds": predict_seconds, "mse": mse}


def run_rnnkit(points: int, epochs: int, precision: str = "float32",
               device: str = "cpu") -> dict:
    import pandas as pd

    import rnnkit

    y = series(points)
    frame = pd.DataFrame({"ds": range(points), "y": y})
    f = rnnkit.Forecaster(lookback=LOOKBACK, horizon=1, hidden_size=HIDDEN, num_layers=LAYERS,
                          batch_size=BATCH, epochs=epochs, val_size=0, clip_norm=0, verbose=0,
                          window_norm="none", device=device, precision=precision)
    start = time.perf_counter()
    f.fit(frame)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    preds = f.predict_windows(frame)
    predict_seconds = time.perf_counter() - start
    scaled_err = (preds["y"].to_numpy() - y[LOOKBACK:]) / y.std()
    return {"windows": (points - LOOKBACK) * epochs, "seconds": seconds,
            "loop_windows_per_s": f.history_.samples_per_second, "predicted": len(preds),
            "predict_seconds": predict_seconds, "mse": float((scaled_err**2).mean())}


def child(variant: str, points: int, epochs: int, threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    device = "cuda" if "cuda" in variant else "cpu"
    before = resource.getrusage(resource.RUSAGE_SELF)
    if variant.startswith("rnnkit"):
        precision = "bf16" if variant.endswith("bf16") else "float32"
        result = run_rnnkit(points, epochs, precision, device)
    else:
        result = run_loop(points, epochs, tuned=variant == "loop-tuned", device=device)
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
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--child", choices=VARIANTS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.points, args.epochs, args.threads)
        return
    results = {}
    for variant in _variants_here():
        cmd = [sys.executable, __file__, "--child", variant, "--points", str(args.points),
               "--epochs", str(args.epochs), "--threads", str(args.threads)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        results[variant] = json.loads(out.strip().splitlines()[-1])
    print(f"lookback {LOOKBACK}, LSTM {LAYERS}x{HIDDEN}, batch {BATCH}, {args.points} points, "
          f"{args.epochs} epoch(s), {args.threads} threads, torch {_torch_version()}")
    train0 = results["loop"]["windows"] / results["loop"]["seconds"]
    pred0 = results["loop"]["predicted"] / results["loop"]["predict_seconds"]
    print(f"  {'variant':<12}{'train win/s':>12}{'x loop':>8}{'predict win/s':>15}{'x loop':>8}"
          f"{'sys s':>7}{'minor faults':>14}{'peak RSS MB':>12}{'mse':>8}")
    for variant, r in results.items():
        train = r["windows"] / r["seconds"]
        pred = r["predicted"] / r["predict_seconds"]
        print(f"  {variant:<12}{train:>12.0f}{train / train0:>8.2f}"
              f"{pred:>15.0f}{pred / pred0:>8.2f}"
              f"{r['sys_s']:>7.1f}{r['minor_faults']:>14,}{r['peak_rss_mb']:>12.0f}"
              f"{r['mse']:>8.4f}")
    tuned = results["loop-tuned"]["windows"] / results["loop-tuned"]["seconds"]
    mine = results["rnnkit"]["windows"] / results["rnnkit"]["seconds"]
    print(f"  training: rnnkit/loop {mine / train0:.2f}x, rnnkit/loop-tuned {mine / tuned:.2f}x; "
          f"rnnkit's loop alone {results['rnnkit']['loop_windows_per_s']:.0f} windows/s")
    if "loop-cuda" in results:
        gpu = {v: results[v]["windows"] / results[v]["seconds"] for v in GPU_VARIANTS}
        base = gpu["loop-cuda"]
        print(f"  GPU training: rnnkit-cuda/loop-cuda {gpu['rnnkit-cuda'] / base:.2f}x, "
              f"bf16 {gpu['rnnkit-cuda-bf16'] / base:.2f}x")


def _sync(device: str) -> None:
    if device == "cuda":
        import torch

        torch.cuda.synchronize()


def _variants_here() -> tuple[str, ...]:
    """The variants this machine can run: bf16 on CPU needs native bf16, GPU rows CUDA."""
    import torch

    from rnnkit.train.device import cpu_has_bf16

    variants = CPU_VARIANTS
    if not cpu_has_bf16():
        variants = tuple(v for v in CPU_VARIANTS if v != "rnnkit-bf16")
        print(f"(rnnkit-bf16 skipped: this CPU offers {torch.backends.cpu.get_cpu_capability()}, "
              "no native bf16)")
    return variants + (GPU_VARIANTS if torch.cuda.is_available() else ())


def _torch_version() -> str:
    import torch

    return torch.__version__


if __name__ == "__main__":
    main()
