"""Data whose season is not a year of months or quarters (a week of days, a day of hours)
and that do not repeat it (daily temperatures, prices) start from the last value, not from
the value a season before: the Theta method's seasonality test decides, asked only of series
long enough for it to see a season."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import one_series, untrained_fits

import rnnkit
from rnnkit.datasets.synthetic import generate_series
from rnnkit.evaluate.baselines import YEAR_AGO
from rnnkit.forecast.networks import start_at_base

FAST = dict(max_time=None, hidden_size=8, epochs=2, batch_size=16, verbose=0, repeats=1)


def test_a_week_of_days_the_series_do_not_repeat_starts_from_the_last_value(tmp_path):
    rng = np.random.default_rng(4)
    walk = one_series(150, "D", seasons=(), noise=0.0, seed=4)
    walk["y"] = 20 + np.cumsum(rng.normal(size=150))  # daily, no weekly cycle
    model = rnnkit.Forecaster(**FAST, horizon=5).fit(walk)
    assert model.fitted_.spec.seasonless and model.model_.config.season == 0
    start_at_base(model.model_)
    np.testing.assert_allclose(model.predict()["y"], np.full(5, walk["y"].iloc[-1]), rtol=1e-5)
    model.save(tmp_path / "m")
    loaded = rnnkit.load(tmp_path / "m")
    assert loaded.fitted_.spec.seasonless
    np.testing.assert_array_equal(loaded.predict()["y"], model.predict()["y"])
    # a weekly cycle the series repeat, a season that is a year of months (the test is not
    # asked there), 2.5 years of a clean weekly cycle (it fails the test, but 10 seasons are
    # needed for the test to count), a season asked for by hand, another norm: the season
    # before, as ever
    from rnnkit.data.seasonality import repeats_season

    weekly = one_series(150, "D", seasons=((7, 3.0),), noise=0.3, seed=4)
    monthly = walk.assign(ds=pd.date_range("2000-01-01", periods=150, freq="MS"))
    cycle = one_series(130, "W-SUN", seasons=((52, 3.0),), seed=3)
    assert not repeats_season(cycle["y"].to_numpy(), np.array([0, 130]), 52)[0]
    for data, kwargs in ((weekly, {}), (monthly, {}), (cycle, {}), (walk, dict(base_seasons=1)),
                         (walk, dict(window_norm="last"))):
        fitted = rnnkit.Forecaster(**FAST, horizon=5, **kwargs).fit(data).fitted_
        assert not fitted.spec.seasonless


def test_only_series_long_enough_for_the_test_decide():
    # five short series (two weeks: they cannot pass the test) beside five long ones, all
    # with a weekly cycle but one: the long ones repeat their season, so the panel does
    cycles = generate_series(10, [14] * 5 + [300] * 5, "D", seasons=((7, 3.0),), noise=0.3,
                             seed=5)
    flat = cycles["unique_id"] == "s9"
    cycles.loc[flat, "y"] = 30 + np.cumsum(np.random.default_rng(5).normal(size=300))
    model = rnnkit.Forecaster(**FAST, horizon=5).fit(cycles)
    assert not model.fitted_.spec.seasonless
    # a season given by hand is kept, whatever the test says
    walk = one_series(150, None, seasons=(), noise=0.0, seed=4)
    walk["y"] = 20 + np.cumsum(np.random.default_rng(4).normal(size=150))
    given = rnnkit.Forecaster(**FAST, horizon=5, season_length=7).fit(walk)
    assert not given.fitted_.spec.seasonless and given.model_.config.season == 7


def test_a_backtest_row_follows_refits_that_turn_seasonless(monkeypatch):
    # a weekly random walk: the refit on 516 weeks (under 10 years) starts a year before,
    # the one on 526 weeks fails the test over 10 years and starts from the last value
    rng = np.random.default_rng(1)
    walk = pd.DataFrame({"ds": pd.date_range("2000-01-02", periods=530, freq="W-SUN"),
                         "y": 100 + np.cumsum(rng.normal(size=530))})
    flags = []
    untrained_fits(monkeypatch, lambda options, fitted: flags.append(
        (fitted.spec.year > 0, fitted.spec.seasonless)) if options.network == "recurrent"
        else None)
    backtest = rnnkit.Forecaster(**FAST, horizon=4).backtest(walk, n_windows=2, step=10,
                                                             refit=True, baselines=False)
    assert flags == [(True, False), (False, True)]
    np.testing.assert_allclose(backtest.forecasts["LSTM"], backtest.forecasts[YEAR_AGO],
                               rtol=1e-5)
    # the year-ago row is the start at every origin; naive only at some: no naive note
    assert not backtest.seasonless and "(naive: where the model starts" not in backtest.table()


def test_the_last_twenty_seasons_decide():
    # a weekly cycle for 260 days, then 140 days of a random walk: the whole history
    # repeats its season, its last 20 weeks do not; the start follows the recent weeks
    from rnnkit.data.seasonality import repeats_season
    from rnnkit.forecast.spec import _seasonless

    rng = np.random.default_rng(6)
    data = one_series(400, "D", seasons=((7, 4.0),), noise=0.2, seed=6)
    data.loc[260:, "y"] = data["y"].iloc[259] + np.cumsum(rng.normal(size=140))
    assert repeats_season(data["y"].to_numpy(), np.array([0, 400]), 7)[0]
    model = rnnkit.Forecaster(**FAST, horizon=5).fit(data)
    assert model.fitted_.spec.seasonless
    # a season longer than 200 steps (the minutes of a day) is not tested
    walk = pd.DataFrame({"ds": np.arange(3100), "y": np.cumsum(rng.normal(size=3100))})
    panel = model.panel(walk, fresh=True)
    assert _seasonless(panel, 7) and not _seasonless(panel, 300)


def test_the_reports_say_a_seasonless_model_starts_from_naive(tmp_path, capsys):
    from cli.cli_support import run

    rng = np.random.default_rng(7)
    walk = one_series(160, "D", seasons=(), noise=0.0, seed=7)
    walk["y"] = 20 + np.cumsum(rng.normal(size=160))
    model = rnnkit.Forecaster(**FAST, horizon=5)
    evaluation = model.evaluate(walk, test_size=5)
    assert evaluation.estimator.fitted_.spec.seasonless
    note = "(naive: where the model starts from, the last value"
    assert note in evaluation.table()
    assert note in model.backtest(walk, n_windows=2).table()
    # the CLI's table of strategies: one naive row, a note only if every strategy starts there
    csv = tmp_path / "walk.csv"
    walk.to_csv(csv, index=False)

    def cli_backtest(strategies: str) -> str:
        code, out, err = run(["backtest", csv, "--strategies", strategies, "--horizon", "5",
                              "--n-windows", "2", "--epochs", "2", "--hidden-size", "8",
                              "--repeats", "1", "--out", tmp_path / strategies], capsys)
        assert code == 0, err
        return out

    assert note in cli_backtest("direct")
    assert note not in cli_backtest("direct,seq2seq")
    weekly = one_series(160, "D", seasons=((7, 3.0),), noise=0.3, seed=7)
    assert note not in rnnkit.Forecaster(**FAST, horizon=5).evaluate(weekly, test_size=5).table()
