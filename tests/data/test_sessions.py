"""Series observed in sessions (business hours, trading days): detected, read as an ordinal
sequence with a day of slots as the season, forecast at the next open timestamps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rnnkit
from rnnkit.data.frames import load_panel
from rnnkit.data.frequency import future_times, season_length
from rnnkit.data.sessions import Sessions
from rnnkit.errors import InputError


def business_hours(days: int = 30, seed: int = 0) -> pd.DataFrame:
    """Every 15 minutes from 09:00 to 17:00 (33 slots) on weekdays, one holiday."""
    dates = pd.bdate_range("2024-01-01", periods=days).delete(7)  # a holiday
    slots = pd.timedelta_range("09:00:00", "17:00:00", freq="15min")
    times = pd.DatetimeIndex((dates.to_numpy()[:, None] + slots.to_numpy()[None, :]).ravel())
    k = np.arange(len(times)) % len(slots)
    y = 100 + 30 * np.sin(np.pi * k / len(slots)) + np.random.default_rng(seed).normal(0, 2,
                                                                                        len(k))
    return pd.DataFrame({"ds": times, "y": y})


def test_business_hours_are_detected_with_their_calendar():
    frame = business_hours()
    s = Sessions.detect(frame["ds"].to_numpy())
    assert s == Sessions(pd.Timedelta("15min"), pd.Timedelta("9h"), 33, (0, 1, 2, 3, 4))
    assert Sessions.from_freq(s.to_freq()) == s
    panel = load_panel(frame)
    assert panel.freq == s.to_freq() and season_length(panel.freq) == 33


def test_the_next_slots_skip_the_night_and_the_weekend():
    frame = business_hours()  # ends on a Friday (2024-02-09) at 17:00
    last = frame["ds"].iloc[-1]
    assert last.day_of_week == 4
    nxt = pd.DatetimeIndex(future_times(frame["ds"].iloc[-2], load_panel(frame).freq, 3))
    assert list(nxt) == [last, pd.Timestamp("2024-02-12 09:00"), pd.Timestamp("2024-02-12 09:15")]


def test_trading_days_with_holidays_are_sessions_of_one_slot_with_a_week_season():
    days = pd.bdate_range("2024-01-01", periods=40).delete([5, 17])
    s = Sessions.detect(days.to_numpy())
    assert s.slots == 1 and s.season == 5 and s.weekdays == (0, 1, 2, 3, 4)
    assert s.following(days[-1], 1)[0] == np.datetime64(days[-1] + pd.offsets.BDay(1))


@pytest.mark.parametrize("times", [
    pd.date_range("2024-01-01", periods=50, freq="D").delete([3, 9]),  # daily, gaps
    pd.DatetimeIndex(["2024-01-01 09:00", "2024-01-01 09:15", "2024-01-01 09:45",
                      "2024-01-02 09:00", "2024-01-02 09:15"]),  # a slot missing mid-day
])
def test_gaps_that_are_not_sessions_stay_irregular(times):
    assert Sessions.detect(times.to_numpy()) is None
    with pytest.raises(InputError, match="irregular timestamps"):
        load_panel(pd.DataFrame({"ds": times, "y": np.arange(len(times), dtype=float)}))


def test_a_forecast_of_business_hours_carries_the_open_timestamps():
    frame = business_hours(20)
    f = rnnkit.Forecaster(horizon=40, epochs=2, repeats=1, verbose=0).fit(frame)
    out = f.predict()
    assert f.horizon_ == 40 and f.fitted_.spec.season == 33
    expected = Sessions.detect(frame["ds"].to_numpy()).following(frame["ds"].iloc[-1], 40)
    assert (out["ds"].to_numpy() == expected).all()
    assert out["ds"].dt.hour.between(9, 17).all() and (out["ds"].dt.day_of_week < 5).all()


def test_slots_off_the_hour_are_sessions_too():
    """Hourly bars at 09:30 ... 15:30 and trading days stamped at 16:00 (slots that do not
    divide the day from midnight) were refused as irregular."""
    days = pd.bdate_range("2024-01-01", periods=15)
    bars = pd.DatetimeIndex(np.concatenate([
        pd.date_range(d + pd.Timedelta("09:30:00"), periods=7, freq="1h") for d in days]))
    s = Sessions.detect(bars.to_numpy())
    assert s == Sessions(pd.Timedelta("1h"), pd.Timedelta("9h30min"), 7, (0, 1, 2, 3, 4))
    assert Sessions.from_freq(s.to_freq()) == s
    assert s.following(bars[-1], 2).tolist() == pd.DatetimeIndex(
        ["2024-01-22 09:30", "2024-01-22 10:30"]).as_unit("ns").to_numpy().tolist()
    closes = pd.bdate_range("2024-01-01", periods=40).delete([5, 17]) + pd.Timedelta("16h")
    assert Sessions.detect(closes.to_numpy()).first == pd.Timedelta("16h")


def test_rows_on_a_model_calendar_are_read_with_it_and_gaps_still_refused():
    """update() and score() read new rows with the model's session calendar: they were
    refused as 'not a pandas frequency'; a slot missing within a day still is refused."""
    frame = business_hours(10)
    f = rnnkit.Forecaster(horizon=6, lookback=33, epochs=1, repeats=1, verbose=0,
                          max_time=None).fit(frame.iloc[:-66])
    f.update(frame.iloc[-66:-33])
    assert f.fitted_.last_times[0] == frame["ds"].iloc[-34]
    assert np.isfinite(f.score(frame.iloc[-33:]))
    panel = load_panel(frame.iloc[-33:], freq=f.fitted_.freq)
    assert panel.freq == f.fitted_.freq and panel.lengths[0] == 33
    with pytest.raises(InputError, match="off the session calendar"):
        load_panel(frame.iloc[-33:].drop(index=frame.index[-30]), freq=f.fitted_.freq)


def test_pandas_business_hours_are_read_as_sessions_with_a_season():
    """Hourly rows 09:00-16:00 on weekdays are what pandas infers as 'bh', a frequency with
    no season: read as sessions they get the day of 8 slots as their season."""
    days = pd.bdate_range("2024-01-01", periods=20)
    times = np.concatenate([pd.date_range(d + pd.Timedelta("09:00:00"), periods=8, freq="1h")
                            for d in days])
    panel = load_panel(pd.DataFrame({"ds": times, "y": np.arange(len(times), dtype=float)}))
    assert panel.freq == "sessions:1h@09:00x8@0,1,2,3,4" and season_length(panel.freq) == 8


def _walk(sessions, last, h):
    """The reference: step slot by slot, day by day, skipping closed days."""
    last = pd.Timestamp(last)
    day = last.normalize()
    k = int((last - day - sessions.first) / sessions.step)
    out = []
    while len(out) < h:
        k += 1
        if k >= sessions.slots:
            k, day = 0, day + pd.Timedelta(days=1)
            while day.day_of_week not in sessions.weekdays:
                day += pd.Timedelta(days=1)
        out.append(day + sessions.first + k * sessions.step)
    return pd.DatetimeIndex(out).as_unit("ns").to_numpy()


@pytest.mark.parametrize("freq,last", [
    ("sessions:5min@07:00x169@0,1,2,3,4", "2024-01-05 21:00"),  # a Friday's last slot
    ("sessions:5min@07:00x169@0,1,2,3,4", "2024-01-03 07:00"),
    ("sessions:1D@00:00x1@0,1,2,3,4", "2024-01-05"),  # trading days
    ("sessions:1h@09:00x8@5,6", "2024-01-07 16:00"),  # weekends only
    ("sessions:30min@09:30x13@0,2,4", "2024-01-03 15:30"),
])
@pytest.mark.parametrize("h", [1, 7, 169, 1000])
def test_following_slots_equal_a_slot_by_slot_walk(freq, last, h):
    sessions = Sessions.from_freq(freq)
    got = sessions.following(last, h)
    np.testing.assert_array_equal(got, _walk(sessions, last, h))
    assert got.dtype == np.dtype("datetime64[ns]")
