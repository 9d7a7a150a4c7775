from __future__ import annotations

import numpy as np
import pytest

from rnnkit.data.explain import explain_windows
from rnnkit.data.windows import make_windows, seasonal_windows


@pytest.mark.parametrize("n,lookback,horizon,stride", [(144, 12, 1, 1), (100, 7, 3, 2),
                                                       ([50, 31], 5, 2, 1)])
def test_numbers_agree_with_the_windows(n, lookback, horizon, stride):
    plan = explain_windows(n, lookback, horizon, stride, n_features=2)
    series = [np.zeros((k, 2)) for k in np.atleast_1d(n)]
    w = make_windows(series, lookback, horizon, stride)
    assert plan.samples == len(w)
    assert plan.input_shape == w.inputs().shape
    assert plan.target_shape == w.targets().shape


def test_the_text_tells_the_shapes():
    text = str(explain_windows(144, lookback=12))
    assert "[132, 12, 1]" in text and "(144 - 12 - 1) // 1 + 1 = 132" in text
    assert "inputs rows 0..11 -> target row 12" in text
    assert "inputs rows 131..142 -> target row 143" in text


def test_seasonal_plan():
    plan = explain_windows(10080 * 15, period=10080, n_seasons=14)
    w = seasonal_windows(np.zeros(10080 * 15), 10080, 14)
    assert plan.input_shape == (len(w), 14, 1) == w.inputs().shape
    assert "previous 14 seasons" in str(plan)


def test_several_seasonal_series_name_their_period_and_seasons():
    text = str(explain_windows([20, 30], period=3, n_seasons=2, horizon=2))
    assert text.startswith("2 series of [20, 30] observations with period=3, n_seasons=2, "
                           "horizon=2")
    assert "lookback" not in text.splitlines()[0]


def test_a_period_without_seasons_reads_one_season():
    plan = explain_windows(144, period=12)
    assert plan.input_shape == (132, 1, 1)  # the value one period back, 144 - 12 targets


def test_the_seasonal_plan_names_the_rows_a_window_reads():
    """With one season the plan printed 'inputs rows 0, 12, ..., 0' (row 12 is the target)."""
    from rnnkit.data.explain import explain_windows

    one = str(explain_windows(100, 12, 1, period=12, n_seasons=1))
    assert "First window: inputs rows 0 -> target row 12." in one
    many = str(explain_windows(100, 12, 1, period=12, n_seasons=5))
    assert "First window: inputs rows 0, 12, ..., 48 -> target row 60." in many
