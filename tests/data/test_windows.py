from __future__ import annotations

import numpy as np
import pytest

from rnnkit.data.windows import make_windows, seasonal_windows
from rnnkit.errors import InputError


def loop_windows(series_list, lookback, horizon, stride=1, target_cols=(0,)):
    """The tutorials' create_dataset, per series, aligned to end at the last row."""
    xs, ys = [], []
    for values in series_list:
        values = values.reshape(len(values), -1)
        last = len(values) - lookback - horizon
        origins = list(range(last, -1, -stride))[::-1]
        for i in origins:
            xs.append(values[i : i + lookback])
            ys.append(values[i + lookback : i + lookback + horizon][:, list(target_cols)])
    return np.array(xs), np.array(ys)


@pytest.mark.parametrize("lookback,horizon,stride", [(1, 1, 1), (5, 3, 1), (7, 2, 3), (4, 1, 5)])
def test_single_series_matches_the_loop_and_is_a_view(lookback, horizon, stride):
    values = np.random.default_rng(0).normal(size=(40, 2))
    w = make_windows(values, lookback, horizon, stride)
    ref_x, ref_y = loop_windows([values], lookback, horizon, stride)
    x, y = w.inputs(), w.targets()
    np.testing.assert_array_equal(x, ref_x)
    np.testing.assert_array_equal(y, ref_y)
    assert np.shares_memory(x, values) and np.shares_memory(y, values)


def test_many_series_never_cross_a_boundary():
    rng = np.random.default_rng(1)
    series = [rng.normal(size=(n, 3)) for n in (12, 30, 9)]
    w = make_windows(series, 4, 2, stride=2, target_cols=(0, 2))
    ref_x, ref_y = loop_windows(series, 4, 2, 2, (0, 2))
    np.testing.assert_array_equal(w.inputs(), ref_x)
    np.testing.assert_array_equal(w.targets(), ref_y)
    # by index: the same as selecting from the full arrays
    idx = np.array([0, 5, len(w) - 1])
    np.testing.assert_array_equal(w.inputs(idx), ref_x[idx])
    # target_times are rows within each series
    lengths = np.array([12, 30, 9])
    assert (w.target_times() + 2 <= lengths[w.series]).all()
    assert w.target_times()[w.series == 2].max() == 9 - 2


def test_seasonal_lags_match_the_loop():
    values = np.arange(100.0)[:, None] * np.array([[1.0, -1.0]])
    period, n_seasons, horizon = 7, 3, 2
    w = seasonal_windows(values, period, n_seasons, horizon)
    xs, ys = [], []
    for t in range(period * n_seasons, len(values) - horizon + 1):
        xs.append([values[t - k * period] for k in range(n_seasons, 0, -1)])
        ys.append(values[t : t + horizon, :1])
    np.testing.assert_array_equal(w.inputs(), np.array(xs))
    np.testing.assert_array_equal(w.targets(), np.array(ys))
    assert np.shares_memory(w.inputs(), values)


def test_seasonal_lags_for_many_series():
    series = [np.arange(30.0), 100 + np.arange(25.0)]
    w = seasonal_windows(series, period=5, n_seasons=2)
    x = w.inputs()[:, :, 0]
    y = w.targets()[:, 0, 0]
    np.testing.assert_array_equal(x[:, 1] - x[:, 0], np.full(len(w), 5.0))
    np.testing.assert_array_equal(y - x[:, 1], np.full(len(w), 5.0))
    assert len(w) == (30 - 10) + (25 - 10)


def test_too_short_series_says_how_many_are_needed():
    message = "lookback=200 and horizon=24 need at least 224 .*'b' has 150"
    with pytest.raises(InputError, match=message):
        make_windows([np.zeros(300), np.zeros(150)], 200, 24, series_names=["a", "b"])


@pytest.mark.parametrize("kwargs", [{"lookback": 0}, {"lookback": 2.5}, {"horizon": True},
                                    {"stride": -1}])
def test_bad_window_settings(kwargs):
    args = {"lookback": 3, "horizon": 1, "stride": 1} | kwargs
    with pytest.raises(InputError, match="must be a positive integer"):
        make_windows(np.zeros(20), **args)


def test_already_windowed_input_is_refused():
    with pytest.raises(InputError, match="already windowed"):
        make_windows(np.zeros((5, 4, 1)), 2)
