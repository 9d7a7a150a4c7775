"""season_lags: the same step in each of the previous N seasons, read as future covariates;
the lags a forecast reads are the lags the training rows held."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rnnkit
from rnnkit.data.season_lags import future_lags, lag_columns, tail
from rnnkit.errors import InputError

SMALL = dict(hidden_size=8, epochs=3, repeats=1, verbose=0, max_time=None, batch_size=32)


def reference(values: np.ndarray, season: int, n: int) -> np.ndarray:
    """A plain loop: lag k at t is values[t - k * season]; before that exists, the value at
    the same position in the first season; within the first season, the first value."""
    out = np.zeros((len(values), n))
    for t in range(len(values)):
        for k in range(1, n + 1):
            if t >= k * season:
                out[t, k - 1] = values[t - k * season]
            else:
                out[t, k - 1] = values[t % season] if t >= season else values[0]
    return out


def test_a_lag_never_holds_its_own_step():
    values = np.arange(1.0, 21.0)  # all different
    lags = lag_columns(values, 5, 3)
    assert not (lags == values[:, None])[1:].any()  # (row 0 has nothing before it)


def test_lag_columns_match_a_plain_loop():
    values = np.random.default_rng(0).normal(size=37)
    np.testing.assert_array_equal(lag_columns(values, 5, 3), reference(values, 5, 3))


@pytest.mark.parametrize("length", [4, 12, 40])  # shorter than a season, than n seasons, longer
def test_a_forecast_reads_the_lags_training_rows_would_hold(length):
    rng = np.random.default_rng(1)
    history, ahead = rng.normal(size=length), rng.normal(size=5)
    whole = reference(np.concatenate([history, ahead]), 5, 3)
    np.testing.assert_array_equal(future_lags(history, 5, 3, 5), whole[length:])
    np.testing.assert_array_equal(future_lags(tail(history, 5, 3), 5, 3, 5), whole[length:])


def weekly(n: int = 7 * 40) -> pd.DataFrame:
    t = np.arange(n)
    y = 10 + 3 * (t % 7 >= 5) + np.random.default_rng(2).normal(0, 0.2, n)
    return pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=n, freq="D"), "y": y})


def test_a_forecaster_with_season_lags_predicts_saves_and_reloads(tmp_path):
    data = weekly()
    f = rnnkit.Forecaster(**SMALL, season_lags=3, horizon=7).fit(data)
    panel = f.panel(data)
    assert panel.n_features == 1 + 3  # the target, then three lag columns
    np.testing.assert_array_equal(panel.values[:, 1:], lag_columns(data["y"].to_numpy(), 7, 3))
    forecast = f.predict()
    pd.testing.assert_frame_equal(f.predict(data=data), forecast)  # from the history itself
    f.save(tmp_path / "m")
    pd.testing.assert_frame_equal(rnnkit.load(tmp_path / "m").predict(), forecast)
    assert f.backtest(data, n_windows=2).scores.loc["LSTM", "MASE"] > 0


def test_what_season_lags_cannot_do_is_one_line():
    with pytest.raises(InputError, match="horizon=10: the lags of steps beyond one season"):
        rnnkit.Forecaster(**SMALL, season_lags=2, horizon=10).fit(weekly())
    with pytest.raises(InputError, match="season_lags needs training='window'"):
        rnnkit.Forecaster(season_lags=2, training="sequence").fit(weekly())
    steps = pd.DataFrame({"ds": np.arange(60), "y": np.arange(60.0)})
    with pytest.raises(InputError, match="needs a season.*season_length="):
        rnnkit.Forecaster(**SMALL, season_lags=2).fit(steps)


def test_a_recursive_forecast_stops_where_the_lags_are_not_observed():
    f = rnnkit.Forecaster(**SMALL, season_lags=1, horizon=3, strategy="recursive").fit(weekly())
    assert len(f.predict(h=7)) == 7
    with pytest.raises(InputError, match="h=8 reaches beyond one season"):
        f.predict(h=8)


def test_an_update_reads_the_lags_of_the_new_rows_from_the_history():
    """update() with season lags forecasts as a model given the whole history does: the new
    rows' lags come from the rows before them, and the tail of past seasons moves on (the
    lags were read from the new rows alone and the tail stayed where the fit left it)."""
    data = weekly()
    f = rnnkit.Forecaster(**SMALL, season_lags=2, horizon=7, val_size=0,
                          refit_all=False).fit(data.iloc[:-10])
    f.update(data.iloc[-10:])
    pd.testing.assert_frame_equal(f.predict(), f.predict(data=data))
    np.testing.assert_array_equal(f.fitted_.season_tails[0], tail(data["y"].to_numpy(), 7, 2))
