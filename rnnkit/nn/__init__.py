"""Torch modules: the recurrent core, heads and network assembly. Never sees a DataFrame."""

from __future__ import annotations

from rnnkit.nn.config import CELLS, RecurrentConfig
from rnnkit.nn.core import RecurrentCore
from rnnkit.nn.forecast import ForecastNetConfig, RecurrentForecastNet, WindowMLP, WindowNorm
from rnnkit.nn.summary import BIAS_CONVENTION, LayerCount, format_summary, recurrent_layer_counts

__all__ = [
    "BIAS_CONVENTION",
    "CELLS",
    "ForecastNetConfig",
    "LayerCount",
    "RecurrentConfig",
    "RecurrentCore",
    "RecurrentForecastNet",
    "WindowMLP",
    "WindowNorm",
    "format_summary",
    "recurrent_layer_counts",
]
