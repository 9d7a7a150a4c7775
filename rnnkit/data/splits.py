"""Chronological train / validation / test splits by count or fraction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnkit.errors import InputError


def resolve_size(size: int | float, n: int, name: str) -> int:
    """A count, or a fraction of ``n`` (rounded), as a number of rows in ``[0, n)``."""
    if isinstance(size, bool) or not isinstance(size, int | float | np.integer | np.floating):
        raise InputError(f"{name}={size!r} must be a row count or a fraction in [0, 1).")
    if isinstance(size, float | np.floating):
        if not 0 <= size < 1:
            raise InputError(
                f"{name}={size!r} as a fraction must be in [0, 1). Pass e.g. {name}=0.2, "
                "or an integer row count."
            )
        return int(round(size * n))
    if not 0 <= size < n:
        raise InputError(f"{name}={size} must be between 0 and {n - 1} rows for {n} observations.")
    return int(size)


@dataclass(frozen=True)
class SplitPoints:
    """Rows of one series: train ``[0, train_end)``, val ``[train_end, val_end)``, test
    ``[val_end, n)``."""

    train_end: int
    val_end: int
    n: int


def chronological_split(
    n: int, test_size: int | float = 0, val_size: int | float = 0, min_train: int = 1
) -> SplitPoints:
    """Split ``n`` time-ordered rows: the test part last, validation before it, train first.

    Args:
        n: number of observations.
        test_size, val_size: counts or fractions of n.
        min_train: the fewest training rows that still work (e.g. lookback + horizon).
    """
    test = resolve_size(test_size, n, "test_size")
    val = resolve_size(val_size, n, "val_size")
    train_end = n - test - val
    if train_end < min_train:
        raise InputError(
            f"test_size={test_size} and val_size={val_size} leave {train_end} training rows of "
            f"{n}; at least {min_train} are needed. Lower test_size or val_size."
        )
    return SplitPoints(train_end, n - test, n)


def split_arrays(
    values: np.ndarray, points: SplitPoints
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the train, validation and test rows.

    Shapes:
        values: ``[n, ...]``.
    """
    return values[: points.train_end], values[points.train_end : points.val_end], values[
        points.val_end :]
