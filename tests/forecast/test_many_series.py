from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import panel

import rnnkit
from rnnkit.errors import InputError

FAST = dict(max_time=None, hidden_size=8, epochs=5, batch_size=16, verbose=0, lookback=12,
            horizon=3, repeats=1)


def _frame():
    return panel((80, 60, 70), seasons=((19, 1.0),), level=5, stagger=20)


def test_id_embedding_round_trips_and_matches_batched_windows(tmp_path):
    data = _frame()
    f = rnnkit.Forecaster(id_embedding=3, **FAST).fit(data)
    assert f.model_.series_inputs.ids.weight.shape == (3, 3)
    f.save(tmp_path / "m")
    back = rnnkit.load(tmp_path / "m")
    pd.testing.assert_frame_equal(back.predict(), f.predict(), check_exact=True)
    batched = f.predict_windows(data, stride=10)
    last = batched.groupby("unique_id")["cutoff"].max()
    for sid, cutoff in last.items():
        history = data[(data["unique_id"] == sid) & (data["ds"] <= cutoff)]
        np.testing.assert_allclose(
            batched[(batched["unique_id"] == sid) & (batched["cutoff"] == cutoff)]["y"],
            f.predict(data=history)["y"], rtol=1e-5)
    assert "series embedding" in f.summary()


def test_predict_a_subset_of_series():
    f = rnnkit.Forecaster(**FAST).fit(_frame())
    out = f.predict(ids=["s2", "s0"])
    assert list(dict.fromkeys(out["unique_id"])) == ["s2", "s0"]
    full = f.predict()
    np.testing.assert_array_equal(out[out["unique_id"] == "s2"]["y"],
                                  full[full["unique_id"] == "s2"]["y"])
    with pytest.raises(InputError, match="not among the series"):
        f.predict(ids=["s9"])


def test_a_series_shorter_than_one_window_is_forecast_by_the_model_the_others_train(capsys):
    frame = _frame()
    short = panel((2,), level=5, seed=7).assign(unique_id="short")
    both = pd.concat([frame, short], ignore_index=True)  # 2 rows: no window of 3 real targets
    alone = rnnkit.Forecaster(**FAST).fit(frame)
    model = rnnkit.Forecaster(**FAST | {"verbose": 1}).fit(both)  # 2 rows: the panel's freq
    assert "1 of 4 series have fewer than 4 observations before" in capsys.readouterr().err
    # the short series added no window: the same windows, the same seed, the same weights;
    # nor does one of 3 rows (3 targets, but no row before them to read)
    three = panel((3,), level=5, seed=7).assign(unique_id="short")
    for other in (model, rnnkit.Forecaster(**FAST).fit(pd.concat([frame, three]))):
        for a, b in zip(alone.model_.state_dict().values(),
                        other.model_.state_dict().values(), strict=True):
            torch.testing.assert_close(a, b, rtol=0, atol=0)
    forecast = model.predict()
    assert set(forecast["unique_id"]) == set(both["unique_id"])
    assert np.isfinite(forecast["y"]).all() and len(forecast) == 4 * 3
    off_grid = both.copy()
    off_grid.loc[off_grid.unique_id == "short", "ds"] = pd.to_datetime(["2024-01-01",
                                                                        "2024-01-03"])
    with pytest.raises(InputError, match="'short' has irregular timestamps: expected 2024-01-02"):
        rnnkit.Forecaster(**FAST).fit(off_grid)  # two times, not one day apart
    with pytest.raises(InputError, match="'short' has 2 observations"):  # nothing to train on
        rnnkit.Forecaster(**FAST, freq="D").fit(short)


def test_an_evaluation_scores_the_series_long_enough_and_names_the_others():
    frame = _frame()
    new = pd.DataFrame({"unique_id": "new", "y": [5.0, 6.0],
                        "ds": frame["ds"].max() - pd.to_timedelta([1, 0], unit="D")})
    both = pd.concat([frame, new], ignore_index=True)
    evaluation = rnnkit.Forecaster(**FAST).evaluate(both, test_size=3)
    alone = rnnkit.Forecaster(**FAST).evaluate(frame, test_size=3)
    assert evaluation.left_out == ("'new' (2 observations)",) and not alone.left_out
    assert "new" not in set(evaluation.forecasts["unique_id"])
    pd.testing.assert_frame_equal(evaluation.scores, alone.scores)  # the others, as alone
    assert "not scored: 'new' (2 observations), too short to hold out 3" in evaluation.table()
    assert evaluation.to_dict()["left_out"] == ["'new' (2 observations)"]
    with pytest.raises(InputError, match="'new' \\(2 observations\\) with -1 to train on"):
        rnnkit.Forecaster(**FAST, freq="D").evaluate(new, test_size=3)  # nothing to score


def test_a_lookback_no_series_holds_is_refused_and_its_bound_works():
    """lookback=500 on 144 months trained every window on 356 made-up rows, silently."""
    frame = _frame()  # 80, 60 and 70 rows; validation takes the last 5 of each
    with pytest.raises(InputError, match=r"lookback=200 is longer than any series holds: with "
                                         r"horizon=3 and 5 rows held out for validation, the "
                                         r"longest series \('s0', 80 observations\) leaves 75 "
                                         r"rows .* Pass lookback <= 72"):
        rnnkit.Forecaster(**FAST | {"lookback": 200}).fit(frame)
    rnnkit.Forecaster(**FAST | {"lookback": 72}).fit(frame)  # the bound works; shorter
    with pytest.raises(InputError, match="Pass lookback <= 72"):  # series are padded
        rnnkit.Forecaster(**FAST | {"lookback": 73}).fit(frame)
    # an evaluation names the lookback, not the holdout, and its bound works too
    with pytest.raises(InputError, match=r"lookback=200 is longer than the rows before the "
                                         r"holdout of 3 steps hold.*Pass lookback <= (\d+)"
                       ) as refused:
        rnnkit.Forecaster(**FAST | {"lookback": 200}).evaluate(frame, test_size=3)
    most = int(refused.value.args[0].split("lookback <= ")[1].split(",")[0])
    rnnkit.Forecaster(**FAST | {"lookback": most}).evaluate(frame, test_size=3)
    with pytest.raises(InputError, match=f"Pass lookback <= {most},"):
        rnnkit.Forecaster(**FAST | {"lookback": most + 1}).evaluate(frame, test_size=3)
    # a sequence model's lookback (its validation takes fewer rows) is its window MLP's
    # too: the baseline takes it as it is, not a refusal after the model trained
    sequence = rnnkit.Forecaster(training="sequence", lookback=70, epochs=1, hidden_size=4,
                                 repeats=1, verbose=0, max_time=None)
    assert "window MLP" in sequence.evaluate("airline").scores.index


def test_validation_rows_that_leave_a_series_nothing_before_them_are_refused():
    short = panel((3,), level=5, seed=7).assign(unique_id="short")
    both = pd.concat([_frame(), short], ignore_index=True)
    with pytest.raises(InputError, match="'short' has 3 observations.*val_size"):
        rnnkit.Forecaster(**FAST | {"val_size": 3}).fit(both)


def test_a_backtest_scores_series_shorter_than_a_window_and_names_those_it_cannot():
    frame = panel((200, 180, 190), seasons=((19, 1.0),), level=5, stagger=20)
    end = frame["ds"].max()
    options = FAST | {"refit_all": False}  # the same spec with and without the short series

    def recent(name: str, rows: int) -> pd.DataFrame:
        return pd.DataFrame({"unique_id": name, "y": np.linspace(4.0, 6.0, rows),
                             "ds": end - pd.to_timedelta(np.arange(rows)[::-1], unit="D")})

    # 3 rows before the first origin: too few for a window of 3 targets, forecast padded;
    # 2 rows: not scored
    both = pd.concat([frame, recent("short", 9), recent("new", 8)], ignore_index=True)
    bt = rnnkit.Forecaster(**options).backtest(both, n_windows=2, step=3)
    alone = rnnkit.Forecaster(**options).backtest(frame, n_windows=2, step=3)
    assert bt.left_out == ("'new' (8 observations)",) and not alone.left_out
    assert "not scored: 'new' (8 observations), fewer than 3 rows before the first" in bt.table()
    assert bt.to_dict()["left_out"] == ["'new' (8 observations)"]
    short = bt.forecasts[bt.forecasts["unique_id"] == "short"]
    assert len(short) == 2 * 3 and np.isfinite(short["LSTM"]).all()
    # the short series added no window: the others are forecast as without it
    others = bt.forecasts[bt.forecasts["unique_id"] != "short"].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, alone.forecasts)
    with pytest.raises(InputError, match="n_windows=2 .* Pass n_windows <= 1"):
        rnnkit.Forecaster(**FAST).backtest(pd.concat([recent("a", 21), recent("b", 21)]),
                                           n_windows=2, step=3)  # no series long enough
    with pytest.raises(InputError, match=r"too few rows to train: a window \(lookback=12\) "
                                         "and its targets before its validation rows.* Pass "
                                         "n_windows <= 1"):  # the fix, which works:
        rnnkit.Forecaster(**FAST).backtest(pd.concat([recent("a", 21), recent("b", 5)]),
                                           n_windows=2, step=3)
    assert rnnkit.Forecaster(**FAST).backtest(pd.concat([recent("a", 21), recent("b", 5)]),
                                              n_windows=1, step=3).n_windows == 1
    with pytest.raises(InputError, match="rows of series 'b', which has 15"):  # every series
        rnnkit.Forecaster(**FAST | {"training": "sequence"}).backtest(  # trains: the shortest
            pd.concat([recent("a", 40), recent("b", 15)]), n_windows=2, step=3)


def test_a_holdout_too_long_for_the_series_names_the_longest_that_works():
    from conftest import one_series

    data = one_series(72, "MS", seasons=((12, 1.0),), seed=3)
    with pytest.raises(InputError, match="lookback=12 is longer than the rows before the "
                                         "holdout of 31 steps hold.*Pass lookback <= 10,"):
        rnnkit.Forecaster(**FAST | {"horizon": None}).evaluate(data, test_size=31)
    rnnkit.Forecaster(**FAST | {"horizon": None, "lookback": 10}).evaluate(data, test_size=31)
    few = FAST | {"lookback": 2}  # the bounds of the holdout itself, below
    for k in (70, 40, 36):  # 36: 36 rows cannot hold a window of 36 targets and a row before
        with pytest.raises(InputError, match="Pass test_size <= 35, or give longer series"):
            rnnkit.Forecaster(**few | {"horizon": None}).evaluate(data, test_size=k)
    assert rnnkit.Forecaster(**few | {"horizon": None}).evaluate(data, test_size=35).test_size \
        == 35  # the bound said is the bound
    with pytest.raises(InputError, match="Pass test_size <= 3,"):  # FAST's horizon
        rnnkit.Forecaster(**few).evaluate(data, test_size=70)
    for options, k, most in ((dict(strategy="seq2seq"), 40, 35),  # each bound said trains
                             (dict(strategy="recursive"), 71, 69)):
        model = rnnkit.Forecaster(**few | {"horizon": None} | options)
        with pytest.raises(InputError, match=f"Pass test_size <= {most},"):
            model.evaluate(data, test_size=k)
        assert model.evaluate(data, test_size=most).test_size == most
    with pytest.raises(InputError, match="Pass horizon <= 35,"):  # the horizon is the holdout
        rnnkit.Forecaster(**few | {"horizon": 40}).evaluate(data)
    assert rnnkit.Forecaster(**few | {"horizon": 35}).evaluate(data).test_size == 35
    # where every series must train (sequence training), a longer holdout may leave a short
    # series out and train again: no bound is promised, the ways out are named
    with pytest.raises(InputError, match="Every series must keep a window .* pass a shorter "
                                         "test_size, drop the shortest series"):
        rnnkit.Forecaster(**FAST | {"horizon": None, "training": "sequence",
                                    "lookback": None}).evaluate(data, test_size=40)
    with pytest.raises(InputError, match="The series are too short to evaluate"):
        rnnkit.Forecaster(**few | {"horizon": None}).evaluate(data.tail(3))


def test_a_models_data_with_a_gap_another_frequency_or_no_ids_is_told_what_is_wrong():
    from conftest import one_series

    monthly = one_series(60, "MS", seasons=((12, 1.0),), seed=4)
    model = rnnkit.Forecaster(**FAST).fit(monthly)
    with pytest.raises(InputError, match="fitted without fill: give those values \\(add the "):
        model.predict(data=monthly.drop(index=30))  # one month missing
    outage = monthly.assign(y=monthly["y"].where(~monthly.index.isin(range(10, 46))))
    with pytest.raises(InputError, match="fitted without fill"):  # values missing, not rows
        model.predict(data=outage)
    steps = monthly.assign(ds=np.arange(60))  # integer time steps: no grid, the same advice
    with pytest.raises(InputError, match="fitted without fill"):
        rnnkit.Forecaster(**FAST).fit(steps).predict(data=steps.assign(
            y=steps["y"].where(steps.index != 50)))
    quarterly = monthly.iloc[::3]  # a fit would have --fill; predict has not
    with pytest.raises(InputError, match="The model's steps are 'MS', and the data fills fewer"):
        model.predict(data=quarterly)
    frame = _frame()
    many = rnnkit.Forecaster(**FAST).fit(frame)
    with pytest.raises(InputError, match="data has no series id column, but the model was "
                                         "fitted on 3 series"):
        many.predict(data=frame[frame["unique_id"] == "s0"].drop(columns="unique_id"))
    with pytest.raises(InputError, match="reads no future covariates"):  # ignored before
        many.predict(future=frame)
