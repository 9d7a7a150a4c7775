"""One training loop over in-memory tensors. Never sees a DataFrame."""

from __future__ import annotations

from rnnkit.train.batches import Batches, SequenceBatches, TensorBatches, WindowBatches
from rnnkit.train.config import LOSSES, TrainConfig
from rnnkit.train.loop import History, mean_loss, pinball_loss, regression_loss, train_model

__all__ = [
    "LOSSES",
    "Batches",
    "History",
    "SequenceBatches",
    "TensorBatches",
    "TrainConfig",
    "WindowBatches",
    "mean_loss",
    "pinball_loss",
    "regression_loss",
    "train_model",
]
