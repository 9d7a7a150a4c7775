"""Estimators: where data frames meet networks and the training loop.

The names below load their module on first use, so reading an estimator's declared arguments
(``rnnkit.tasks.sequence_options``, what the CLI builds its flags from) does not import torch.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOME = {
    "Forecaster": "rnnkit.tasks.forecaster",
    "RnnkitEstimator": "rnnkit.tasks.base",
    "SequenceClassifier": "rnnkit.tasks.sequence",
    "SequenceRegressor": "rnnkit.tasks.sequence",
    "SequenceTagger": "rnnkit.tasks.tagger",
    "SequenceToSequence": "rnnkit.tasks.translation",
    "load": "rnnkit.tasks.base",
}

__all__ = ["Forecaster", "RnnkitEstimator", "SequenceClassifier", "SequenceRegressor",
           "SequenceTagger", "SequenceToSequence", "load"]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'rnnkit.tasks' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
