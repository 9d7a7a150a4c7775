from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from rnnkit.data.columns import Columns
from rnnkit.data.frames import load_panel
from rnnkit.data.frequency import future_times, season_length
from rnnkit.data.validation import as_3d
from rnnkit.errors import InputError


def daily(n=10, start="2024-01-01", **cols):
    frame = pd.DataFrame({"ds": pd.date_range(start, periods=n, freq="D"),
                          "y": np.arange(n, dtype=float)})
    return frame.assign(**cols)


def test_many_series_of_different_lengths_and_starts_unsorted():
    a, b = daily(5).assign(unique_id="a"), daily(8, "2024-03-01").assign(unique_id="b")
    frame = pd.concat([b, a]).sample(frac=1, random_state=0)
    panel = load_panel(frame)
    assert panel.ids == sorted(panel.ids, key=list(frame["unique_id"]).index)
    assert panel.lengths.tolist() == ([8, 5] if panel.ids[0] == "b" else [5, 8])
    for v, t in zip(panel.per_series, map(panel.series_times, range(2)), strict=True):
        assert (np.diff(t) > np.timedelta64(0)).all() and (np.diff(v[:, 0]) == 1).all()
    assert panel.freq == "D" and panel.has_id


@pytest.mark.parametrize("freq,season", [("MS", 12), ("D", 7), ("h", 24), ("min", 1440)])
def test_frequency_is_inferred(freq, season):
    frame = pd.DataFrame({"ds": pd.date_range("2020-01-01", periods=30, freq=freq), "y": 1.0})
    panel = load_panel(frame)
    assert panel.freq == freq and season_length(panel.freq) == season


def test_numpy_series_and_features():
    panel = load_panel(np.arange(12.0))
    assert panel.freq is None and panel.step == 1 and not panel.has_id
    two = load_panel(np.ones((6, 3)), Columns(feature_cols=("x1", "x2")))
    assert two.series(0).shape == (6, 3)
    with pytest.raises(InputError, match="belongs to SequenceRegressor"):
        load_panel(np.ones((4, 5, 1)))


def test_csv_and_parquet_round_trip(tmp_path):
    frame = daily(20)
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    for name in ("d.csv", "d.parquet"):
        panel = load_panel(tmp_path / name)
        np.testing.assert_array_equal(panel.series(0)[:, 0], frame["y"])


def test_bundled_dataset_by_name():
    panel = load_panel("airline")
    assert panel.lengths.tolist() == [144] and panel.freq == "MS"


def test_missing_column_suggests_the_closest():
    with pytest.raises(InputError, match=r"time_col='date' is not a column.*Pass --time-col ds"):
        load_panel(daily(), Columns(time_col="date"))
    with pytest.raises(InputError, match="target_col='yy'.*--target-col y"):
        load_panel(daily(), Columns(target_col="yy"))


def test_non_numeric_target_names_the_row():
    frame = daily().astype({"y": object})
    frame.loc[4, "y"] = "n/a"
    with pytest.raises(InputError, match="column 'y' must be numeric; row 4 holds 'n/a'"):
        load_panel(frame)


def test_nan_and_inf_say_where_and_offer_fill():
    frame = daily()
    frame.loc[3, "y"] = np.nan
    frame.loc[6, "y"] = np.inf
    with pytest.raises(InputError, match=r"2 missing or infinite.*2024-01-04.*fill='ffill'"):
        load_panel(frame)
    expected = {"ffill": [2, 2, 5, 5], "zero": [2, 0, 5, 0], "interpolate": [2, 3, 5, 6]}
    for fill, values in expected.items():
        got = load_panel(frame, fill=fill).series(0)[[2, 3, 5, 6], 0]
        np.testing.assert_array_equal(got, values)


def test_drop_then_regularity_is_checked():
    frame = daily()
    frame.loc[3, "y"] = np.nan
    with pytest.raises(InputError, match="drops 1 row.*leaves gaps in its time steps"):
        load_panel(frame, fill="drop")


def test_duplicate_timestamps():
    frame = pd.concat([daily(), daily().iloc[[2, 5]]])
    with pytest.raises(InputError, match="2 duplicate timestamp.*first 2024-01-03"):
        load_panel(frame)


def test_irregular_timestamps_name_the_gap_and_reindex_fixes_it():
    frame = daily().drop(index=[4, 5])
    with pytest.raises(InputError, match="expected 2024-01-05 after 2024-01-04, found 2024-01-07"):
        load_panel(frame)
    panel = load_panel(frame, freq="D", fill="interpolate")
    np.testing.assert_array_equal(panel.series(0)[:, 0], np.arange(10.0))


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(InputError, match="is empty"):
        load_panel(tmp_path / "e.csv")
    (tmp_path / "h.csv").write_text("ds,y\n")
    with pytest.raises(InputError, match="no rows"):
        load_panel(tmp_path / "h.csv")
    with pytest.raises(InputError, match="no such file.*airline"):
        load_panel(tmp_path / "nope.csv")


def test_future_times():
    months = future_times(np.datetime64("1960-12-01"), "MS", 3)
    assert [str(pd.Timestamp(t).date()) for t in months] == ["1961-01-01", "1961-02-01",
                                                              "1961-03-01"]
    np.testing.assert_array_equal(future_times(10, None, 3, step=5), [15, 20, 25])


def test_as_3d_explains_the_reshape():
    with pytest.raises(InputError, match=r"reshape\(4, 7, 1\).*reshape\(1, 4, 7\)"):
        as_3d(np.zeros((4, 7)))
    x = np.zeros((2, 3, 1))
    x[1, 2, 0] = np.nan
    with pytest.raises(InputError, match="sample 1, step 2"):
        as_3d(x)


def test_data_layer_never_imports_torch():
    code = ("import sys, rnnkit.data, rnnkit.datasets, rnnkit.metrics\n"
            "rnnkit.data.load_panel('airline')\nassert 'torch' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("freq", ["MS", "ME", "QS-OCT", "YE-DEC", "W-SUN", "h", "30min", "D",
                                  "B", "2MS", "SMS", None])
def test_future_times_of_many_series_at_once_equal_one_date_range_each(freq):
    from rnnkit.data.frequency import future_times, future_times_many

    rng = np.random.default_rng(0)
    if freq is None:
        lasts = list(rng.integers(0, 1000, 7))
    else:
        grid = pd.date_range("1990-01-01", periods=100, freq=freq).as_unit("ns").to_numpy()
        lasts = list(grid[rng.integers(0, 100, 7)])
    expected = np.stack([future_times(t, freq, 13, 3 if freq is None else 1) for t in lasts])
    got = future_times_many(lasts, freq, 13, 3 if freq is None else 1)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype


@pytest.mark.parametrize("freq", ["h", "D", "MS"])
def test_series_already_on_the_grid_are_kept_and_gaps_are_filled_with_nan(freq):
    from rnnkit.data.frames import _reindex

    rng = np.random.default_rng(0)
    values, times = [], []
    for s in range(12):  # every third series has two gaps; one series has one row
        t = pd.date_range("2024-01-01", periods=9, freq=freq).to_numpy()
        t = np.delete(t, [3, 5]) if s % 3 == 0 else t[:1] if s == 4 else t
        values.append(rng.normal(size=(len(t), 2)))
        times.append(t)
    got_v, got_t = _reindex(values, times, freq, [str(s) for s in range(12)])
    for v, t, gv, gt in zip(values, times, got_v, got_t, strict=True):  # the reference:
        grid = pd.date_range(t[0], t[-1], freq=freq)  # one reindex per series
        np.testing.assert_array_equal(gv, pd.DataFrame(v, index=pd.DatetimeIndex(t))
                                      .reindex(grid).to_numpy())
        np.testing.assert_array_equal(gt, grid.to_numpy(dtype="datetime64[ns]"))
    assert np.isnan(got_v[0][3]).all() and len(got_v[0]) == 9


def test_a_semicolon_csv_is_read_and_series_ids_stay_text(tmp_path):
    from rnnkit.data.header import column_names

    frame = pd.DataFrame({"unique_id": ["001"] * 5 + ["01"] * 5,
                          "ds": list(pd.date_range("2024-01-01", periods=5, freq="D")) * 2,
                          "y": np.arange(10.0)})
    frame.to_csv(tmp_path / "semi.csv", sep=";", index=False)
    assert column_names(tmp_path / "semi.csv") == ["unique_id", "ds", "y"]
    panel = load_panel(tmp_path / "semi.csv")
    assert panel.ids == ["001", "01"]  # two series, zeros kept (not both read as 1)
    np.testing.assert_array_equal(panel.series(1)[:, 0], np.arange(5.0, 10.0))
