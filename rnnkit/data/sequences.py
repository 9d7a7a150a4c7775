"""Sequences for the sequence estimators: rectangles or ragged lists -> padded arrays + lengths,
with the layout mistakes users make most often caught here, once."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from rnnkit.errors import InputError, warn


def pad_sequences(X: object, name: str = "X") -> tuple[np.ndarray, np.ndarray]:
    """A 3-D array ``[N, T, F]`` or a list of ``[T_i, F]`` (or ``[T_i]``) arrays, padded.

    NaN at the end of a sequence (every channel, from some step to the end) is read as
    padding: that is how archives such as UCR/UEA store sequences of different lengths. NaN
    anywhere else is an error.

    Returns:
        (padded ``[N, T_max, F]`` float64 with zeros after each sequence, lengths ``[N]``).
    """
    if isinstance(X, np.ndarray) and X.dtype != object:
        return _pad_array(X, name)
    if not isinstance(X, Sequence | np.ndarray) or len(X) == 0:
        frame = "DataFrame" in type(X).__name__
        raise InputError(
            f"{name} must be an array [samples, timesteps, features], a non-empty list of "
            f"[timesteps, features] arrays, or texts; got {type(X).__name__}. "
            + ("Pass one column of texts as a Series (frame['text']), or a long frame's "
               "sequences through rnnkit classify / regress." if frame else
               "Pass one of those.")
        )
    seqs = []
    for i, s in enumerate(X):
        try:
            a = np.asarray(s, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise InputError(f"{name}[{i}] is not numeric ({e}). Pass numbers, or texts as a "
                             "list of strings.") from e
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
    _check_finite(out, mask, name, ragged=True)
    return out, lengths


def _pad_array(X: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    if X.ndim == 2:
        n, t = X.shape
        if X.dtype.kind in "iu" and X.size and X.min() >= 0 and (X == 0).any():
            raise InputError(  # Keras' pad_sequences output: token ids, not measurements
                f"{name} is a matrix of whole numbers {X.shape} with zeros, like token ids "
                f"padded by Keras' pad_sequences. For token ids pass vocab_size= (the number of "
                f"ids, 0 = padding; e.g. vocab_size={int(X.max()) + 1}); for numeric sequences "
                f"of one feature use {name}.reshape({n}, {t}, 1).")
        raise InputError(
            f"{name} has shape {X.shape} but [samples, timesteps, features] is required. If each "
            f"row is one sequence of {t} steps of one feature, use {name}.reshape({n}, {t}, 1); "
            f"if each row is one timestep of {t} features, use {name}.reshape(1, {n}, {t})."
        )
    if X.ndim != 3:
        raise InputError(
            f"{name} has {X.ndim} dimension(s) {X.shape} but [samples, timesteps, features] (3) is "
            "required. Reshape it."
        )
    if X.dtype.kind in "US":  # numbers kept as text (read from a file, say)
        try:
            X = X.astype(np.float64)
        except ValueError as e:
            raise InputError(f"{name} holds text ({e}); a sequence's values must be numbers. "
                             f"Convert them ({name}.astype(float)), or fix the values that "
                             "are not numbers.") from None
    if not np.issubdtype(X.dtype, np.number) and X.dtype != bool:
        raise InputError(f"{name} must be numeric; got dtype {X.dtype}. Convert it to numbers.")
    if len(X) and 0 in X.shape[1:]:  # no samples is an empty answer; no steps is an error
        raise InputError(f"{name} has shape {X.shape}: no " + " and no ".join(
            what for what, size in zip(("timesteps", "features"), X.shape[1:], strict=True)
            if size == 0) + ". Pass sequences of at least one step of one feature.")
    warn_channels_first(X.shape, name)
    x = X.astype(np.float64)
    n, t, _ = x.shape
    missing = np.isnan(x).all(axis=2)  # [N, T] steps where every channel is NaN
    real = ~missing
    # a sequence's length: one past its last step with a value; NaN after it is padding
    lengths = np.where(real.any(axis=1), t - np.argmax(real[:, ::-1], axis=1), 0).astype(np.int64)
    if (lengths == 0).any():
        raise InputError(f"{name}[{int(np.argmin(lengths))}] is all NaN: a sequence needs at "
                         "least one step. Drop it.")
    mask = np.arange(t) < lengths[:, None]
    x[~mask] = 0.0
    _check_finite(x, mask, name, ragged=bool((lengths < t).any()))
    return x, lengths


def _check_finite(x: np.ndarray, mask: np.ndarray, name: str, ragged: bool) -> None:
    bad = ~np.isfinite(x) & mask[..., None]
    if not bad.any():
        return
    sample, step, feature = np.argwhere(bad)[0]
    raise InputError(
        f"{name} has {int(bad.sum())} NaN or infinite value(s) inside its sequences, first at "
        f"sample {sample}, step {step}, feature {feature}. NaN only at the end of a sequence is "
        "read as padding; inside one, fill or drop the values (do not fill padding with a "
        "number: pass a list of arrays cut to their true lengths instead)."
    )


def warn_channels_first(shape: tuple[int, ...], name: str = "X") -> None:
    """Warn when ``[N, T, F]`` looks like aeon's / sktime's ``[N, channels, length]``: one
    time step, or many more features than steps."""
    _, t, f = shape
    if (t == 1 and f > 1) or (f >= 8 * t and f >= 16):
        warn(f"{name} has shape {tuple(shape)}, read as [samples, timesteps={t}, features={f}]. "
             f"If it is [samples, channels, length] (the aeon/sktime layout), pass "
             f"{name}.transpose(0, 2, 1).")


def pad_labels(y: object, lengths: np.ndarray, fill: object, name: str = "y",
               steps: int | None = None) -> np.ndarray:
    """Per-step labels ``[N, steps]`` (object array; ``steps`` defaults to the longest
    length), ``fill`` after each sequence's end.

    ``y`` is a list of per-sequence labels, or a rectangle ``[N, T]`` padded like X: its
    steps after each sequence's length (NaN padding of X) are ignored."""
    if y is None or isinstance(y, str) or not hasattr(y, "__len__"):
        raise InputError(f"{name} must hold the labels of every step: an array [samples, "
                         f"timesteps] or a list of [T_i] arrays; got {type(y).__name__}. Pass "
                         f"one label per step of each sequence.")
    rectangle = isinstance(y, np.ndarray) and y.ndim == 2
    rows = list(y)
    if len(rows) != len(lengths):
        raise InputError(f"{name} has {len(rows)} sequences of labels but X has {len(lengths)}. "
                         "Pass one label sequence per input sequence.")
    out = np.full((len(rows), steps or int(lengths.max())), fill, dtype=object)
    for i, (r, n) in enumerate(zip(rows, lengths, strict=True)):  # per sequence, not per step
        r = np.asarray(r, dtype=object).reshape(-1)
        if rectangle and len(r) > n:
            r = r[:n]  # the padded steps of a rectangle
        if len(r) != n:
            raise InputError(f"{name}[{i}] has {len(r)} labels but X[{i}] has {n} steps. "
                             "Pass one label per step.")
        out[i, :n] = r
    return out


def without_padding(x: np.ndarray) -> np.ndarray:
    """One sequence ``[T, ...]`` cut before its trailing steps of NaN only (one row of a
    NaN-padded rectangle, read as that sequence)."""
    if x.dtype.kind != "f" or not len(x):
        return x
    real = ~np.isnan(x.reshape(len(x), -1)).all(1)
    return x[: len(real) - int(np.argmax(real[::-1]))] if real.any() else x


def step_mask(lengths: np.ndarray, steps: int) -> np.ndarray:
    """``[N, steps]``: True on each sequence's real steps."""
    return np.arange(steps) < np.asarray(lengths)[:, None]


def resample(x: np.ndarray, lengths: np.ndarray, steps: int) -> np.ndarray:
    """Each sequence stretched or squeezed to ``steps`` steps by linear interpolation (what
    a distance between sequences of different lengths compares).

    Shapes:
        x: ``[N, T, F]`` padded; lengths ``[N]`` -> ``[N, steps, F]``.
    """
    if (lengths == steps).all() and x.shape[1] == steps:
        return x
    out = np.empty((len(x), steps, x.shape[2]))
    grid = np.linspace(0.0, 1.0, steps)
    for i, n in enumerate(lengths):  # per sequence (each has its own length), not per step
        source = np.linspace(0.0, 1.0, int(n))
        for c in range(x.shape[2]):
            out[i, :, c] = np.interp(grid, source, x[i, :n, c])
    return out


def _steps(col, name: str):
    """A sequence's step column as what orders it: numbers, or timestamps where it holds
    dates as text (sorted as text, "10/1/2021" came before "9/1/2021")."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
        return col
    numbers = pd.to_numeric(col, errors="coerce")
    if numbers.notna().all():
        return numbers
    from rnnkit.data.times import day_first

    try:
        with warnings.catch_warnings():  # pandas' guess at a format is not the user's concern
            warnings.simplefilter("ignore", UserWarning)
            return pd.to_datetime(col, dayfirst=day_first(col))
    except (ValueError, TypeError) as e:
        raise InputError(f"time_col={name!r} must hold step numbers or timestamps to order each "
                         f"sequence; it holds {col.iloc[0]!r}. Name the step column, or none "
                         "(rows are then read in their order).") from e


def sequences_from_frame(frame, id_col: str, time_col: str | None, sequence_cols: Sequence[str],
                         target_col: str, static_cols: Sequence[str] = (),
                         per_step: bool = False):
    """A long frame (one row per sequence and step) -> sequences, one target and optional
    static covariates per sequence (``per_step``: a target at every step, for tagging).

    Returns:
        (list of ``[T_i, F]`` arrays, targets ``[N]`` (``per_step``: a list of ``[T_i]``),
        static ``[N, S]`` or None, ids ``[N]``).
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
        free = [str(c) for c in frame.columns if c not in needed]
        numeric = [c for c in free if pd.api.types.is_numeric_dtype(frame[c])]
        offer = f" Pass sequence_cols={','.join(numeric[:8])}" + (
            " (the numeric columns left)." if len(numeric) > 1 else ".") if numeric else ""
        raise InputError("sequence_cols is empty: name the columns that vary along each "
                         f"sequence, one or more (columns left: {free[:12]}).{offer}")
    if frame[id_col].isna().any():
        rows = np.flatnonzero(frame[id_col].isna().to_numpy())
        raise InputError(f"id_col={id_col!r} is empty in {len(rows)} row(s) (first: row "
                         f"{rows[0]}). Give every row the id of its sequence, or drop them.")
    if pd.api.types.infer_dtype(frame[id_col], skipna=True).startswith("mixed"):
        frame = frame.assign(**{id_col: frame[id_col].astype(str)})  # 7 and "a": compared as text
    if time_col:
        frame = frame.assign(**{time_col: _steps(frame[time_col], time_col)})
        twice = frame.duplicated([id_col, time_col])
        if twice.any():
            row = frame[twice].iloc[0]
            raise InputError(f"sequence {row[id_col]!r} has {int(twice.sum())} repeated "
                             f"{time_col!r} value(s) (first: {plain_value(row[time_col])!r}): one "
                             "row per sequence and step. Drop or aggregate the duplicates.")
    # sequences in the order their ids first appear in the data (as a user lists them),
    # each one's rows by step
    keys = pd.DataFrame({"id": pd.factorize(frame[id_col])[0]})  # positions as its index
    if time_col:
        keys["step"] = frame[time_col].reset_index(drop=True)
    keys = keys.sort_values(list(keys.columns), kind="stable")
    frame = frame.iloc[keys.index.to_numpy()]
    codes = keys["id"].to_numpy()
    bounds = np.append(np.flatnonzero(np.diff(codes, prepend=-1)), len(frame))
    block = frame.loc[:, list(sequence_cols)]
    values = block.apply(pd.to_numeric, errors="coerce").to_numpy(float)
    text = np.isnan(values) & block.notna().to_numpy()  # a value that is not a number
    if text.any():
        row, col = np.argwhere(text)[0]
        raise InputError(f"column {sequence_cols[col]!r} must be numeric; sequence "
                         f"{plain_value(frame[id_col].iloc[row])!r} holds {block.iloc[row, col]!r} "
                         f"(row {plain_value(frame.index[row])!r} of the data). Fix or "
                         "drop that value.")
    seqs = [values[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    per_sequence = frame.groupby(id_col, sort=False)
    check_targets_present(frame[target_col], target_col, frame[id_col],
                          frame[time_col] if time_col else None)
    if per_step:
        labels = frame[target_col].to_numpy()
        y_steps = [labels[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return seqs, y_steps, None, per_sequence[id_col].first().to_numpy()
    targets = per_sequence[target_col]
    if (targets.nunique(dropna=False) > 1).any():
        bad = targets.nunique(dropna=False)
        raise InputError(f"{target_col!r} changes within sequence {bad[bad > 1].index[0]!r}; "
                         "it must be one value per sequence.")
    y = targets.first().to_numpy()
    static = _static(frame, id_col, codes, static_cols) if static_cols else None
    return seqs, y, static, per_sequence[id_col].first().to_numpy()


def check_targets_present(target, target_col: str, ids, steps=None,
                          unit: str = "sequence") -> None:
    """An empty target (a missing label, a NaN number) is named by its sequence (and step;
    ``unit``: "row" where ``ids`` are the rows of the data), before a split or a fit would
    blame something else."""
    import pandas as pd

    missing = pd.isna(pd.Series(target)).to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        where = f"{unit} {plain_value(pd.Series(ids).iloc[i])!r}" + (
            f", step {plain_value(pd.Series(steps).iloc[i])!r}" if steps is not None else "")
        raise InputError(f"column {target_col!r} (the target) is empty in "
                         f"{int(missing.sum())} row(s) (first: {where}). Give every row its "
                         "target, or drop those rows.")


def _static(frame, id_col: str, codes: np.ndarray, static_cols: Sequence[str]) -> np.ndarray:
    """One number per sequence and static column (``codes``: each row's sequence, in order);
    text, or a value that changes within a sequence, is refused naming the first."""
    import pandas as pd

    block = frame.loc[:, list(static_cols)]
    values = block.apply(pd.to_numeric, errors="coerce")
    text = values.isna().to_numpy() & block.notna().to_numpy()
    if text.any():
        row, col = np.argwhere(text)[0]
        sid = plain_value(frame[id_col].iloc[row])
        raise InputError(f"static_cols: column {static_cols[col]!r} must be numeric; sequence "
                         f"{sid!r} holds {block.iloc[row, col]!r}. "
                         "Encode it as numbers (0/1 for two values, one column per value for "
                         "more), or drop it from static_cols.")
    per_sequence = values.groupby(codes)
    empty = per_sequence.count().to_numpy() == 0  # no value in any of the sequence's rows
    if empty.any():
        seq, col = np.argwhere(empty)[0]
        first = int(np.flatnonzero(codes == seq)[0])
        more = int(empty[:, col].sum()) - 1
        raise InputError(f"static_cols: column {static_cols[col]!r} is empty for sequence "
                         f"{plain_value(frame[id_col].iloc[first])!r}"
                         f"{f' (and {more} more)' if more else ''}. Give each sequence its "
                         "value, or drop the column from static_cols.")
    varies = per_sequence.nunique().to_numpy() > 1  # a value on its first row only will do
    if varies.any():
        seq, col = np.argwhere(varies)[0]
        first = int(np.flatnonzero(codes == seq)[0])
        raise InputError(f"static_cols: column {static_cols[col]!r} changes within sequence "
                         f"{plain_value(frame[id_col].iloc[first])!r}; a static covariate is one "
                         "value per sequence. Read it as a sequence column (sequence_cols), "
                         "or give it one value per sequence.")
    return per_sequence.first().to_numpy(float)


def plain_value(value):
    """A numpy scalar as the Python value it holds (an id or label printed as written)."""
    return value.item() if isinstance(value, np.generic) else value
