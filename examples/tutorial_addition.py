"""Adding two numbers written as characters ("123+45" -> "168"), the classic
sequence-to-sequence example: an encoder reads the characters, a decoder writes the sum one
digit at a time, attending to the input.

The lesson is the carry. Written as we write it, most significant digit first, the first
digit of the sum depends on every digit of both numbers: after 6,000 steps of 32 pairs
(seed 0) 20% of unseen sums come out exact. Written units first (the sum reversed, and
reversed back after decoding), each digit needs only the digits of its own place and the
carry the decoder has just written: 81% exact after the same 6,000 steps.

Run: .venv/bin/python examples/tutorial_addition.py
"""

import numpy as np

import rnnkit

rng = np.random.default_rng(0)


def pairs(n: int) -> tuple[list[str], list[str]]:
    a, b = rng.integers(0, 1000, n), rng.integers(0, 1000, n)
    return [f"{i}+{j}" for i, j in zip(a, b, strict=True)], [str(i + j) for i, j in
                                                             zip(a, b, strict=True)]


X, y = pairs(20000)
X_test, y_test = pairs(1000)
units_first = [s[::-1] for s in y]  # the carry then flows the way the decoder writes
model = rnnkit.SequenceToSequence(hidden_size=128, batch_size=32, max_steps=6000, seed=0,
                                  verbose=0)
predicted = [s[::-1] for s in model.fit(X, units_first).predict(X_test)]
print(f"exact sums: {np.mean([p == t for p, t in zip(predicted, y_test, strict=True)]):.3f} "
      "of 1,000 unseen pairs")
for question, answer in zip(X_test[:5], predicted[:5], strict=True):
    print(f"{question} = {answer}")
