"""Variable length at padded speed: the default SequenceClassifier on a ragged list of
sequences against the same sequences padded into one array, timed in the same run.

The problem has the size of PLAID (UCR/UEA's variable-length appliance problem: 537 training
sequences of 100 to 1,344 steps, 11 classes), generated so that the bench needs no download:
each class is a sum of two sines with its own frequencies, amplitude and noise. Run from the
project root: ``python bench/sequence_lengths.py``.
"""

from __future__ import annotations

import time

import numpy as np

import rnnkit


def plaid_like(n: int = 537, classes: int = 11, seed: int = 0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(100, 1345, size=n)
    labels = rng.integers(0, classes, size=n)
    seqs = []
    for length, c in zip(lengths, labels, strict=True):  # per sequence: each has its own length
        t = np.arange(length)
        f1, f2 = 0.01 + 0.004 * c, 0.05 + 0.003 * (classes - c)
        x = np.sin(2 * np.pi * f1 * t + rng.uniform(0, 6.3)) \
            + 0.5 * np.sin(2 * np.pi * f2 * t) + 0.3 * rng.normal(size=length)
        seqs.append((1 + 0.1 * c) * x[:, None])
    return seqs, labels


def main() -> None:
    seqs, labels = plaid_like()
    test_seqs, test_labels = plaid_like(200, seed=1)
    padded = np.zeros((len(seqs), max(len(s) for s in seqs), 1))
    for i, s in enumerate(seqs):  # the same data in one rectangle (zeros after each end)
        padded[i, : len(s)] = s
    rows = []
    for name, X in (("ragged list", seqs), ("padded array", padded)):
        started = time.perf_counter()
        model = rnnkit.SequenceClassifier(verbose=0, seed=0).fit(X, labels)
        seconds = time.perf_counter() - started
        # scored once: the padded fit reads zeros after each end as steps (timing only)
        scored = f"test accuracy {model.score(test_seqs, test_labels):.3f}" \
            if name == "ragged list" else "(timed only: its zeros read as steps)"
        rows.append((name, seconds))
        print(f"{name:>13}: fit {seconds:6.1f} s   {scored}", flush=True)
    ratio = rows[0][1] / rows[1][1]
    print(f"537 sequences of 100-1,344 steps: ragged / padded fit time = {ratio:.2f}x "
          f"(goal <= 1.5x); ragged fit {rows[0][1]:.0f} s (goal < 300 s)")


if __name__ == "__main__":
    main()
