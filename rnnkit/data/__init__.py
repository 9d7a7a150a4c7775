"""Data: frames, windows, scaling, sequences (numpy and pandas only, never torch).

Names load on first use, so a module that needs one small piece (``holdout.ORDERS``, say)
does not import pandas: ``rnnkit --help`` answers without it."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_LAZY = {
    "WindowPlan": "explain", "explain_windows": "explain",
    "Columns": "columns", "Panel": "frames", "future_times": "frequency",
    "load_panel": "frames", "read_data": "reading", "season_length": "frequency",
    "Scaler": "scalers",
    "as_3d": "validation", "check_choice": "validation", "check_positive_int": "validation",
    "Windows": "windows", "make_windows": "windows", "seasonal_windows": "windows",
}

__all__ = [
    "Columns",
    "Panel",
    "Scaler",
    "WindowPlan",
    "Windows",
    "as_3d",
    "check_choice",
    "check_positive_int",
    "explain_windows",
    "future_times",
    "load_panel",
    "make_windows",
    "read_data",
    "season_length",
    "seasonal_windows",
]

if TYPE_CHECKING:
    from rnnkit.data.columns import Columns
    from rnnkit.data.explain import WindowPlan, explain_windows
    from rnnkit.data.frames import Panel, load_panel
    from rnnkit.data.frequency import future_times, season_length
    from rnnkit.data.reading import read_data
    from rnnkit.data.scalers import Scaler
    from rnnkit.data.validation import as_3d, check_choice, check_positive_int
    from rnnkit.data.windows import Windows, make_windows, seasonal_windows


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rnnkit.data' has no attribute {name!r}")
    value = getattr(import_module(f"rnnkit.data.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
