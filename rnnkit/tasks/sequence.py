"""Whole-sequence estimators: a label (SequenceClassifier) or numbers (SequenceRegressor) per
sequence, from numeric sequences, texts or token ids, with optional static covariates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from rnnkit import tracking
from rnnkit.data.holdout import split_holdout
from rnnkit.data.scalers import standardisation
from rnnkit.errors import InputError
from rnnkit.tasks.base import register
from rnnkit.tasks.sequence_base import SequenceEstimator
from rnnkit.tasks.sequence_options import ClassifierOptions, RegressorOptions

__all__ = ["SequenceClassifier", "SequenceEstimator", "SequenceRegressor"]


@register
@dataclass(kw_only=True, eq=False, repr=False)
class SequenceClassifier(ClassifierOptions, SequenceEstimator):
    """A label per sequence. See :class:`SequenceEstimator` for the shared arguments.

    The defaults are measured on real problems (bench/RESULTS.md): numeric sequences go
    through LSTM-FCN-style convolutional blocks read both ways by an LSTM (32 units a
    direction), max-pooled, each sequence normalised on its own, 1,000 optimiser steps on a
    one-cycle schedule; texts through an embedding read both ways by an LSTM, max-pooled,
    3,000 steps with early stopping on a hold-out.

    Args:
        class_weight: None, or "balanced" to weight each class by the inverse of its
            frequency in the training labels (for imbalanced classes).
        label_smoothing: share of each target's probability spread over the other classes.

    Example:
        >>> clf = SequenceClassifier().fit(X, y)  # X [N, 128, 9]
        >>> clf.predict_proba(X[:3])  # [3, n_classes], rows sum to 1
    """

    _task = "classification"  # which recipe (``RECIPES``) its numeric inputs follow

    def fit(self, X: Any, y: Any, static: Any = None, checkpoint: Any = None,
            resume: bool = False) -> SequenceClassifier:
        """Train. Shapes: X ``[N, T, F]`` or a list of ``[T_i, F]`` (or texts); y ``[N]``;
        static ``[N, S]``. ``checkpoint``: a directory each run checkpoints into every 30 s;
        ``resume=True`` continues the killed fit written there (same arguments and data)."""
        self.validate()
        started = tracking.start(self)
        labels = _labels(y)
        classes, ids = np.unique(labels, return_inverse=True)
        if len(classes) < 2:
            raise InputError(f"y has a single class {classes.tolist()}; a classifier needs at "
                             "least two. Check the labels.")
        weight = None
        if self.class_weight is not None:
            counts = np.bincount(ids, minlength=len(classes))
            weight = torch.tensor(len(ids) / (len(classes) * counts), dtype=torch.float32)
        smoothing = float(self.label_smoothing)

        def loss(logits, target):
            w = None if weight is None else weight.to(logits.device)
            return nn.functional.cross_entropy(logits, target, weight=w,
                                               label_smoothing=smoothing)

        self.classes_ = classes
        self._fit(X, static, ids.astype(np.int64), len(classes), loss, labels=ids,
                  checkpoint=checkpoint, resume=resume)
        tracking.record(self, "fit", X, started=started)
        return self

    def predict_proba(self, X: Any, static: Any = None) -> np.ndarray:
        """Class probabilities ``[N, n_classes]`` in the order of ``classes_`` (the mean of
        the runs' probabilities with ``repeats``)."""
        return _softmax(self._run_outputs(X, static)).mean(0)

    def predict(self, X: Any, static: Any = None) -> np.ndarray:
        """The most probable label of each sequence, in the user's labels."""
        proba = self.predict_proba(X, static)  # first: it checks that the model is fitted
        return self.classes_[proba.argmax(axis=1)]

    def predict_runs(self, X: Any, static: Any = None) -> list[np.ndarray]:
        """Each run's probabilities ``[N, n_classes]`` alone (one item without repeats)."""
        return list(_softmax(self._run_outputs(X, static)))

    def score(self, X: Any, y: Any, static: Any = None) -> float:
        """Accuracy. Labels never seen in training are an error, not a silent miss."""
        labels = _labels(y)
        check_known_labels(labels, self.classes_)
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
@dataclass(kw_only=True, eq=False, repr=False)
class SequenceRegressor(RegressorOptions, SequenceEstimator):
    """Numbers per sequence (``[N]`` or ``[N, K]``), standardised for training and returned in
    the user's units. See :class:`SequenceEstimator` for the arguments.

    Args:
        loss: "mse", "mae" or "huber" (on the standardised targets).

    Example:
        >>> reg = SequenceRegressor().fit(X, bmi, static=covariates)  # the two-input model
    """

    _task = "regression"

    def fit(self, X: Any, y: Any, static: Any = None, checkpoint: Any = None,
            resume: bool = False) -> SequenceRegressor:
        """Train. Shapes: X ``[N, T, F]`` or a list; y ``[N]`` or ``[N, K]``; static
        ``[N, S]``. ``checkpoint``, ``resume``: as in :meth:`SequenceClassifier.fit`."""
        from rnnkit.train import regression_loss

        self.validate()
        started = tracking.start(self)
        target = _numbers(y)
        self.single_output_ = target.ndim == 1
        target = target.reshape(len(target), -1)
        # scaled by the rows that train (the hold-out _fit draws, drawn alike here)
        rows = split_holdout(len(target), self.val_size, self.seed, order=self.holdout).train
        self.y_mean_, self.y_std_ = standardisation(target[rows])
        scaled = ((target - self.y_mean_) / self.y_std_).astype(np.float32)
        self._fit(X, static, scaled, target.shape[1], regression_loss(self.loss),
                  checkpoint=checkpoint, resume=resume)
        tracking.record(self, "fit", X, started=started)
        return self

    def predict(self, X: Any, static: Any = None) -> np.ndarray:
        """Predictions in the user's units: ``[N]`` (or ``[N, K]``); the mean of the runs
        with ``repeats``."""
        return np.mean(self.predict_runs(X, static), axis=0)

    def predict_runs(self, X: Any, static: Any = None) -> list[np.ndarray]:
        """Each run's predictions alone (one item without repeats)."""
        runs = self._run_outputs(X, static) * self.y_std_ + self.y_mean_
        return [r[:, 0] if self.single_output_ else r for r in runs]

    def score(self, X: Any, y: Any, static: Any = None) -> float:
        """R² (1 - residual / total sum of squares), averaged over outputs."""
        truth = _numbers(y).reshape(len(y), -1)
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


def check_known_labels(labels: np.ndarray, classes: np.ndarray) -> None:
    """Refuse labels never seen in training (a score would count them as silent misses);
    where they are the known ones written as another type (1 for '1'), say so."""
    known = classes.tolist()
    unseen = sorted(set(np.asarray(labels).reshape(-1).tolist()) - set(known), key=str)
    if not unseen:
        return
    as_text = {str(k) for k in known}
    hint = (" They are the known labels as another type (the model's are "
            f"{type(known[0]).__name__}): convert y to it." if all(str(u) in as_text
                                                                  for u in unseen)
            else " Score on known classes only.")
    raise InputError(f"y has labels {unseen[:5]} that were not in training ({known[:10]})."
                     + hint)


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _labels(y: Any) -> np.ndarray:
    shape = np.shape(y)
    if len(shape) == 2 and shape[1] > 1:
        onehot = np.asarray(y)
        hint = (" It looks one-hot encoded (Keras' to_categorical): pass y.argmax(1), or the "
                "class labels." if np.isin(onehot, (0, 1)).all() else " Pass one label per "
                "sequence.")
        raise InputError(f"y has shape {shape}; a classifier takes one label per sequence "
                         f"[samples].{hint}")
    labels = np.asarray(y, dtype=object).reshape(-1)
    if labels.size == 0:
        raise InputError("y is empty: there is nothing to fit or score. Pass the labels of "
                         "the sequences.")
    missing = [i for i, v in enumerate(labels.tolist())
               if v is None or (isinstance(v, float) and np.isnan(v))]
    if missing:
        raise InputError(f"y has a missing label at row {missing[0]} ({len(missing)} in all). "
                         "Drop those sequences or give them a label.")
    return np.asarray(labels.tolist())


def _numbers(y: Any) -> np.ndarray:
    try:
        target = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InputError(f"y must be numbers for a regressor ({e}). Convert the targets to "
                         "numbers, or use SequenceClassifier for labels.") from e
    if target.size == 0:
        raise InputError(f"y is empty (shape {target.shape}): there is nothing to fit or "
                         "score. Pass the targets of the sequences.")
    if not np.isfinite(target).all():
        row = np.argwhere(~np.isfinite(target.reshape(len(target), -1)))[0][0]
        raise InputError(f"y has NaN or inf at row {row}. Drop or fill those targets.")
    return target
