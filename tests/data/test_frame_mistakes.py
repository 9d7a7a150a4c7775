"""Mistakes users made handing data to rnnkit, found in a review: each message names the real
problem and a fix that works, and a frame indexed by time is read like a Series."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rnnkit.data.columns import Columns
from rnnkit.data.frames import load_panel
from rnnkit.datasets import load_dataset
from rnnkit.errors import InputError


def airline() -> pd.DataFrame:
    frame = load_dataset("airline")
    return frame.assign(ds=pd.to_datetime(frame["ds"]), y=frame["y"].astype(float))


def message(data, columns: Columns | None = None, **kwargs) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a flood of warnings before the error is a failure too
        with pytest.raises(InputError) as caught:
            load_panel(data, columns or Columns(), **kwargs)
    text = str(caught.value)
    assert "\n" not in text
    return text


def test_a_missing_covariate_asks_for_that_column_and_proposes_no_other():
    history = airline().assign(promo=np.arange(144) % 3 * 1.0)
    text = message(history.drop(columns="promo"), Columns(feature_cols=("promo",)))
    assert "must include" in text and "['promo']" in text and "trained on" in text
    assert "--feature-cols y" not in text and "Pass --" not in text
    # 'promo' varies, so the library refuses it as static: it is never proposed as one
    text = message(history, Columns(static_cols=("region",)))
    assert "must include" in text and "['region']" in text
    assert "static-cols promo" not in text and "rename 'promo'" not in text


def test_a_missing_month_names_the_real_gap_and_the_fix_works():
    frame = airline()
    frame = frame[frame["ds"] != "1957-05-01"]
    text = message(frame)
    assert "expected 1957-05-01 after 1957-04-01, found 1957-06-01" in text
    assert "fill=... to fill the gaps on its 'MS' grid (CLI: --fill" in text
    for given in ({"freq": "MS"}, {}):  # the fix works, with the grid named or not
        panel = load_panel(frame, fill="interpolate", **given)
        assert panel.lengths.tolist() == [144] and panel.freq == "MS"


def test_month_ends_and_quarters_name_the_real_gap():
    ends = pd.DataFrame({"ds": pd.date_range("2000-01-31", periods=30, freq="ME"), "y": 1.0})
    assert "expected 2001-05-31 after 2001-04-30, found 2001-06-30" in message(ends.drop(16))
    quarters = pd.DataFrame({"ds": pd.date_range("2000-01-01", periods=30, freq="QS"), "y": 1.0})
    assert "expected 2002-04-01 after 2002-01-01, found 2002-07-01" in message(quarters.drop(9))
    two = pd.DataFrame({"ds": pd.date_range("2000-01-01", periods=2, freq="MS"), "y": 1.0})
    assert "too few to infer" in message(two)  # was: expected 2000-02-01, found 2000-02-01


def test_a_frame_indexed_by_time_is_read_like_a_series(tmp_path):
    frame = airline()
    frame.to_csv(tmp_path / "air.csv", index=False)
    by_index = pd.read_csv(tmp_path / "air.csv", index_col=0, parse_dates=True)
    assert list(by_index.columns) == ["y"]
    want = load_panel(frame)
    for data in (by_index, by_index.to_period("M"), by_index.rename_axis(None)):
        panel = load_panel(data)
        assert panel.freq == "MS"
        np.testing.assert_array_equal(panel.times, want.times)
        np.testing.assert_array_equal(panel.values, want.values)
    long = pd.concat([frame.assign(unique_id=k) for k in "ab"])
    assert load_panel(long.set_index(["unique_id", "ds"])).lengths.tolist() == [144, 144]


def test_no_time_column_never_proposes_the_target_as_time():
    text = message(airline()[["y"]])
    assert "time_col='ds' is not a column" in text and "time_col='y'" not in text
    frame = airline()
    text = message(frame[["y"]].set_index(frame["ds"].dt.strftime("%Y-%m").rename("month")))
    assert ".reset_index()" in text


def test_a_2d_array_with_unnamed_columns_is_refused():
    y = airline()["y"].to_numpy()
    text = message(np.column_stack([y, y * 2]))
    assert "[T, columns]" in text and "x1" in text and "feature_cols=('x1',)" in text
    panel = load_panel(np.column_stack([y, y * 2]), Columns(feature_cols=("x1",)))
    np.testing.assert_array_equal(panel.series(0)[:, 1], y * 2)


def test_a_row_vector_says_transpose_without_warnings():
    y = airline()["y"].to_numpy()
    text = message(y[None, :])
    assert "(1, 144)" in text and "1-D array" in text and "[T, 1]" in text


def test_a_freq_whose_grid_misses_the_timestamps_is_refused_not_emptied():
    """Weeks of Mondays on freq='W' (Sundays) became all-NaN, and --freq W on daily data
    kept every seventh day: observations off the grid were dropped without a word."""
    mondays = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=30, freq="W-MON"),
                            "y": np.arange(30.0)})
    text = message(mondays, freq="W", fill="ffill")
    assert "30 of its 30 timestamps are not on" in text and "'W-MON'" in text
    assert load_panel(mondays, freq="W-MON").freq == "W-MON"
    daily = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=30), "y": np.arange(30.0)})
    text = message(daily, freq="W-MON")
    assert "25 of its 30 timestamps are not on" in text and "Pass freq='D'" in text


def test_fill_never_leaves_missing_values_and_drop_never_leaves_gaps():
    data = pd.DataFrame({"unique_id": ["a"] * 10 + ["b"] * 10,
                         "ds": list(pd.date_range("2024-01-01", periods=10)) * 2,
                         "y": [1.0] * 10 + [np.nan] * 10})
    assert "column 'y' of series 'b' has no value to fill from" in message(data, fill="ffill")
    gap = airline()
    gap.loc[50, "y"] = np.nan
    text = message(gap, fill="drop", freq="MS")
    assert "drops 1 row(s) inside series" in text and "1953-03" in text
    gap.loc[[0, 1], "y"] = np.nan  # at the start: dropped, the rest stays regular
    gap.loc[50, "y"] = 1.0
    assert len(load_panel(gap, fill="drop").values) == len(gap) - 2


def test_integer_steps_name_the_fix_that_works():
    one = pd.DataFrame({"ds": [0, 5, 10, 20, 25], "y": np.arange(5.0)})
    text = message(one)
    assert "expected 15 after 10, found 20" in text and "Add the missing steps" in text
    two = pd.DataFrame({"unique_id": ["a"] * 4 + ["b"] * 4, "ds": [0, 5, 10, 15, 0, 10, 20, 30],
                        "y": np.arange(8.0)})
    assert "step by different amounts" in message(two) and "'b': 10" in message(two)


def test_day_first_dates_are_read_day_first_and_a_model_keeps_the_order(tmp_path):
    """01/02/1949 (1 February) was read as 2 January: a monthly series became the first
    twelve days of each year, refused as irregular with advice to pass freq='D'."""
    import rnnkit

    frame = airline()
    written = frame.assign(ds=frame["ds"].dt.strftime("%d/%m/%Y"))
    written.to_csv(tmp_path / "dmy.csv", index=False)
    panel = load_panel(tmp_path / "dmy.csv")
    assert panel.freq == "MS" and panel.dayfirst
    np.testing.assert_array_equal(panel.times, frame["ds"].to_numpy("datetime64[ns]"))
    daily = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=40).strftime("%d.%m.%Y"),
                          "y": np.arange(40.0)})
    assert load_panel(daily).freq == "D"
    us = frame.assign(ds=frame["ds"].dt.strftime("%m/%d/%Y"))
    assert not load_panel(us).dayfirst and load_panel(us).freq == "MS"
    model = rnnkit.Forecaster(epochs=1, hidden_size=4, verbose=0, repeats=1,
                              training="sequence").fit(written.iloc[:-2])
    model.update(written.iloc[-2:-1])  # one row: its order cannot be told, the model's is
    assert model.predict()["ds"].iloc[0] == frame["ds"].iloc[-1]


def test_a_models_data_missing_its_time_column_is_told_to_rename():
    import rnnkit

    model = rnnkit.Forecaster(epochs=1, hidden_size=4, verbose=0, repeats=1).fit(airline())
    with pytest.raises(InputError, match=r"rename 'date' to 'ds'") as caught:
        model.predict(data=airline().rename(columns={"ds": "date"}))
    assert "--time-col" not in str(caught.value)


def test_a_spreadsheet_export_with_decimal_commas_and_a_tsv_are_read(tmp_path):
    """Excel in many locales writes ';' between fields and ',' as the decimal mark: every
    number was refused as non-numeric, with advice to drop them."""
    frame = airline().assign(y=lambda f: f["y"] + 0.25)
    text = frame.assign(y=frame["y"].map(lambda v: f"{v:.2f}".replace(".", ",")))
    (tmp_path / "excel.csv").write_bytes(
        ("\ufeff" + text.to_csv(sep=";", index=False, lineterminator="\r\n")).encode())
    np.testing.assert_allclose(load_panel(tmp_path / "excel.csv").values[:, 0], frame["y"])
    frame.to_csv(tmp_path / "tabs.tsv", sep="\t", index=False)
    assert load_panel(tmp_path / "tabs.tsv").values.shape == (144, 1)
    inline = frame.assign(y=text["y"])
    assert "decimal commas" in message(inline)
    # a value that reads as thousands (1,234) is not said to hold a decimal comma: dividing
    # it by 1000 would be the wrong fix
    thousands = frame.assign(y=frame["y"].map(lambda v: f"{1000 * v:,.0f}"))
    said = message(thousands)
    assert "If the commas separate thousands" in said and "thousands=','" in said


def test_a_series_of_another_frequency_is_the_one_named():
    quarters = pd.date_range("2000-01-01", periods=12, freq="QS")
    frame = pd.concat([pd.DataFrame({"unique_id": f"q{k}", "ds": quarters, "y": 1.0 + k})
                       for k in range(6)] + [pd.DataFrame(
                           {"unique_id": "monthly", "y": 2.0,
                            "ds": pd.date_range("2000-01-01", periods=12, freq="MS")})])
    said = message(frame, Columns(id_col="unique_id"))
    assert "'monthly' is 'MS', the other 6 'QS-JAN'" in said


def test_dates_pandas_cannot_infer_a_format_for_are_read_without_its_warning():
    frame = pd.DataFrame({"ds": ["Jan 1973", "Feb 1973", "Mar 1973", "April 1973"],
                          "y": [1.0, 2.0, 3.0, 4.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_panel(frame).freq == "MS"


def test_months_written_as_yyyymm_integers_are_told_how_to_read_as_dates():
    frame = pd.DataFrame({"month": [197301 + k % 12 + 100 * (k // 12) for k in range(36)],
                          "y": np.arange(36.0)})
    said = message(frame, Columns(time_col="month"))
    assert "They look like YYYYMM dates (197312)" in said and "format='%Y%m'" in said
    for written in (frame, frame.assign(month=frame["month"] * 1.0)):  # integers or floats
        assert "astype('int64').astype(str), format='%Y%m'" in message(
            written, Columns(time_col="month"))
        fixed = written.assign(month=pd.to_datetime(written["month"].astype("int64").astype(
            str), format="%Y%m"))
        assert load_panel(fixed, Columns(time_col="month")).freq == "MS"  # the fix works
    assert "renumber the steps" in message(pd.DataFrame({"t": [1, 2, 4], "y": [1.0, 2, 3]}),
                                           Columns(time_col="t"))


def test_the_target_named_as_the_time_or_id_column_says_so():
    frame = load_dataset("airline")
    assert "time_col='y' is already target_col" in message(frame, Columns(time_col="y"))
    assert "id_col='y' is already target_col" in message(frame, Columns(id_col="y"))


def test_fractional_time_steps_are_named_and_whole_ones_are_steps():
    """ds = 0.0, 0.5, 1.0 ... was read as nanoseconds since 1970: '42 duplicate timestamps,
    first 1970-01-01'."""
    halves = pd.DataFrame({"ds": np.arange(60) * 0.5, "y": np.arange(60.0)})
    assert message(halves) == ("time_col='ds' must hold timestamps or integer steps; row 1 "
                               "holds 0.5. Number the steps with integers (0, 1, 2, ...), or "
                               "give dates.")
    assert "is empty at row 3" in message(halves.assign(ds=[0.0, 1, 2, np.nan] + list(
        range(4, 60))))
    panel = load_panel(halves.assign(ds=np.arange(60) * 1.0))
    assert panel.times.dtype == np.int64 and panel.freq is None and panel.times[-1] == 59


def test_integer_ids_come_back_as_integers_in_every_answer(tmp_path):
    """Integer series ids came back as text, so merging forecasts with the data failed."""
    import rnnkit

    frame = pd.DataFrame({"unique_id": np.repeat([7, 8], 30), "ds": np.tile(np.arange(30), 2),
                          "y": np.sin(np.arange(60.0))})
    small = dict(epochs=1, hidden_size=4, repeats=1, max_time=None, verbose=0, horizon=3)
    model = rnnkit.Forecaster(**small).fit(frame)
    for answer in (model.predict(), model.predict(data=frame), model.predict(ids=8),
                   rnnkit.Forecaster(**small).evaluate(frame, test_size=3).forecasts,
                   rnnkit.Forecaster(**small).backtest(frame, n_windows=2).forecasts):
        assert answer["unique_id"].dtype == np.int64, answer
    assert model.predict(ids=8)["unique_id"].tolist() == [8] * 3
    model.save(tmp_path / "m")
    assert rnnkit.load(tmp_path / "m").predict()["unique_id"].dtype == np.int64
    assert load_panel(frame.assign(unique_id=frame["unique_id"].astype(str))).integer_ids \
        is False  # ids written as text stay text


def test_ids_beyond_int64_come_back_as_the_unsigned_integers_they_were():
    import rnnkit

    big = np.uint64(2**63 + 5)
    frame = pd.DataFrame({"unique_id": np.repeat(np.array([big, big + np.uint64(1)]), 30),
                          "ds": np.tile(np.arange(30), 2), "y": np.sin(np.arange(60.0))})
    model = rnnkit.Forecaster(epochs=1, hidden_size=4, repeats=1, max_time=None, verbose=0,
                              horizon=2).fit(frame)
    assert model.predict()["unique_id"].tolist() == [int(big)] * 2 + [int(big) + 1] * 2


def test_fill_alone_fills_the_gaps_of_a_grid_the_series_keep_between_them():
    """fill='interpolate' without freq= still said 'irregular timestamps' on monthly data
    with months missing, although the message could name the frequency."""
    months = pd.date_range("2000-01-01", periods=40, freq="MS")
    frame = pd.DataFrame({"ds": months, "y": np.arange(40.0)}).drop(index=[10, 11, 30])
    said = message(frame)
    assert "irregular timestamps: expected 2000-11-01 after 2000-10-01" in said
    assert "pass fill=... to fill the gaps on its 'MS' grid (CLI: --fill" in said
    assert "fill='drop' drops 3 row(s) inside series" in message(frame, fill="drop")
    panel = load_panel(frame, fill="interpolate")
    assert panel.freq == "MS" and panel.lengths.tolist() == [40]
    np.testing.assert_allclose(panel.values[:, 0], np.arange(40.0))  # a line, interpolated
    # trading days skip weekends: no gaps there to fill, a session calendar as without fill
    days = pd.bdate_range("2024-01-01", periods=60)
    trading = load_panel(pd.DataFrame({"ds": days, "y": np.arange(60.0)}), fill="ffill")
    assert trading.lengths.tolist() == [60]
