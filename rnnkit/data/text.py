"""A simple, deterministic tokenizer and a vocabulary built on the training texts only."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnnkit.errors import InputError

PAD, UNK = 0, 1
# a word: letters and digits of any script (with an inner apostrophe); else one mark
TOKENIZERS = {
    "words": re.compile(r"[^\W_]+(?:'[^\W_]+)?|[^\w\s]|_"),
    # rnnkit <= 0.2.0 (model files without a tokenizer): ASCII words only, so "café" was
    # "caf" + "é"; kept so that those files predict as they did
    "ascii": re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]"),
}


def tokenize(text: str, scheme: str = "words") -> list[str]:
    """Lower-case words (letters and digits of any script, with inner apostrophes) and
    single punctuation marks; ``scheme="ascii"``: as rnnkit 0.2.0 read them."""
    return TOKENIZERS[scheme].findall(text.lower())


@dataclass
class Vocabulary:
    """Token ids: 0 is padding, 1 is an unknown token, then the kept tokens by frequency.

    Attributes:
        tokens: the kept tokens, most frequent first (ties alphabetical): id = index + 2.
        max_length: cut longer texts to this many tokens (None: keep all).
        truncation: "post" keeps the beginning, "pre" keeps the end.
        tokenizer: how texts become tokens (a key of ``TOKENIZERS``).
    """

    tokens: list[str]
    max_length: int | None = None
    truncation: str = "post"
    tokenizer: str = "words"

    @classmethod
    def build(cls, texts: Sequence[str] | Sequence[Sequence[str]], max_vocab: int = 20000,
              min_count: int = 1, max_length: int | None = None,
              truncation: str = "post") -> Vocabulary:
        """Count tokens in the training texts (strings, or lists of tokens) and keep the
        ``max_vocab`` most frequent that appear at least ``min_count`` times."""
        if truncation not in ("pre", "post"):
            raise InputError(f"truncation={truncation!r} must be 'pre' or 'post'.")
        counts = Counter(t for tokens in _token_lists(texts, "words") for t in tokens)
        kept = sorted((t for t, c in counts.items() if c >= min_count),
                      key=lambda t: (-counts[t], t))[:max_vocab]
        if not kept:
            top = max(counts.values(), default=0)
            raise InputError(f"min_count={min_count} keeps no token of the training texts (the "
                             f"most frequent appears {top} time(s)): every text would read as "
                             f"unknown tokens. Pass min_count={max(1, top)} or lower.")
        return cls(kept, max_length, truncation)

    @property
    def size(self) -> int:
        """Ids in use, padding and unknown included."""
        return len(self.tokens) + 2

    def encode(self, texts: Sequence[str] | Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Each text as an int64 array of ids (unknown tokens -> 1), truncated."""
        index = {t: i + 2 for i, t in enumerate(self.tokens)}
        out = []
        for tokens in _token_lists(texts, self.tokenizer):
            ids = np.array([index.get(t, UNK) for t in tokens], dtype=np.int64)
            n = self.max_length
            if n and len(ids) > n:
                ids = ids[:n] if self.truncation == "post" else ids[-n:]
            out.append(ids)
        return out

    def to_dict(self) -> dict:
        return {"tokens": self.tokens, "max_length": self.max_length,
                "truncation": self.truncation, "tokenizer": self.tokenizer}

    @classmethod
    def from_dict(cls, d: dict) -> Vocabulary:
        tokenizer = d.get("tokenizer", "ascii")  # files of rnnkit <= 0.2.0 name none
        if tokenizer not in TOKENIZERS:
            raise InputError(f"the model's vocabulary uses the tokenizer {tokenizer!r}, which "
                             f"this rnnkit does not know ({list(TOKENIZERS)}). Update rnnkit.")
        return cls(list(d["tokens"]), d["max_length"], d["truncation"], tokenizer)


def _token_lists(texts: Sequence[str] | Sequence[Sequence[str]],
                 scheme: str = "words") -> list[list[str]]:
    out = []
    for i, text in enumerate(texts):
        if not isinstance(text, str) and not (isinstance(text, Sequence | np.ndarray)
                                              and all(isinstance(t, str) for t in text)):
            raise InputError(f"text {i} is {text!r}, not a string (a missing value?). Fill or "
                             "drop the missing texts first (e.g. frame.dropna(subset=[col])).")
        tokens = tokenize(text, scheme) if isinstance(text, str) else \
            [str(t).lower() for t in text]
        if not tokens:
            raise InputError(f"text {i} is empty (no tokens). Drop empty texts or fill them.")
        out.append(tokens)
    return out


def is_text(X: object) -> bool:
    """Whether X is a sequence of strings or of token lists (rather than numbers)."""
    if isinstance(X, np.ndarray) and X.dtype.kind in "US":
        return X.ndim < 3  # texts or token lists; [samples, timesteps, features] is numbers
    if not isinstance(X, Sequence | np.ndarray) or len(X) == 0:
        return False
    # the first that is not missing (a None or NaN among texts is a missing text, named so)
    first = next((x for x in X if x is not None and not (isinstance(x, float) and x != x)),
                 None)
    return isinstance(first, str) or (isinstance(first, Sequence) and len(first) > 0
                                      and isinstance(first[0], str))
