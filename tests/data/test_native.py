"""Frames of other libraries in, answers in the caller's type; Forecaster.score for
scikit-learn's searches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

import rnnkit
from rnnkit.data.native import frame_kind, to_pandas

SMALL = dict(hidden_size=8, epochs=3, batch_size=16, verbose=0, horizon=6, repeats=1,
             max_time=None)


def monthly(n: int = 72) -> pd.DataFrame:
    t = np.arange(n)
    y = 100 + t + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, n)
    return pd.DataFrame({"ds": pd.date_range("2000-01-01", periods=n, freq="MS"), "y": y})


def test_the_same_forecast_from_a_pandas_frame_a_series_and_pyarrow():
    pa = pytest.importorskip("pyarrow", reason="pyarrow (rnnkit[parquet]) is not installed")
    frame = monthly()
    expected = rnnkit.Forecaster(**SMALL).fit(frame).predict()
    series = frame.set_index("ds")["y"]
    from_series = rnnkit.Forecaster(**SMALL).fit(series).predict()
    pd.testing.assert_frame_equal(from_series, expected)
    table = pa.Table.from_pandas(frame)
    from_arrow = rnnkit.Forecaster(**SMALL).fit(table).predict()
    assert frame_kind(from_arrow) == "pyarrow"  # answered in the caller's type
    pd.testing.assert_frame_equal(from_arrow.to_pandas(), expected, check_dtype=False)


def test_the_same_forecast_from_a_polars_frame_eager_and_lazy():
    pl = pytest.importorskip("polars", reason="polars (rnnkit[polars]) is not installed")
    frame = monthly()
    f = rnnkit.Forecaster(**SMALL).fit(frame)
    expected = f.predict()
    from_polars = rnnkit.Forecaster(**SMALL).fit(pl.from_pandas(frame))
    answer = from_polars.predict()
    assert isinstance(answer, pl.DataFrame)
    np.testing.assert_array_equal(answer["y"].to_numpy(), expected["y"].to_numpy())
    assert answer["ds"].to_list() == list(expected["ds"])
    # a pandas-fitted model answers a lazy polars history in polars
    lazy = f.predict(data=pl.from_pandas(frame).lazy())
    assert isinstance(lazy, pl.DataFrame)
    np.testing.assert_allclose(lazy["y"].to_numpy(), expected["y"].to_numpy())


def test_a_model_fitted_on_polars_answers_in_polars_after_load_and_the_cli_in_csv(
        tmp_path, capsys):
    """After save and load a polars-fitted model answered in pandas."""
    pl = pytest.importorskip("polars", reason="polars (rnnkit[polars]) is not installed")
    from cli.cli_support import run

    frame = monthly()
    rnnkit.Forecaster(**SMALL).fit(pl.from_pandas(frame)).save(tmp_path / "m")
    loaded = rnnkit.load(tmp_path / "m")
    assert isinstance(loaded.predict(), pl.DataFrame)
    frame.to_csv(tmp_path / "d.csv", index=False)
    code, out, err = run(["predict", tmp_path / "m", tmp_path / "d.csv"], capsys)
    assert code == 0 and out.startswith("ds,y"), err


def test_a_forecast_keeps_the_type_of_the_callers_time_column(tmp_path):
    """Dates of datetime64[us] (or polars Date / Datetime('us')) came back as [ns], so
    pl.concat([history, forecast]) failed on its time column."""
    pl = pytest.importorskip("polars", reason="polars (rnnkit[polars]) is not installed")
    frame = monthly().astype({"ds": "datetime64[ms]"})
    fitted = rnnkit.Forecaster(**SMALL).fit(frame)
    assert fitted.predict()["ds"].dtype == np.dtype("datetime64[ms]")
    expected = fitted.predict()["ds"].to_list()
    for dtype in (pl.Date, pl.Datetime("us"), pl.Datetime("ms")):
        history = pl.from_pandas(frame).with_columns(pl.col("ds").cast(dtype))
        model = rnnkit.Forecaster(**SMALL).fit(history)
        model.save(tmp_path / "m")
        for answer in (model.predict(), rnnkit.load(tmp_path / "m").predict()):
            assert answer.schema["ds"] == history.schema["ds"]
            assert pl.concat([history, answer], how="vertical_relaxed").height == 78
            assert answer["ds"].cast(pl.Datetime("us")).to_list() == expected
    # newer data of another type: the answer follows it
    newer = pl.from_pandas(frame).with_columns(pl.col("ds").cast(pl.Datetime("ms")))
    assert model.predict(data=newer).schema["ds"] == pl.Datetime("ms")
    # times a Date cannot hold (12-hour steps read from dates) stay datetimes, not cut to
    # the day (2024-02-29, 03-01, 03-01, ...)
    daily = pl.from_pandas(monthly().assign(ds=pd.date_range("2024-01-01", periods=72,
                                                             freq="D"))).with_columns(
        pl.col("ds").cast(pl.Date))
    halves = rnnkit.Forecaster(**SMALL | {"freq": "12h", "fill": "interpolate"}).fit(daily)
    assert halves.predict()["ds"].dt.hour().to_list()[:2] == [12, 0]
    hourly = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=72, freq="h"),
                           "y": monthly()["y"]}).astype({"ds": "datetime64[s]"})
    assert rnnkit.Forecaster(**SMALL).fit(hourly).predict()["ds"].dtype == "datetime64[s]"


def test_a_series_becomes_time_and_target_columns_and_other_data_passes_through():
    series = pd.Series([1.0, 2.0], index=pd.period_range("2000-01", periods=2, freq="M"))
    frame = to_pandas(series, "when", "sales")
    assert list(frame.columns) == ["when", "sales"]
    assert frame["when"].iloc[1] == pd.Timestamp("2000-02-01")
    for other in ("airline", np.zeros(3), [1, 2]):
        assert to_pandas(other) is other
    with pytest.raises(rnnkit.InputError, match="2-level index.*reset_index"):
        to_pandas(pd.Series([1.0], index=pd.MultiIndex.from_tuples([("a", 1)])))


def test_an_unreadable_type_names_the_readable_ones():
    with pytest.raises(rnnkit.InputError, match="of type dict is not readable.*polars"):
        rnnkit.Forecaster(**SMALL).fit({"y": [1, 2]})


def test_score_is_minus_the_mae_of_the_next_horizon():
    frame = monthly()
    f = rnnkit.Forecaster(**SMALL).fit(frame.iloc[:-6])
    forecast = f.predict()
    mae = np.abs(forecast["y"].to_numpy() - frame["y"].to_numpy()[-6:]).mean()
    assert f.score(frame.iloc[-6:]) == pytest.approx(-mae)
    assert f.score(frame) == pytest.approx(-mae)  # earlier rows are not scored
    assert f.score(frame.iloc[-6:-5]) == pytest.approx(
        -abs(forecast["y"].iloc[0] - frame["y"].iloc[-6]))
    with pytest.raises(rnnkit.InputError, match="no rows at the forecast's timestamps"):
        f.score(frame.iloc[:20])


def test_scikit_learn_searches_drive_a_forecaster_on_chronological_folds():
    frame = monthly()
    search = GridSearchCV(rnnkit.Forecaster(**SMALL), {"hidden_size": [4, 8]},
                          cv=TimeSeriesSplit(2, test_size=6)).fit(frame)
    assert search.best_params_["hidden_size"] in (4, 8)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert (search.cv_results_["mean_test_score"] < 0).all()
    assert search.best_estimator_.predict()["ds"].iloc[0] == pd.Timestamp("2006-01-01")
