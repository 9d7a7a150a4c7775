"""Evaluation: baselines, holdout scores and their report."""

from __future__ import annotations

from rnnkit.evaluate.baselines import naive, seasonal_naive
from rnnkit.evaluate.report import METRICS, Evaluation

__all__ = ["METRICS", "Evaluation", "naive", "seasonal_naive"]
