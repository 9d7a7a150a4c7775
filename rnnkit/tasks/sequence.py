"""Whole-sequence estimators: a label (SequenceClassifier) or numbers (SequenceRegressor) per
sequence, from numeric sequences and optional static covariates."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from rnnkit.data.scalers import Scaler
from rnnkit.data.sequences import pad_sequences
from rnnkit.data.validation import check_choice
from rnnkit.errors import InputError
from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.sequence import SUMMARIES, SequenceNet
from rnnkit.nn.summary import format_summary
from rnnkit.tasks.base import RnnkitEstimator, register
from rnnkit.train import History, TensorBatches, TrainConfig, train_model


class SequenceEstimator(RnnkitEstimator):
    """What the classifier and the regressor share: inputs, scaling, network, training, files.

    Args:
        cell, hidden_size, num_layers, dropout, bidirectional: the recurrent core (dropout
            between stacked layers).
        input_dropout: dropout on the inputs of every step.
        pooling: how a sequence becomes one vector (the sequence summary): "last", "mean",
            "max" or "attention" (all ignore padding).
        scaler: per-channel scaling fitted on the training sequences only; static covariates
            are standardised on the training rows likewise.
        epochs, batch_size, learning_rate, patience, clip_norm, seed, verbose, device:
            training (see :class:`rnnkit.train.TrainConfig`).
        val_size: fraction of the training sequences held out (seeded) for early stopping.
    """

    def _init_common(self, cell, hidden_size, num_layers, dropout, input_dropout,
                     bidirectional, pooling, scaler, epochs, batch_size, learning_rate,
                     patience, clip_norm, val_size, seed, verbose, device) -> None:
        self.cell, self.hidden_size, self.num_layers = cell, hidden_size, num_layers
        self.dropout, self.input_dropout = dropout, input_dropout
        self.bidirectional, self.pooling, self.scaler = bidirectional, pooling, scaler
        self.epochs, self.batch_size = epochs, batch_size
        self.learning_rate, self.patience, self.clip_norm = learning_rate, patience, clip_norm
        self.val_size, self.seed, self.verbose, self.device = val_size, seed, verbose, device

    # --- inputs ---------------------------------------------------------------------------
    def _inputs(self, X: Any, static: Any, fitted: bool) -> tuple[np.ndarray, ...]:
        x, lengths = pad_sequences(X)
        if static is not None:
            static = np.asarray(static, dtype=np.float64)
            static = static[:, None] if static.ndim == 1 else static
            if static.ndim != 2 or len(static) != len(x):
                raise InputError(
                    f"static has shape {static.shape} but X has {len(x)} sequences; static must "
                    f"be [samples, covariates] with {len(x)} rows. Pass one row per sequence."
                )
            if not np.isfinite(static).all():
                row, col = np.argwhere(~np.isfinite(static))[0]
                raise InputError(f"static has NaN or inf at row {row}, column {col}.")
        if fitted:
            if x.shape[2] != self.n_features_:
                raise InputError(f"X has {x.shape[2]} features per step; the model was trained "
                                 f"on {self.n_features_}. Pass the same channels.")
            if (static is None) != (self.static_size_ == 0) or (
                    static is not None and static.shape[1] != self.static_size_):
                raise InputError(f"the model was trained with {self.static_size_} static "
                                 "covariates; pass static= with the same columns.")
        return x, lengths, static

    def _tensors_for(self, x, lengths, static) -> tuple[torch.Tensor, ...]:
        valid = np.arange(x.shape[1]) < lengths[:, None]
        scaled = (self.scaler_.transform(x) * valid[..., None]).astype(np.float32)  # pads: 0
        out = (torch.from_numpy(scaled), torch.from_numpy(lengths))
        if static is not None:
            out += (torch.from_numpy(((static - self.static_mean_) / self.static_std_)
                                     .astype(np.float32)),)
        return out

    # --- fitting --------------------------------------------------------------------------
    def _fit(self, X: Any, y: Any, static: Any, target: np.ndarray, n_outputs: int,
             loss_fn) -> None:
        check_choice(self.pooling, "pooling", SUMMARIES)
        x, lengths, static = self._inputs(X, static, fitted=False)
        if len(target) != len(x):
            raise InputError(f"y has {len(target)} rows but X has {len(x)} sequences. Pass one "
                             "target per sequence.")
        order = np.random.default_rng(self.seed).permutation(len(x))
        n_val = int(round(self.val_size * len(x))) if len(x) >= 20 else 0
        val_idx, train_idx = order[:n_val], order[n_val:]
        valid = np.arange(x.shape[1]) < lengths[:, None]
        self.scaler_ = Scaler(self.scaler).fit(x[train_idx][valid[train_idx]])
        self.static_size_ = 0 if static is None else static.shape[1]
        if static is not None:
            self.static_mean_ = static[train_idx].mean(0)
            self.static_std_ = np.where(static[train_idx].std(0) > 0, static[train_idx].std(0), 1)
        self.n_features_ = x.shape[2]
        tensors = self._tensors_for(x, lengths, static)
        target_t = torch.from_numpy(target)

        def batches(index):
            return TensorBatches(tuple(t[index] for t in tensors), target_t[index])

        torch.manual_seed(self.seed)
        self.model_ = self._network(n_outputs)
        config = TrainConfig(epochs=self.epochs, batch_size=self.batch_size,
                             learning_rate=self.learning_rate, patience=self.patience,
                             clip_norm=self.clip_norm, seed=self.seed, verbose=self.verbose,
                             device=self.device)
        self.history_: History = train_model(self.model_, batches(train_idx), config,
                                             batches(val_idx) if n_val else None, loss_fn)

    def _network(self, n_outputs: int) -> SequenceNet:
        config = RecurrentConfig(self.cell, self.n_features_, self.hidden_size, self.num_layers,
                                 self.dropout, self.bidirectional)
        return SequenceNet(config, n_outputs, self.pooling, self.static_size_,
                           self.input_dropout)

    @torch.inference_mode()
    def _outputs(self, X: Any, static: Any) -> np.ndarray:
        self._check_fitted("predict")
        x, lengths, static = self._inputs(X, static, fitted=True)
        device = next(self.model_.parameters()).device
        tensors = [t.to(device) for t in self._tensors_for(x, lengths, static)]
        tensors[1] = tensors[1].cpu()  # packing wants lengths on the CPU
        out = [self.model_(*(t[i:i + 4096] for t in tensors)).double().cpu()
               for i in range(0, len(x), 4096)]
        return torch.cat(out).numpy()

    def attention_weights(self, X: Any, static: Any = None) -> np.ndarray:
        """Attention weights over the steps of each sequence ``[N, T_max]`` (pooling
        ``"attention"``); zero on padded steps, each row sums to one."""
        self._check_fitted("explain")
        if self.pooling != "attention":
            raise InputError(f"pooling={self.pooling!r} has no attention weights; fit with "
                             "pooling='attention'.")
        x, lengths, static = self._inputs(X, static, fitted=True)
        with torch.inference_mode():
            _, weights = self.model_.encode(*self._tensors_for(x, lengths, static))
        return weights.double().numpy()

    def inspect(self, X: Any):
        """Every state and gate over one sequence ``[T, F]`` (see :class:`Inspection`)."""
        from rnnkit.nn.inspect import inspect_core

        self._check_fitted("inspect")
        seq = np.asarray(X, dtype=np.float64)
        seq = seq[:, None] if seq.ndim == 1 else seq
        x = torch.from_numpy(self.scaler_.transform(seq).astype(np.float32))
        return inspect_core(self.model_.core, x, seq)

    def summary(self) -> str:
        """Parameters per layer with the closed form."""
        self._check_fitted("summarise")
        return format_summary(self.model_.layer_counts())

    # --- model file -----------------------------------------------------------------------
    def _fitted_meta(self) -> dict:
        meta = {"n_features": self.n_features_, "static_size": self.static_size_,
                "scaler": self.scaler_.to_dict(), "history": self.history_.to_dict()}
        if self.static_size_:
            meta |= {"static_mean": self.static_mean_.tolist(),
                     "static_std": self.static_std_.tolist()}
        return meta | self._target_meta()

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
        self.n_features_, self.static_size_ = fitted["n_features"], fitted["static_size"]
        self.scaler_ = Scaler.from_dict(fitted["scaler"])
        self.history_ = History.from_dict(fitted["history"])
        if self.static_size_:
            self.static_mean_ = np.asarray(fitted["static_mean"])
            self.static_std_ = np.asarray(fitted["static_std"])
        self._restore_target(fitted)
        self.model_ = self._network(self._n_outputs())


@register
class SequenceClassifier(SequenceEstimator):
    """A label per sequence. See :class:`SequenceEstimator` for the shared arguments.

    Args:
        class_weight: None, or "balanced" to weight each class by the inverse of its
            frequency in the training labels (for imbalanced classes).

    Example:
        >>> clf = SequenceClassifier(hidden_size=32).fit(X, y)  # X [N, 128, 9]
        >>> clf.predict_proba(X[:3])  # [3, n_classes], rows sum to 1
    """

    def __init__(self, *, cell: str = "lstm", hidden_size: int = 32, num_layers: int = 1,
                 dropout: float = 0.0, input_dropout: float = 0.0, bidirectional: bool = False,
                 pooling: str = "last", scaler: str = "standard", epochs: int = 100,
                 batch_size: int = 32, learning_rate: float = 1e-2, patience: int = 20,
                 clip_norm: float = 1.0, val_size: float = 0.1, seed: int = 0,
                 verbose: int = 1, device: str = "auto", class_weight: str | None = None
                 ) -> None:
        self._init_common(cell, hidden_size, num_layers, dropout, input_dropout, bidirectional,
                          pooling, scaler, epochs, batch_size, learning_rate, patience,
                          clip_norm, val_size, seed, verbose, device)
        self.class_weight = class_weight

    def fit(self, X: Any, y: Any, static: Any = None) -> SequenceClassifier:
        """Train. Shapes: X ``[N, T, F]`` or a list of ``[T_i, F]``; y ``[N]``; static
        ``[N, S]``."""
        labels = np.asarray(y).reshape(-1)
        classes, ids = np.unique(labels, return_inverse=True)
        if len(classes) < 2:
            raise InputError(f"y has a single class {classes.tolist()}; a classifier needs at "
                             "least two. Check the labels.")
        weight = None
        if self.class_weight is not None:
            check_choice(self.class_weight, "class_weight", ("balanced",))
            counts = np.bincount(ids, minlength=len(classes))
            weight = torch.tensor(len(ids) / (len(classes) * counts), dtype=torch.float32)

        def loss(logits, target):
            w = None if weight is None else weight.to(logits.device)
            return nn.functional.cross_entropy(logits, target, weight=w)

        self.classes_ = classes
        self._fit(X, y, static, ids.astype(np.int64), len(classes), loss)
        return self

    def predict_proba(self, X: Any, static: Any = None) -> np.ndarray:
        """Class probabilities ``[N, n_classes]`` in the order of ``classes_``."""
        logits = self._outputs(X, static)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: Any, static: Any = None) -> np.ndarray:
        """The most probable label of each sequence, in the user's labels."""
        return self.classes_[self._outputs(X, static).argmax(axis=1)]

    def score(self, X: Any, y: Any, static: Any = None) -> float:
        """Accuracy. Labels never seen in training are an error, not a silent miss."""
        labels = np.asarray(y).reshape(-1)
        unseen = sorted(set(labels.tolist()) - set(self.classes_.tolist()))
        if unseen:
            raise InputError(f"y has labels {unseen[:5]} that were not in training "
                             f"({self.classes_.tolist()[:10]}). Score on known classes only.")
        return float(np.mean(self.predict(X, static) == labels))

    def _target_meta(self) -> dict:
        return {"classes": self.classes_.tolist()}

    def _restore_target(self, fitted: dict) -> None:
        self.classes_ = np.asarray(fitted["classes"])

    def _n_outputs(self) -> int:
        return len(self.classes_)

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, Tags, TargetTags

        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags())


@register
class SequenceRegressor(SequenceEstimator):
    """Numbers per sequence (``[N]`` or ``[N, K]``), standardised for training and returned in
    the user's units. See :class:`SequenceEstimator` for the arguments.

    Example:
        >>> reg = SequenceRegressor().fit(X, bmi, static=covariates)  # the two-input model
    """

    def __init__(self, *, cell: str = "lstm", hidden_size: int = 32, num_layers: int = 1,
                 dropout: float = 0.0, input_dropout: float = 0.0, bidirectional: bool = False,
                 pooling: str = "last", scaler: str = "standard", epochs: int = 100,
                 batch_size: int = 32, learning_rate: float = 1e-2, patience: int = 20,
                 clip_norm: float = 1.0, val_size: float = 0.1, seed: int = 0,
                 verbose: int = 1, device: str = "auto") -> None:
        self._init_common(cell, hidden_size, num_layers, dropout, input_dropout, bidirectional,
                          pooling, scaler, epochs, batch_size, learning_rate, patience,
                          clip_norm, val_size, seed, verbose, device)

    def fit(self, X: Any, y: Any, static: Any = None) -> SequenceRegressor:
        """Train. Shapes: X ``[N, T, F]`` or a list; y ``[N]`` or ``[N, K]``; static
        ``[N, S]``."""
        target = np.asarray(y, dtype=np.float64)
        self.single_output_ = target.ndim == 1
        target = target.reshape(len(target), -1)
        if not np.isfinite(target).all():
            raise InputError(f"y has NaN or inf at row {np.argwhere(~np.isfinite(target))[0][0]}.")
        self.y_mean_ = target.mean(0)
        self.y_std_ = np.where(target.std(0) > 0, target.std(0), 1.0)
        scaled = ((target - self.y_mean_) / self.y_std_).astype(np.float32)
        self._fit(X, y, static, scaled, target.shape[1], nn.functional.mse_loss)
        return self

    def predict(self, X: Any, static: Any = None) -> np.ndarray:
        """Predictions in the user's units: ``[N]`` (or ``[N, K]``)."""
        out = self._outputs(X, static) * self.y_std_ + self.y_mean_
        return out[:, 0] if self.single_output_ else out

    def score(self, X: Any, y: Any, static: Any = None) -> float:
        """R² (1 - residual / total sum of squares), averaged over outputs."""
        truth = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        pred = np.asarray(self.predict(X, static)).reshape(len(truth), -1)
        ss_res = ((truth - pred) ** 2).sum(0)
        ss_tot = ((truth - truth.mean(0)) ** 2).sum(0)
        return float(np.mean(1 - ss_res / np.where(ss_tot > 0, ss_tot, 1)))

    def _target_meta(self) -> dict:
        return {"y_mean": self.y_mean_.tolist(), "y_std": self.y_std_.tolist(),
                "single_output": self.single_output_}

    def _restore_target(self, fitted: dict) -> None:
        self.y_mean_, self.y_std_ = np.asarray(fitted["y_mean"]), np.asarray(fitted["y_std"])
        self.single_output_ = fitted["single_output"]

    def _n_outputs(self) -> int:
        return len(self.y_mean_)

    def __sklearn_tags__(self):
        from sklearn.utils import RegressorTags, Tags, TargetTags

        return Tags(estimator_type="regressor", target_tags=TargetTags(required=True),
                    regressor_tags=RegressorTags())
