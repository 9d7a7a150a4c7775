from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import one_series

import rnnkit
from rnnkit.evaluate.diagnosis import diagnose
from rnnkit.forecast import pace

FAST = dict(max_time=None, hidden_size=8, epochs=4, batch_size=16, verbose=0, lookback=12,
            horizon=3)


def _series(n=80):
    return one_series(n, seasons=((12, 1.0),), trend=0.01)


def test_repeats_form_a_reproducible_mean_ensemble(tmp_path):
    data = _series()
    a = rnnkit.Forecaster(repeats=3, **FAST).fit(data)
    b = rnnkit.Forecaster(repeats=3, **FAST).fit(data)
    pd.testing.assert_frame_equal(a.predict(), b.predict(), check_exact=True)
    assert len(a.histories_) == 3
    # the ensemble's forecast is the mean of its runs, run k seeded with seed + k
    runs = [rnnkit.Forecaster(seed=k, repeats=1, **FAST).fit(data).predict()["y"]
            for k in range(3)]
    np.testing.assert_allclose(a.predict()["y"], np.mean(runs, axis=0), rtol=1e-6)
    a.save(tmp_path / "m")
    back = rnnkit.load(tmp_path / "m")
    pd.testing.assert_frame_equal(back.predict(), a.predict(), check_exact=True)
    assert len(back.histories_) == 3


def test_median_ensemble_and_evaluation_spread():
    f = rnnkit.Forecaster(repeats=3, ensemble="median", **FAST)
    ev = f.evaluate(_series(), test_size=3)
    f = ev.estimator
    assert ev.runs.shape == (3, 5) and "3 runs, each alone: RMSE" in ev.spread()
    x = torch.zeros(1, 12, 1) + 10
    members = f.model_.forward_members(x)
    torch.testing.assert_close(f.model_(x), members.median(0).values)


def test_refit_all_retrains_on_every_row_for_the_chosen_epochs():
    data = _series()
    f = rnnkit.Forecaster(refit_all=True, scaler="standard", repeats=1, **FAST).fit(data)
    assert f.final_epochs_ == [f.history_.best_epoch]
    assert f.scaler_.offset_[0, 0] == pytest.approx(data["y"].mean())  # all rows, not train
    g = rnnkit.Forecaster(refit_all=False, **FAST).fit(data)
    assert g.final_epochs_ is None
    held = g.fitted_.spec.val_rows  # the horizon plus further validation origins
    assert held == 3 + 3 - 1  # 3 origins: a horizon of them (no season on integer times)
    assert g.scaler_.offset_[0, 0] == pytest.approx(data["y"][:-held].mean())


def test_diagnosis_reads_the_curves():
    falling = [list(np.linspace(1, 0.5, 20))]
    assert diagnose(falling, falling).startswith("underfit")
    rising = [list(np.linspace(1, 0.5, 10)) + list(np.linspace(0.5, 0.8, 10))]
    text = diagnose(falling, rising)
    assert text.startswith("overfit") and "epoch 10" in text and "rose by 60%" in text
    flat = [list(np.linspace(1, 0.5, 10)) + [0.5] * 10]
    assert diagnose(falling, flat).startswith("good fit")
    assert "no validation curve" in diagnose(falling, [[]])


def test_diagnosis_says_when_the_time_budget_cut_runs():
    flat = [list(np.linspace(1, 0.5, 10)) + [0.5] * 10] * 3
    assert "max_time" not in diagnose(flat, flat, [False, False, False])
    text = diagnose(flat, flat, [True, False, True])
    assert "stopped 2 of 3 runs" in text and "max_time=None" in text


@pytest.fixture
def slower_than_reference(monkeypatch):
    """A machine slower than the reference one, which max_time's epochs are sized on: here
    a reference whose epochs cost nothing, so that the clock, not the epochs, stops runs."""
    for name in ("CELL_FIXED", "CELL_SECONDS", "CELL_PAIR_SECONDS", "STEP_SECONDS",
                 "MLP_STEP_SECONDS", "EPOCH_SECONDS"):
        monkeypatch.setattr(pace, name, 0.0)


@pytest.mark.usefixtures("slower_than_reference")
def test_an_evaluation_cut_by_max_time_says_so():
    data = _series()
    slow = rnnkit.Forecaster(**(FAST | {"epochs": 50, "patience": 0, "max_time": 1e-3,
                                        "repeats": 2}))
    evaluation = slow.evaluate(data, test_size=3)
    assert "stopped 2 of 2 runs" in evaluation.diagnosis
    assert all(h.stopped_by_time for h in evaluation.estimator.fitted_.histories)
    unhurried = rnnkit.Forecaster(**(FAST | {"max_time": None, "repeats": 2}))
    assert "time budget" not in unhurried.evaluate(data, test_size=3).diagnosis


@pytest.mark.usefixtures("slower_than_reference")
def test_a_fit_cut_by_max_time_says_so_on_stderr(capsys):
    data = _series()
    params = FAST | {"epochs": 50, "patience": 0, "max_time": 1e-3, "verbose": 1}
    rnnkit.Forecaster(**params).fit(data)
    assert "max_time=None" in capsys.readouterr().err
    rnnkit.Forecaster(**(params | {"verbose": 0})).fit(data)
    assert "max_time" not in capsys.readouterr().err


def test_diagnosis_says_when_no_epoch_beat_the_untrained_network():
    """Runs that kept epoch 0 were called a good fit levelled off at epoch 1; a best epoch
    one before a last that rose 80% was called still falling."""
    val = [[0.2, 0.25, 0.3]]
    text = diagnose(val, val, initial=[0.15])
    assert text.startswith("no trained epoch beat the untrained network") and "33%" in text
    assert diagnose(val, val, initial=[0.5]).startswith("overfit")  # epoch 1 beat the start
    assert diagnose([[1, 0.9, 0.8, 0.7]], [[1, 0.9, 0.5, 0.9]]).startswith("overfit")


def test_a_short_history_with_season_lags_and_a_non_positive_new_value_are_refused():
    data = _series(80)
    lags = rnnkit.Forecaster(**FAST, season_length=12, season_lags=2).fit(data)
    with pytest.raises(rnnkit.InputError, match=r"12 rows; .* reads 36.*Pass at least 36"):
        lags.predict(data=data.iloc[-12:])
    pd.testing.assert_frame_equal(lags.predict(data=data.iloc[-36:]), lags.predict(data=data))
    logged = rnnkit.Forecaster(**FAST, transform="log", training="sequence").fit(data)
    new = pd.DataFrame({"ds": [data["ds"].iloc[-1] + 1], "y": [0.0]})
    with pytest.raises(rnnkit.InputError, match="every value must be > 0"):
        logged.update(new)
    bad = data.assign(y=data["y"].where(data.index != 70, -1.0))
    with pytest.raises(rnnkit.InputError, match="series 'series' has -1.0 at 70"):
        rnnkit.Forecaster(**FAST, transform="log").fit(bad)


def test_predict_on_a_few_rows_uses_the_models_grid_and_one_step_checks_its_size():
    data = one_series(60, "D", seasons=((7, 1.0),))
    model = rnnkit.Forecaster(**(FAST | {"lookback": 7})).fit(data)
    # two rows cannot tell a frequency: read on the model's grid, they are refused for
    # being fewer than the window (not for their frequency), and a window's worth forecasts
    with pytest.raises(rnnkit.InputError, match="data holds 2 row.* at least 7 rows"):
        model.predict(data=data.iloc[-2:])
    assert len(model.predict(data=data.iloc[-7:])) == 3
    with pytest.raises(rnnkit.InputError, match="test_size=0 must be an integer >= 1"):
        rnnkit.Forecaster(**FAST).evaluate(data, test_size=0, protocol="one-step")
    with pytest.raises(rnnkit.InputError, match="Pass n_windows <= 14"):  # lookback 12
        rnnkit.Forecaster(**FAST).backtest(data, n_windows=40, step=3)  # and 3 validation
    assert rnnkit.Forecaster(**FAST).backtest(data, n_windows=14, step=3).n_windows == 14
