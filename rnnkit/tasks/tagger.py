"""SequenceTagger: a label (or a value) for every step of a sequence (numeric inputs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from rnnkit import tracking
from rnnkit.data.holdout import split_holdout
from rnnkit.data.scalers import standardisation
from rnnkit.data.sequence_inputs import InputEncoder, plain_texts
from rnnkit.data.sequences import pad_labels, pad_sequences, step_mask, without_padding
from rnnkit.data.text import is_text
from rnnkit.errors import InputError
from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.summary import format_summary
from rnnkit.nn.tagger import IGNORE, TaggerNet, masked_cross_entropy, masked_mse
from rnnkit.tasks.base import RnnkitEstimator, register
from rnnkit.tasks.sequence import check_known_labels
from rnnkit.tasks.sequence_options import TaggerOptions
from rnnkit.train import History, SequenceBatches, TrainConfig, train_model


@register
@dataclass(kw_only=True, eq=False, repr=False)
class SequenceTagger(TaggerOptions, RnnkitEstimator):
    """Label every time step: ``X [samples, timesteps, features]`` -> ``y [samples, timesteps]``
    of labels (``task="classification"``) or of numbers (``task="regression"``).

    Sequences may differ in length (pass a list of ``[T_i, F]`` arrays): padding never
    changes a prediction, and padded steps never enter the loss. Labels come back as the
    user's labels; values in the user's units.

    Args:
        task: "classification" (a label per step) or "regression" (a number per step).
        scaler: per-feature scaling fitted on the training sequences ("standard", "minmax",
            "none").
        The rest: see :class:`rnnkit.tasks.sequence_options.TaggerOptions` (100 epochs at a
        constant 1e-2 by default).

    Example:
        >>> tagger = SequenceTagger(hidden_size=16).fit(X, y)
        >>> tagger.predict(X[:2])  # [2, T] labels
    """

    def fit(self, X: Any, y: Any) -> SequenceTagger:
        """Train on sequences ``X`` and their per-step targets ``y``.

        Shapes:
            X: ``[N, T, F]`` or a list of ``[T_i, F]``; y: ``[N, T]`` or a list of ``[T_i]``.
        """
        self.validate()
        if is_text(plain_texts(X)):
            raise InputError("X holds texts, but a SequenceTagger reads numeric sequences "
                             "[samples, timesteps, features] (a label per step). Encode each "
                             "step as numbers (one-hot tokens, say) and pass those.")
        started = tracking.start(self)
        n = len(X) if isinstance(X, list) else len(np.asarray(X))
        holdout = split_holdout(n, self.val_size, self.seed, order=self.holdout)
        self.inputs_ = InputEncoder(normalize="channel", scaler=self.scaler)
        data = self.inputs_.fit_transform(X, None, rows=holdout.train)
        targets = pad_labels(y, data.lengths, None, steps=data.x.shape[1])  # as X is padded
        valid = step_mask(data.lengths, data.x.shape[1])  # [N, T]
        if self.task == "classification":
            target, loss = self._class_ids(targets, valid), masked_cross_entropy
            n_outputs = len(self.classes_)
        else:
            training = np.zeros_like(valid)
            training[holdout.train] = True  # scaled by the rows that train
            target, loss, n_outputs = self._values(targets, valid, training), masked_mse, 1
        torch.manual_seed(self.seed)
        self.n_features_ = self.inputs_.n_features
        config = RecurrentConfig(self.cell, self.n_features_, self.hidden_size, self.num_layers,
                                 self.dropout, bool(self.bidirectional))
        model = TaggerNet(config, n_outputs)
        target_t = torch.from_numpy(target)

        def batches(index):
            return SequenceBatches(torch.from_numpy(data.x[index]),
                                   torch.from_numpy(data.lengths[index]), target_t[index],
                                   per_step=True)

        batch = self.batch_size or (16 if len(holdout.train) < 2000 else 64)
        # a budget in steps, when given, replaces the (default) one in epochs
        budget = {"epochs": self.epochs, "max_steps": None} if self.epochs and \
            self.max_steps is None else {"max_steps": self.max_steps or 1000}
        train_config = TrainConfig.from_params(self.get_params(),
                                               batch_size=min(batch, len(holdout.train)),
                                               **budget)
        self.history_: History = train_model(
            model, batches(holdout.train), train_config,
            batches(holdout.val) if holdout.used else None, loss)
        self.model_ = model
        self.holdout_ = holdout.reason
        tracking.record(self, "fit", X, started=started)
        return self

    def _class_ids(self, labels: np.ndarray, valid: np.ndarray) -> np.ndarray:
        missing = pd.isna(labels) & valid
        if missing.any():
            i, t = np.argwhere(missing)[0]
            raise InputError(f"y has {int(missing.sum())} missing label(s) (None or NaN), first "
                             f"at sequence {i}, step {t}. Fill them, or cut those sequences "
                             "short (a list of [T_i] labels with X cut alike).")
        real = labels[valid]
        if all(isinstance(v, float | np.floating) for v in real[:1000].tolist()) and \
                not np.all(np.mod(real.astype(float), 1) == 0):
            raise InputError("the labels (y) hold fractional numbers, which a classifier "
                             "would treat as thousands of classes. Pass task='regression' for a "
                             "number per step, or labels for task='classification'.")
        # one dtype for the labels: 0 and 0.0 are one class; labels numpy cannot order
        # (numbers and text) are compared as text, in classes and ids alike
        real = np.asarray(real.tolist())
        if _mixed(real):
            real = real.astype(str)
        classes = np.unique(real)
        if len(classes) < 2:
            raise InputError(f"y has a single label {classes.tolist()}; a tagger needs at least "
                             "two. Check the labels.")
        self.classes_ = classes
        ids = np.full(labels.shape, IGNORE, dtype=np.int64)
        ids[valid] = np.searchsorted(classes, real)
        return ids

    def _values(self, values: np.ndarray, valid: np.ndarray, training: np.ndarray
                ) -> np.ndarray:
        try:
            real = values[valid].astype(np.float64)
        except (TypeError, ValueError) as e:
            raise InputError(f"task='regression' needs a number per step ({e}). Pass numbers, "
                             "or task='classification' for labels.") from e
        if not np.isfinite(real).all():
            raise InputError("y has NaN or inf values. Drop or fill them first.")
        fitted = real[training[valid]]  # the steps of the sequences that train
        mean, std = standardisation(fitted)
        self.y_mean_, self.y_std_ = float(mean), float(std)
        out = np.full(values.shape, np.nan, dtype=np.float32)  # NaN on padded steps: skipped
        out[valid] = (real - self.y_mean_) / self.y_std_
        return out

    @torch.inference_mode()
    def _outputs(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted("predict")
        data = self.inputs_.transform(X)
        device = next(self.model_.parameters()).device
        out = self.model_(torch.from_numpy(data.x).to(device), torch.from_numpy(data.lengths))
        return out.double().cpu().numpy(), data.lengths

    def encode(self, X: Any):
        """What the recurrent core makes of each sequence: its output at every step (Keras's
        ``return_sequences=True``, what the per-step head reads) and its final states
        (``return_state=True``), exact for sequences of any length.

        Returns:
            An :class:`rnnkit.tasks.sequence_base.Encoding`: outputs ``[N, T, D*H]`` (zeros
            after each length), lengths ``[N]``, h ``[L*D, N, H]`` and, for an LSTM, c.
        """
        from rnnkit.tasks.sequence_base import Encoding

        self._check_fitted("encode")
        data = self.inputs_.transform(X)
        device = next(self.model_.parameters()).device
        with torch.inference_mode():
            outputs, final = self.model_.core(torch.from_numpy(data.x).to(device),
                                              torch.from_numpy(data.lengths))
        h, c = final if isinstance(final, tuple) else (final, None)
        return Encoding(outputs.double().cpu().numpy(), data.lengths.astype(np.int64),
                        h.double().cpu().numpy(),
                        None if c is None else c.double().cpu().numpy())

    def predict_proba(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """Class probabilities per step: ``[N, T, C]``, NaN on the padded steps of a
        rectangle (a list of ``[T_i, C]`` if ragged)."""
        self._check_fitted("predict")
        if self.task != "classification":
            raise InputError("predict_proba is for task='classification'; this tagger predicts "
                             "numbers: call predict.")
        logits, lengths = self._outputs(X)
        e = np.exp(logits - logits.max(-1, keepdims=True))
        proba = e / e.sum(-1, keepdims=True)
        proba[~step_mask(lengths, proba.shape[1])] = np.nan  # a rectangle's padded steps
        return _as_given(X, proba, lengths)

    def _self_check(self) -> None:
        X, _ = self.inputs_.canonical()
        out, _ = self._outputs(X)
        if not np.isfinite(out).all():
            raise ValueError("the model predicts non-finite numbers")
        self.predict(X)

    def predict(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """The most probable label per step (the user's labels), or the value per step; on the
        padded steps of a rectangle (NaN in X) None, or NaN for values."""
        self._check_fitted("predict")
        if self.task == "regression":
            out, lengths = self._outputs(X)
            values = out[..., 0] * self.y_std_ + self.y_mean_
            values[~step_mask(lengths, values.shape[1])] = np.nan  # padded steps (a rectangle)
            return _as_given(X, values, lengths)
        logits, lengths = self._outputs(X)
        labels = _as_given(X, self.classes_[logits.argmax(-1)], lengths)
        padded = ~step_mask(lengths, logits.shape[1])
        if isinstance(labels, np.ndarray) and padded.any():  # a rectangle's padded steps
            labels = labels.astype(object)  # hold no label: None, as NaN for numbers
            labels[padded] = None
        return labels

    def score(self, X: Any, y: Any) -> float:
        """Accuracy over all real (not padded) steps; R² for task='regression'."""
        predicted = self.predict(X)
        _, lengths = pad_sequences(X)
        truth = pad_labels(y, lengths, None)
        pred = pad_labels(predicted, lengths, None)
        valid = step_mask(lengths, truth.shape[1])
        if self.task == "regression":
            t, p = truth[valid].astype(float), pred[valid].astype(float)
            return float(1 - ((t - p) ** 2).sum() / max(((t - t.mean()) ** 2).sum(), 1e-300))
        truth, pred = truth[valid], pred[valid]
        if self.classes_.dtype.kind == "U":  # labels read as text (mixed types): compare so
            truth, pred = truth.astype(str), pred.astype(str)
        check_known_labels(truth, self.classes_)
        return float(np.mean(truth == pred))

    def inspect(self, X: Any):
        """Every state and gate over one sequence (see :class:`Inspection`).

        Args:
            X: a sequence ``[T, F]``, a ``.npy`` file holding one, or the name of a teaching
                task (``counting``, ``long_memory``, ``conflict``) for its first example.
        """
        from rnnkit.nn.inspect import inspect_core

        self._check_fitted("inspect")
        if X is None:
            raise InputError("inspect needs a sequence: an array [T, F], a .npy file or a "
                             "teaching task name such as 'counting'.")
        if isinstance(X, str):
            from rnnkit.datasets.teaching import TASKS as TEACHING
            from rnnkit.datasets.teaching import example_sequence

            if X not in TEACHING and not str(X).endswith(".npy"):
                raise InputError(f"inspect({X!r}): a tagger fitted in Python reads one "
                                 f"sequence from a teaching task name ({', '.join(TEACHING)}) "
                                 "or a .npy file of one [T, F] array. Pass one of those, or "
                                 "the array itself from Python.")
            X = example_sequence(X) if X in TEACHING else np.load(X, allow_pickle=False)
        seq = np.asarray(X, dtype=np.float64)
        seq = seq[:, None] if seq.ndim == 1 else seq
        if seq.ndim == 3 and len(seq) == 1:
            seq = seq[0]
        seq = without_padding(seq)  # one row of a NaN-padded rectangle
        x = torch.from_numpy(self.inputs_.transform([seq]).x[0])
        return inspect_core(self.model_.core, x, seq)

    def summary(self, input_size: int = 1, n_classes: int = 2) -> str:
        """Parameters per layer with the closed form; before fitting, for the given sizes."""
        model = getattr(self, "model_", None)
        if model is None:
            config = RecurrentConfig(self.cell, input_size, self.hidden_size, self.num_layers,
                                     self.dropout, bool(self.bidirectional))
            model = TaggerNet(config, n_classes if self.task == "classification" else 1)
        return format_summary(model.layer_counts())

    def _fitted_meta(self) -> dict:
        meta = {"n_features": self.n_features_, "scaler": self.inputs_.channel_scaler.to_dict(),
                "history": self.history_.to_dict(), "inputs": self.inputs_.to_dict(),
                "holdout": self.holdout_}
        if getattr(self, "schema_", None):  # the columns `rnnkit tag` read, for inspect
            meta["schema"] = self.schema_
        if self.task == "regression":
            return meta | {"y_mean": self.y_mean_, "y_std": self.y_std_}
        return meta | {"classes": self.classes_.tolist()}

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
        self.n_features_ = fitted["n_features"]
        legacy = {"kind": "numeric", "normalize": "channel", "n_features": self.n_features_,
                  "static_size": 0, "scaler": fitted["scaler"]}
        self.inputs_ = InputEncoder.from_dict(fitted.get("inputs") or legacy)
        self.history_ = History.from_dict(fitted["history"])
        self.holdout_ = fitted.get("holdout", "")
        if fitted.get("schema"):
            self.schema_ = fitted["schema"]
        if self.task == "regression":
            self.y_mean_, self.y_std_ = fitted["y_mean"], fitted["y_std"]
            outputs = 1
        else:
            self.classes_ = np.asarray(fitted["classes"])
            outputs = len(self.classes_)
        config = RecurrentConfig(self.cell, self.n_features_, self.hidden_size, self.num_layers,
                                 self.dropout, bool(self.bidirectional))
        self.model_ = TaggerNet(config, outputs)


def _as_given(X: Any, out: np.ndarray, lengths: np.ndarray) -> np.ndarray | list[np.ndarray]:
    """A rectangle for a rectangular X, else a list cut to each sequence's length."""
    if isinstance(X, np.ndarray) and X.dtype != object:
        return out
    return [o[:n] for o, n in zip(out, lengths, strict=True)]


def _mixed(values: np.ndarray) -> bool:
    """Whether labels mix types that numpy cannot order (then they are compared as text)."""
    return len({type(v) for v in values.tolist()}) > 1
