"""Sequences for the sequence estimators: rectangles or ragged lists -> padded arrays + lengths."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnnkit.data.validation import as_3d
from rnnkit.errors import InputError


def pad_sequences(X: object, name: str = "X") -> tuple[np.ndarray, np.ndarray]:
    """A 3-D array ``[N, T, F]`` or a list of ``[T_i, F]`` (or ``[T_i]``) arrays, padded.

    Returns:
        (padded ``[N, T_max, F]`` float64 with zeros after each sequence, lengths ``[N]``).
    """
    if isinstance(X, np.ndarray) and X.dtype != object:
        a = as_3d(X, name)
        return a, np.full(len(a), a.shape[1], dtype=np.int64)
    if not isinstance(X, Sequence | np.ndarray) or len(X) == 0:
        raise InputError(
            f"{name} must be an array [samples, timesteps, features] or a non-empty list of "
            f"[timesteps, features] arrays; got {type(X).__name__}."
        )
    seqs = []
    for i, s in enumerate(X):
        a = np.asarray(s, dtype=np.float64)
        a = a[:, None] if a.ndim == 1 else a
        if a.ndim != 2 or len(a) == 0:
            raise InputError(f"{name}[{i}] has shape {a.shape}; each sequence must be a non-empty "
                             "[timesteps, features] array.")
        seqs.append(a)
    features = {a.shape[1] for a in seqs}
    if len(features) > 1:
        raise InputError(f"{name}: sequences have different numbers of features {sorted(features)}"
                         "; every step needs the same features.")
    lengths = np.array([len(a) for a in seqs], dtype=np.int64)
    out = np.zeros((len(seqs), lengths.max(), features.pop()))
    mask = np.arange(lengths.max()) < lengths[:, None]  # [N, T]
    out[mask] = np.concatenate(seqs)  # one vectorised scatter
    bad = ~np.isfinite(out)
    if bad.any():
        sample, step, _ = np.argwhere(bad)[0]
        raise InputError(f"{name} has NaN or infinite values, first at sample {sample}, step "
                         f"{step}. Fill or drop them first.")
    return out, lengths


def pad_labels(y: object, lengths: np.ndarray, fill: object, name: str = "y") -> np.ndarray:
    """Per-step labels ``[N, T_max]`` (object array), ``fill`` after each sequence's end."""
    rows = list(y) if not isinstance(y, np.ndarray) or y.ndim != 2 else list(y)
    if len(rows) != len(lengths):
        raise InputError(f"{name} has {len(rows)} sequences of labels but X has {len(lengths)}. "
                         "Pass one label sequence per input sequence.")
    out = np.full((len(rows), int(lengths.max())), fill, dtype=object)
    for i, (r, n) in enumerate(zip(rows, lengths, strict=True)):  # per sequence, not per step
        r = np.asarray(r, dtype=object).reshape(-1)
        if len(r) != n:
            raise InputError(f"{name}[{i}] has {len(r)} labels but X[{i}] has {n} steps. "
                             "Pass one label per step.")
        out[i, :n] = r
    return out
