"""Long memory: A x x ... x Y -> a, B x x ... x Y -> b. One cell state carries the first
symbol across the gap, and the forget gate keeps it.

What the fitted LSTM does (printed below, seed 0): the first symbol leaves one unit's cell
state a little different for A than for B (+0.97 vs +0.77); over the distractors that
unit's forget gate stays near 1 and what it writes depends on its own state, so the small
difference is amplified rather than forgotten: the state drifts up after A and down after B
(+5.87 vs -1.82 at Y), and the sign of that one number is the answer. Its input gate does
*not* close on the x's (it stays near 0.9): the textbook picture of a gate that opens on the
symbol and shuts on the noise is one way an LSTM can remember, not the one gradient descent
found here.

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
first = X_test[:, 0].argmax(axis=1)  # which symbol each test sequence starts with
a, b = np.flatnonzero(first == first[0])[0], np.flatnonzero(first != first[0])[0]
states = [model.inspect(X_test[k]).layers[0][0] for k in (a, b)]  # c, i, f, ... [T, H]
unit = int(np.argmax(np.abs(states[0]["c"][-2] - states[1]["c"][-2])))  # differs most at Y
for k, s in zip((a, b), states, strict=True):
    print(f"starts with symbol {first[k]}: unit {unit}'s cell state after it "
          f"{s['c'][0, unit]:+.2f}, at Y {s['c'][-2, unit]:+.2f}; over the x's its forget "
          f"gate {s['f'][1:-2, unit].mean():.2f}, its input gate {s['i'][1:-2, unit].mean():.2f}")
ins = model.inspect(X_test[a])
save_figure(plot_heatmaps(ins, names=("c", "i", "f")), OUT / "long_memory.png")
print(f"wrote {OUT}/long_memory.png")
