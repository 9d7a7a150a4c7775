"""Conflict: 3 0 1 2 -> 3 but 4 0 1 2 -> 4. An MLP on the last 3 inputs cannot tell them apart.

Run: .venv/bin/python examples/conflict.py   (writes runs/examples/conflict.png)
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import rnnkit
from rnnkit.datasets.teaching import conflict
from rnnkit.plots import save_figure
from rnnkit.train import TensorBatches, TrainConfig, train_model

OUT = Path("runs/examples")

X, y = conflict(512, seed=0)
X_test, y_test = conflict(256, seed=1)
lstm = rnnkit.SequenceTagger(hidden_size=8, epochs=60, seed=0, verbose=0).fit(X, y)
lstm_accuracy = np.mean(lstm.predict(X_test)[:, -1] == y_test[:, -1])

classes = np.unique(y[:, -1])
torch.manual_seed(0)
mlp = nn.Sequential(nn.Flatten(), nn.Linear(15, 16), nn.ReLU(), nn.Linear(16, 2))
last3 = torch.from_numpy(X[:, -3:].astype(np.float32))
train_model(mlp, TensorBatches((last3,), torch.from_numpy(np.searchsorted(classes, y[:, -1]))),
            TrainConfig(epochs=60, learning_rate=1e-2, verbose=0),
            loss_fn=nn.functional.cross_entropy)
with torch.no_grad():
    guess = mlp(torch.from_numpy(X_test[:, -3:].astype(np.float32))).argmax(-1).numpy()
mlp_accuracy = np.mean(classes[guess] == y_test[:, -1])
print(f"LSTM accuracy {lstm_accuracy:.3f}; MLP on the last 3 inputs {mlp_accuracy:.3f} "
      "(chance 0.5)")

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.bar(["LSTM (whole sequence)", "MLP (last 3 inputs)"], [lstm_accuracy, mlp_accuracy],
       color=["#d62728", "#7f7f7f"])
ax.axhline(0.5, color="black", lw=0.8, ls="--", label="chance")
ax.set_ylim(0, 1.05)
ax.set_ylabel("accuracy on the last step")
ax.legend(frameon=False)
save_figure(fig, OUT / "conflict.png")
print(f"wrote {OUT}/conflict.png")
