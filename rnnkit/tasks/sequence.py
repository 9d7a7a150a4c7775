"""Whole-sequence estimators: a label (SequenceClassifier) or numbers (SequenceRegressor) per
sequence, from numeric sequences, texts or token ids, with optional static covariates."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from rnnkit.data.validation import check_choice
from rnnkit.errors import InputError
from rnnkit.tasks.base import register
from rnnkit.tasks.sequence_base import SequenceEstimator

__all__ = ["SequenceClassifier", "SequenceEstimator", "SequenceRegressor"]


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
                 verbose: int = 1, device: str = "auto", class_weight: str | None = None,
                 max_vocab: int = 20000, min_count: int = 1, max_length: int | None = None,
                 truncation: str = "post", vocab_size: int | None = None,
                 embedding_dim: int = 32, conv_channels: int = 0, conv_kernel: int = 3,
                 conv_pool: int = 1,
                 ) -> None:
        self._init_common(cell, hidden_size, num_layers, dropout, input_dropout, bidirectional,
                          pooling, scaler, epochs, batch_size, learning_rate, patience,
                          clip_norm, val_size, seed, verbose, device)
        self.class_weight = class_weight
        self._init_front(max_vocab, min_count, max_length, truncation, vocab_size,
                         embedding_dim, conv_channels, conv_kernel, conv_pool)

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
                 verbose: int = 1, device: str = "auto",
                 max_vocab: int = 20000, min_count: int = 1, max_length: int | None = None,
                 truncation: str = "post", vocab_size: int | None = None,
                 embedding_dim: int = 32, conv_channels: int = 0, conv_kernel: int = 3,
                 conv_pool: int = 1,
                 ) -> None:
        self._init_common(cell, hidden_size, num_layers, dropout, input_dropout, bidirectional,
                          pooling, scaler, epochs, batch_size, learning_rate, patience,
                          clip_norm, val_size, seed, verbose, device)
        self._init_front(max_vocab, min_count, max_length, truncation, vocab_size,
                         embedding_dim, conv_channels, conv_kernel, conv_pool)

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
