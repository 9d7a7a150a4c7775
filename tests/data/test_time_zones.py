"""Zoned timestamps: daily data across a daylight-saving change stays on local days, around-
the-clock hourly data on UTC hours, and what rnnkit returns is in the user's zone again;
each checked against the same data without a zone (the reference: same seed, same grid)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rnnkit
from rnnkit.data.frames import load_panel

TINY = dict(epochs=1, hidden_size=4, verbose=0, max_time=None, seed=0)


def series(times: pd.DatetimeIndex) -> pd.DataFrame:
    t = np.arange(len(times))
    return pd.DataFrame({"ds": times, "y": 10 + np.sin(2 * np.pi * t / 7) + 0.01 * t})


def test_a_zoned_daily_series_across_a_clock_change_is_read_on_local_days():
    """Local midnights are 23 h or 25 h apart in UTC twice a year: they were refused as
    irregular. On the zone's wall clock they are one day apart; forecasts are local
    midnights, equal to the forecasts of the same data without a zone."""
    local = pd.date_range("2023-01-01", periods=120, freq="D", tz="Europe/Paris")
    zoned = rnnkit.Forecaster(**TINY).fit(series(local))
    naive = rnnkit.Forecaster(**TINY).fit(series(local.tz_localize(None)))
    assert zoned.fitted_.freq == "D" and zoned.fitted_.zone.clock == "wall"
    got, want = zoned.predict(), naive.predict()
    assert str(got["ds"].dt.tz) == "Europe/Paris"
    assert (got["ds"].dt.hour == 0).all()  # midnights, summer time included
    np.testing.assert_array_equal(got["ds"].dt.tz_localize(None), want["ds"])
    np.testing.assert_allclose(got["y"], want["y"])


def test_around_the_clock_hourly_data_runs_on_utc_hours():
    """The wall clock skips 02:00 on the last Sunday of March: hourly data is regular only
    in absolute time, so it is modelled on UTC and returned in its zone, an hour apart."""
    local = pd.date_range("2023-03-20", periods=24 * 10, freq="h", tz="Europe/Paris")
    zoned = rnnkit.Forecaster(**TINY, lookback=24, horizon=12).fit(series(local))
    utc = rnnkit.Forecaster(**TINY, lookback=24, horizon=12).fit(
        series(local.tz_convert(None)))
    assert zoned.fitted_.zone.clock == "utc"
    got, want = zoned.predict(), utc.predict()
    assert (got["ds"].diff().dropna() == pd.Timedelta(hours=1)).all()
    np.testing.assert_array_equal(got["ds"].dt.tz_convert(None), want["ds"])
    np.testing.assert_allclose(got["y"], want["y"])


def test_shop_hours_in_a_zone_stay_on_local_hours():
    """Weekday hours 09:00-16:00 local (sessions) keep their local slots across the change;
    in UTC the session would move an hour."""
    days = pd.bdate_range("2023-03-01", "2023-04-14")
    local = pd.DatetimeIndex([d + pd.Timedelta(hours=h) for d in days for h in range(9, 17)])
    panel = load_panel(series(local.tz_localize("America/New_York")))
    assert panel.zone.clock == "wall"
    assert pd.DatetimeIndex(panel.times).hour.min() == 9


def test_a_zoned_frame_written_to_csv_is_read_on_its_local_days(tmp_path):
    """A zoned frame written to CSV holds offsets that change with summer time (+01:00,
    +02:00) and no zone name: read on the local days written, returned without a zone."""
    local = pd.date_range("2023-01-01", periods=120, freq="D", tz="Europe/Paris")
    series(local).to_csv(tmp_path / "zoned.csv", index=False)
    got = rnnkit.Forecaster(**TINY).fit(tmp_path / "zoned.csv").predict()
    want = rnnkit.Forecaster(**TINY).fit(series(local.tz_localize(None))).predict()
    pd.testing.assert_frame_equal(got, want.astype({"ds": got["ds"].dtype}))  # the frame's
    assert want["ds"].dtype == local.tz_localize(None).dtype  # unit given back to it


def test_the_zone_survives_the_model_file_and_reads_new_rows_and_the_future(tmp_path):
    local = pd.date_range("2023-02-01", periods=90, freq="D", tz="Europe/Paris")
    data = series(local).assign(promo=np.arange(90) % 2 * 1.0)
    model = rnnkit.Forecaster(**TINY, lookback=14, horizon=7, future_cols=("promo",),
                              training="sequence").fit(data.iloc[:80])
    model.save(tmp_path / "m")
    loaded = rnnkit.load(tmp_path / "m")
    assert loaded.fitted_.zone == model.fitted_.zone
    future = data.iloc[80:87][["ds", "promo"]]
    pd.testing.assert_frame_equal(loaded.predict(future=future), model.predict(future=future))
    loaded.update(data.iloc[80:83])  # local midnights that follow the history
    after = loaded.predict(future=data.iloc[83:90][["ds", "promo"]])
    assert after["ds"].iloc[0] == local[83]


@pytest.mark.parametrize("clock", ["wall", "utc"])
def test_grid_times_go_back_to_the_users_zone(clock):
    from rnnkit.data.zones import Zone

    grid = np.array(["2023-03-26T00:00", "2023-03-26T02:30"], dtype="datetime64[ns]")
    out = Zone("Europe/Paris", clock).user_times(grid)
    # 02:30 local does not exist that night: moved forward to the first time that does
    want = ["2023-03-26 00:00+01:00", "2023-03-26 03:00+02:00"] if clock == "wall" else \
        ["2023-03-26 01:00+01:00", "2023-03-26 04:30+02:00"]
    assert list(out) == [pd.Timestamp(w) for w in want]


def test_frames_indexed_by_zoned_time_give_data_and_future():
    """A future= frame indexed by time was refused (only DATA was read from its index)."""
    local = pd.date_range("2023-01-01", periods=100, freq="D", tz="Europe/Paris")
    frame = pd.DataFrame({"y": 5 + np.sin(np.arange(100) / 3), "promo": np.arange(100) % 2.0},
                         index=local)
    model = rnnkit.Forecaster(**TINY, horizon=5, lookback=14, future_cols=("promo",)).fit(
        frame.iloc[:90])
    by_index = model.predict(future=frame.iloc[90:95][["promo"]])
    by_column = model.predict(future=frame.iloc[90:95].rename_axis("ds").reset_index())
    pd.testing.assert_frame_equal(by_index, by_column)
    assert list(by_index["ds"]) == list(local[90:95])
