"""Small checks that every entry point runs once, early, on what the user passed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnnkit.errors import InputError


def check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    """An int >= minimum (bool is not an int here)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InputError(
            f"{name}={value!r} must be an integer >= {minimum}. Pass e.g. {name}={max(minimum, 1)}."
        )
    return int(value)


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """One of ``choices``; the message suggests the closest."""
    from rnnkit.options import check_value

    check_value(name, value, "", tuple(choices))
    return str(value)


def as_3d(X: object, name: str = "X") -> np.ndarray:
    """A finite float array ``[samples, timesteps, features]``, or a clear error.

    Shapes:
        X: ``[N, T, F]``.
    """
    a = np.asarray(X)
    if a.dtype == object:
        raise InputError(
            f"{name} is ragged (sequences of different lengths) but a rectangular "
            f"[samples, timesteps, features] array is required here. Pad the sequences, or pass "
            "a list of [T_i, F] arrays where variable lengths are accepted."
        )
    if a.ndim == 2:
        n, t = a.shape
        raise InputError(
            f"{name} has shape {a.shape} but [samples, timesteps, features] is required. If each "
            f"row is one sequence of {t} steps of one feature, use {name}.reshape({n}, {t}, 1); "
            f"if each row is one timestep of {t} features, use {name}.reshape(1, {n}, {t})."
        )
    if a.ndim != 3:
        raise InputError(
            f"{name} has {a.ndim} dimension(s) {a.shape} but [samples, timesteps, features] (3) is "
            "required. Reshape it."
        )
    if not np.issubdtype(a.dtype, np.number):
        raise InputError(f"{name} must be numeric; got dtype {a.dtype}.")
    a = a.astype(np.float64, copy=False)
    bad = ~np.isfinite(a)
    if bad.any():
        sample, step, feature = np.argwhere(bad)[0]
        raise InputError(
            f"{name} has {int(bad.sum())} NaN or infinite value(s), first at sample {sample}, "
            f"step {step}, feature {feature}. Fill or drop them first."
        )
    return a
