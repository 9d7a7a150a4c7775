"""Estimators: where data frames meet networks and the training loop."""

from __future__ import annotations

from rnnkit.tasks.base import RnnkitEstimator, load
from rnnkit.tasks.forecaster import Forecaster
from rnnkit.tasks.sequence import SequenceClassifier, SequenceRegressor
from rnnkit.tasks.tagger import SequenceTagger

__all__ = ["Forecaster", "RnnkitEstimator", "SequenceClassifier", "SequenceRegressor",
           "SequenceTagger", "load"]
