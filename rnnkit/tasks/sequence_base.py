"""What the whole-sequence estimators share: the training recipe (a budget in optimiser steps,
a one-cycle schedule, a hold-out only where it can decide, repeated runs), the network with
its front ends, prediction, inspection and the model file."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch

from rnnkit.data.holdout import Holdout, split_holdout
from rnnkit.data.sequence_inputs import EncodedInputs, InputEncoder
from rnnkit.data.sequences import without_padding
from rnnkit.errors import InputError
from rnnkit.nn.config import RecurrentConfig, SequenceNetConfig
from rnnkit.nn.ensemble import Ensemble
from rnnkit.nn.sequence import SequenceNet
from rnnkit.nn.summary import format_summary
from rnnkit.tasks.base import RnnkitEstimator
from rnnkit.train import History, SequenceBatches, TrainConfig, train_model

MAX_STEPS_PER_SEQUENCE = 512  # a longer sequence is read with a strided first convolution
PREDICT_BATCH = 1024

# What the arguments left at "auto" / None become, by kind of input and task. Chosen on the
# dev suite as a whole (bench/sequence_accuracy.py, table in bench/RESULTS.md). Numeric
# classification reads the convolutional blocks' output both ways with 32 units a direction
# (a summary as wide as one direction of 64): over seeds 0-2 better on ItalyPowerDemand,
# GunPoint and PigCVP, level within the seeds' spread on Covid3Month_disc; numeric regression
# reads it one way with 64 units (both ways lost on Covid3Month and Tecator). Max pooling beat
# mean pooling on five of seven numeric problems. For texts a bidirectional core and max
# pooling were worth +0.02 accuracy on the tweets corpus, as was dropout on the embedded
# words, and 3,000 steps (7 epochs of 27k texts, early stopping on a hold-out).
_NUMERIC = {"front_end": "fcn", "pooling": "max", "input_dropout": 0.0, "max_steps": 1000}
RECIPES: dict[str, dict[str, Any]] = {
    "numeric classification": _NUMERIC | {"bidirectional": True},
    "numeric regression": _NUMERIC | {"bidirectional": False},
    "text": {"front_end": "none", "pooling": "max", "bidirectional": True,
             "input_dropout": 0.3, "max_steps": 3000},
}


@dataclass
class Encoding:
    """Per-step outputs and final states of a recurrent core (see
    :meth:`SequenceEstimator.encode`)."""

    outputs: np.ndarray  # [N, T', directions * hidden], zeros after each length
    lengths: np.ndarray  # [N] steps the core read per sequence
    h: np.ndarray  # [layers * directions, N, hidden]
    c: np.ndarray | None = None  # the LSTM's cell states, same shape


class SequenceEstimator(RnnkitEstimator):
    """What the classifier and the regressor share: inputs, network, training, files.

    Arguments left at "auto" or None follow the recipe for the kind of input (``RECIPES``:
    numeric sequences / texts and token ids), and ``recipe_`` records what they became.

    Args:
        cell, hidden_size, num_layers: the recurrent core; hidden_size is the units of a
            layer and direction (None: for numeric sequences 64 read one way, 32 a direction
            read both ways, so the summary is 64 wide either way; 64 a direction for texts).
        bidirectional: read each sequence both ways (None: for texts and numeric
            classification, not numeric regression).
        dropout: between stacked recurrent layers and on the summary before the head.
        input_dropout: dropout on what the core reads at every step (None: 0.3 for texts,
            0 for numbers).
        pooling: how a sequence becomes one vector (the sequence summary): "last", "mean",
            "max" or "attention" (all ignore padding); "auto": "max" (measured best on the
            dev suite for numeric sequences and for texts, bench/RESULTS.md).
        front_end: "auto" ("fcn" for numeric sequences, "none" for texts and token ids,
            "conv" whenever ``conv_channels`` is set), "fcn" (three convolutional blocks with
            batch normalisation as in LSTM-FCN: their average over time joins the summary and
            the recurrent core reads their output), "conv" (one convolution + ReLU, the
            CNN+LSTM tutorials' front end) or "none".
        conv_channels, conv_kernel: the convolution of ``front_end="conv"``.
        conv_pool: steps max-pooled between a convolutional front end and the core; None:
            4 after "fcn", 1 after "conv".
        normalize: numeric steps: "sequence" (each sequence z-normalised per channel, its
            mean and spread kept as numbers for the head), "channel" (``scaler`` per channel
            over the training steps), "both" (the two side by side) or "auto" (default:
            "sequence" for one channel, "both" for several; see
            :func:`rnnkit.data.sequence_inputs.normalisation_for`).
        scaler: with normalize="channel" or "both": "standard", "minmax" or "none".
        max_steps: the training budget in optimiser steps (the learning rate follows a
            one-cycle schedule over it; None: 1,000 for numeric sequences, 3,000 for texts);
            epochs: a budget in passes instead (None: use ``max_steps``).
        batch_size: sequences per step; None: 16 below 2,000 training sequences, else 64.
        learning_rate: the schedule's peak. weight_decay: AdamW's decoupled decay.
        schedule: "onecycle" or "constant".
        patience, clip_norm, seed, verbose, device: training (see
            :class:`rnnkit.train.TrainConfig`).
        val_size: share of the training sequences held out for early stopping, stratified by
            class; drawn only where it holds at least 30 sequences and 2 of every class (see
            :mod:`rnnkit.data.holdout`), else the whole budget trains on every sequence and
            ``holdout_`` says why.
        holdout: "random" (seeded) or "chronological" (the last sequences, when they are in
            time order).
        repeats: runs with seeds ``seed``, ``seed + 1``, ...; they predict as an ensemble
            (mean of probabilities or values) and reports give the spread of every score.
        max_vocab, min_count, max_length, truncation: the vocabulary built from training
            texts when X is a list of strings (or of token lists); saved in the model file.
        vocab_size: for X given as integer token ids (0 = padding): the number of ids.
        embedding_dim: width of the token embedding (text and token-id inputs).
    """

    @property
    def vocabulary_(self):
        """The vocabulary built from the training texts (None for numeric inputs)."""
        self._check_fitted("show its vocabulary")
        return self.inputs_.vocabulary

    # --- fitting --------------------------------------------------------------------------
    def _fit(self, X: Any, static: Any, target: np.ndarray, n_outputs: int, loss_fn,
             labels: np.ndarray | None = None, checkpoint: Any = None,
             resume: bool = False) -> None:
        self.validate()
        self.check_budget()
        n = _count(X)
        if len(target) != n:
            raise InputError(f"y has {len(target)} rows but X has {n} sequences. Pass one "
                             "target per sequence.")
        holdout = split_holdout(n, self.val_size, self.seed, labels, self.holdout)
        self.inputs_ = InputEncoder(self.normalize, self.scaler, self.max_vocab, self.min_count,
                                    self.max_length, self.truncation, self.vocab_size)
        data = self.inputs_.fit_transform(X, static, rows=holdout.train)
        self.recipe_ = self._recipe()
        network = self._network_config(data, n_outputs)
        config = self._train_config(len(holdout.train))
        target_t = torch.from_numpy(target)
        train = _batches(data.take(holdout.train), target_t[holdout.train])
        val = _batches(data.take(holdout.val), target_t[holdout.val]) if holdout.used else None
        where = self._checkpoint_dir(checkpoint, resume, data, target)
        members, histories = [], []
        for run in range(self.repeats):  # run k: seed + k for weights, order and dropout
            torch.manual_seed(self.seed + run)
            member = _zero_head(SequenceNet(network))
            run_config = replace(config, seed=self.seed + run, checkpoint=None if where is None
                                 else where.file("fit", run))
            histories.append(train_model(member, train, run_config, val, loss_fn))
            members.append(member)
        self.model_ = members[0] if len(members) == 1 else Ensemble(members)
        self.histories_, self.history_ = histories, histories[0]
        self.holdout_ = _holdout_note(holdout, self.val_size)

    def _checkpoint_dir(self, checkpoint: Any, resume: bool, data: EncodedInputs,
                        target: np.ndarray):
        """Where each run checkpoints (``checkpoint``; see :mod:`rnnkit.train.checkpoint`),
        checked to hold this fit when resuming."""
        if checkpoint is None:
            if resume:
                raise InputError("resume=True needs checkpoint=DIR, the directory the killed "
                                 "fit wrote. Pass checkpoint=...")
            return None
        import hashlib
        import json

        from rnnkit.train.checkpoint import CheckpointDir, prepare

        params = {k: v for k, v in self.get_params().items() if k not in ("verbose", "device")}
        h = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode())
        for part in (data.x, data.lengths, target, data.static):
            if part is not None:  # static covariates too: other covariates, another fit
                h.update(np.ascontiguousarray(part).tobytes())
        return CheckpointDir(prepare(checkpoint, h.hexdigest(), resume))

    def _recipe(self) -> dict[str, Any]:
        """The arguments left to "auto" / None, resolved for this kind of input (see
        ``RECIPES``); the rest as given."""
        recipe = RECIPES[f"numeric {self._task}" if self.inputs_.kind == "numeric" else "text"]
        given = {name: getattr(self, name, None) for name in recipe}
        resolved = {k: (recipe[k] if v in (None, "auto") else v) for k, v in given.items()}
        if self.front_end == "auto" and self.conv_channels:
            resolved["front_end"] = "conv"
        # numbers: a summary 64 wide whichever way the core reads; texts: 64 a direction
        wide = 32 if resolved["bidirectional"] and self.inputs_.kind == "numeric" else 64
        resolved["hidden_size"] = self.hidden_size or wide
        if self.inputs_.kind == "numeric":
            resolved["normalize"] = self.inputs_.normalize  # what "auto" chose for the channels
        return resolved

    def _train_config(self, n_train: int) -> TrainConfig:
        batch = self.batch_size or (16 if n_train < 2000 else 64)
        budget = {"epochs": self.epochs, "max_steps": None} if self.epochs else \
            {"max_steps": self.recipe_["max_steps"]}
        return TrainConfig.from_params(self.get_params(), batch_size=min(batch, n_train),
                                       **budget)

    def _network_config(self, data: EncodedInputs, n_outputs: int) -> SequenceNetConfig:
        enc, recipe = self.inputs_, self.recipe_
        front = recipe["front_end"]
        if front == "fcn" and enc.kind != "numeric":
            raise InputError("front_end='fcn' reads numeric sequences; for texts and token ids "
                             "use front_end='conv' (with conv_channels) or 'none'.")
        pool = self.conv_pool if self.conv_pool is not None else (4 if front == "fcn" else 1)
        stride = max(1, math.ceil(data.x.shape[1] / MAX_STEPS_PER_SEQUENCE)) \
            if front == "fcn" else 1
        vocab = enc.vocabulary.size if enc.kind == "text" else (self.vocab_size or 0)
        partial = SequenceNetConfig(
            RecurrentConfig(self.cell, 1, recipe["hidden_size"], self.num_layers, self.dropout,
                            recipe["bidirectional"]),
            n_outputs, recipe["pooling"], enc.extra_size, enc.input_width,
            vocab if enc.kind != "numeric" else 0, self.embedding_dim if enc.kind != "numeric"
            else 0, front, self.conv_channels, self.conv_kernel, pool, stride=stride,
            input_dropout=recipe["input_dropout"], dropout=self.dropout)
        return replace(partial, recurrent=replace(partial.recurrent,
                                                  input_size=partial.front_width))

    # --- prediction -----------------------------------------------------------------------
    @torch.inference_mode()
    def _run_outputs(self, X: Any, static: Any) -> np.ndarray:
        """Every run's raw outputs ``[runs, N, K]``, batched by length (cut to each batch's
        longest sequence), in the order of X."""
        self._check_fitted("predict")
        data = self.inputs_.transform(X, static)
        members = list(getattr(self.model_, "members", [self.model_]))
        device = next(self.model_.parameters()).device
        order = np.argsort(data.lengths, kind="stable")
        out = np.zeros((len(members), len(order), members[0].head.out_features))
        for start in range(0, len(order), PREDICT_BATCH):
            rows = order[start : start + PREDICT_BATCH]
            steps = int(data.lengths[rows].max())
            x = torch.from_numpy(data.x[rows][:, :steps]).to(device)
            lengths = torch.from_numpy(data.lengths[rows])
            extra = (torch.from_numpy(data.static[rows]).to(device),) \
                if data.static is not None else ()
            for m, member in enumerate(members):
                out[m, rows] = member(x, lengths, *extra).double().cpu().numpy()
        return out

    def encode(self, X: Any) -> Encoding:
        """What the recurrent core of the first run makes of each sequence: its output at
        every step (Keras's ``return_sequences=True``) and its final states
        (``return_state=True``), exact for sequences of any length.

        The steps are those the core reads: after a convolutional front end with pooling,
        fewer than the input's (``lengths`` says how many per sequence).

        Returns:
            An :class:`Encoding`: outputs ``[N, T', D*H]`` (zeros after each length),
            lengths ``[N]``, h ``[L*D, N, H]`` and, for an LSTM, c ``[L*D, N, H]``.
        """
        self._check_fitted("encode")
        data = self.inputs_.transform(X, None if not self.inputs_.static_size
                                      else np.zeros((_count(X), self.inputs_.static_size)))
        member = getattr(self.model_, "members", [self.model_])[0]
        device = next(member.parameters()).device
        with torch.inference_mode():
            seen, lengths, _ = member.front(torch.from_numpy(data.x).to(device),
                                            torch.from_numpy(data.lengths))
            outputs, final = member.core(seen, lengths)
        h, c = final if isinstance(final, tuple) else (final, None)
        return Encoding(outputs.double().cpu().numpy(), lengths.cpu().numpy().astype(np.int64),
                        h.double().cpu().numpy(),
                        None if c is None else c.double().cpu().numpy())

    def attention_weights(self, X: Any, static: Any = None) -> np.ndarray:
        """Attention weights over the steps of each sequence ``[N, T']`` (pooling
        ``"attention"``, first run); zero on padded steps, each row sums to one."""
        self._check_fitted("explain")
        if self.recipe_.get("pooling", self.pooling) != "attention":
            raise InputError(f"pooling={self.pooling!r} has no attention weights; fit with "
                             "pooling='attention'.")
        data = self.inputs_.transform(X, static)
        member = getattr(self.model_, "members", [self.model_])[0]
        with torch.inference_mode():
            extra = (torch.from_numpy(data.static),) if data.static is not None else ()
            _, weights = member.encode(torch.from_numpy(data.x), torch.from_numpy(data.lengths),
                                       *extra)
        return weights.double().numpy()

    def inspect(self, X: Any):
        """Every state and gate over one sequence ``[T, F]`` (or one text), first run (see
        :class:`rnnkit.nn.inspect.Inspection`)."""
        from rnnkit.data.text import is_text
        from rnnkit.nn.inspect import inspect_core

        self._check_fitted("inspect")
        if type(X).__name__ == "Series" or (isinstance(X, np.ndarray) and X.dtype.kind in "UO"):
            X = list(X)  # texts in an array or a Series: read as a list of them
        if isinstance(X, list | tuple) and len(X) == 1 and isinstance(X[0], str) and \
                " " in X[0].strip():
            X = X[0]  # [text]: the one text (its words would read as one unknown token)
        if isinstance(X, list | tuple) and len(X) > 1 and \
                all(isinstance(t, str) for t in X) and any(" " in t.strip() for t in X):
            # tokens hold no spaces: these are texts, which predict reads one by one
            raise InputError(f"X holds {len(X)} texts; inspect reads one text (a string, or "
                             "a list of its tokens). Pass one of them, as in X[0].")
        if not is_text([X]):  # one row of a NaN-padded rectangle: its padding cut off
            X = without_padding(np.asarray(X))
        one = [X]
        data = self.inputs_.transform(one, None if not self.inputs_.static_size
                                      else np.zeros((1, self.inputs_.static_size)))
        member = getattr(self.model_, "members", [self.model_])[0]
        with torch.no_grad():
            seen, _, _ = member.front(torch.from_numpy(data.x), torch.from_numpy(data.lengths))
        front_end = member.config.front_end
        shown = seen[0].double().numpy() if data.x.ndim == 2 or front_end != "none" \
            else np.asarray(X, dtype=float).reshape(len(data.x[0]), -1)
        return inspect_core(member.core, seen[0], shown)

    def summary(self) -> str:
        """Parameters per layer with the closed form (one run of an ensemble)."""
        self._check_fitted("summarise")
        return format_summary(self.model_.layer_counts())

    # --- model file -----------------------------------------------------------------------
    def _fitted_meta(self) -> dict:
        member = getattr(self.model_, "members", [self.model_])[0]
        meta = {"inputs": self.inputs_.to_dict(), "network": member.config.to_dict(),
                "recipe": self.recipe_,
                "history": self.history_.to_dict(),
                "histories": [h.to_dict() for h in self.histories_], "holdout": self.holdout_}
        if getattr(self, "schema_", None):
            meta["schema"] = self.schema_
        return meta | self._target_meta()

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
        self.inputs_ = InputEncoder.from_dict(fitted.get("inputs") or fitted)
        if fitted.get("schema"):
            self.schema_ = fitted["schema"]
        self.histories_ = [History.from_dict(h)
                           for h in fitted.get("histories", [fitted["history"]])]
        self.history_ = self.histories_[0]
        self.holdout_ = fitted.get("holdout", "")
        self.recipe_ = fitted.get("recipe", {})
        self._restore_target(fitted)
        network = SequenceNetConfig.from_dict(fitted["network"]) if "network" in fitted \
            else self._legacy_network()
        members = [SequenceNet(network) for _ in range(getattr(self, "repeats", 1) or 1)]
        self.model_ = members[0] if len(members) == 1 else Ensemble(members)

    def _self_check(self) -> None:
        member = getattr(self.model_, "members", [self.model_])[0]
        self.inputs_.check_vocabulary(member.config.vocab_size)
        X, static = self.inputs_.canonical()
        runs = self.predict_runs(X, static)
        if not all(np.isfinite(np.asarray(r, dtype=float)).all() for r in runs):
            raise ValueError("the model predicts non-finite numbers")
        self.predict(X, static)

    def _legacy_network(self) -> SequenceNetConfig:
        """The network of a file written before the network config was saved (rnnkit 0.1):
        per-channel scaling, an optional single convolution, no summary dropout."""
        enc = self.inputs_
        vocab = enc.vocabulary.size if enc.kind == "text" else (self.vocab_size or 0)
        front = "conv" if self.conv_channels else "none"
        config = SequenceNetConfig(
            RecurrentConfig(self.cell, 1, self.hidden_size or 64, self.num_layers, self.dropout,
                            self.bidirectional),
            self._n_outputs(), self.pooling, enc.static_size, enc.input_width, vocab,
            self.embedding_dim if vocab else 0, front, self.conv_channels, self.conv_kernel,
            self.conv_pool or 1, input_dropout=self.input_dropout)
        return replace(config, recurrent=replace(config.recurrent, input_size=config.front_width))


def _count(X: Any) -> int:
    try:
        return len(X)
    except TypeError as e:
        raise InputError(f"X must be an array [samples, timesteps, features], a list of "
                         f"sequences or a list of texts; got {type(X).__name__}.") from e


def _batches(data: EncodedInputs, target: torch.Tensor) -> SequenceBatches:
    extra = (torch.from_numpy(data.static),) if data.static is not None else ()
    return SequenceBatches(torch.from_numpy(data.x), torch.from_numpy(data.lengths), target,
                           extra)


def _zero_head(net: SequenceNet) -> SequenceNet:
    """A new network starts by predicting the training mean (regression) or equal
    probabilities (classes): the head's weights and bias at zero."""
    torch.nn.init.zeros_(net.head.weight)
    torch.nn.init.zeros_(net.head.bias)
    return net


def _holdout_note(holdout: Holdout, val_size: float) -> str:
    if holdout.used:
        return (f"early stopping on a hold-out of {len(holdout.val)} sequences "
                f"({val_size:g} of the training data)")
    return holdout.reason
