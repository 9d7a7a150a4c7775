"""Estimators: where data frames meet networks and the training loop."""

from __future__ import annotations

from rnnkit.tasks.base import RnnkitEstimator, load
from rnnkit.tasks.forecaster import Forecaster

__all__ = ["Forecaster", "RnnkitEstimator", "load"]
