"""Torch modules: the recurrent core, heads and network assembly. Never sees a DataFrame.

The names below load their module on first use, so importing a torch-free module of
this package (its configuration) does not import torch."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOME = {
    "BIAS_CONVENTION": "rnnkit.nn.summary",
    "CELLS": "rnnkit.nn.config",
    "ForecastNetConfig": "rnnkit.nn.forecast",
    "LayerCount": "rnnkit.nn.summary",
    "RecurrentConfig": "rnnkit.nn.config",
    "RecurrentCore": "rnnkit.nn.core",
    "RecurrentForecastNet": "rnnkit.nn.forecast",
    "WindowMLP": "rnnkit.nn.forecast",
    "WindowNorm": "rnnkit.nn.forecast",
    "format_summary": "rnnkit.nn.summary",
    "recurrent_layer_counts": "rnnkit.nn.summary",
}

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


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'rnnkit.nn' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
