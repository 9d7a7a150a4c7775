"""Evaluation: baselines, holdout scores and their report."""

from __future__ import annotations

from rnnkit.evaluate.baselines import naive, seasonal_naive
from rnnkit.evaluate.report import METRICS, Backtest, Evaluation, format_scores

__all__ = ["METRICS", "Backtest", "Evaluation", "format_scores", "naive", "seasonal_naive"]
