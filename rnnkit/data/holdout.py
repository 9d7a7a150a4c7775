"""The one rule for holding sequences out of training for early stopping.

A hold-out decides the epoch to keep only when it is large enough to tell epochs apart: on
the small problems typical of sequence classification (50 training sequences, 5 held out)
a hold-out of 3-5 sequences picks an epoch by chance and costs a tenth of the data. So a
hold-out is drawn only when it would hold at least ``MIN_ROWS`` sequences and, for classes,
at least ``MIN_PER_CLASS`` of every class; otherwise training runs its whole budget on every
sequence and the reason is recorded (``Holdout.reason``) for the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnkit.errors import InputError

MIN_ROWS = 30
MIN_PER_CLASS = 2
ORDERS = ("random", "chronological")


@dataclass(frozen=True)
class Holdout:
    """Row numbers for training and validation, and why there is no validation if so."""

    train: np.ndarray
    val: np.ndarray
    reason: str = ""

    @property
    def used(self) -> bool:
        return len(self.val) > 0


def split_holdout(n: int, val_size: float, seed: int, labels: np.ndarray | None = None,
                  order: str = "random") -> Holdout:
    """Hold out about ``val_size`` of ``n`` rows: stratified by ``labels`` (class ids) when
    given, the last rows when ``order="chronological"`` (rows are in time order), else a
    seeded random draw; none when the rule above says it could not decide.

    Args:
        n: rows. val_size: fraction in [0, 1). seed: for the draw.
        labels: ``[n]`` integer class ids (classification), or None.
        order: "random" or "chronological".
    """
    if isinstance(val_size, bool) or not isinstance(val_size, int | float) \
            or not 0 <= val_size < 1:
        raise InputError(f"val_size={val_size!r} must be a fraction in [0, 1). Pass e.g. "
                         "val_size=0.1, or 0 to train without a hold-out.")
    if order not in ORDERS:
        raise InputError(f"holdout={order!r} is not one of {list(ORDERS)}. Pass 'random' or "
                         "'chronological' (the last rows, when rows are in time order).")
    everything = np.arange(n)
    if val_size == 0:
        return Holdout(everything, everything[:0], "val_size=0: no hold-out")
    n_val = int(round(val_size * n))
    if n_val < MIN_ROWS:
        return Holdout(everything, everything[:0],
                       f"a hold-out of {val_size:g} would be {n_val} sequences (< {MIN_ROWS}), "
                       "too few to choose an epoch: trained the whole budget on all "
                       f"{n} sequences")
    if order == "chronological":
        return Holdout(everything[: n - n_val], everything[n - n_val:])
    rng = np.random.default_rng(seed)
    if labels is None:
        perm = rng.permutation(n)
        return Holdout(np.sort(perm[n_val:]), np.sort(perm[:n_val]))
    counts = np.bincount(labels)
    take = np.round(counts * val_size).astype(int)
    if (take < MIN_PER_CLASS).any() or (counts - take < 1).any():
        rare = int(np.argmin(counts))
        return Holdout(everything, everything[:0],
                       f"a stratified hold-out of {val_size:g} would keep fewer than "
                       f"{MIN_PER_CLASS} sequences of class #{rare} ({counts[rare]} in all): "
                       f"trained the whole budget on all {n} sequences")
    val = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:k]
                          for c, k in enumerate(take)])
    is_val = np.zeros(n, dtype=bool)
    is_val[val] = True
    return Holdout(everything[~is_val], everything[is_val])
