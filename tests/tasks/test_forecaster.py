from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import panel
from sklearn.base import clone

import rnnkit
from rnnkit.errors import InputError, NotFittedError

FAST = dict(max_time=None, hidden_size=8, epochs=5, batch_size=16, verbose=0)


def _panel_frame(lengths=(60, 45), seed=0):
    return panel(lengths, noise=0.1, stagger=5, seed=seed)


def test_init_stores_arguments_unchanged_and_clone_works():
    f = rnnkit.Forecaster(lookback=5, feature_cols=("a",), cell="gru")
    assert f.get_params()["feature_cols"] == ("a",)
    g = clone(f)
    assert g.get_params() == f.get_params() and g is not f


def test_predict_before_fit_names_the_class_and_the_fix():
    with pytest.raises(NotFittedError, match="Forecaster is not fitted.*fit"):
        rnnkit.Forecaster().predict()


def test_forecast_carries_future_timestamps_per_series():
    data = _panel_frame()
    f = rnnkit.Forecaster(lookback=14, horizon=7, **FAST).fit(data)
    out = f.predict()
    assert list(out.columns) == ["unique_id", "ds", "y"]
    assert len(out) == 14
    last = data.groupby("unique_id")["ds"].max()
    for sid, group in out.groupby("unique_id"):
        expected = pd.date_range(last[sid], periods=8, freq="D")[1:]
        assert (group["ds"].to_numpy() == expected.to_numpy()).all()
    # values are in the user's units (series s1 sits near 20, s0 near 10)
    means = out.groupby("unique_id")["y"].mean()
    assert 5 < means["s0"] < 15 and 15 < means["s1"] < 25


def test_same_seed_same_weights_and_forecast():
    data = _panel_frame()
    a = rnnkit.Forecaster(lookback=14, horizon=7, seed=3, **FAST).fit(data)
    b = rnnkit.Forecaster(lookback=14, horizon=7, seed=3, **FAST).fit(data)
    for (k, va), vb in zip(a.model_.state_dict().items(), b.model_.state_dict().values(),
                           strict=True):
        assert torch.equal(va, vb), k
    pd.testing.assert_frame_equal(a.predict(), b.predict())


@pytest.mark.parametrize("name", ["model", "model.zip"])
def test_save_load_round_trip_is_exact(tmp_path, name):
    data = _panel_frame()
    f = rnnkit.Forecaster(lookback=14, horizon=7, cell="gru", **FAST).fit(data)
    f.save(tmp_path / name)
    g = rnnkit.load(tmp_path / name)
    assert type(g) is rnnkit.Forecaster and g.get_params() == f.get_params()
    pd.testing.assert_frame_equal(g.predict(), f.predict(), check_exact=True)
    pd.testing.assert_frame_equal(g.predict(data=data, h=3), f.predict(data=data, h=3),
                                  check_exact=True)
    assert g.scaler_.to_dict() == f.scaler_.to_dict()


def test_scaler_is_fitted_on_the_training_part_only():
    y = np.concatenate([np.linspace(0, 1, 80), np.full(20, 1000.0)])
    data = pd.DataFrame({"ds": np.arange(100), "y": y})
    f = rnnkit.Forecaster(lookback=10, horizon=20, scaler="minmax", val_size=20,
                          refit_all=False, transform="none", **FAST)
    f = f.evaluate(data, test_size=20).estimator
    # fitted rows: 0..79 minus the validation rows (the horizon): max is y[59]
    assert f.scaler_.offset_[0, 0] == 0.0
    assert f.scaler_.scale_[0, 0] == pytest.approx(y[59])


def test_recursive_strategy_forecasts_beyond_its_one_step():
    data = _panel_frame((50,))
    f = rnnkit.Forecaster(lookback=14, horizon=3, strategy="recursive", **FAST).fit(data)
    assert f.model_.config.horizon == 1
    assert len(f.predict(h=10)) == 10


def test_direct_strategy_refuses_a_longer_horizon():
    f = rnnkit.Forecaster(lookback=14, horizon=3, **FAST).fit(_panel_frame((50,)))
    with pytest.raises(InputError, match="h=5 is longer than the horizon=3"):
        f.predict(h=5)


def test_a_short_series_forecasts_and_a_horizon_beyond_it_says_what_is_needed():
    data = pd.DataFrame({"ds": np.arange(30), "y": np.sin(np.arange(30.0)) + 5})
    with pytest.raises(InputError, match="lookback=40 is longer than any series holds.*"
                                         "Pass lookback <= 20"):
        rnnkit.Forecaster(lookback=40, horizon=5, **FAST).fit(data)  # made-up history
    f = rnnkit.Forecaster(lookback=20, horizon=5, **FAST).fit(data)
    assert f.lookback_ == 20 and len(f.predict()) == 5
    # it trained: the rows before the validation ones were padded to a whole window (they
    # were padded to the series' length, which left no training window: loss 0, untrained)
    assert all(h.train_loss[0] > 0 for h in f.histories_)
    with pytest.raises(InputError, match="horizon=30.*at least 31"):
        rnnkit.Forecaster(horizon=30, **FAST).fit(data)


def test_unknown_series_at_predict_time():
    f = rnnkit.Forecaster(lookback=14, horizon=3, **FAST).fit(_panel_frame())
    other = _panel_frame().replace({"unique_id": {"s0": "zz"}})
    with pytest.raises(InputError, match="not seen in training"):
        f.predict(data=other)


def test_evaluate_reports_model_and_baselines_on_the_same_targets():
    data = _panel_frame()
    ev = rnnkit.Forecaster(lookback=14, horizon=7, **FAST).evaluate(data, test_size=7)
    assert list(ev.scores.index) == ["LSTM", "naive", "seasonal naive", "window MLP"]
    assert list(ev.scores.columns) == ["RMSE", "MAE", "MAPE", "sMAPE", "MASE"]
    # the seasonal naive row recomputed by hand
    actual, preds = [], []
    for _, g in data.groupby("unique_id", sort=False):
        y = g["y"].to_numpy()
        train, test = y[:-7], y[-7:]
        actual.append(test)
        preds.append(train[-7:])
    err = np.concatenate(actual) - np.concatenate(preds)
    assert ev.scores.loc["seasonal naive", "RMSE"] == pytest.approx(np.sqrt(np.mean(err**2)))
    assert "seasonal naive" in ev.table()


def test_summary_before_fit_matches_closed_form():
    text = rnnkit.Forecaster(hidden_size=4, horizon=1).summary()
    assert "4 x (4 x (1 + 4) + 4 + 4) = 112" in text


def test_predict_windows_equals_predict_from_each_origin():
    data = _panel_frame()
    f = rnnkit.Forecaster(lookback=14, horizon=3, **FAST).fit(data)
    batched = f.predict_windows(data, stride=5)
    for (sid, cutoff), group in batched.groupby(["unique_id", "cutoff"]):
        history = data[(data["unique_id"] == sid) & (data["ds"] <= cutoff)]
        single = f.predict(data=history)
        np.testing.assert_allclose(group["y"].to_numpy(), single["y"].to_numpy(), rtol=1e-5)
        assert (group["ds"].to_numpy() == single["ds"].to_numpy()).all()
    # every origin with a full lookback, stepping back from the last row by 5
    assert batched["cutoff"].nunique() > 1 and len(batched) % 3 == 0


def test_recursive_with_features_is_refused_before_training():
    data = _panel_frame((50,)).assign(temp=1.0)
    f = rnnkit.Forecaster(strategy="recursive", feature_cols=("temp",), lookback=14, horizon=3,
                          **FAST)
    with pytest.raises(InputError, match="cannot use feature_cols"):
        f.fit(data)
    assert not hasattr(f, "model_")
