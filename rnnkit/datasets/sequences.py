"""Seeded generators of sequence tasks (numpy only): activity windows and sequence + static
regression, the shapes of the classic tutorials at a size that trains in seconds."""

from __future__ import annotations

import numpy as np

ACTIVITIES = ("walking", "running", "climbing", "cycling")


def activity(n: int = 600, steps: int = 128, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Windows of 128 steps x 9 channels (3 axes of body acceleration, gyroscope and total
    acceleration at 50 Hz); the four activities differ in axis (walking and running move along
    x, climbing and cycling along z) and, within an axis, in frequency; amplitudes overlap.
    Per-channel summaries (mean, spread, extremes) see the axis but not the frequency, so a
    model must read the sequence to tell walking from running.

    Shapes:
        X: ``[n, steps, 9]``; y: ``[n]`` activity names.
    """
    rng = np.random.default_rng(seed)
    label = rng.integers(0, len(ACTIVITIES), size=n)
    freq = np.array([1.5, 3.0, 1.5, 3.0])[label] * rng.uniform(0.9, 1.1, n)  # Hz
    amplitude = np.array([1.0, 1.1, 1.0, 0.9])[label] * rng.uniform(0.7, 1.3, n)
    axis = np.array([0, 0, 2, 2])[label]  # the axis that carries the motion
    t = np.arange(steps) / 50.0
    phase = rng.uniform(0, 2 * np.pi, n)
    wave = amplitude[:, None] * np.sin(2 * np.pi * freq[:, None] * t + phase[:, None])  # [n, T]
    X = 0.3 * rng.standard_normal((n, steps, 9))
    rows = np.arange(n)
    X[rows, :, axis] += wave  # body acceleration
    X[rows, :, 3 + axis] += 0.5 * np.roll(wave, 8, axis=1)  # rotation lags the acceleration
    X[:, :, 6:9] += X[:, :, 0:3]
    X[:, :, 8] += 1.0  # gravity on the total acceleration's z axis
    return X, np.asarray(ACTIVITIES)[label]


def sequence_and_static(n: int = 600, steps: int = 96, seed: int = 0
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Activity counts over a day (``steps`` intervals) plus age, sex and height; the target
    (a BMI-like number) depends on both: on when in the day the person is active (later is
    worse here) and on the covariates. The day's total and spread say little about the timing.

    Shapes:
        X: ``[n, steps, 1]``; static: ``[n, 3]``; y: ``[n]``.
    """
    rng = np.random.default_rng(seed)
    hours = np.arange(steps) * 24 / steps
    level = rng.gamma(4.0, 0.5, n)
    peak = rng.uniform(9, 19, n)  # the hour of most activity
    bump = np.exp(-((hours[None, :] - peak[:, None]) ** 2) / 6) * level[:, None]
    counts = rng.poisson(10 * bump + 1).astype(float)
    age = rng.uniform(20, 70, n)
    sex = rng.integers(0, 2, n).astype(float)
    height = rng.normal(170, 10, n)
    y = 25 + 0.6 * (peak - 14) - 0.5 * level + 0.08 * (age - 45) + 1.5 * sex \
        - 0.05 * (height - 170) + 0.3 * rng.standard_normal(n)
    return counts[:, :, None], np.column_stack([age, sex, height]), y


_POSITIVE = ("great", "wonderful", "superb", "moving", "brilliant", "funny", "charming")
_NEGATIVE = ("awful", "boring", "dull", "terrible", "weak", "predictable", "tedious")
_FILLER = ("the", "film", "plot", "acting", "was", "and", "a", "story", "cast", "it", "with",
           "music", "ending", "very", "quite", "this", "of", "scenes")


def sentiment(n: int = 600, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Short movie reviews whose sentiment hangs on a few words, some negated ("not great").

    Returns:
        (texts, labels "positive" / "negative").
    """
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):  # one review at a time: a text is built word by word
        positive = bool(rng.integers(0, 2))
        words = list(rng.choice(_FILLER, size=rng.integers(6, 14)))
        negated = rng.random() < 0.3
        pool = _NEGATIVE if positive == negated else _POSITIVE
        word = str(rng.choice(pool))
        cue = ["not", word] if negated else [word]
        at = int(rng.integers(0, len(words) + 1))
        words[at:at] = cue
        texts.append(" ".join(words) + rng.choice([".", "!", " ..."]))
        labels.append("positive" if positive else "negative")
    return texts, np.asarray(labels)
