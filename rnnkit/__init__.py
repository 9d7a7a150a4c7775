"""rnnkit: recurrent neural networks (RNN, LSTM, GRU) on sequences, done right.

Importing rnnkit is cheap: torch is imported only when an estimator is first used, so the
CLI's ``--help`` and ``datasets`` answer at once.

Example:
    >>> import rnnkit
    >>> f = rnnkit.Forecaster().fit("airline")
    >>> f.predict()
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from rnnkit._version import __version__
from rnnkit.errors import (
    ArtifactError,
    InputError,
    NotFittedError,
    RnnkitError,
    TrainingError,
)

_LAZY = {
    "Forecaster": "rnnkit.tasks.forecaster",
    "SequenceTagger": "rnnkit.tasks.tagger",
    "SequenceToSequence": "rnnkit.tasks.translation",
    "SequenceClassifier": "rnnkit.tasks.sequence",
    "SequenceRegressor": "rnnkit.tasks.sequence",
    "load": "rnnkit.tasks",
    "Evaluation": "rnnkit.evaluate.report",
    "cross_validate": "rnnkit.tasks.sequence_jobs",
    "explain_windows": "rnnkit.data.explain",
    "load_dataset": "rnnkit.datasets",
    "list_datasets": "rnnkit.datasets",
    "tune": "rnnkit.tuning",
    "TuneResult": "rnnkit.tuning",
}

__all__ = [
    "ArtifactError",
    "Evaluation",
    "Forecaster",
    "InputError",
    "NotFittedError",
    "RnnkitError",
    "SequenceClassifier",
    "SequenceRegressor",
    "SequenceTagger",
    "SequenceToSequence",
    "TrainingError",
    "TuneResult",
    "__version__",
    "cross_validate",
    "explain_windows",
    "list_datasets",
    "load",
    "load_dataset",
    "tune",
]


if TYPE_CHECKING:
    from rnnkit.data.explain import explain_windows
    from rnnkit.datasets import list_datasets, load_dataset
    from rnnkit.evaluate.report import Evaluation
    from rnnkit.tasks.base import load
    from rnnkit.tasks.forecaster import Forecaster
    from rnnkit.tasks.sequence import SequenceClassifier, SequenceRegressor
    from rnnkit.tasks.sequence_jobs import cross_validate
    from rnnkit.tasks.tagger import SequenceTagger
    from rnnkit.tasks.translation import SequenceToSequence
    from rnnkit.tuning import TuneResult, tune


# the subpackages the documentation names (rnnkit.datasets.load, rnnkit.reference, ...):
# reachable after a plain ``import rnnkit``, imported on first use
_SUBMODULES = ("data", "datasets", "evaluate", "export", "forecast", "metrics", "nn", "plots",
               "reference", "tasks", "tracking", "train", "tuning")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        value = import_module(f"rnnkit.{name}")
    else:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'rnnkit' has no attribute {name!r}")
        value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
