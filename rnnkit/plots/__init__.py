"""Figures (matplotlib, Agg, written atomically): figure.py (saving), forecast.py (forecasts,
learning curves, backtests), inspect.py (states and gates), sequence.py (confusion, scatter).
"""

from __future__ import annotations

from rnnkit.plots.figure import save_figure
from rnnkit.plots.forecast import plot_backtest, plot_forecast, plot_learning_curves

__all__ = ["plot_backtest", "plot_forecast", "plot_learning_curves", "save_figure"]
