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


def sequences_from_frame(frame, id_col: str, time_col: str | None, sequence_cols: Sequence[str],
                         target_col: str, static_cols: Sequence[str] = ()):
    """A long frame (one row per sequence and step) -> sequences, one target and optional
    static covariates per sequence.

    Returns:
        (list of ``[T_i, F]`` arrays, targets ``[N]``, static ``[N, S]`` or None, ids ``[N]``).
    """
    import difflib

    import pandas as pd

    needed = [id_col, target_col, *sequence_cols, *static_cols] + ([time_col] if time_col else [])
    for col in needed:
        if col not in frame.columns:
            close = difflib.get_close_matches(col, [str(c) for c in frame.columns], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise InputError(f"column {col!r} is not in the data; columns are "
                             f"{[str(c) for c in frame.columns]}.{hint}")
    if not sequence_cols:
        raise InputError("sequence_cols is empty: name the columns that vary along each "
                         "sequence (CLI: --sequence-cols a,b,c).")
    order = [id_col] + ([time_col] if time_col else [])
    frame = frame.sort_values(order, kind="stable")
    ids, starts = np.unique(frame[id_col].to_numpy(), return_index=True)
    starts = np.sort(starts)
    bounds = np.append(starts, len(frame))
    values = frame.loc[:, list(sequence_cols)].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    seqs = [values[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    per_sequence = frame.groupby(id_col, sort=False)
    targets = per_sequence[target_col]
    if (targets.nunique(dropna=False) > 1).any():
        bad = targets.nunique(dropna=False)
        raise InputError(f"{target_col!r} changes within sequence {bad[bad > 1].index[0]!r}; "
                         "it must be one value per sequence.")
    y = targets.first().to_numpy()
    static = per_sequence[list(static_cols)].first().to_numpy(float) if static_cols else None
    return seqs, y, static, per_sequence[id_col].first().to_numpy()
