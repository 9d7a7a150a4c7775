"""The bundled teaching data is not too easy: the default sequence classifier beside its
baselines on the generated activity windows and reviews (the first three quarters to train,
the last quarter to score), and what the reviews need to be learnable.

    python bench/bundled_data.py
"""

from __future__ import annotations

import time

import rnnkit
from rnnkit.datasets.sequences import activity, sentiment
from rnnkit.evaluate.sequence_scores import classification_baselines


def line(name: str, X, y, cut: int) -> None:
    started = time.perf_counter()
    model = rnnkit.SequenceClassifier(seed=0, verbose=0).fit(X[:cut], y[:cut])
    ours = model.score(X[cut:], y[cut:])
    seconds = time.perf_counter() - started
    others = classification_baselines(X[:cut], y[:cut], X[cut:], y[cut:])
    cells = ", ".join(f"{k} {v['accuracy']:.3f}" for k, v in others.items())
    print(f"{name}: rnnkit {ours:.3f} ({seconds:.1f} s) | {cells}")


def main() -> None:
    X, y = activity(600, seed=0)
    line("activity (450 / 150)", X, y, 450)
    texts, labels = sentiment(2000, seed=0)
    line("reviews (1500 / 500)", texts, labels, 1500)
    line("reviews (450 / 150)", texts[:600], labels[:600], 450)


if __name__ == "__main__":
    main()
