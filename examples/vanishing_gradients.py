"""Vanishing gradients: how much the answer's loss still feels each earlier input.

For a simple RNN and an LSTM trained on the long-memory task, the norm of the gradient of
the last step's loss with respect to the input at each lag, on a log scale.
Run: .venv/bin/python examples/vanishing_gradients.py   (writes runs/examples/vanishing.png)
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

import rnnkit
from rnnkit.datasets.teaching import long_memory
from rnnkit.plots import save_figure

OUT = Path("runs/examples")
GAP = 20

X, y = long_memory(512, gap=GAP, seed=0)
fig, ax = plt.subplots(figsize=(7, 4))
for cell, color in (("rnn", "#7f7f7f"), ("lstm", "#d62728")):
    model = rnnkit.SequenceTagger(cell=cell, hidden_size=16, epochs=30, seed=0, verbose=0)
    model.fit(X, y)
    x = torch.from_numpy(model.inputs_.transform(X[:64]).x).requires_grad_()  # as it reads X
    target = torch.from_numpy(np.searchsorted(model.classes_, y[:64, -1]))
    loss = torch.nn.functional.cross_entropy(model.model_(x)[:, -1], target)
    loss.backward()
    norms = x.grad.norm(dim=2).mean(dim=0).numpy()  # [T]: mean over sequences
    lags = np.arange(len(norms))[::-1]  # steps before the answer
    ax.semilogy(lags, norms, marker="o", ms=3, color=color, label=cell.upper())
    print(f"{cell}: gradient norm at lag 0 {norms[-1]:.2e}, at lag {lags[0]} {norms[0]:.2e}")
ax.set_xlabel("lag (steps before the answer)")
ax.set_ylabel("|dL / dx_t|")
ax.set_title(f"gradient reaching each input, long-memory task (gap {GAP})", fontsize=10)
ax.grid(alpha=0.3, which="both")
ax.legend(frameon=False)
save_figure(fig, OUT / "vanishing.png")
print(f"wrote {OUT}/vanishing.png")
