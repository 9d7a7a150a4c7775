"""One training loop over in-memory tensors. Never sees a DataFrame.

The names below load their module on first use, so importing a torch-free module of
this package (its configuration) does not import torch."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOME = {
    "Batches": "rnnkit.train.batches",
    "History": "rnnkit.train.loop",
    "LOSSES": "rnnkit.train.config",
    "SequenceBatches": "rnnkit.train.batches",
    "TensorBatches": "rnnkit.train.batches",
    "TrainConfig": "rnnkit.train.config",
    "WindowBatches": "rnnkit.train.batches",
    "mean_loss": "rnnkit.train.loop",
    "pinball_loss": "rnnkit.train.loop",
    "regression_loss": "rnnkit.train.loop",
    "train_model": "rnnkit.train.loop",
}

__all__ = [
    "Batches",
    "History",
    "LOSSES",
    "SequenceBatches",
    "TensorBatches",
    "TrainConfig",
    "WindowBatches",
    "mean_loss",
    "pinball_loss",
    "regression_loss",
    "train_model",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'rnnkit.train' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
