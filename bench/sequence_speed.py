"""SequenceClassifier.fit vs a minimal hand-written PyTorch loop on [N, 128, 9] windows.

Same model (LSTM 9 -> 64, last step -> dense 4 classes), data, batch size (64), threads;
each in its own process (the loop with glibc malloc as it comes). Prints samples per second
and the ratio. Usage: ``python bench/sequence_speed.py [--n 4000] [--epochs 2]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

HIDDEN, BATCH = 64, 64


def data(n: int):
    from rnnkit.datasets.sequences import activity

    return activity(n, seed=0)


def loop(n: int, epochs: int) -> float:
    import numpy as np
    import torch
    from torch import nn

    X, y = data(n)
    x = torch.from_numpy(((X - X.mean((0, 1))) / X.std((0, 1))).astype(np.float32))
    target = torch.from_numpy(np.unique(y, return_inverse=True)[1])
    torch.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(9, HIDDEN, batch_first=True)
            self.head = nn.Linear(HIDDEN, 4)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.head(h[-1])

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, target),
                                         batch_size=BATCH, shuffle=True)
    start = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return n * epochs / (time.perf_counter() - start)


def rnnkit_fit(n: int, epochs: int) -> float:
    import rnnkit

    X, y = data(n)
    model = rnnkit.SequenceClassifier(hidden_size=HIDDEN, batch_size=BATCH, epochs=epochs,
                                      val_size=0.0, clip_norm=0.0, verbose=0, device="cpu")
    start = time.perf_counter()
    model.fit(X, y)
    return n * epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--child", choices=["loop", "rnnkit"])
    args = parser.parse_args()
    if args.child:
        import torch

        torch.set_num_threads(2)
        rate = (loop if args.child == "loop" else rnnkit_fit)(args.n, args.epochs)
        print(json.dumps({"rate": rate}))
        return
    rates = {}
    for child in ("loop", "rnnkit"):
        cmd = [sys.executable, __file__, "--child", child, "--n", str(args.n),
               "--epochs", str(args.epochs)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        rates[child] = json.loads(out.strip().splitlines()[-1])["rate"]
    print(f"SequenceClassifier [N={args.n}, 128, 9], LSTM {HIDDEN}, batch {BATCH}: loop "
          f"{rates['loop']:.0f} samples/s | rnnkit {rates['rnnkit']:.0f} samples/s (fit end to "
          f"end) | {rates['rnnkit'] / rates['loop']:.2f}x")


if __name__ == "__main__":
    main()
