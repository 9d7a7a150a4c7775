"""Long memory: A x x ... x Y -> a, B x x ... x Y -> b. The input gate closes on the x's.

Run: .venv/bin/python examples/long_memory.py   (writes runs/examples/long_memory.png)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import rnnkit
from rnnkit.datasets.teaching import long_memory
from rnnkit.plots import save_figure
from rnnkit.plots.inspect import plot_heatmaps

OUT = Path("runs/examples")

X, y = long_memory(512, gap=10, seed=0)
X_test, y_test = long_memory(256, gap=10, seed=1)
model = rnnkit.SequenceTagger(hidden_size=8, epochs=60, patience=30, seed=0, verbose=0)
model.fit(X, y)
accuracy = np.mean(model.predict(X_test)[:, -1] == y_test[:, -1])
print(f"recall of the first symbol after a gap of 10: {accuracy:.3f} (chance 0.5)")
ins = model.inspect(X_test[0])
gates = ins.layers[0][0]["i"]  # [T, H]
print("mean input gate on the first symbol, on the x's, on Y: "
      f"{gates[0].mean():.2f}, {gates[1:-2].mean():.2f}, {gates[-2].mean():.2f}")
save_figure(plot_heatmaps(ins, names=("c", "i", "f")), OUT / "long_memory.png")
print(f"wrote {OUT}/long_memory.png")
