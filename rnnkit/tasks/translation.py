"""SequenceToSequence: a sequence of symbols in, another sequence of symbols out (reverse a
sequence, add two numbers written as characters, transliterate a word)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from rnnkit import tracking
from rnnkit.data.holdout import split_holdout
from rnnkit.errors import InputError
from rnnkit.nn.encoder_decoder import END, PAD, START, EncoderDecoder
from rnnkit.nn.summary import format_summary
from rnnkit.nn.tagger import IGNORE, masked_cross_entropy
from rnnkit.tasks.base import RnnkitEstimator, register
from rnnkit.tasks.sequence_options import TranslationOptions
from rnnkit.train import History, TensorBatches, TrainConfig, train_model

UNKNOWN = 1  # source id of a symbol never seen in training
SOURCE_RESERVED, TARGET_RESERVED = 2, 3  # pad + unknown; pad + start + end


@register
@dataclass(kw_only=True, eq=False, repr=False)
class SequenceToSequence(TranslationOptions, RnnkitEstimator):
    """An encoder-decoder over symbols: the encoder reads the input sequence, the decoder
    starts from its final state and writes the output one symbol at a time, each step
    attending to the encoder's outputs (``attention=True``). Trained with teacher forcing (the
    decoder reads the true previous symbol); predicts greedily (its own previous symbol).

    Inputs and outputs are strings (each character a symbol) or lists of symbols (any
    hashable: words, ints); outputs come back in the form the training targets had.

    Example:
        >>> model = SequenceToSequence(hidden_size=64).fit(["12+7", "3+45"], ["19", "48"])
        >>> model.predict(["20+22"])  # ['42'] once trained on enough pairs
    """

    def fit(self, X: Any, y: Any) -> SequenceToSequence:
        """Train on input sequences ``X`` and output sequences ``y`` (same count)."""
        self.validate()
        started = tracking.start(self)
        sources, targets = _symbols(X, "X"), _symbols(y, "y")
        if len(sources) != len(targets):
            raise InputError(f"y has {len(targets)} sequences but X has {len(sources)}. Pass "
                             "one output per input.")
        self.text_ = all(isinstance(t, str) for t in y)
        self.source_symbols_ = sorted({s for seq in sources for s in seq}, key=_order)
        self.target_symbols_ = sorted({s for seq in targets for s in seq}, key=_order)
        longest = max(len(t) for t in targets)
        self.max_length_ = self.max_output_length or 2 * longest + 2
        src, src_len = self._source_ids(sources)
        tgt = [[self._target_index[s] for s in seq] for seq in targets]
        decoder_in, decoder_out = _teacher(tgt)
        holdout = split_holdout(len(sources), self.val_size, self.seed, order=self.holdout)
        torch.manual_seed(self.seed)
        self.model_ = self._network()

        def part(index):
            return TensorBatches((torch.from_numpy(src[index]), torch.from_numpy(src_len[index]),
                                  torch.from_numpy(decoder_in[index])),
                                 torch.from_numpy(decoder_out[index]))

        budget = {"epochs": self.epochs, "max_steps": None} if self.epochs else \
            {"max_steps": self.max_steps or 2000}
        batch = self.batch_size or 32  # measured: 64 halved the exact sums of the example
        config = TrainConfig.from_params(self.get_params(), loss="mse",
                                         batch_size=min(batch, len(holdout.train)), **budget)
        self.history_: History = train_model(
            self.model_, part(holdout.train), config,
            part(holdout.val) if holdout.used else None, masked_cross_entropy)
        self.model_.eval()
        self.holdout_ = holdout.reason
        tracking.record(self, "fit", None, started=started)
        return self

    def predict(self, X: Any) -> list:
        """The decoded output of every input: strings (if the targets were) or lists."""
        self._check_fitted("predict")
        sources = _symbols(X, "X")
        src, src_len = self._source_ids(sources)
        device = next(self.model_.parameters()).device
        ids = self.model_.greedy(torch.from_numpy(src).to(device), torch.from_numpy(src_len),
                                 self.max_length_).cpu().numpy()
        out = []
        for row in ids:
            symbols = []
            for i in row:
                if i == END or i == PAD:
                    break
                if i >= TARGET_RESERVED:
                    symbols.append(self.target_symbols_[i - TARGET_RESERVED])
            out.append("".join(map(str, symbols)) if self.text_ else symbols)
        return out

    def score(self, X: Any, y: Any) -> float:
        """Exact-match accuracy: the share of inputs whose whole output is right."""
        predicted = self.predict(X)
        symbols = _symbols(y, "y")
        truth = [t if isinstance(t, str) else s for t, s in zip(y, symbols, strict=True)]
        if len(truth) != len(predicted):
            raise InputError(f"y has {len(truth)} sequences but X has {len(predicted)}. Pass "
                             "one output per input.")
        return float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))

    def summary(self) -> str:
        """Parameters per layer with the closed form."""
        self._check_fitted("summarise")
        return format_summary(self.model_.layer_counts())

    # --- internals ------------------------------------------------------------------------
    @property
    def _target_index(self) -> dict:
        return {s: k + TARGET_RESERVED for k, s in enumerate(self.target_symbols_)}

    def _source_ids(self, sources: list[list]) -> tuple[np.ndarray, np.ndarray]:
        index = {s: k + SOURCE_RESERVED for k, s in enumerate(self.source_symbols_)}
        lengths = np.array([len(s) for s in sources], dtype=np.int64)
        ids = np.zeros((len(sources), int(lengths.max())), dtype=np.int64)
        for n, seq in enumerate(sources):
            ids[n, : len(seq)] = [index.get(s, UNKNOWN) for s in seq]
        return ids, lengths

    def _network(self) -> EncoderDecoder:
        return EncoderDecoder(len(self.source_symbols_) + SOURCE_RESERVED,
                              len(self.target_symbols_) + TARGET_RESERVED, self.cell,
                              self.embedding_dim, self.hidden_size, self.num_layers,
                              self.dropout, self.attention)

    def _fitted_meta(self) -> dict:
        return {"source_symbols": self.source_symbols_, "target_symbols": self.target_symbols_,
                "text": self.text_, "max_length": self.max_length_,
                "history": self.history_.to_dict(), "holdout": self.holdout_}

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
        self.source_symbols_ = list(fitted["source_symbols"])
        self.target_symbols_ = list(fitted["target_symbols"])
        self.text_, self.max_length_ = bool(fitted["text"]), int(fitted["max_length"])
        self.history_ = History.from_dict(fitted["history"])
        self.holdout_ = fitted.get("holdout", "")
        self.model_ = self._network()

    def _self_check(self) -> None:
        first = self.source_symbols_[:1] or [""]
        self.predict(["".join(map(str, first))] if self.text_ else [first])


def _symbols(X: Any, name: str) -> list[list]:
    """Each sequence as a list of symbols (a string: its characters)."""
    if isinstance(X, str) or not hasattr(X, "__len__"):
        raise InputError(f"{name} must be a list of sequences (strings or lists of symbols), "
                         f"got {type(X).__name__}. Pass e.g. {name}=['abc', 'de'].")
    out = []
    for i, seq in enumerate(X):
        symbols = list(seq) if isinstance(seq, str) else list(np.asarray(seq).tolist()) \
            if isinstance(seq, np.ndarray) else list(seq) if hasattr(seq, "__iter__") else None
        if symbols is None:
            raise InputError(f"{name}[{i}] is {seq!r}, one symbol, not a sequence of them; "
                             f"{name} is a list of sequences (strings or lists of symbols). "
                             f"Pass e.g. {name}=['abc', 'de'], or [[85, 12], [7]].")
        if not symbols:
            raise InputError(f"{name}[{i}] is empty; every sequence needs at least one "
                             "symbol. Drop it or fill it.")
        if isinstance(symbols[0], list | dict | set):
            raise InputError(
                f"{name}[{i}] holds vectors ({type(symbols[0]).__name__}s, e.g. one-hot rows of "
                f"an array [samples, steps, features]); a SequenceToSequence reads symbols: "
                f"strings or lists of ids or characters. Pass {name}.argmax(-1).tolist() for "
                "one-hot arrays, or the strings themselves.")
        # numpy scalars as Python ones: a model file stores the symbols as JSON
        symbols = [s.item() if isinstance(s, np.generic) else s for s in symbols]
        odd = next((s for s in symbols if not isinstance(s, str | int | float)), None)
        if odd is not None:
            raise InputError(
                f"{name}[{i}] holds the symbol {odd!r} ({type(odd).__name__}); symbols are "
                "strings or numbers (the model file stores them as JSON). Map each symbol to a "
                "string or an id first.")
        out.append(symbols)
    if not out:
        raise InputError(f"{name} holds no sequences. Pass at least one.")
    return out


def _teacher(targets: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Decoder inputs (start, then the target) and outputs (the target, then end), padded:
    the outputs carry ``IGNORE`` on padding so the loss skips it."""
    width = max(len(t) for t in targets) + 1
    decoder_in = np.full((len(targets), width), PAD, dtype=np.int64)
    decoder_out = np.full((len(targets), width), IGNORE, dtype=np.int64)
    for n, t in enumerate(targets):
        decoder_in[n, : len(t) + 1] = [START, *t]
        decoder_out[n, : len(t) + 1] = [*t, END]
    return decoder_in, decoder_out


def _order(symbol: Any) -> tuple[str, str]:
    """A total order over mixed symbols (ints and strings alike)."""
    return type(symbol).__name__, str(symbol)
