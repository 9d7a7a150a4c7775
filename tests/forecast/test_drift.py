"""Yearly data (a calendar without a season): the untrained network forecasts the naive
forecast with drift (the last value, going on at the window's pace), from a window of up to
three horizons of which the network reads the last; the choice is saved with the model."""

from __future__ import annotations

import numpy as np
import torch
from conftest import one_series, panel

import rnnkit
from rnnkit.forecast.networks import build_network, start_at_base, window_norm
from rnnkit.nn.forecast import WindowNorm

FAST = dict(max_time=None, hidden_size=8, epochs=2, batch_size=16, verbose=0, repeats=1)


def test_the_drift_base_by_hand():
    x = torch.tensor([[[1.0, 5.0], [2.0, 6.0], [4.0, 5.0], [7.0, 9.0]]])  # [1, 4, 2]
    shifted, base = WindowNorm("drift", 2, (0,), horizon=3)(x)
    # the last value 7, at the window's pace (7 - 1) / 3 = 2 a step
    np.testing.assert_allclose(base[0, :, 0].numpy(), [9.0, 11.0, 13.0])
    np.testing.assert_allclose(shifted[0, :, 0].numpy(), [-6.0, -5.0, -3.0, 0.0])
    np.testing.assert_allclose(shifted[0, :, 1].numpy(), [5.0, 6.0, 5.0, 9.0])  # a covariate
    one = WindowNorm("drift", 1, (0,), horizon=2)(x[:, -1:, :1])[1]
    np.testing.assert_allclose(one[0, :, 0].numpy(), [7.0])  # one step: no pace, the naive


def test_yearly_data_starts_from_the_naive_with_drift_and_keeps_it_in_the_file(tmp_path):
    data = one_series(40, "YS", trend=0.5, seasons=(), noise=0.3, seed=1)
    model = rnnkit.Forecaster(**FAST, horizon=5, transform="none").fit(data)
    # the window: 3 horizons, for the pace; the network reads the last one
    assert model.lookback_ == 15 and model.fitted_.spec.reads == 5 and model.fitted_.spec.drift
    assert model.model_.config.window_norm == "drift" == window_norm(model, model.fitted_.spec)
    start_at_base(model.model_)  # the head at zero: what the untrained network forecasts
    y = data["y"].to_numpy()
    expected = y[-1] + (y[-1] - y[-15]) / 14 * np.arange(1, 6)  # in the user's units
    np.testing.assert_allclose(model.predict()["y"].to_numpy(), expected, rtol=1e-5)
    model.save(tmp_path / "m")
    loaded = rnnkit.load(tmp_path / "m")
    assert loaded.fitted_.spec.drift and loaded.model_.config.window_norm == "drift"
    np.testing.assert_array_equal(loaded.predict()["y"], model.predict()["y"])
    # a season, or times without a calendar: the base stays the last season / last value
    seasonal = rnnkit.Forecaster(**FAST, horizon=3).fit(one_series(60, "MS"))
    assert build_network(seasonal, seasonal.fitted_.spec).norm.mode == "season"
    plain = rnnkit.Forecaster(**FAST, horizon=5).fit(data.assign(ds=np.arange(len(data))))
    assert not plain.fitted_.spec.drift and plain.lookback_ == 10
    assert plain.model_.config.window_norm == "season"


def test_short_series_without_a_season_forecast_every_series():
    data = panel((12, 15, 20), "YS", seed=3)  # yearly: no season; 12 years is short
    model = rnnkit.Forecaster(**FAST).fit(data)
    evaluation = rnnkit.Forecaster(**FAST).evaluate(data, test_size=4)
    assert evaluation.estimator.lookback_ == 4  # the evaluation's horizon
    forecast = model.predict()
    assert forecast["unique_id"].nunique() == 3 and np.isfinite(forecast["y"]).all()


def test_drift_asked_for_by_name_and_where_it_cannot_be():
    import pytest

    from rnnkit.errors import InputError

    seasonal = one_series(60, "MS")
    model = rnnkit.Forecaster(**FAST, horizon=3, window_norm="drift").fit(seasonal)
    assert model.model_.config.window_norm == "drift"  # asked for: even with a season
    yearly = one_series(30, "YS", trend=0.5, seasons=())
    named = rnnkit.Forecaster(**FAST, horizon=4, window_norm="drift").fit(yearly)
    default = rnnkit.Forecaster(**FAST, horizon=4).fit(yearly)
    assert named.lookback_ == default.lookback_ == 12  # by name: the same model as by default
    assert named.fitted_.spec.reads == default.fitted_.spec.reads == 4
    # frequencies that rnnkit knows no season of, but that are not years: no drift
    for freq in ("6h", "2D", "5min"):
        other = rnnkit.Forecaster(**FAST, horizon=4).fit(one_series(60, freq, trend=0.3))
        assert not other.fitted_.spec.drift and other.model_.config.window_norm == "season"
    for bad in (dict(strategy="seq2seq"), dict(training="sequence")):
        with pytest.raises(InputError, match="window_norm='drift'"):
            rnnkit.Forecaster(**FAST, window_norm="drift", **bad).fit(seasonal)


def test_the_reports_of_yearly_data_put_the_drift_base_beside_the_model():
    from rnnkit.evaluate.baselines import DRIFT, drift_at

    # by hand: last value 7, pace (7 - 1) / 3; a history of 2 rows pads its first in front
    target = np.array([1.0, 2.0, 4.0, 7.0, 0.0, 3.0, 5.0])
    got = drift_at(target, np.array([4, 7]), np.array([4, 2]), 2, lookback=4)
    np.testing.assert_allclose(got, [[9.0, 11.0], [5 + 2 / 3, 5 + 4 / 3]])
    data = one_series(40, "YS", trend=0.5, seasons=(), noise=0.3, seed=1)
    evaluation = rnnkit.Forecaster(**FAST).evaluate(data, test_size=5)
    y = data["y"].to_numpy()[:-5]
    by_hand = y[-1] + (y[-1] - y[-15]) / 14 * np.arange(1, 6)  # the pace over 3 horizons
    np.testing.assert_allclose(evaluation.forecasts[DRIFT].to_numpy(), by_hand)
    assert DRIFT in evaluation.scores.index
    backtest = rnnkit.Forecaster(**FAST, horizon=4).backtest(data, n_windows=2)
    assert list(backtest.scores.index[:4]) == ["LSTM", "naive", "seasonal naive", DRIFT]
    seasonal = rnnkit.Forecaster(**FAST).evaluate(one_series(60, "MS"), test_size=6)
    assert DRIFT not in seasonal.scores.index  # only where the model starts from it


def test_yearly_growth_is_not_logged_by_auto_and_the_drift_row_follows_the_log():
    from rnnkit.data.scalers import multiplicative
    from rnnkit.evaluate.baselines import drift_at

    years = np.arange(40)
    rng = np.random.default_rng(0)
    y = np.exp(0.12 * years) * (1 + 0.05 * rng.standard_normal(40))  # compounding growth
    data = one_series(40, "YS", seasons=(), seed=0).assign(y=y)
    assert multiplicative([y], None)  # what "auto" would have logged
    # on logs the drift base is a growth rate, compounded over the horizon: auto keeps it off
    auto = rnnkit.Forecaster(**FAST, horizon=5).fit(data)
    assert auto.fitted_.spec.drift and not auto.fitted_.scaler.log_target
    logged = rnnkit.Forecaster(**FAST, horizon=5, transform="log").fit(data)
    assert logged.fitted_.scaler.log_target  # asked for by name, it is kept
    # the "naive with drift" row is the start of the model: on logs where the model logs
    target = np.array([1.0, 2.0, 4.0, 8.0])
    np.testing.assert_allclose(drift_at(target, np.array([4]), np.array([4]), 2, 4, log=True),
                               [[16.0, 32.0]])
    np.testing.assert_allclose(drift_at(target, np.array([4]), np.array([4]), 2, 4),
                               [[8.0 + 7 / 3, 8.0 + 14 / 3]])


def test_a_backtest_of_yearly_data_takes_each_fits_window_and_drift():
    from rnnkit.evaluate.baselines import DRIFT

    data = one_series(40, "YS", trend=0.5, seasons=(), noise=0.3, seed=1)
    backtest = rnnkit.Forecaster(**FAST, horizon=4).backtest(data, n_windows=4)
    fit = rnnkit.Forecaster(**FAST, horizon=4).fit(data.iloc[:24])  # before the first origin
    window = fit.lookback_
    assert window < rnnkit.Forecaster(**FAST, horizon=4).fit(data).lookback_  # shorter data
    y = data["y"].to_numpy()
    drift = backtest.forecasts[DRIFT].to_numpy().reshape(4, 4)
    for k, origin in enumerate(range(24, 40, 4)):  # the row is the fit's start, by hand
        last, first = y[origin - 1], y[origin - window]
        np.testing.assert_allclose(drift[k], last + (last - first) / (window - 1)
                                   * np.arange(1, 5), rtol=1e-6)
    # a short series: the first window needs the horizon the network reads, not three
    short = one_series(30, "YS", trend=0.5, seasons=())
    assert len(rnnkit.Forecaster(**FAST, horizon=4).backtest(short, n_windows=5).forecasts)
