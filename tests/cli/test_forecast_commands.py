from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from cli_support import one_line_error, run
from conftest import one_series


def test_forecast_end_to_end_on_the_bundled_series(tmp_path, capsys):
    out_dir = tmp_path / "run"
    code, out, err = run(["forecast", "airline", "--epochs", "3", "--hidden-size", "8",
                          "--verbose", "0", "--out", out_dir], capsys)
    assert code == 0, err
    assert "seasonal naive" in out and "window MLP" in out
    for name in ("forecast.csv", "holdout.csv", "metrics.json", "forecast.png",
                 "learning_curves.png", "model/model.json", "model/weights.safetensors"):
        assert (out_dir / name).is_file(), name
    forecast = pd.read_csv(out_dir / "forecast.csv")
    assert len(forecast) == 24 and forecast["ds"].iloc[0] == "1961-01-01"
    metrics = json.loads((out_dir / "metrics.json").read_text())
    # monthly data: the model starts from the seasonal profile, printed beside it
    assert set(metrics["scores"]) == {"LSTM", "naive", "seasonal naive", "seasonal profile",
                                      "window MLP"}

    code, out, err = run(["predict", out_dir / "model", "airline", "--h", "3"], capsys)
    assert code == 0, err
    assert out.splitlines()[0] == "ds,y" and len(out.splitlines()) == 4


def test_backtest_compares_strategies_and_baselines(tmp_path, capsys):
    code, out, err = run(["backtest", "airline", "--n-windows", "2", "--step", "12",
                          "--strategies", "direct,recursive,seq2seq", "--epochs", "2",
                          "--hidden-size", "8", "--out", tmp_path], capsys)
    assert code == 0, err
    # each strategy trains its own window MLP: one row each (only the first's was shown)
    for row in ("LSTM direct", "LSTM recursive", "LSTM seq2seq", "ensemble of strategies",
                "naive", "seasonal naive", "window MLP direct", "window MLP recursive",
                "window MLP seq2seq"):
        assert row in out
    frame = pd.read_csv(tmp_path / "backtest.csv")
    assert set(frame["strategy"]) == {"direct", "recursive", "seq2seq"}
    assert len(frame) == 3 * 2 * 24
    assert all((tmp_path / f"backtest_{s}.png").is_file() for s in frame["strategy"].unique())


def test_inspect_writes_the_pictures(tmp_path, capsys):
    code, _, err = run(["forecast", "airline", "--epochs", "2", "--hidden-size", "4",
                        "--verbose", "0", "--out", tmp_path / "run"], capsys)
    assert code == 0, err
    code, out, err = run(["inspect", tmp_path / "run" / "model", "airline",
                          "--out", tmp_path / "ins"], capsys)
    assert code == 0, err
    for name in ("heatmaps_layer0.png", "active_units.png", "inspect.json"):
        assert (tmp_path / "ins" / name).is_file()
    code, _, err = run(["inspect", tmp_path / "run" / "model", "--layer", "3",
                        "--out", tmp_path / "ins"], capsys)
    assert "--layer 3 does not exist" in one_line_error(code, err)
    # by default one folder per model (every model's went to runs/inspect), named by the
    # command and data of a CLI run, so a forecast's and a tune's models of one dataset differ
    from rnnkit.cli.tools import _inspect_out

    assert _inspect_out(tmp_path / "runs" / "forecast" / "airline" / "model").parts[-2:] == \
        ("inspect", "forecast_airline")
    assert _inspect_out(tmp_path / "mine.zip").parts[-2:] == ("inspect", "mine")


def _csv(tmp_path, frame, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _series(n=60):
    return one_series(n, "D", seasons=((19, 1.0),), level=0, start="2020-01-01")


def test_bad_inputs_give_one_line_and_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    nan = _series()
    nan.loc[10, "y"] = np.nan
    dup = pd.concat([_series(), _series().iloc[[5]]])
    gap = _series().drop(index=[20, 21])
    text = _series().astype({"y": object})
    text.loc[3, "y"] = "abc"
    cases = {
        "no such file": [tmp_path / "missing.csv"],
        "empty": [empty],
        "date": [_csv(tmp_path, _series()), "--time-col", "date"],
        "abc": [_csv(tmp_path, text, "text.csv")],
        "fill": [_csv(tmp_path, nan, "nan.csv")],
        "uplicate": [_csv(tmp_path, dup, "dup.csv")],
        "rregular|gap|expected": [_csv(tmp_path, gap, "gap.csv")],
        "at least": [_csv(tmp_path, _series(30)), "--horizon", "40"],
    }
    for pattern, args in cases.items():
        code, _, err = run(["forecast", *args, "--epochs", "1", "--verbose", "0",
                            "--out", tmp_path / "out"], capsys)
        line = one_line_error(code, err)
        assert pd.Series([line]).str.contains(pattern).item(), (pattern, line)
    assert not (tmp_path / "out" / "model").exists()


def test_predict_with_a_non_rnnkit_model(tmp_path, capsys):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.json").write_text("{}")
    code, _, err = run(["predict", tmp_path / "m", "airline"], capsys)
    assert "not an rnnkit model" in one_line_error(code, err)


def test_predict_never_writes_its_forecast_over_its_own_data(tmp_path, capsys):
    from rnnkit.datasets import load_dataset

    load_dataset("airline").to_csv(tmp_path / "d.csv", index=False)
    before = (tmp_path / "d.csv").read_bytes()
    code, _, err = run(["predict", tmp_path / "m", tmp_path / "d.csv", "--out",
                        tmp_path / "." / "d.csv"], capsys)
    assert "--out" in one_line_error(code, err) and "is the DATA file" in err
    assert (tmp_path / "d.csv").read_bytes() == before


def test_predict_with_a_tagger_says_what_to_do(tmp_path, capsys):
    import rnnkit
    from rnnkit.datasets.teaching import counting

    X, y = counting(32, seed=0)
    rnnkit.SequenceTagger(hidden_size=4, epochs=1, verbose=0).fit(X, y).save(tmp_path / "t")
    code, _, err = run(["predict", tmp_path / "t", "airline"], capsys)
    assert "is a SequenceTagger" in one_line_error(code, err)


def test_shapes_and_summary(capsys):
    code, out, _ = run(["shapes", "144", "--lookback", "12"], capsys)
    assert code == 0 and "[132, 12, 1]" in out
    code, out, _ = run(["summary", "--cell", "lstm", "--input-size", "1", "--hidden-size", "4"],
                       capsys)
    assert code == 0 and "= 112" in out


def test_help_and_datasets_do_not_import_torch():
    code = ("import sys; from rnnkit.cli import main\n"
            "for argv in (['--help'], ['datasets']):\n"
            "    try:\n        main(argv)\n"
            "    except SystemExit as e:\n        assert e.code == 0\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "airline" in done.stdout


@pytest.mark.parametrize("argv", [
    ["forecast", "airline", "--target-col", "yy"],
    ["tune", "airline", "--time-col", "date"],
    ["classify", "activity", "--label-col", "activty", "--sequence-cols", "gyro_x"],
    ["regress", "bmi", "--target-col", "bmi", "--sequence-cols", "counts", "--static-cols",
     "agee"],
    ["tag", "counting", "--label-col", "tga", "--sequence-cols", "a"],
    ["forecast", "HEADER_CSV", "--time-col", "date"],
])
def test_a_misspelt_column_fails_before_pandas_and_torch_load(argv, tmp_path):
    """The fail-fast path is a mechanism, not a timing: the columns are checked from the
    bundled dataset's declaration or the CSV's header line before pandas (or torch) is
    imported, so the error is as fast as the interpreter's start."""
    csv = tmp_path / "sales.csv"
    csv.write_text("ds,y\n2000-01-01,1\n2000-02-01,2\n")
    argv = [str(csv) if a == "HEADER_CSV" else a for a in argv]
    code = ("import sys; from rnnkit.cli import main\n"
            f"try:\n    main({argv!r})\n"
            "except SystemExit as e:\n    assert e.code == 2, e.code\n"
            "heavy = [m for m in ('torch', 'pandas') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "is not a column; columns are" in done.stderr and "Did you mean" in done.stderr \
        or "Pass --time-col with one of them" in done.stderr


def test_the_declared_columns_of_the_bundled_datasets_are_theirs():
    from rnnkit.datasets import COLUMNS, DATASETS, load_dataset

    assert set(COLUMNS) == set(DATASETS)
    for name, columns in COLUMNS.items():
        assert tuple(load_dataset(name).columns) == columns, name


def test_forecast_with_future_covariates_and_sequence_training(tmp_path, capsys):
    n = 24 * 30
    i = np.arange(n + 24)
    promo = (np.arange(n + 24) % 11 == 0).astype(float)
    frame = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=n + 24, freq="h"),
                          "y": 5 + np.sin(2 * np.pi * i / 24) + 2 * promo, "promo": promo})
    frame.iloc[:n].to_csv(tmp_path / "history.csv", index=False)
    frame.iloc[n:, [0, 2]].to_csv(tmp_path / "future.csv", index=False)
    base = ["forecast", tmp_path / "history.csv", "--future-cols", "promo", "--calendar",
            "--training", "sequence", "--horizon", "24", "--lookback", "48", "--epochs", "3",
            "--hidden-size", "8", "--verbose", "0",
            "--out", tmp_path / "run"]
    code, _, err = run(base, capsys)  # the forecast needs the promotions ahead: said first
    assert "--future-cols promo needs --future" in one_line_error(code, err)
    assert not (tmp_path / "run").exists()  # before any training
    bad = frame.iloc[n:, [0, 2]].astype({"promo": object})
    bad.iloc[2, 1] = "oops"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    frame.iloc[n:, [0, 1]].to_csv(tmp_path / "no_promo.csv", index=False)
    frame.iloc[n:n + 23, [0, 2]].to_csv(tmp_path / "short.csv", index=False)
    for future, said in ((tmp_path / "bad.csv", "future: column 'promo' must be numeric; row "
                          "2 holds 'oops'"),  # a traceback after the fits, before
                         (tmp_path / "none.csv", "no such file. Give a CSV or Parquet path."),
                         (tmp_path / "no_promo.csv", "has no column 'promo'"),
                         (tmp_path / "short.csv", "missing or NaN for series 'series' at "
                          "2024-01-31 23:00:00 (1 of the 24 steps")):  # after the training
        code, _, err = run(base + ["--future", future], capsys)
        assert said in one_line_error(code, err)
        assert not (tmp_path / "run").exists()  # before any training
    frame.iloc[n:, [0, 2]].set_index("ds").to_parquet(tmp_path / "future.parquet")
    code, out, err = run(base + ["--future", tmp_path / "future.parquet"], capsys)
    assert code == 0, err  # a time index is read as the time column, by the check too
    by_index = pd.read_csv(tmp_path / "run" / "forecast.csv")
    code, out, err = run(base + ["--future", tmp_path / "future.csv"], capsys)
    assert code == 0, err
    forecast = pd.read_csv(tmp_path / "run" / "forecast.csv")
    pd.testing.assert_frame_equal(by_index, forecast)
    assert len(forecast) == 24 and forecast["ds"].iloc[0] == "2024-01-31 00:00:00"
    code, out, err = run(["predict", tmp_path / "run" / "model", tmp_path / "history.csv",
                          "--future", tmp_path / "future.csv", "--h", "24"], capsys)
    assert code == 0, err
    predicted = pd.read_csv(pd.io.common.StringIO(out))
    np.testing.assert_allclose(predicted["y"], forecast["y"], rtol=1e-6)


def test_forecast_refits_on_all_the_data_unless_told_not_to(tmp_path, capsys):
    import rnnkit

    base = ["forecast", "airline", "--epochs", "1", "--hidden-size", "4", "--repeats", "1",
            "--verbose", "0", "--test-size", "12"]
    code, out, err = run([*base, "--out", tmp_path / "a"], capsys)
    assert code == 0, err
    assert "refitting on all the data" in out and "best baseline" in out
    model = rnnkit.load(tmp_path / "a" / "model")
    assert str(model.fitted_.last_times[0])[:7] == "1960-12"  # the data's last month
    assert pd.read_csv(tmp_path / "a" / "forecast.csv")["ds"].iloc[0].startswith("1961-01")
    code, out, err = run([*base, "--no-refit", "--out", tmp_path / "b"], capsys)
    assert code == 0 and "never saw the last 12 steps" in out
    assert str(rnnkit.load(tmp_path / "b" / "model").fitted_.last_times[0])[:7] == "1959-12"


def test_paths_that_cannot_be_written_or_read_are_one_line(tmp_path, capsys, monkeypatch):
    """A file where a directory is needed, a directory where a file is, a model given as '.'
    and --future for a model without future covariates: one line each (tracebacks before),
    and a failed inspect leaves the outputs it had (it wrote them one by one)."""
    code, _, err = run(["forecast", "airline", "--epochs", "1", "--hidden-size", "4",
                        "--verbose", "0", "--out", tmp_path / "run"], capsys)
    assert code == 0, err
    model = tmp_path / "run" / "model"
    afile = tmp_path / "afile"
    afile.write_text("mine")
    adir = tmp_path / "adir"
    adir.mkdir()
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)  # as /dev/null, not a file that a rename may replace
    cases = {
        "is a file, not a directory": ["predict", model, "airline", "--out", afile / "x.csv"],
        "is a directory; the predictions' CSV goes in a file": ["predict", model, "airline",
                                                                "--out", adir],
        # a model's own file, or a file of another kind, is not replaced by a CSV or a graph
        "is a file of the model in": ["predict", model, "airline", "--out",
                                      model / "model.json"],
        "weights.safetensors' is a file of the model": ["export", model, "--out",
                                                         model / "weights.safetensors"],
        "is an existing .csv file; the ONNX graph would replace it": [
            "export", model, "--format", "onnx", "--out", tmp_path / "run" / "forecast.csv"],
        "is not a regular file": ["predict", model, "airline", "--out", pipe],  # /dev/null
        "is an existing .json file; the predictions' CSV would": [
            "predict", model, "airline", "--out", tmp_path / "run" / "metrics.json"],
        "is a directory; a CSV or Parquet": ["predict", model, adir],
        "reads no future covariates": ["predict", model, "airline", "--future", "nofile.csv"],
    }
    for pattern, argv in cases.items():
        assert pattern in one_line_error(*run(argv, capsys)[:3:2])
    assert afile.read_text() == "mine" and not any(adir.iterdir()) and pipe.is_fifo()
    for _ in range(2):  # a name without a suffix, chosen by the user: written, then replaced
        assert run(["predict", model, "airline", "--out", tmp_path / "preds"], capsys)[0] == 0
    assert pd.read_csv(tmp_path / "preds").shape[0] == 24
    import rnnkit

    assert len(rnnkit.load(model).predict()) == 24  # the model still loads
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())
    # a plain OSError (here a name too long; a read-only or full disk alike): one line
    long_name = tmp_path / ("a" * 300 + ".csv")
    assert "File name too long" in one_line_error(
        *run(["predict", model, "airline", "--out", long_name], capsys)[:3:2])
    # a long job refuses an --out it cannot write before it trains, not after
    for argv in (["forecast", "airline"], ["backtest", "airline"],
                 ["classify", "activity", "--label-col", "activity", "--sequence-cols", "x"]):
        code, out, err = run([*argv, "--out", afile], capsys)
        assert "is a file" in one_line_error(code, err) and out == ""
    code, _, err = run(["inspect", model, "airline", "--out", tmp_path / "ins"], capsys)
    assert code == 0, err
    (tmp_path / "ins" / "heatmaps_layer0.png").write_bytes(b"the user's copy")
    before = {p.name: p.read_bytes() for p in (tmp_path / "ins").iterdir()}
    import rnnkit.plots.inspect
    from rnnkit.errors import InputError

    def fails(*args, **kwargs):  # the second figure fails, after the first was drawn
        raise InputError("no room left")

    monkeypatch.setattr(rnnkit.plots.inspect, "plot_active_units", fails)
    code, _, err = run(["inspect", model, "--out", tmp_path / "ins"], capsys)
    assert "no room left" in one_line_error(code, err)
    after = {p.name: p.read_bytes() for p in (tmp_path / "ins").iterdir()}
    assert after == before
    here = os.getcwd()
    try:
        os.chdir(model)
        code, out, err = run(["export", ".", "--format", "torchscript"], capsys)
    finally:
        os.chdir(here)
    assert code == 0, err
    assert (tmp_path / "run" / "model.pt").is_file()


def test_a_series_seasonal_naive_fits_exactly_scores_mase_as_n_a(tmp_path, capsys):
    # MASE's scale (the in-sample seasonal naive error) is 0: no MASE, not a traceback
    path = tmp_path / "periodic.csv"
    pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=60, freq="D"),
                  "y": np.arange(60) % 7 + 10.0}).to_csv(path, index=False)
    small = ["--epochs", "2", "--hidden-size", "8", "--horizon", "7", "--repeats", "1"]
    code, out, err = run(["forecast", path, *small, "--out", tmp_path / "f"], capsys)
    assert code == 0, err
    assert "n/a" in out and (tmp_path / "f" / "forecast.csv").is_file()
    assert "Warning" not in err  # nor a log scale of a zero loss
    code, out, err = run(["backtest", path, *small, "--n-windows", "2", "--out",
                          tmp_path / "b"], capsys)
    assert code == 0, err
    assert "n/a" in out


def test_an_optional_number_takes_none_on_the_command_line(tmp_path, capsys):
    code, _, err = run(["forecast", "airline", "--epochs", "1", "--hidden-size", "4",
                        "--repeats", "1", "--epoch-size", "none", "--max-time", "none",
                        "--verbose", "0", "--out", tmp_path], capsys)
    assert code == 0, err
    import rnnkit

    model = rnnkit.load(tmp_path / "model")
    assert model.epoch_size is None and model.max_time is None


def test_a_series_too_short_to_score_is_named_and_forecast_after_the_refit(tmp_path, capsys):
    from conftest import panel

    frame = panel((60, 45), "D", seed=2)
    new = pd.DataFrame({"unique_id": "new", "y": [5.0, 6.0, 5.5],
                        "ds": frame["ds"].max() - pd.to_timedelta([2, 1, 0], unit="D")})
    pd.concat([frame, new]).to_csv(tmp_path / "d.csv", index=False)
    base = ["forecast", tmp_path / "d.csv", "--horizon", "3", "--test-size", "3", "--epochs",
            "1", "--hidden-size", "4", "--repeats", "1", "--verbose", "0"]
    code, out, err = run([*base, "--out", tmp_path / "a"], capsys)
    assert code == 0, err
    assert "not scored: 'new' (3 observations)" in out
    assert "new" in set(pd.read_csv(tmp_path / "a" / "forecast.csv")["unique_id"])
    code, out, err = run([*base, "--no-refit", "--out", tmp_path / "b"], capsys)
    assert code == 0, err  # the scored model never saw 'new': it forecasts the others
    assert "1 series not scored are not forecast either" in out
    assert set(pd.read_csv(tmp_path / "b" / "forecast.csv")["unique_id"]) == \
        set(frame["unique_id"])
    code, out, err = run(["backtest", tmp_path / "d.csv", "--horizon", "3", "--epochs", "1",
                          "--hidden-size", "4", "--repeats", "1", "--n-windows", "2",
                          "--out", tmp_path / "c"], capsys)  # 'new': no row before origin 1
    assert code == 0, err
    assert "not scored: 'new' (3 observations), fewer than 3 rows before the first" in out
    metrics = json.loads((tmp_path / "c" / "metrics.json").read_text())
    assert metrics["direct"]["left_out"] == ["'new' (3 observations)"]


def test_bare_rnnkit_prints_its_help_once_and_exits_2(capsys):
    code, out, err = run([], capsys)
    assert code == 2 and (out + err).count("Usage") == 1 and "forecast" in out + err
    assert not err.strip()  # no empty line
