"""Data: frames, windows, scaling, sequences (numpy and pandas only, never torch)."""

from __future__ import annotations

from rnnkit.data.explain import WindowPlan, explain_windows
from rnnkit.data.frames import Columns, Panel, future_times, load_panel, read_data, season_length
from rnnkit.data.scalers import Scaler
from rnnkit.data.validation import as_3d, check_choice, check_positive_int
from rnnkit.data.windows import Windows, make_windows, seasonal_windows

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
