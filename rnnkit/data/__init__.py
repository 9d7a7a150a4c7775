"""Data: frames, windows, scaling, splits (numpy and pandas only, never torch)."""

from __future__ import annotations

from rnnkit.data.explain import WindowPlan, explain_windows
from rnnkit.data.frames import Columns, Panel, future_times, load_panel, read_data, season_length
from rnnkit.data.scalers import Scaler
from rnnkit.data.splits import SplitPoints, chronological_split, resolve_size, split_arrays
from rnnkit.data.validation import as_3d, check_choice, check_positive_int
from rnnkit.data.windows import Windows, make_windows, seasonal_windows

__all__ = [
    "Columns",
    "Panel",
    "Scaler",
    "SplitPoints",
    "WindowPlan",
    "Windows",
    "as_3d",
    "check_choice",
    "check_positive_int",
    "chronological_split",
    "explain_windows",
    "future_times",
    "load_panel",
    "make_windows",
    "read_data",
    "resolve_size",
    "season_length",
    "seasonal_windows",
    "split_arrays",
]
