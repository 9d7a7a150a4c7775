"""Future, static and calendar covariates: what the model reads, and the errors."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import one_series

import rnnkit
from rnnkit.data.calendar import calendar_cycles, calendar_features
from rnnkit.errors import InputError

# the mechanisms, on the window normalisation that reads a promotion plainly
FAST = dict(max_time=None, lookback=48, horizon=24, epochs=30, patience=8, verbose=0, batch_size=64,
            repeats=1, window_norm="last")


def synthetic(n: int = 24 * 7 * 12, seed: int = 0) -> pd.DataFrame:
    """Hourly: trend, a daily and a weekly season, and a promotion known ahead."""
    return one_series(n, "h", seasons=((24, 2.0), (168, 1.5)), trend=0.002, noise=0.3,
                      promo=3.0, seed=seed)


@pytest.mark.parametrize("kw", [dict(strategy="direct", epochs=15),
                                dict(strategy="recursive", epochs=15),
                                dict(strategy="seq2seq"),
                                dict(training="sequence", batch_size=8, learning_rate=3e-3,
                                     epochs=35, patience=30)])
def test_every_strategy_beats_seasonal_naive_with_a_future_covariate(kw):
    f = rnnkit.Forecaster(**(FAST | kw), future_cols=("promo",))
    rmse = f.evaluate(synthetic()).scores["RMSE"]
    assert rmse["LSTM"] < 0.6 * rmse["seasonal naive"], rmse.to_dict()


def test_predict_needs_the_future_and_names_missing_timestamps():
    data = synthetic(24 * 7 * 4)
    f = rnnkit.Forecaster(**FAST, future_cols=("promo",)).fit(data)
    with pytest.raises(InputError, match=r"reads future covariates \['promo'\].*future="):
        f.predict()
    times = pd.date_range(data["ds"].iloc[-1], periods=25, freq="h")[1:]
    future = pd.DataFrame({"ds": times, "promo": 0.0})
    forecast = f.predict(future=future)
    assert list(forecast["ds"]) == list(times)
    gap = future.drop(index=[5, 6])
    with pytest.raises(InputError, match=r"missing or NaN for series 'series' at "
                                         r"2024-01-29 05:00:00, 2024-01-29 06:00:00 \(2 of"):
        f.predict(future=gap)
    with pytest.raises(InputError, match="missing or NaN"):
        f.predict(future=future.assign(promo=np.where(future.index == 3, np.nan, 0.0)))
    shifted = future.assign(ds=future["ds"] + pd.Timedelta("30min"))  # misaligned
    with pytest.raises(InputError, match="missing or NaN.*24 of"):
        f.predict(future=shifted)
    # the promotion moves the forecast where it is planned
    promo = f.predict(future=future.assign(promo=np.where(future.index == 10, 1.0, 0.0)))
    lift = promo["y"].to_numpy() - forecast["y"].to_numpy()
    assert lift[10] > 1.0 and np.argmax(lift) == 10, lift  # the true lift is 3


def test_a_covariate_with_nan_is_refused_naming_the_column():
    data = synthetic(500)
    data.loc[100, "promo"] = np.nan
    with pytest.raises(InputError, match="column 'promo' of series 'series' has 1 missing"):
        rnnkit.Forecaster(**FAST, future_cols=("promo",)).fit(data)


def test_a_column_plays_one_role():
    with pytest.raises(InputError, match="future_cols='promo' is already feature_cols"):
        rnnkit.Forecaster(**FAST, feature_cols=("promo",), future_cols=("promo",)).fit(
            synthetic(500))


def test_calendar_features_are_sine_cosine_pairs_of_the_cycles_the_frequency_resolves():
    assert calendar_cycles("h") == ("hour", "dayofweek", "month")
    assert calendar_cycles("D") == ("dayofweek", "month")
    assert calendar_cycles("MS") == ("month",)
    times = pd.to_datetime(["2024-01-01 06:00", "2024-07-01 18:00"]).to_numpy()  # Mon, Mon
    x = calendar_features(times, ("hour", "dayofweek", "month"))
    np.testing.assert_allclose(x[:, 0:2], [[1, 0], [-1, 0]], atol=1e-12)  # 6h, 18h
    np.testing.assert_allclose(x[0, 2:4], [np.sin(2 * np.pi * 0.25 / 7),
                                           np.cos(2 * np.pi * 0.25 / 7)])
    np.testing.assert_allclose(x[:, 4:6], [[0, 1], [0, -1]], atol=1e-12)  # January, July
    with pytest.raises(InputError, match="calendar=True needs timestamps"):
        rnnkit.Forecaster(**FAST, calendar=True).fit(np.sin(np.arange(300.0)))


def test_calendar_alone_needs_no_future_frame_and_survives_save(tmp_path):
    f = rnnkit.Forecaster(**(FAST | dict(epochs=2)), calendar=True).fit(synthetic(600))
    spec = f.fitted_.spec
    assert spec.n_features == 1 + 6 and spec.calendar == ("hour", "dayofweek", "month")
    f.save(tmp_path / "m")
    pd.testing.assert_frame_equal(rnnkit.load(tmp_path / "m").predict(), f.predict())


def _two_series_with_static() -> pd.DataFrame:
    parts = []
    for k, (sid, size) in enumerate([("small", 1.0), ("large", 5.0)]):
        frame = synthetic(600, seed=k).assign(unique_id=sid, size=size)
        frame["y"] *= size
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def test_static_covariates_enter_the_head_standardised_and_round_trip(tmp_path):
    data = _two_series_with_static()
    f = rnnkit.Forecaster(**(FAST | dict(epochs=2)), static_cols=("size",)).fit(data)
    np.testing.assert_allclose(f.model_.series_inputs.static.numpy()[:, 0], [-1, 1])
    f.save(tmp_path / "m")
    pd.testing.assert_frame_equal(rnnkit.load(tmp_path / "m").predict(), f.predict())
    varying = data.assign(size=np.arange(len(data), dtype=float))
    with pytest.raises(InputError, match="static column 'size' varies within series 'small'"):
        rnnkit.Forecaster(**FAST, static_cols=("size",)).fit(varying)


@pytest.mark.parametrize("training", ["window", "sequence"])
def test_past_covariates_are_never_read_beyond_the_origin(training):
    """Poison everything after each origin (target, past covariate, and the future covariate
    past the horizon) with NaN: the forecasts must not change."""
    data = synthetic(24 * 7 * 4).assign(temp=lambda d: np.cos(np.arange(len(d)) / 5.0))
    f = rnnkit.Forecaster(**(FAST | dict(epochs=2)), feature_cols=("temp",),
                          future_cols=("promo",), training=training).fit(data)
    from rnnkit.forecast.predict import forecast_at

    panel = f.panel(data)
    at = np.array([400, 500, 600])
    clean = forecast_at(f.options(), f.fitted_, panel, np.zeros(3, dtype=int), at, 24)
    for k, origin in enumerate(at):
        values = panel.values.copy()  # one series: its rows are the panel's rows
        values[origin:, :2] = np.nan  # target and past covariate from the origin on
        values[origin + 24 :, 2] = np.nan  # the future covariate beyond the horizon
        poisoned = replace(panel, values=values)
        got = forecast_at(f.options(), f.fitted_, poisoned, np.zeros(1, dtype=int),
                          at[k : k + 1], 24)
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got[0], clean[k], rtol=1e-5, atol=1e-5)


def test_a_time_zone_aware_future_frame_matches_the_training_times():
    """Training times with a time zone are read as UTC instants; the future frame's are read
    the same way (they never matched, and every step was reported missing). Times without
    a zone, for a model of zoned times, are refused: read as UTC they were hours off where
    they were local times (the forecasts stamped two hours late)."""
    full = one_series(64, "h", promo=1.0)
    full["ds"] = full["ds"].dt.tz_localize("UTC").dt.tz_convert("Europe/Paris")  # aware
    f = rnnkit.Forecaster(**(FAST | {"lookback": 8, "horizon": 4, "epochs": 1,
                                     "future_cols": ("promo",)})).fit(full.iloc[:60])
    aware = f.predict(future=full.iloc[60:][["ds", "promo"]])
    assert str(aware["ds"].dt.tz) == "Europe/Paris" and len(aware) == 4
    naive = full.iloc[60:][["ds", "promo"]].assign(
        ds=full["ds"].iloc[60:].dt.tz_localize(None))
    with pytest.raises(InputError, match=r"time_col='ds' of future has no time zone, but the "
                                         r"model was fitted on times in Europe/Paris.*"
                                         r"tz_localize\('Europe/Paris'\)"):
        f.predict(future=naive)
    with pytest.raises(InputError, match="time_col='ds' of data has no time zone"):
        f.predict(data=full.iloc[:60].assign(ds=full["ds"].iloc[:60].dt.tz_convert(None)))
    plain = rnnkit.Forecaster(**(FAST | {"lookback": 8, "horizon": 4, "epochs": 1})).fit(
        full.iloc[:60].assign(ds=full["ds"].iloc[:60].dt.tz_convert(None)))
    with pytest.raises(InputError, match=r"of data is zoned \(Europe/Paris\), but the model "
                                         r"was fitted on times without a zone"):
        plain.predict(data=full.iloc[:60])


def test_a_future_file_matches_zero_padded_ids_of_a_custom_id_column(tmp_path):
    rows = [{"store": s, "ds": t, "y": np.sin(t) + k, "x": t % 3}
            for k, s in enumerate(("001", "002")) for t in range(40)]
    pd.DataFrame(rows).to_csv(tmp_path / "data.csv", index=False)
    pd.DataFrame([{"store": s, "ds": t, "x": t % 3} for s in ("001", "002")
                  for t in range(40, 43)]).to_csv(tmp_path / "future.csv", index=False)
    f = rnnkit.Forecaster(hidden_size=4, epochs=1, lookback=6, horizon=3, future_cols=("x",),
                          id_col="store", repeats=1, max_time=None, verbose=0,
                          epoch_size=16).fit(tmp_path / "data.csv")
    forecast = f.predict(future=tmp_path / "future.csv")  # "001" in both files, as text
    assert list(forecast["store"].unique()) == ["001", "002"] and len(forecast) == 6


def test_a_history_shorter_than_the_window_is_refused_where_training_had_more(tmp_path):
    """predict(data=the newest rows) padded them with their first value and forecast a flat
    line from made-up history, without a word."""
    full = one_series(64, "h")
    f = rnnkit.Forecaster(**(FAST | {"lookback": 8, "horizon": 4, "epochs": 1})).fit(
        full.iloc[:60])
    with pytest.raises(InputError, match=r"data holds 3 row\(s\) of series 'series', but the "
                                         r"model's window holds its last 8.*at least 8 "
                                         r"rows.*update\(rows\)"):
        f.predict(data=full.iloc[57:60])
    pd.testing.assert_frame_equal(f.predict(data=full.iloc[52:60]), f.predict())
    f.update(full.iloc[60:62])  # rows that continue the history: counted with it
    assert f.fitted_.lengths == [62]
    f.save(tmp_path / "m")
    assert rnnkit.load(tmp_path / "m").fitted_.lengths == [62]
    short = rnnkit.Forecaster(**(FAST | {"lookback": 8, "horizon": 2, "epochs": 1}))
    short.fit(pd.concat([full.iloc[:40].assign(unique_id="a"),
                         full.iloc[:6].assign(unique_id="b")]))  # 'b' padded in training
    assert len(short.predict(data=full.iloc[:6].assign(unique_id="b"))) == 2  # as it was


def test_naive_times_are_refused_only_where_reading_them_would_be_a_guess():
    """The first zone check refused a daily model's naive times (they are its wall clock),
    and the naive UTC times a model of unnamed offsets gives back itself."""
    daily = one_series(60, "D")
    zoned = daily.assign(ds=daily["ds"].dt.tz_localize("Europe/Berlin"))
    model = rnnkit.Forecaster(**(FAST | {"lookback": 7, "horizon": 3, "epochs": 1})).fit(zoned)
    naive = model.predict(data=daily)  # local midnights, as the model reads them
    pd.testing.assert_frame_equal(naive, model.predict())
    hourly = one_series(64, "h")
    offsets = hourly.assign(ds=hourly["ds"].dt.tz_localize("UTC").dt.tz_convert(
        "Europe/Paris").astype(str))  # a CSV of a zoned frame: offsets, no zone name
    unnamed = rnnkit.Forecaster(**(FAST | {"lookback": 8, "horizon": 4, "epochs": 1})).fit(
        offsets)
    own = unnamed.predict()  # in UTC (+00:00)
    unnamed.update(own)  # its own answers read back
    assert len(unnamed.predict()) == 4
    with pytest.raises(InputError, match="of data has no time zone, but the model was fitted "
                                         "on times"):  # local, or UTC?
        unnamed.predict(data=hourly)
    naive_daily = rnnkit.Forecaster(**(FAST | {"lookback": 7, "horizon": 3, "epochs": 1})).fit(
        daily)  # days: dates with offsets are the same dates
    pd.testing.assert_frame_equal(naive_daily.predict(data=zoned), naive_daily.predict())


def test_a_sequence_model_forecasts_from_a_few_rows_as_before():
    """The window's row check refused a sequence-trained model, which runs over what it is
    given from a zero state and reads no padding."""
    data = one_series(40, "h")
    model = rnnkit.Forecaster(**(FAST | {"lookback": 6, "horizon": 2, "epochs": 1,
                                         "training": "sequence"})).fit(data)
    assert len(model.predict(data=data.tail(4))) == 2
