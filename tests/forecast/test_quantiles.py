from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import one_series

import rnnkit
from rnnkit.errors import InputError
from rnnkit.train import pinball_loss

FAST = dict(max_time=None, hidden_size=8, epochs=5, batch_size=16, verbose=0, lookback=12,
            horizon=4)


def _series(n=90):
    return one_series(n, seasons=((12, 1.0),), noise=0.3)


def test_pinball_loss_by_hand():
    pred = torch.tensor([[[1.0, 2.0]]])  # levels 0.1 and 0.9
    target = torch.tensor([[[1.5]]])
    # level 0.1: error +0.5 -> 0.1 * 0.5; level 0.9: error -0.5 -> (0.9 - 1) * -0.5
    expected = (0.1 * 0.5 + 0.1 * 0.5) / 2
    assert pinball_loss((0.1, 0.9))(pred, target).item() == pytest.approx(expected)


def test_quantiles_are_monotone_with_the_median_as_point_forecast():
    f = rnnkit.Forecaster(quantiles=(0.1, 0.5, 0.9), **FAST).fit(_series())
    out = f.predict()
    assert list(out.columns) == ["ds", "y", "y_q0.1", "y_q0.5", "y_q0.9"]
    assert (out["y_q0.1"] <= out["y_q0.5"]).all() and (out["y_q0.5"] <= out["y_q0.9"]).all()
    np.testing.assert_array_equal(out["y"], out["y_q0.5"])


def test_every_quantile_comes_back_in_the_data_units_under_a_log_transform():
    """The log transform is undone on every level, not only the first (a bug: q0.5 and q0.9
    came back as logs on airline)."""
    f = rnnkit.Forecaster(quantiles=(0.1, 0.5, 0.9), transform="log", **FAST).fit("airline")
    out = f.predict()
    assert (out["y_q0.1"] <= out["y_q0.5"]).all() and (out["y_q0.5"] <= out["y_q0.9"]).all()
    assert out[["y_q0.1", "y_q0.5", "y_q0.9"]].min().min() > 100  # passengers, not logs


def test_backtest_reports_interval_coverage_and_width():
    bt = rnnkit.Forecaster(quantiles=(0.1, 0.5, 0.9), **FAST).backtest(_series(), n_windows=3)
    lo, hi = bt.forecasts["LSTM_q0.1"], bt.forecasts["LSTM_q0.9"]
    inside = ((bt.forecasts["actual"] >= lo) & (bt.forecasts["actual"] <= hi)).mean()
    assert bt.intervals["coverage"] == pytest.approx(inside)
    assert bt.intervals["mean_width"] == pytest.approx((hi - lo).mean())
    assert bt.intervals["nominal_coverage"] == pytest.approx(0.8)
    assert "nominal 80%" in bt.interval_line()
    assert bt.interval_line() in bt.table()  # as an evaluation's table has it
    one_step = rnnkit.Forecaster(quantiles=(0.1, 0.5, 0.9), **FAST).evaluate(
        _series(), protocol="one-step", test_size=4)  # a backtest of one-step forecasts
    assert "nominal 80%" in one_step.table()


def test_evaluate_reports_the_holdout_interval_and_it_is_calibrated_on_noise():
    """Coverage and width on the holdout, recomputed from the forecasts frame; on a seeded
    series of pure Gaussian noise around a season, the 0.1-0.9 interval covers about 80%."""
    rng = np.random.default_rng(0)
    t = np.arange(600)
    data = pd.DataFrame({"ds": t, "y": 10 + np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 600)})
    e = rnnkit.Forecaster(quantiles=(0.1, 0.5, 0.9), season_length=12, lookback=24, horizon=48,
                          epochs=30, repeats=1, verbose=0, window_norm="last").evaluate(
        data, test_size=48)
    f = e.forecasts
    inside = ((f["actual"] >= f["LSTM_q0.1"]) & (f["actual"] <= f["LSTM_q0.9"])).mean()
    assert e.intervals["coverage"] == pytest.approx(inside)
    assert e.intervals["mean_width"] == pytest.approx((f["LSTM_q0.9"] - f["LSTM_q0.1"]).mean())
    assert 0.6 <= inside <= 0.97  # nominal 0.8 on 48 steps; unit noise: width about 2.56
    assert 1.5 < e.intervals["mean_width"] < 4.0
    assert "nominal 80%" in e.table() and e.to_dict()["intervals"] == e.intervals


@pytest.mark.parametrize("kwargs,match", [
    ({"quantiles": (0.9, 0.1)}, "increasing"),
    ({"quantiles": (0.1, 1.0)}, "increasing"),
    ({"quantiles": (0.1, 0.9), "strategy": "recursive"}, "strategy='direct'"),
    # the point forecast is the median: without 0.5 it was the upper level
    ({"quantiles": (0.1, 0.9)}, r"has no 0.5.*Pass quantiles=\(0.1, 0.5, 0.9\)"),
])
def test_bad_quantiles(kwargs, match):
    with pytest.raises(InputError, match=match):
        rnnkit.Forecaster(**FAST | kwargs).fit(_series())


def test_predict_windows_gives_the_median_level():
    data = _series()
    f = rnnkit.Forecaster(quantiles=(0.1, 0.5, 0.9), **FAST).fit(data)
    last = f.predict_windows(data).groupby("cutoff").head(4).tail(4)
    cutoff = last["cutoff"].iloc[0]
    single = f.predict(data=data[data["ds"] <= cutoff])
    np.testing.assert_allclose(last["y"], single["y_q0.5"], rtol=1e-5)
    for level in ("y_q0.1", "y_q0.5", "y_q0.9"):  # every level, as predict gives them
        np.testing.assert_allclose(last[level], single[level], rtol=1e-5)
    with pytest.raises(InputError, match="lookback \\(12 rows\\) before them and one observed "
                                         "step after it: 13 rows, but series 'series' has 10"):
        f.predict_windows(data.iloc[:10])
