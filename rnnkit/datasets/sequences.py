"""Seeded generators of sequence tasks (numpy only): activity windows and sequence + static
regression, the shapes of the classic tutorials at a size that trains in seconds."""

from __future__ import annotations

import numpy as np

ACTIVITIES = ("walking", "running", "climbing", "cycling")


def activity(n: int = 600, steps: int = 128, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Windows of 128 steps x 9 channels (3 axes of body acceleration, gyroscope and total
    acceleration at 50 Hz); the four activities differ in frequency, amplitude and axis.

    Shapes:
        X: ``[n, steps, 9]``; y: ``[n]`` activity names.
    """
    rng = np.random.default_rng(seed)
    label = rng.integers(0, len(ACTIVITIES), size=n)
    freq = np.array([1.8, 2.8, 1.2, 1.5])[label] * rng.uniform(0.9, 1.1, n)  # Hz
    amplitude = np.array([1.0, 2.0, 1.2, 0.8])[label] * rng.uniform(0.8, 1.2, n)
    axis = np.array([0, 0, 2, 1])[label]  # the axis that carries the motion
    t = np.arange(steps) / 50.0
    phase = rng.uniform(0, 2 * np.pi, n)
    wave = amplitude[:, None] * np.sin(2 * np.pi * freq[:, None] * t + phase[:, None])  # [n, T]
    X = 0.3 * rng.standard_normal((n, steps, 9))
    rows = np.arange(n)
    X[rows, :, axis] += wave  # body acceleration
    X[rows, :, 3 + axis] += 0.5 * np.gradient(wave, axis=1) * 50 / (2 * np.pi * freq[:, None])
    X[:, :, 6:9] += X[:, :, 0:3]
    X[:, :, 8] += 1.0  # gravity on the total acceleration's z axis
    return X, np.asarray(ACTIVITIES)[label]


def sequence_and_static(n: int = 600, steps: int = 96, seed: int = 0
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Activity counts over a day (``steps`` intervals) plus age, sex and height; the target
    (a BMI-like number) depends on both: on how active the evenings are and on the covariates.

    Shapes:
        X: ``[n, steps, 1]``; static: ``[n, 3]``; y: ``[n]``.
    """
    rng = np.random.default_rng(seed)
    hours = np.arange(steps) * 24 / steps
    level = rng.gamma(2.0, 1.0, n)
    evening = rng.uniform(0, 2, n)
    day = np.exp(-((hours - 13) ** 2) / 18)[None, :] * level[:, None]
    late = np.exp(-((hours - 20) ** 2) / 4)[None, :] * evening[:, None]
    counts = rng.poisson(10 * (day + late) + 1).astype(float)
    age = rng.uniform(20, 70, n)
    sex = rng.integers(0, 2, n).astype(float)
    height = rng.normal(170, 10, n)
    y = 30 - 2.5 * evening - 0.8 * level + 0.08 * (age - 45) + 1.5 * sex \
        - 0.05 * (height - 170) + 0.3 * rng.standard_normal(n)
    return counts[:, :, None], np.column_stack([age, sex, height]), y
