"""Seeded generators of sequence tasks (numpy only): activity windows and sequence + static
regression, the shapes of the classic tutorials at a size that trains in seconds."""

from __future__ import annotations

import numpy as np

ACTIVITIES = ("walking", "running", "climbing", "cycling")


def activity(n: int = 600, steps: int = 128, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Windows of 128 steps x 9 channels (3 axes of body acceleration, gyroscope and total
    acceleration at 50 Hz). The four activities differ in the axis that carries the motion
    (walking and running along x, climbing and cycling along z) and, within an axis, in
    cadence (about 1.6 vs 2.4 Hz); but the device sits at a random tilt (up to 35 degrees,
    so the motion leaks into the other axis), amplitudes overlap, and the noise is as large
    as a third of the motion. Per-channel summaries see the axis, roughly, but not the
    cadence; nearest neighbours are thrown by the random phase and tilt: a model must read
    the rhythm. Not a problem any model solves at once (see bench/RESULTS.md).

    Shapes:
        X: ``[n, steps, 9]``; y: ``[n]`` activity names.
    """
    rng = np.random.default_rng(seed)
    label = rng.integers(0, len(ACTIVITIES), size=n)
    freq = np.array([1.6, 2.4, 1.6, 2.4])[label] * rng.uniform(0.85, 1.15, n)  # Hz
    amplitude = np.array([1.0, 1.1, 1.0, 0.9])[label] * rng.uniform(0.6, 1.4, n)
    along_z = np.array([0, 0, 1, 1])[label].astype(bool)
    tilt = rng.uniform(-0.6, 0.6, n)  # radians, about the y axis
    t = np.arange(steps) / 50.0
    phase = rng.uniform(0, 2 * np.pi, n)
    wave = amplitude[:, None] * np.sin(2 * np.pi * freq[:, None] * t + phase[:, None])  # [n, T]
    main, other = np.cos(tilt)[:, None] * wave, np.sin(tilt)[:, None] * wave
    X = 0.35 * rng.standard_normal((n, steps, 9))
    X[:, :, 0] += np.where(along_z[:, None], other, main)  # body acceleration x
    X[:, :, 2] += np.where(along_z[:, None], main, -other)  # body acceleration z
    X[:, :, 3:6] += 0.5 * np.roll(X[:, :, 0:3], 8, axis=1)  # rotation lags the acceleration
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


_POSITIVE = ("great", "wonderful", "superb", "moving", "brilliant", "funny", "charming",
             "gripping", "delightful", "clever", "memorable", "excellent")
_NEGATIVE = ("awful", "boring", "dull", "terrible", "weak", "predictable", "tedious",
             "bland", "clumsy", "forgettable", "lifeless", "disappointing")
_NEGATIONS = ("not", "never", "hardly", "far from")
_FILLER = (
    "the", "film", "plot", "acting", "was", "and", "a", "story", "cast", "it", "with", "music",
    "ending", "very", "quite", "this", "of", "scenes", "director", "script", "camera", "hero",
    "villain", "dialogue", "score", "runtime", "sequel", "original", "book", "characters",
    "performance", "lead", "supporting", "role", "moments", "pace", "twist", "first", "half",
    "second", "act", "visuals", "effects", "editing", "photography", "set", "city", "war",
    "family", "love", "friendship", "journey", "comedy", "drama", "thriller", "horror",
    "animation", "documentary", "audience", "critics", "theater", "screen", "night", "year",
    "summer", "studio", "budget", "actor", "actress", "writer", "producer", "trailer", "opening",
    "finale", "chapter", "series", "episode", "world", "time", "life", "people", "child",
    "mother", "father", "brother", "sister", "town", "house", "road", "sea", "mountain",
    "in", "on", "at", "for", "from", "by", "about", "after", "before", "during", "is", "are",
    "feels", "looks", "seems", "becomes", "stays", "gets", "has", "had", "its", "their", "his",
    "her", "some", "many", "most", "every", "each", "two", "three", "long", "short", "old",
    "new", "young", "quiet", "loud", "dark", "bright", "simple", "strange", "familiar")
_INTENSIFIERS = ("really", "truly", "rather", "so", "utterly", "somewhat")


def sentiment(n: int = 600, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Short movie reviews (about 200 words of vocabulary) whose sentiment hangs on one or
    two of 24 cue words among many: sometimes negated ("not great", "far from dull"),
    sometimes intensified, sometimes preceded by a cue of the other sentiment that the word
    "but" overrides ("dull at first but gripping"). Learnable from about 1,500 reviews
    (bench/RESULTS.md); 450 are too few for any model here.

    Returns:
        (texts, labels "positive" / "negative").
    """
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):  # one review at a time: a text is built word by word
        positive = bool(rng.integers(0, 2))

        def cue(pole: bool) -> list[str]:
            negated = rng.random() < 0.25
            pool = _NEGATIVE if pole == negated else _POSITIVE
            words = [str(rng.choice(pool))]
            if rng.random() < 0.3:
                words = [str(rng.choice(_INTENSIFIERS))] + words
            return str(rng.choice(_NEGATIONS)).split() + words if negated else words

        words = [str(w) for w in rng.choice(_FILLER, size=rng.integers(8, 20))]
        at = int(rng.integers(0, len(words) + 1))
        if rng.random() < 0.2:  # a turn: the first impression, then "but" the verdict
            words[at:at] = cue(not positive) + ["but"] + cue(positive)
        else:
            words[at:at] = cue(positive)
        texts.append(" ".join(words) + str(rng.choice([".", "!", " ..."])))
        labels.append("positive" if positive else "negative")
    return texts, np.asarray(labels)
