from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import panel

import rnnkit
from rnnkit.errors import InputError

FAST = dict(max_time=None, hidden_size=8, epochs=3, batch_size=16, verbose=0, lookback=14,
            horizon=4)


def _frame():
    return panel((70, 60), noise=0.1, level=5)


def test_batched_origins_equal_one_predict_per_origin():
    data = _frame()
    template = rnnkit.Forecaster(**FAST)
    bt = template.backtest(data, n_windows=3, step=2)
    assert not hasattr(template, "fitted_")  # a copy was fitted, not the forecaster itself
    f = bt.estimator
    assert len(bt.forecasts) == 2 * 3 * 4
    # the model was fitted once, before the first origin: re-predict each origin by hand
    for (sid, cutoff), group in bt.forecasts.groupby(["unique_id", "cutoff"]):
        history = data[(data["unique_id"] == sid) & (data["ds"] <= cutoff)]
        single = f.predict(data=history)
        np.testing.assert_allclose(group["LSTM"], single["y"], rtol=1e-5)
        future = data[(data["unique_id"] == sid) & (data["ds"] > cutoff)].head(4)
        np.testing.assert_array_equal(group["actual"], future["y"])
        # baselines by hand
        y = history["y"].to_numpy()
        np.testing.assert_array_equal(group["naive"], np.full(4, y[-1]))
        np.testing.assert_array_equal(group["seasonal naive"], y[-7:][:4])
    # the last window ends at each series' last row, origins step apart
    last = bt.forecasts.groupby("unique_id")["ds"].max()
    assert (last.to_numpy() == data.groupby("unique_id")["ds"].max().to_numpy()).all()
    assert list(bt.by_step.index) == [1, 2, 3, 4]
    np.testing.assert_allclose(
        bt.by_step.loc[1, "naive"],
        np.sqrt(np.mean((bt.forecasts.query("step == 1")["actual"]
                         - bt.forecasts.query("step == 1")["naive"]) ** 2)))


def test_refit_trains_on_the_data_before_each_group_only():
    data = _frame()
    bt = rnnkit.Forecaster(**FAST).backtest(data, n_windows=4, step=4, refit=2)
    f = bt.estimator
    assert bt.refit == 2
    # the last fit (for windows 3 and 4) ended at window 3's cutoff, before its targets
    for sid, cutoffs in bt.forecasts.groupby("unique_id")["cutoff"].unique().items():
        assert pd.Timestamp(f.last_times_[f.ids_.index(sid)]) == sorted(cutoffs)[2]


def test_too_many_windows_is_a_clear_error():
    with pytest.raises(InputError, match=r"n_windows=40 .* Pass n_windows <= \d+, or a smaller"):
        rnnkit.Forecaster(**FAST).backtest(_frame(), n_windows=40, step=2)
    with pytest.raises(InputError, match=r"n_windows=80 with step=1 .* Pass n_windows <= "
                                         r"(\d+), or a lookback below 14\.$") as refused:
        rnnkit.Forecaster(**FAST).backtest(_frame(), n_windows=80, step=1)  # no smaller step
    most = int(refused.value.args[0].split("n_windows <= ")[1].split(",")[0])
    assert rnnkit.Forecaster(**FAST).backtest(_frame(), n_windows=most, step=1).n_windows == \
        most  # the bound works (it counts the first fit's validation rows)
    with pytest.raises(InputError, match=f"Pass n_windows <= {most},"):
        rnnkit.Forecaster(**FAST).backtest(_frame(), n_windows=most + 1, step=1)


@pytest.mark.parametrize("given", [{"val_size": 10}, {"training": "sequence"}])
def test_the_windows_a_refusal_suggests_train_where_validation_takes_rows_of_every_series(
        given):
    """With val_size given, or sequence training, the n_windows suggested was then refused
    by the first fit's own rules."""
    model = rnnkit.Forecaster(**FAST | given)
    with pytest.raises(InputError, match=r"Pass n_windows <= (\d+)") as refused:
        model.backtest(_frame(), n_windows=40, step=2)
    most = int(refused.value.args[0].split("n_windows <= ")[1].split(",")[0])
    assert model.backtest(_frame(), n_windows=most, step=2).n_windows == most
    with pytest.raises(InputError, match=f"Pass n_windows <= {most},"):
        model.backtest(_frame(), n_windows=most + 1, step=2)


def test_strategy_table_adds_the_ensemble_of_strategies():
    from rnnkit.forecast.evaluate import strategy_table

    data = _frame()
    results = {s: rnnkit.Forecaster(strategy=s, **FAST).backtest(data, n_windows=2, step=3)
               for s in ("direct", "recursive")}
    table = strategy_table(results)
    assert list(table.index)[:3] == ["LSTM direct", "LSTM recursive", "ensemble of strategies"]
    f = results["direct"].forecasts
    mean = (f["LSTM"] + results["recursive"].forecasts["LSTM"]) / 2
    rmse = np.sqrt(np.mean((f["actual"] - mean) ** 2))
    assert table.loc["ensemble of strategies", "RMSE"] == pytest.approx(rmse)


def test_a_backtest_fits_for_its_horizon_even_on_a_short_first_part():
    """Before the first of 10 origins 6 months apart, airline has 66 rows: the default
    horizon resolved there alone would be 22; the fit must still forecast the 24 scored."""
    bt = rnnkit.Forecaster(epochs=1, repeats=1, verbose=0).backtest("airline", n_windows=10,
                                                                      step=6)
    assert bt.horizon == 24 and bt.forecasts["step"].max() == 24


def test_the_one_step_protocol_is_a_backtest_of_one_step_origins():
    """The tutorials' test: fit once on the first two thirds, then forecast each remaining
    value from the true history before it."""
    f = rnnkit.Forecaster(epochs=1, repeats=1, verbose=0)
    one = f.evaluate("airline", protocol="one-step")
    assert one.horizon == 1 and one.n_windows == 48 and one.step == 1
    assert len(one.forecasts) == 48 and one.forecasts["step"].eq(1).all()
    assert str(one.forecasts["ds"].iloc[0])[:7] == "1957-01"  # 96 months to train
    assert f.horizon is None  # the forecaster is left as it was
    with pytest.raises(rnnkit.InputError, match="protocol='one step'"):
        f.evaluate("airline", protocol="one step")
