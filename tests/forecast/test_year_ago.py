"""Weekly data: a year is 365.25 / 7 = 52.18 weeks, so the "season" base of one season takes
each week's value a year before, read between the two weeks around it, where seasonal naive
repeats 52 weeks ago (a day and a quarter earlier every year). Checked against np.interp over
the history's week numbers, in the network, in the model file and in the reports."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import one_series, panel, untrained_fits

import rnnkit
from rnnkit.data.frequency import YEAR_WEEKS, year_ago_rows, year_steps
from rnnkit.evaluate.baselines import YEAR_AGO, year_ago_at
from rnnkit.forecast.networks import start_at_base
from rnnkit.nn.forecast import WindowNorm

FAST = dict(max_time=None, hidden_size=8, epochs=2, batch_size=16, verbose=0, repeats=1)


def _by_interp(y: np.ndarray, h: int, year: float = YEAR_WEEKS) -> np.ndarray:
    """Step k after the history's n weeks is week n + k; a year before it, as many years
    back as reach the history, is week n + k - j * year: read by np.interp between weeks."""
    n = len(y)
    out = []
    for k in range(h):
        j = 1
        while n + k - j * year > n - 1:
            j += 1
        out.append(np.interp(n + k - j * year, np.arange(n), y))
    return np.array(out)


def test_weekly_calendars_have_a_year_of_52_18_weeks_others_whole_seasons():
    assert year_steps("W-SUN", 52) == year_steps("W", 52) == pytest.approx(52.178571, 1e-6)
    for freq, season in (("2W", 52), ("W-SUN", 13), ("MS", 12), ("D", 7), ("h", 24),
                         (None, 52)):
        assert year_steps(freq, season) == 0.0
    before, weight = year_ago_rows(300, YEAR_WEEKS)
    assert before.max() == -2 and before.min() == -54  # step 260 reaches back 53.07 weeks
    assert ((weight >= 0) & (weight <= 1)).all()


def test_the_year_ago_base_by_interpolation():
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.normal(size=(2, 60, 2)).astype(np.float32))  # [B, 60, 2]
    for h in (13, 110):
        shifted, base = WindowNorm("season", 2, (0,), season=52, horizon=h,
                                   year=YEAR_WEEKS)(x)
        for b in range(2):
            np.testing.assert_allclose(base[b, :, 0].numpy(),
                                       _by_interp(x[b, :, 0].numpy().astype(float), h),
                                       rtol=1e-5, atol=1e-6)
        # the inputs are those of "last"; covariates untouched
        np.testing.assert_allclose(shifted[:, :, 0], x[:, :, 0] - x[:, -1:, 0], atol=1e-6)
        np.testing.assert_array_equal(shifted[:, :, 1], x[:, :, 1])
    # a window of 52 weeks cannot hold a year ago: seasonal naive, as without a year
    norm = WindowNorm("season", 2, (0,), season=52, horizon=13, year=YEAR_WEEKS)
    np.testing.assert_array_equal(norm(x[:, -52:])[1], x[:, -52:-39, :1])
    # the report's row reads the same; a series of 40 rows before its origin is read as
    # the network's window pads it, its first value repeated in front
    target = x[0, :, 0].numpy().astype(float)
    got = year_ago_at(target, np.array([60, 60]), np.array([60, 40]), 13, YEAR_WEEKS)
    np.testing.assert_allclose(got[0], _by_interp(target, 13), rtol=1e-12)
    padded = np.concatenate([np.full(30, target[20]), target[20:]])
    np.testing.assert_allclose(got[1], _by_interp(padded, 13), rtol=1e-12)
    positive = np.exp(target)
    np.testing.assert_allclose(year_ago_at(positive, np.array([60]), np.array([60]), 13,
                                           YEAR_WEEKS, log=True)[0],
                               np.exp(_by_interp(target, 13)), rtol=1e-12)


def test_weekly_data_starts_a_year_ago_and_keeps_it_in_the_file(tmp_path):
    data = one_series(200, "W-SUN", seasons=((52, 3.0),), noise=0.3, seed=1)
    model = rnnkit.Forecaster(**FAST, horizon=8, transform="none").fit(data)
    assert model.fitted_.spec.year == YEAR_WEEKS and model.lookback_ >= 54
    start_at_base(model.model_)
    np.testing.assert_allclose(model.predict()["y"].to_numpy(),
                               _by_interp(data["y"].to_numpy(), 8), rtol=1e-5)
    model.save(tmp_path / "m")
    loaded = rnnkit.load(tmp_path / "m")
    assert loaded.fitted_.spec.year == YEAR_WEEKS and loaded.model_.config.year == YEAR_WEEKS
    np.testing.assert_array_equal(loaded.predict()["y"], model.predict()["y"])
    # the window MLP (the baseline) starts there too
    mlp = rnnkit.Forecaster(**FAST, horizon=8, transform="none", network="mlp").fit(data)
    start_at_base(mlp.model_)
    np.testing.assert_allclose(mlp.predict()["y"].to_numpy(),
                               _by_interp(data["y"].to_numpy(), 8), rtol=1e-5)
    # the window holds a year ago from 53 weeks on; shorter, other norms, models without a
    # seasonal base (seq2seq, sequence training) or reading their own forecasts a year on
    # (recursive), and seasonal naive asked for by hand (base_seasons=1): none
    assert rnnkit.Forecaster(**FAST, horizon=8, lookback=53).fit(data).fitted_.spec.year
    for kwargs in (dict(lookback=52), dict(window_norm="last"), dict(strategy="seq2seq"),
                   dict(training="sequence"), dict(strategy="recursive"),
                   dict(base_seasons=1)):
        assert rnnkit.Forecaster(**FAST, horizon=8, **kwargs).fit(data).fitted_.spec.year == 0
    assert rnnkit.Forecaster(**FAST, horizon=4).fit(
        one_series(120, "MS", seasons=((12, 2.0),))).fitted_.spec.year == 0


def test_the_reports_put_the_year_ago_start_beside_the_model(monkeypatch):
    untrained_fits(monkeypatch)
    data = one_series(170, "W-SUN", seasons=((52, 3.0),), noise=0.3, seed=2)
    model = rnnkit.Forecaster(**FAST, horizon=6, transform="log")
    evaluation = model.evaluate(data, test_size=6)
    y = data["y"].to_numpy()
    np.testing.assert_allclose(evaluation.forecasts[YEAR_AGO],
                               np.exp(_by_interp(np.log(y[:-6]), 6)), rtol=1e-9)
    np.testing.assert_allclose(evaluation.forecasts["LSTM"], evaluation.forecasts[YEAR_AGO],
                               rtol=1e-5)
    assert "(year-ago naive: where the model starts from" in evaluation.table()
    backtest = model.backtest(data, n_windows=3, step=4, refit=True)
    assert list(backtest.scores.index[:4]) == ["LSTM", "naive", "seasonal naive", YEAR_AGO]
    np.testing.assert_allclose(backtest.forecasts["LSTM"], backtest.forecasts[YEAR_AGO],
                               rtol=1e-5)
    # a panel whose short series (58 weeks, 52 before the origin) is padded in front
    short = panel((300, 58), "W-SUN", seasons=((52, 3.0),), noise=0.3, seed=3)
    padded = rnnkit.Forecaster(**FAST, lookback=60, horizon=6).evaluate(short, test_size=6)
    np.testing.assert_allclose(padded.forecasts["LSTM"], padded.forecasts[YEAR_AGO],
                               rtol=1e-5)
    # a backtest whose refits on shorter data read 49, 52 and 54 weeks: only the last holds
    # a year ago; the first starts from the last value, the second from the last season
    # (the short series padded in front): the row follows each refit's start
    mixed = panel((82, 82, 58), "W-SUN", seasons=((52, 3.0),), noise=0.3, seed=1)
    refits = []
    untrained_fits(monkeypatch, lambda options, fitted: refits.append(fitted.spec.lookback)
                   if options.network == "recurrent" else None)
    backtest = rnnkit.Forecaster(**FAST, horizon=6, transform="none").backtest(
        mixed, n_windows=3, refit=True, baselines=False)
    assert refits == [49, 52, 54]
    np.testing.assert_allclose(backtest.forecasts["LSTM"], backtest.forecasts[YEAR_AGO],
                               rtol=1e-5)
    daily = rnnkit.Forecaster(**FAST).evaluate(one_series(100, "D"), test_size=6)
    seq2seq = rnnkit.Forecaster(**FAST, strategy="seq2seq", horizon=6).evaluate(
        data, test_size=6)
    assert YEAR_AGO not in daily.scores.index and YEAR_AGO not in seq2seq.scores.index
    assert "year-ago naive" not in seq2seq.table()

