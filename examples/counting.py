"""Counting: after N a's and a marker, emit N b's. Watch one cell-state unit count.

Run: .venv/bin/python examples/counting.py   (writes runs/examples/counting_*.png)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import rnnkit
from rnnkit.datasets.teaching import counting
from rnnkit.plots import save_figure
from rnnkit.plots.inspect import plot_active_units, plot_heatmaps

OUT = Path("runs/examples")

X, y = counting(512, max_count=8, seed=0)
X_test, y_test = counting(256, max_count=8, seed=1)
model = rnnkit.SequenceTagger(hidden_size=8, epochs=60, seed=0, verbose=0).fit(X, y)
print(f"per-step accuracy on new sequences: {model.score(X_test, y_test):.3f}")
print(model.summary())

model.save(OUT / "counting-model")
example = X_test[np.argmax(X_test[:, :, 0].sum(axis=1))]  # the longest count
ins = model.inspect(example)
save_figure(plot_heatmaps(ins, names=("c", "i", "f", "o")), OUT / "counting_heatmaps.png")
save_figure(plot_active_units(ins, "c", k=3), OUT / "counting_units.png")
print(f"wrote {OUT}/counting_heatmaps.png and counting_units.png; the same from the CLI:\n"
      f"  rnnkit inspect {OUT}/counting-model counting --out {OUT}/counting-inspect")
