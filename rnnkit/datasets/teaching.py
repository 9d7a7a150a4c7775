"""Seeded generators of the classic teaching tasks for recurrent networks (numpy only).

Each returns inputs ``X [N, T, F]`` (one-hot symbols) and per-step labels ``y [N, T]``.
"""

from __future__ import annotations

import numpy as np


def _one_hot(ids: np.ndarray, n: int) -> np.ndarray:
    return np.eye(n)[ids]


def counting(n: int = 512, max_count: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``a a a a X _ _ _ _``: after N a's and a marker X, emit N b's, then "-".

    Inputs are one-hot over (a, X, _); labels are "-" while reading and after the count is
    spent, "b" on the N steps after the marker. A unit that counts up on a and down on b
    solves it.

    Shapes:
        X: ``[n, 2 * max_count + 2, 3]``; y: ``[n, 2 * max_count + 2]``.
    """
    rng = np.random.default_rng(seed)
    T = 2 * max_count + 2
    counts = rng.integers(1, max_count + 1, size=n)
    steps = np.arange(T)[None, :]
    symbol = np.where(steps < counts[:, None], 0, np.where(steps == counts[:, None], 1, 2))
    emit = (steps > counts[:, None]) & (steps <= 2 * counts[:, None])
    return _one_hot(symbol, 3), np.where(emit, "b", "-")


def long_memory(n: int = 512, gap: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``A x x ... x Y a`` vs ``B x x ... x Y b``: at Y, recall the first symbol.

    Inputs one-hot over (A, B, x, Y); labels "-" everywhere but the step after Y, which is
    "a" or "b". The answer is ``gap + 1`` steps away from the evidence.

    Shapes:
        X: ``[n, gap + 3, 4]``; y: ``[n, gap + 3]``.
    """
    rng = np.random.default_rng(seed)
    first = rng.integers(0, 2, size=n)  # 0: A, 1: B
    T = gap + 3
    symbol = np.full((n, T), 2)
    symbol[:, 0] = first
    symbol[:, -2] = 3
    symbol[:, -1] = 2
    labels = np.full((n, T), "-", dtype=object)
    labels[:, -1] = np.where(first == 0, "a", "b")
    return _one_hot(symbol, 4), labels.astype(str)


def conflict(n: int = 512, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``3 0 1 2 -> 3`` vs ``4 0 1 2 -> 4``: the same recent inputs demand different outputs.

    Inputs one-hot over the digits 0..4; the label of the last step is the first digit,
    "-" elsewhere. A model that sees only the last 3 inputs (0 1 2) is at chance.

    Shapes:
        X: ``[n, 4, 5]``; y: ``[n, 4]``.
    """
    rng = np.random.default_rng(seed)
    first = rng.integers(3, 5, size=n)
    digits = np.column_stack([first, np.zeros(n, int), np.ones(n, int), np.full(n, 2)])
    labels = np.full((n, 4), "-", dtype=object)
    labels[:, -1] = first.astype(str)
    return _one_hot(digits, 5), labels.astype(str)


TASKS = {"counting": counting, "long_memory": long_memory, "conflict": conflict}


def example_sequence(name: str, seed: int = 0) -> np.ndarray:
    """One input sequence ``[T, F]`` of a teaching task, e.g. for ``rnnkit inspect``."""
    from rnnkit.errors import InputError

    if name not in TASKS:
        raise InputError(f"{name!r} is not a teaching task; known: {sorted(TASKS)}.")
    return TASKS[name](1, seed=seed)[0][0]
