"""SequenceTagger: a label for every step of a sequence (numeric inputs)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnkit.data.scalers import Scaler
from rnnkit.data.sequences import pad_labels, pad_sequences
from rnnkit.errors import InputError
from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.summary import format_summary
from rnnkit.nn.tagger import IGNORE, TaggerNet, masked_cross_entropy
from rnnkit.tasks.base import RnnkitEstimator, register
from rnnkit.train import History, TensorBatches, TrainConfig, train_model


@register
class SequenceTagger(RnnkitEstimator):
    """Label every time step: ``X [samples, timesteps, features]`` -> ``y [samples, timesteps]``.

    Sequences may differ in length (pass a list of ``[T_i, F]`` arrays): they are padded and
    packed, so padding never changes a prediction, and padded steps never enter the loss.
    Labels come back as the user's labels.

    Args:
        cell, hidden_size, num_layers, dropout, bidirectional: the recurrent core.
        scaler: per-feature scaling fitted on the training sequences ("standard", "minmax",
            "none").
        epochs, batch_size, learning_rate, patience, clip_norm, seed, verbose, device:
            training (see :class:`rnnkit.train.TrainConfig`).
        val_size: fraction of the sequences held out (at random, seeded) for early stopping.

    Example:
        >>> tagger = SequenceTagger(hidden_size=16).fit(X, y)
        >>> tagger.predict(X[:2])  # [2, T] labels
    """

    def __init__(
        self,
        *,
        cell: str = "lstm",
        hidden_size: int = 32,
        num_layers: int = 1,
        dropout: float = 0.0,
        bidirectional: bool = False,
        scaler: str = "standard",
        epochs: int = 100,
        batch_size: int = 32,
        learning_rate: float = 1e-2,
        patience: int = 20,
        clip_norm: float = 1.0,
        val_size: float = 0.1,
        seed: int = 0,
        verbose: int = 1,
        device: str = "auto",
    ) -> None:
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.scaler = scaler
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.clip_norm = clip_norm
        self.val_size = val_size
        self.seed = seed
        self.verbose = verbose
        self.device = device

    def fit(self, X: Any, y: Any) -> SequenceTagger:
        """Train on sequences ``X`` and their per-step labels ``y``.

        Shapes:
            X: ``[N, T, F]`` or a list of ``[T_i, F]``; y: ``[N, T]`` or a list of ``[T_i]``.
        """
        x, lengths = pad_sequences(X)
        labels = pad_labels(y, lengths, None)
        valid = np.arange(x.shape[1]) < lengths[:, None]  # [N, T]
        classes = np.unique(labels[valid].astype(str) if _mixed(labels[valid])
                            else labels[valid])
        if len(classes) < 2:
            raise InputError(f"y has a single label {classes.tolist()}; a tagger needs at least "
                             "two. Check the labels.")
        ids = np.full(labels.shape, IGNORE, dtype=np.int64)
        ids[valid] = np.searchsorted(classes, labels[valid])
        rng = np.random.default_rng(self.seed)
        order = rng.permutation(len(x))
        n_val = int(round(self.val_size * len(x))) if len(x) >= 10 else 0
        val_idx, train_idx = order[:n_val], order[n_val:]
        scaler = Scaler(self.scaler).fit(x[train_idx][valid[train_idx]])
        scaled = (scaler.transform(x) * valid[..., None]).astype(np.float32)  # pads stay 0
        torch.manual_seed(self.seed)
        config = RecurrentConfig(self.cell, x.shape[2], self.hidden_size, self.num_layers,
                                 self.dropout, self.bidirectional)
        model = TaggerNet(config, len(classes))

        def batches(index):
            inputs = (torch.from_numpy(scaled[index]), torch.from_numpy(lengths[index]))
            return TensorBatches(inputs, torch.from_numpy(ids[index]))

        train_config = TrainConfig(
            epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
            patience=self.patience, clip_norm=self.clip_norm, seed=self.seed,
            verbose=self.verbose, device=self.device,
        )
        self.history_: History = train_model(model, batches(train_idx), train_config,
                                             batches(val_idx) if n_val else None,
                                             masked_cross_entropy)
        self.model_, self.scaler_, self.classes_ = model, scaler, classes
        self.n_features_ = x.shape[2]
        return self

    @torch.inference_mode()
    def predict_proba(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """Class probabilities per step: ``[N, T, C]`` (a list of ``[T_i, C]`` if ragged)."""
        self._check_fitted("predict")
        x, lengths = pad_sequences(X)
        if x.shape[2] != self.n_features_:
            raise InputError(f"X has {x.shape[2]} features per step; the model was trained on "
                             f"{self.n_features_}. Pass the same features.")
        valid = np.arange(x.shape[1]) < lengths[:, None]
        scaled = (self.scaler_.transform(x) * valid[..., None]).astype(np.float32)
        device = next(self.model_.parameters()).device
        logits = self.model_(torch.from_numpy(scaled).to(device), torch.from_numpy(lengths))
        proba = torch.softmax(logits.double(), dim=-1).cpu().numpy()
        if isinstance(X, np.ndarray) and X.dtype != object:
            return proba
        return [p[:n] for p, n in zip(proba, lengths, strict=True)]

    def predict(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """The most probable label per step, in the user's labels."""
        proba = self.predict_proba(X)
        if isinstance(proba, list):
            return [self.classes_[p.argmax(-1)] for p in proba]
        return self.classes_[proba.argmax(-1)]

    def score(self, X: Any, y: Any) -> float:
        """Accuracy over all real (not padded) steps."""
        predicted = self.predict(X)
        _, lengths = pad_sequences(X)
        truth = pad_labels(y, lengths, None)
        pred = pad_labels(predicted, lengths, None)
        valid = np.arange(truth.shape[1]) < lengths[:, None]
        return float(np.mean(truth[valid] == pred[valid]))

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
            from rnnkit.datasets.teaching import TASKS, example_sequence

            X = example_sequence(X) if X in TASKS else np.load(X, allow_pickle=False)
        seq = np.asarray(X, dtype=np.float64)
        seq = seq[:, None] if seq.ndim == 1 else seq
        if seq.ndim == 3 and len(seq) == 1:
            seq = seq[0]
        x = torch.from_numpy(self.scaler_.transform(seq).astype(np.float32))
        return inspect_core(self.model_.core, x, seq)

    def summary(self, input_size: int = 1, n_classes: int = 2) -> str:
        """Parameters per layer with the closed form; before fitting, for the given sizes."""
        model = getattr(self, "model_", None)
        if model is None:
            config = RecurrentConfig(self.cell, input_size, self.hidden_size, self.num_layers,
                                     self.dropout, self.bidirectional)
            model = TaggerNet(config, n_classes)
        return format_summary(model.layer_counts())

    def _fitted_meta(self) -> dict:
        return {"classes": self.classes_.tolist(), "n_features": self.n_features_,
                "scaler": self.scaler_.to_dict(), "history": self.history_.to_dict()}

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
        self.classes_ = np.asarray(fitted["classes"])
        self.n_features_ = fitted["n_features"]
        self.scaler_ = Scaler.from_dict(fitted["scaler"])
        self.history_ = History.from_dict(fitted["history"])
        config = RecurrentConfig(self.cell, self.n_features_, self.hidden_size, self.num_layers,
                                 self.dropout, self.bidirectional)
        self.model_ = TaggerNet(config, len(self.classes_))


def _mixed(values: np.ndarray) -> bool:
    """Whether labels mix types that numpy cannot order (then they are compared as text)."""
    return len({type(v) for v in values.tolist()}) > 1
