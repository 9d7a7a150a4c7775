"""Monthly and quarterly data (a season of one year): the untrained network forecasts the
seasonal profile (the mean shape of the window's last 3 seasons, at the last season's level)
from a lookback of 3 seasons; other seasons keep seasonal naive; the choice is saved with
the model and printed beside it in the reports."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import one_series, panel, untrained_fits

import rnnkit
from rnnkit.errors import InputError
from rnnkit.evaluate.baselines import PROFILE, profile_at, seasonal_naive_at
from rnnkit.forecast.networks import start_at_base
from rnnkit.nn.forecast import WindowNorm

FAST = dict(max_time=None, hidden_size=8, epochs=2, batch_size=16, verbose=0, repeats=1)


def _by_hand(y: np.ndarray, season: int, seasons: int, h: int) -> np.ndarray:
    """The profile from a Python loop over the seasons, independent of the vector code."""
    last = y[-seasons * season:]
    shape = [np.mean([last[k * season + j] for k in range(seasons)]) for j in range(season)]
    level = np.mean(y[-season:]) - np.mean(shape)
    return np.array([shape[j % season] + level for j in range(h)])


def _untrained_is_the_profile_in_and_out_of_its_file(model, data, season: int, seasons: int,
                                                     h: int, tmp_path):
    """With its head at zero (what the untrained network forecasts) ``model`` forecasts the
    profile by hand, and so does the model its file loads back as (returned)."""
    start_at_base(model.model_)
    np.testing.assert_allclose(model.predict()["y"].to_numpy(),
                               _by_hand(data["y"].to_numpy(), season, seasons, h), rtol=1e-5)
    model.save(tmp_path / "m")
    loaded = rnnkit.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict()["y"], model.predict()["y"])
    return loaded


def test_the_profile_base_by_hand():
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.normal(size=(2, 13, 2)).astype(np.float32))  # [B, 13, 2]
    for profile, h in ((3, 5), (2, 9)):
        shifted, base = WindowNorm("season", 2, (0,), season=4, horizon=h, profile=profile)(x)
        for b in range(2):
            expected = _by_hand(x[b, :, 0].numpy().astype(float), 4, profile, h)
            np.testing.assert_allclose(base[b, :, 0].numpy(), expected, rtol=1e-5, atol=1e-6)
        # the inputs are those of "last": changes from the last value, covariates as they are
        np.testing.assert_allclose(shifted[:, :, 0], x[:, :, 0] - x[:, -1:, 0], atol=1e-6)
        np.testing.assert_array_equal(shifted[:, :, 1], x[:, :, 1])
    # a window holding fewer seasons averages those it holds; one season: seasonal naive
    short = WindowNorm("season", 2, (0,), season=4, horizon=4, profile=3)
    np.testing.assert_allclose(short(x[:, -9:])[1][0, :, 0].numpy(),
                               _by_hand(x[0, -9:, 0].numpy().astype(float), 4, 2, 4), atol=1e-6)
    np.testing.assert_array_equal(short(x[:, -7:])[1], x[:, -4:, :1])


def test_monthly_data_starts_from_the_seasonal_profile_and_keeps_it_in_the_file(tmp_path):
    data = one_series(120, "MS", seasons=((12, 2.0),), noise=0.4, seed=2)
    model = rnnkit.Forecaster(**FAST, horizon=6, transform="none").fit(data)
    spec = model.fitted_.spec
    assert spec.profile == 3 and model.lookback_ == 36 and model.model_.config.profile == 3
    loaded = _untrained_is_the_profile_in_and_out_of_its_file(model, data, 12, 3, 6, tmp_path)
    assert loaded.fitted_.spec.profile == 3 and loaded.model_.config.profile == 3
    # quarterly too; other seasons (daily data's week, hourly data's day) and times without
    # a calendar keep the last season (seasonal naive) and a lookback of 2 seasons
    quarterly = rnnkit.Forecaster(**FAST, horizon=4).fit(
        one_series(60, "QS", seasons=((4, 2.0),)))
    assert quarterly.fitted_.spec.profile == 3 and quarterly.lookback_ == 12
    for freq in ("D", "h", None):
        other = rnnkit.Forecaster(**FAST, horizon=4, season_length=None if freq else 12)
        other.fit(one_series(120, freq))
        assert other.fitted_.spec.profile == 1 and other.model_.config.profile == 1
    # asked for by hand: on any season; 1 turns it off on monthly data
    daily = rnnkit.Forecaster(**FAST, horizon=4, base_seasons=2).fit(one_series(120, "D"))
    assert daily.fitted_.spec.profile == 2 and daily.lookback_ == 14
    off = rnnkit.Forecaster(**FAST, horizon=6, base_seasons=1).fit(data)
    assert off.fitted_.spec.profile == 1 and off.lookback_ == 24


def test_short_series_average_the_seasons_they_hold():
    # the median series leaves room for 2 seasons
    data = panel((40, 50), "MS", seasons=((12, 2.0),), seed=4)
    model = rnnkit.Forecaster(**FAST, horizon=6).fit(data)
    assert model.lookback_ == 24 and model.fitted_.spec.profile == 2
    assert np.isfinite(model.predict()["y"]).all()


def test_where_the_profile_cannot_be():
    monthly = one_series(80, "MS")
    for bad in (dict(strategy="seq2seq"), dict(training="sequence"),
                dict(window_norm="last")):
        with pytest.raises(InputError, match="base_seasons=3"):
            rnnkit.Forecaster(**FAST, base_seasons=3, **bad).fit(monthly)
        # by default those keep their own base, with no profile
        assert rnnkit.Forecaster(**FAST, horizon=4, **bad).fit(monthly).fitted_.spec.profile == 1


def test_the_reports_put_the_profile_beside_the_model():
    # by hand: season 2, two seasons; the second origin has 3 rows, its first padded in front
    target = np.array([1.0, 3.0, 2.0, 6.0, 10.0, 1.0, 4.0, 5.0])
    got = profile_at(target, np.array([4, 8]), np.array([4, 3]), 3, season=2, seasons=2)
    # origin 1: seasons (1, 3), (2, 6): shape (1.5, 4.5), level of (2, 6) 4 - 3 = +1
    # origin 2: rows (1, 1), (4, 5) (the first value padded): shape (2.5, 3), level 4.5 - 2.75
    np.testing.assert_allclose(got, [[2.5, 5.5, 2.5], [4.25, 4.75, 4.25]])
    logged = profile_at(target, np.array([4]), np.array([4]), 2, 2, 2, log=True)
    np.testing.assert_allclose(logged, [[np.sqrt(2) * np.sqrt(6) / np.sqrt(3),
                                         np.sqrt(18) * np.sqrt(6) / np.sqrt(3)]])
    # one season is seasonal naive
    np.testing.assert_allclose(profile_at(target, np.array([4]), np.array([4]), 3, 2, 1),
                               seasonal_naive_at(target, np.array([4]), np.array([4]), 3, 2))
    data = one_series(100, "MS", seasons=((12, 2.0),), noise=0.3, seed=1)
    evaluation = rnnkit.Forecaster(**FAST, transform="log").evaluate(data, test_size=6)
    y = data["y"].to_numpy()[:-6]
    by_hand = np.exp(_by_hand(np.log(y), 12, 3, 6))
    np.testing.assert_allclose(evaluation.forecasts[PROFILE].to_numpy(), by_hand, rtol=1e-9)
    assert PROFILE in evaluation.scores.index
    assert "(seasonal profile: where the model starts from" in evaluation.table()
    backtest = rnnkit.Forecaster(**FAST, horizon=4).backtest(data, n_windows=2)
    assert list(backtest.scores.index[:4]) == ["LSTM", "naive", "seasonal naive", PROFILE]
    daily = rnnkit.Forecaster(**FAST).evaluate(one_series(100, "D"), test_size=6)
    assert PROFILE not in daily.scores.index  # only where the model starts from it
    assert "where the model starts from" not in daily.table()


def _repeats_by_hand(y: np.ndarray, season: int) -> bool:
    """The Theta method's seasonality test on the changes, written out with np.corrcoef-free
    sums for one series."""
    x = np.diff(y)
    x = x - x.mean()
    r = [np.sum(x[k:] * x[:-k]) / np.sum(x * x) for k in range(1, season + 1)]
    bound = 1.645 * np.sqrt((1 + 2 * sum(v * v for v in r[:-1])) / len(x))
    return abs(r[-1]) > bound


def test_the_seasonality_test_against_a_loop_and_what_it_decides():
    from rnnkit.data.seasonality import repeats_season

    rng = np.random.default_rng(0)
    steps = [np.arange(n) for n in (60, 90, 48, 120)]
    ys = [rng.normal(size=len(t)) + a * np.sin(2 * np.pi * t / 12)
          for t, a in zip(steps, (4.0, 0.0, 6.0, 0.3), strict=True)]
    ys += [np.full(30, 2.0), rng.normal(size=10)]  # constant; too short (9 changes)
    offsets = np.concatenate([[0], np.cumsum([len(y) for y in ys])])
    got = repeats_season(np.concatenate(ys), offsets, 12)
    expected = [_repeats_by_hand(y, 12) for y in ys[:4]] + [False, False]
    assert got.tolist() == expected and expected[:2] == [True, False]
    # a monthly random walk does not repeat a season: seasonal naive and 2 seasons, as before
    walk = one_series(120, "MS", seasons=(), noise=0.0, trend=0.0, seed=3)
    walk["y"] = 50 + np.cumsum(rng.normal(size=120))
    plain = rnnkit.Forecaster(**FAST, horizon=6).fit(walk)
    assert plain.fitted_.spec.profile == 1 and plain.lookback_ == 24
    asked = rnnkit.Forecaster(**FAST, horizon=6, base_seasons=3).fit(walk)
    assert asked.fitted_.spec.profile == 3  # by hand it is not tested


def test_backtests_print_the_start_of_each_fit(monkeypatch):
    fits = []  # each recurrent fit's profile (not the window MLP's)
    untrained_fits(monkeypatch, lambda options, fitted: fits.append(fitted.spec.profile)
                   if options.network == "recurrent" else None)
    # 72 months, refit at each of 4 origins: the first fits hold fewer seasons
    data = one_series(72, "MS", seasons=((12, 2.0),), noise=0.4, seed=2)
    model = rnnkit.Forecaster(**FAST, horizon=6, transform="none")
    backtest = model.backtest(data, n_windows=4, step=6, refit=True)
    assert fits == [1, 2, 3, 3]  # the first fit's lookback holds one season only
    forecasts = backtest.forecasts
    np.testing.assert_allclose(forecasts["LSTM"], forecasts[PROFILE], rtol=1e-5)


def test_recursive_models_keep_seasonal_naive_and_tables_of_strategies_say_whose_start():
    from rnnkit.forecast.evaluate import strategy_table

    data = one_series(96, "MS", seasons=((12, 2.0),), noise=0.3, seed=5)
    recursive = rnnkit.Forecaster(**FAST, horizon=6, strategy="recursive").fit(data)
    assert recursive.fitted_.spec.profile == 1  # it would average its own forecasts
    with pytest.raises(InputError, match="base_seasons=2 .*direct strategy"):
        rnnkit.Forecaster(**FAST, strategy="recursive", base_seasons=2).fit(data)
    results = {s: rnnkit.Forecaster(**FAST, horizon=6, strategy=s).backtest(data, n_windows=2)
               for s in ("recursive", "direct")}
    rows = list(strategy_table(results).index)
    assert "seasonal profile direct" in rows and "seasonal profile recursive" not in rows
    assert PROFILE not in rows and "window MLP recursive" in rows


def test_an_untrained_quantile_network_forecasts_its_start_as_the_median():
    data = one_series(120, "MS", seasons=((12, 2.0),), noise=0.4, seed=2)
    model = rnnkit.Forecaster(**FAST, horizon=6, transform="none",
                              quantiles=(0.1, 0.5, 0.9)).fit(data)
    start_at_base(model.model_)
    forecast = model.predict()
    np.testing.assert_allclose(forecast["y"].to_numpy(), _by_hand(data["y"].to_numpy(), 12, 3, 6),
                               rtol=1e-5)
    low, high = forecast.filter(like="0.1").to_numpy()[:, 0], forecast.filter(like="0.9")
    assert (low < forecast["y"].to_numpy()).all() and (high.to_numpy()[:, 0] > low).all()


def test_a_straight_line_does_not_repeat_a_season():
    from rnnkit.data.seasonality import repeats_season

    t = np.arange(120.0)
    lines = [a + b * t for a, b in ((0.0, 1 / 3), (1000.1, 1 / 3), (1e6, 1e-3))]
    got = repeats_season(np.concatenate(lines), np.arange(4) * 120, 12)
    assert not got.any()  # constant changes: only rounding would correlate


def test_backtests_ask_the_first_fit_for_two_seasons_not_the_profile_s_three():
    data = one_series(60, "MS", seasons=((12, 2.0),), noise=0.3, seed=6)
    model = rnnkit.Forecaster(**FAST, horizon=6)
    assert model.backtest(data, n_windows=4, step=6).n_windows == 4  # first origin 36 > 24
    with pytest.raises(InputError, match="n_windows=6 .*lookback=24"):
        model.backtest(data, n_windows=6, step=6)  # first origin 24: not 2 seasons before it


def _business_hours(days: int, seed: int = 0):
    """Every 5 minutes from 09:00 to 13:00 (49 slots) on weekdays, a daily shape + noise."""
    import pandas as pd

    dates = pd.bdate_range("2024-01-01", periods=days)
    slots = pd.timedelta_range("09:00:00", "13:00:00", freq="5min")
    times = pd.DatetimeIndex((dates.to_numpy()[:, None] + slots.to_numpy()[None, :]).ravel())
    k = np.arange(len(times)) % len(slots)
    y = 100 + 30 * np.sin(np.pi * k / len(slots)) + \
        np.random.default_rng(seed).normal(0, 3, len(k))
    return pd.DataFrame({"ds": times, "y": y})


def test_session_data_starts_from_a_week_of_open_days_read_beyond_the_lookback(tmp_path):
    """Business hours: every season (a day of open slots) is a working day, so the base
    averages the last week of them (5 days of 49 slots); the window holds those 245 steps
    while the network reads the lookback's last 200 only (reads)."""
    data = _business_hours(30)
    model = rnnkit.Forecaster(**FAST, transform="none", horizon=10).fit(data)
    spec = model.fitted_.spec
    assert spec.season == 49 and spec.profile == 5
    assert model.lookback_ == 245 and spec.reads == 200 == model.model_.config.reads
    loaded = _untrained_is_the_profile_in_and_out_of_its_file(model, data, 49, 5, 10, tmp_path)
    assert loaded.fitted_.spec.reads == 200 and loaded.model_.config.reads == 200
    assert loaded.inspect().layers[0][0]["h"].shape == (200, 8)  # the steps the core reads
    # the window MLP reads the same 200 steps
    mlp = rnnkit.Forecaster(**FAST, transform="none", horizon=10, network="mlp").fit(data)
    assert mlp.model_.net[0].in_features == 200
    # a lookback given bounds the window: 2 days hold 2 seasons
    bounded = rnnkit.Forecaster(**FAST, horizon=10, lookback=98).fit(data).fitted_.spec
    assert bounded.profile == 2 and bounded.lookback == 98 and bounded.reads == 0


def test_a_network_that_reads_the_window_s_last_steps_ignores_the_rest_but_the_base():
    """Steps before the last ``reads`` reach the forecast only through the base."""
    from rnnkit.nn.config import RecurrentConfig
    from rnnkit.nn.forecast import ForecastNetConfig, RecurrentForecastNet

    torch.manual_seed(0)
    config = ForecastNetConfig(RecurrentConfig(input_size=1, hidden_size=4), horizon=3,
                               window_norm="last", reads=5)
    net = RecurrentForecastNet(config).eval()
    x = torch.randn(2, 12, 1)
    changed = x.clone()
    changed[:, :7] += 10.0
    torch.testing.assert_close(net(x), net(changed))
    whole = RecurrentForecastNet(ForecastNetConfig(RecurrentConfig(input_size=1, hidden_size=4),
                                                   horizon=3, window_norm="last"))
    whole.load_state_dict(net.state_dict())
    assert not torch.allclose(whole.eval()(x), whole(changed))
    # a season base still reads the whole window: its profile of 2 seasons of 6 steps
    seasonal = RecurrentForecastNet(ForecastNetConfig(
        RecurrentConfig(input_size=1, hidden_size=4), horizon=3, window_norm="season",
        season=6, profile=2, reads=5))
    assert not torch.allclose(seasonal.eval()(x), seasonal(changed))


def test_base_seasons_beyond_the_lookback_widen_the_window_not_what_the_network_reads():
    data = one_series(120, "MS", seasons=((12, 2.0),), noise=0.4, seed=2)
    model = rnnkit.Forecaster(**FAST, horizon=6, lookback=12, base_seasons=4).fit(data)
    spec = model.fitted_.spec
    assert spec.profile == 4 and model.lookback_ == 48 and spec.reads == 12


def test_a_season_set_by_hand_on_session_data_keeps_seasonal_naive():
    """The week of open days is a profile of days: a week set as the season by hand (245
    slots) does not average 5 of those weeks."""
    spec = rnnkit.Forecaster(**FAST, horizon=10, season_length=245).fit(
        _business_hours(30)).fitted_.spec
    assert spec.season == 245 and spec.profile == 1 and spec.reads == 0
