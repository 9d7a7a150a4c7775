"""What the sequence estimators read, prepared one way for training and prediction alike:
texts or token ids -> padded ids; numbers -> padded, normalised steps; static covariates and
per-sequence levels -> one standardised row per sequence. Fitted on the training part only,
saved in the model file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnkit.data.scalers import Scaler
from rnnkit.data.sequence_norm import SequenceNorm
from rnnkit.data.sequences import pad_sequences, step_mask
from rnnkit.data.text import Vocabulary, is_text
from rnnkit.data.validation import check_choice
from rnnkit.errors import InputError

NORMALISATIONS = ("auto", "sequence", "channel", "both")
KINDS = ("numeric", "text", "ids")


@dataclass
class EncodedInputs:
    """Network-ready inputs.

    Shapes:
        x: ``[N, T, F]`` float32 (zeros after each length) or ``[N, T]`` int64 ids (0 after);
        lengths: ``[N]``; static: ``[N, S]`` float32 (static covariates, then per-sequence
        levels) or None.
    """

    x: np.ndarray
    lengths: np.ndarray
    static: np.ndarray | None

    def __len__(self) -> int:
        return len(self.lengths)

    def take(self, index: np.ndarray) -> EncodedInputs:
        return EncodedInputs(self.x[index], self.lengths[index],
                             None if self.static is None else self.static[index])


@dataclass
class InputEncoder:
    """How raw sequences become network inputs (see the module docstring).

    Args:
        normalize: numeric steps: "sequence" (each sequence z-normalised per channel, its
            levels kept as per-sequence numbers; see :mod:`rnnkit.data.sequence_norm`),
            "channel" (``scaler`` per channel over the training steps), "both" (the two side
            by side: two numbers per channel and step) or "auto": "sequence" for one channel,
            "both" for several (see :func:`normalisation_for`); fitting replaces "auto" by
            what it chose, which the model file keeps.
        scaler: with "channel" or "both": "standard", "minmax" or "none".
        max_vocab, min_count, max_length, truncation: the vocabulary of text inputs.
        vocab_size: ids of token-id inputs (0 is padding).
    """

    normalize: str = "auto"
    scaler: str = "standard"
    max_vocab: int = 20000
    min_count: int = 1
    max_length: int | None = None
    truncation: str = "post"
    vocab_size: int | None = None

    # --- fitted ---------------------------------------------------------------------------
    kind: str = ""
    n_features: int = 0
    static_size: int = 0  # the user's static covariates (levels come after them)
    vocabulary: Vocabulary | None = None
    channel_scaler: Scaler | None = None
    sequence_norm: SequenceNorm | None = None
    static_mean: np.ndarray | None = None
    static_std: np.ndarray | None = None
    static_names: tuple[str, ...] | None = None  # the columns of a static frame, in order

    @property
    def n_levels(self) -> int:
        """Per-sequence level numbers appended after the static covariates."""
        return 2 * self.n_features if self.sequence_norm is not None else 0

    @property
    def input_width(self) -> int:
        """Numbers per step the network reads: each channel once, or twice with "both"
        (normalised per sequence, then scaled per channel)."""
        both = self.sequence_norm is not None and self.channel_scaler is not None
        return self.n_features * (2 if both else 1)

    @property
    def extra_size(self) -> int:
        """Numbers per sequence the network's head reads beside its summary."""
        return self.static_size + self.n_levels

    def check_vocabulary(self, vocab_size: int) -> None:
        """A loaded text encoder must index exactly the network's embedding rows."""
        if self.kind == "text" and (self.vocabulary is None
                                    or self.vocabulary.size != vocab_size
                                    or len(set(self.vocabulary.tokens))
                                    != len(self.vocabulary.tokens)):
            raise ValueError(f"the vocabulary does not fit the network's {vocab_size} rows")

    def canonical(self) -> tuple[Any, np.ndarray | None]:
        """One small input of the fitted kind and shape ``(X, static)``, for a model file's
        check that it predicts."""
        if self.kind == "text":
            X: Any = ["a"]
        elif self.kind == "ids":
            X = [np.array([1, 2, 1], dtype=np.int64)]
        else:
            X = np.zeros((1, 8, self.n_features))
        return X, (np.zeros((1, self.static_size)) if self.static_size else None)

    def fit_transform(self, X: Any, static: Any, rows: np.ndarray | None = None
                      ) -> EncodedInputs:
        """Fit on ``X`` (the statistics on ``rows`` only: the training part) and encode it."""
        check_choice(self.normalize, "normalize", NORMALISATIONS)
        X = plain_texts(X)
        self.kind = _kind(X, self.vocab_size)
        if self.kind == "text":
            texts = list(X) if rows is None else [X[i] for i in rows]
            self.vocabulary = Vocabulary.build(texts, self.max_vocab, self.min_count,
                                               self.max_length, self.truncation)
        raw = self._raw(X)
        rows = np.arange(len(raw[1])) if rows is None else rows
        self.static_names = _column_names(static)
        static = _check_static(static, len(raw[1]))
        self.static_size = 0 if static is None else static.shape[1]
        if static is not None:
            self.static_mean = static[rows].mean(0)
            self.static_std = np.where(static[rows].std(0) > 0, static[rows].std(0), 1.0)
        if self.kind == "numeric":
            x, lengths = raw
            self.n_features = x.shape[2]
            self.normalize = normalisation_for(self.normalize, self.n_features)
            if self.normalize in ("sequence", "both"):
                self.sequence_norm = SequenceNorm().fit(x[rows], lengths[rows])
            if self.normalize in ("channel", "both"):
                valid = step_mask(lengths[rows], x.shape[1])
                self.channel_scaler = Scaler(self.scaler).fit(x[rows][valid])
        return self._encode(raw, static)

    def transform(self, X: Any, static: Any = None) -> EncodedInputs:
        """Encode new inputs like the training ones; a different kind or width is an error."""
        X = plain_texts(X)
        kind = _kind(X, self.vocab_size if self.kind == "ids" else None)
        if kind != self.kind:
            what = {"numeric": "numeric sequences [samples, timesteps, features]",
                    "text": "texts", "ids": "token ids"}
            raise InputError(f"X holds {what[kind]} but the model was trained on {what[self.kind]}"
                             f". Pass the same kind of input (trained on {self.kind}).")
        raw = self._raw(X)
        if self.kind == "numeric" and raw[0].shape[2] != self.n_features:
            flipped = isinstance(X, np.ndarray) and X.ndim == 3 and X.shape[1] == self.n_features
            hint = (" It looks like [samples, channels, length] (aeon/sktime's layout): pass "
                    "X.transpose(0, 2, 1)." if flipped else " Pass the same channels.")
            raise InputError(f"X has {raw[0].shape[2]} features per step; the model was trained "
                             f"on {self.n_features}.{hint}")
        static = _check_static(self._static_in_order(static), len(raw[1]))
        given = 0 if static is None else static.shape[1]
        if given != self.static_size:
            raise InputError(f"static has {given} covariates; the model was trained with "
                             f"{self.static_size}. Pass static= with the same columns"
                             + (f" ({', '.join(self.static_names)})." if self.static_names
                                else "."))
        return self._encode(raw, static)

    def _static_in_order(self, static: Any) -> Any:
        """A static frame's columns put in the order the model was trained on (matched by
        name: a frame with the same columns in another order predicts the same); numbers
        without names are read by position."""
        names = _column_names(static)
        if names is None or self.static_names is None:
            return static
        missing = [n for n in self.static_names if n not in names]
        extra = [n for n in names if n not in self.static_names]
        if missing or extra:
            raise InputError(
                f"static has columns {list(names)}; the model was trained with "
                f"{list(self.static_names)} (missing {missing}, unknown {extra}). Pass "
                "static= with the training columns.")
        label = dict(zip(names, _column_labels(static), strict=True))  # as the frame has them
        columns = [label[n] for n in self.static_names]
        return static[columns] if hasattr(static, "iloc") else static.select(columns)

    def _raw(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Padded values ``[N, T, F]`` (numeric) or ids ``[N, T]``, and lengths ``[N]``."""
        if self.kind == "numeric":
            return pad_sequences(X)
        tokens = self.vocabulary.encode(X) if self.kind == "text" else _token_ids(X,
                                                                                   self.vocab_size)
        lengths = np.array([len(t) for t in tokens], dtype=np.int64)
        if (lengths == 0).any():
            raise InputError(f"sequence {int(np.argmin(lengths))} has no tokens. Drop it.")
        ids = np.zeros((len(tokens), lengths.max()), dtype=np.int64)  # 0 = padding
        ids[step_mask(lengths, lengths.max())] = np.concatenate(tokens)
        return ids, lengths

    def _encode(self, raw: tuple[np.ndarray, np.ndarray], static: np.ndarray | None
                ) -> EncodedInputs:
        x, lengths = raw
        extra = []
        if static is not None:
            extra.append((static - self.static_mean) / self.static_std)
        if self.kind == "numeric":
            parts = []
            if self.sequence_norm is not None:
                shape, levels = self.sequence_norm.transform(x, lengths)
                parts.append(shape)
                extra.append(levels)
            if self.channel_scaler is not None:
                parts.append(self.channel_scaler.transform(x)
                             * step_mask(lengths, x.shape[1])[..., None])
            x = np.concatenate(parts, axis=2) if len(parts) > 1 else parts[0]
            x = x.astype(np.float32)
        rows = np.concatenate(extra, axis=1).astype(np.float32) if extra else None
        return EncodedInputs(x, lengths, rows)

    # --- model file -----------------------------------------------------------------------
    def to_dict(self) -> dict:
        d = {"kind": self.kind, "normalize": self.normalize, "n_features": self.n_features,
             "static_size": self.static_size, "vocab_size": self.vocab_size}
        if self.vocabulary is not None:
            d["vocabulary"] = self.vocabulary.to_dict()
        if self.channel_scaler is not None:
            d["scaler"] = self.channel_scaler.to_dict()
        if self.sequence_norm is not None:
            d["sequence_norm"] = self.sequence_norm.to_dict()
        if self.static_size:
            d |= {"static_mean": self.static_mean.tolist(), "static_std": self.static_std.tolist()}
        if self.static_names is not None:
            d["static_names"] = list(self.static_names)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> InputEncoder:
        """From ``to_dict``, or from the fitted fields of a model file written before the
        encoder existed (per-channel scaling, ``input_kind``)."""
        enc = cls(normalize=d.get("normalize", "channel"), vocab_size=d.get("vocab_size"))
        enc.kind = d.get("kind", d.get("input_kind"))
        enc.n_features, enc.static_size = int(d["n_features"]), int(d["static_size"])
        if d.get("vocabulary"):
            enc.vocabulary = Vocabulary.from_dict(d["vocabulary"])
        if "scaler" in d:
            enc.channel_scaler = Scaler.from_dict(d["scaler"])
        if "sequence_norm" in d:
            enc.sequence_norm = SequenceNorm.from_dict(d["sequence_norm"])
        if enc.static_size:
            enc.static_mean = np.asarray(d["static_mean"], dtype=np.float64)
            enc.static_std = np.asarray(d["static_std"], dtype=np.float64)
        if d.get("static_names") is not None:
            enc.static_names = tuple(str(n) for n in d["static_names"])
        return enc


def normalisation_for(normalize: str, n_features: int) -> str:
    """What ``normalize="auto"`` means for sequences of ``n_features`` channels.

    One channel: "sequence". What tells one recording from another is mostly its shape (the
    UCR archive z-normalises every univariate series for that reason), and a per-channel
    scaler leaves level differences unrelated to the label in every step (Covid3Month_disc
    0.28 accuracy with it, 0.64 per sequence; "both" loses too, seeds 0-2: Covid3Month_disc
    0.585 -> 0.519, PigCVP 0.421 -> 0.340).
    Several channels: "both". Z-normalising every channel of a sequence on its own throws
    away how loud one channel is against another, which is what tells a speaker's vowels
    apart (JapaneseVowels, 12 coefficients: 0.83 per sequence, 0.98 with both, seeds 0-2);
    keeping the shapes beside the scaled values costs nothing where shapes decide
    (BasicMotions 1.00 either way). See bench/RESULTS.md.
    """
    if normalize != "auto":
        return normalize
    return "sequence" if n_features == 1 else "both"


def _kind(X: Any, vocab_size: int | None) -> str:
    if is_text(X):
        return "text"
    if vocab_size and isinstance(X, np.ndarray | list):
        seqs = [np.asarray(s) for s in X]
        if seqs and all(s.dtype.kind in "iu" and s.ndim == 1 for s in seqs):
            return "ids"
    return "numeric"


def plain_texts(X: Any) -> Any:
    """A column of texts from a frame library (a pandas Series or Index, a polars Series,
    a pyarrow array) as a list of str; anything else as it is."""
    if isinstance(X, str | bytes):  # read one character at a time, it would be N texts
        raise InputError(f"X is one string ({X[:30]!r}); X is a list of texts, one per "
                         "sequence. Pass [text].")
    if isinstance(X, list | tuple | np.ndarray) or \
            type(X).__module__.split(".")[0] not in ("pandas", "polars", "pyarrow"):
        return X
    to_list = getattr(X, "tolist", None) or getattr(X, "to_list", None) or \
        getattr(X, "to_pylist", None)
    values = to_list() if to_list is not None else None
    return values if values and isinstance(values[0], str) else X


def _token_ids(X: Any, vocab_size: int) -> list[np.ndarray]:
    seqs = [np.asarray(s, dtype=np.int64) for s in X]
    if not any(len(s) for s in seqs):
        raise InputError("X holds no token id (every sequence is empty). Pass at least one "
                         "sequence with ids.")
    top = max(int(s.max()) for s in seqs if len(s))
    low = min(int(s.min()) for s in seqs if len(s))
    if top >= vocab_size or low < 0:
        bad = top if top >= vocab_size else low
        raise InputError(f"X holds token id {bad} but vocab_size={vocab_size}; ids must be "
                         "below vocab_size and not negative (0 is padding). Pass a larger "
                         "vocab_size or fix the ids.")
    return [_unpadded(s) for s in seqs]


def _unpadded(ids: np.ndarray) -> np.ndarray:
    """The ids without the padding zeros before and after them (Keras' pad_sequences pads
    in front, other tools after): a padded matrix reads as the list of its sequences."""
    real = np.flatnonzero(ids)
    return ids[real[0]:real[-1] + 1] if real.size else ids[:0]


def _column_names(static: Any) -> tuple[str, ...] | None:
    """The column names of a static frame (pandas, polars, pyarrow) as text, the form the
    model file keeps; None for numbers."""
    labels = _column_labels(static)
    return None if labels is None else tuple(str(c) for c in labels)


def _column_labels(static: Any) -> list | None:
    """The column labels of a static frame as it has them (pandas allows numbers)."""
    if static is None or isinstance(static, np.ndarray | list | tuple):
        return None
    names = getattr(static, "column_names", None)  # a pyarrow Table (its .columns: data)
    if names is None:
        names = getattr(static, "columns", None)  # pandas, polars
    return None if names is None else list(names)


def _check_static(static: Any, n: int) -> np.ndarray | None:
    if static is None:
        return None
    try:
        static = np.asarray(static, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InputError(f"static must be numbers [samples, covariates]; {e}.") from e
    static = static[:, None] if static.ndim == 1 else static
    if static.ndim != 2 or len(static) != n:
        raise InputError(
            f"static has shape {static.shape} but X has {n} sequences; static must be "
            f"[samples, covariates] with {n} rows. Pass one row per sequence."
        )
    if not np.isfinite(static).all():
        row, col = np.argwhere(~np.isfinite(static))[0]
        raise InputError(f"static has NaN or inf at row {row}, column {col}. Fill or drop it.")
    return static
