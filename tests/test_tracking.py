"""Tracked fits: the run directory always; MLflow and TensorBoard when installed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli.cli_support import one_line_error, run

import rnnkit

FORECAST = dict(horizon=6, epochs=3, repeats=2, verbose=0, hidden_size=8, max_time=None)


def sequences(n: int = 40, seed: int = 0):
    X = np.random.default_rng(seed).normal(size=(n, 10, 2))
    return X, (X[:, :, 0].mean(1) > 0).astype(int)


def only_run(root):
    runs = [p for p in root.iterdir() if p.is_dir() and "-" in p.name]
    assert len(runs) == 1, runs
    return runs[0]


def test_a_tracked_fit_writes_params_losses_by_epoch_scores_and_the_model(tmp_path):
    f = rnnkit.Forecaster(**FORECAST, tracking="files", tracking_dir=str(tmp_path))
    f.fit("airline")
    run_dir = only_run(tmp_path)
    assert f.tracked_run_ == run_dir and run_dir.name.startswith("Forecaster-fit-")
    about = json.loads((run_dir / "params.json").read_text())
    assert about["params"]["hidden_size"] == 8 and about["data"] == "airline"
    epochs = pd.read_csv(run_dir / "epochs.csv")
    assert list(epochs.columns) == ["run", "epoch", "train_loss", "val_loss"]
    assert len(epochs) == sum(h.epochs_run for h in f.histories_)  # every run, every epoch
    np.testing.assert_array_equal(epochs.query("run == 1")["train_loss"],
                                  f.histories_[1].train_loss)
    scores = json.loads((run_dir / "scores.json").read_text())
    assert scores["run0_best_epoch"] == f.histories_[0].best_epoch
    again = rnnkit.load(run_dir / "model")  # the saved model forecasts the same
    pd.testing.assert_frame_equal(again.predict(), f.predict())


def test_evaluate_logs_the_holdout_scores_beside_the_baselines(tmp_path):
    f = rnnkit.Forecaster(**FORECAST, tracking="files", tracking_dir=str(tmp_path))
    evaluation = f.evaluate("airline", test_size=6)
    scores = json.loads((only_run(tmp_path) / "scores.json").read_text())
    assert scores["LSTM/RMSE"] == pytest.approx(evaluation.scores.loc["LSTM", "RMSE"])
    assert scores["seasonal naive/MASE"] == pytest.approx(
        evaluation.scores.loc["seasonal naive", "MASE"])


def test_untracked_fits_write_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    X, y = sequences()
    rnnkit.SequenceClassifier(max_steps=3, verbose=0).fit(X, y)
    assert not (tmp_path / "runs").exists()


def test_sequence_estimators_and_the_tagger_are_tracked(tmp_path):
    X, y = sequences()
    rnnkit.SequenceRegressor(max_steps=3, verbose=0, tracking="files",
                             tracking_dir=str(tmp_path / "r")).fit(X, y.astype(float))
    tagger = rnnkit.SequenceTagger(epochs=2, verbose=0, tracking="files",
                                   tracking_dir=str(tmp_path / "t"))
    tagger.fit(X, (X[..., 0] > 0).astype(int))
    assert only_run(tmp_path / "r").name.startswith("SequenceRegressor-fit-")
    epochs = pd.read_csv(only_run(tmp_path / "t") / "epochs.csv")
    assert len(epochs) == 2


def test_a_missing_backend_is_one_line_before_any_training(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "mlflow" else real(name, *a))
    X, y = sequences()
    c = rnnkit.SequenceClassifier(max_steps=3, verbose=0, tracking="mlflow")
    with pytest.raises(rnnkit.InputError, match=r"pip install 'rnnkit\[mlflow\]'"):
        c.fit(X, y)
    assert not hasattr(c, "model_")  # nothing was trained
    with pytest.raises(rnnkit.InputError, match="tracking='wandb' is not one of"):
        rnnkit.Forecaster(tracking="wandb").fit("airline")


def test_a_tracking_dir_that_is_a_file_is_one_line_before_training(tmp_path, capsys):
    (tmp_path / "afile").write_text("mine")
    f = rnnkit.Forecaster(**FORECAST, tracking="files", tracking_dir=str(tmp_path / "afile"))
    with pytest.raises(rnnkit.InputError, match="tracking_dir='.*afile' cannot hold"):
        f.fit("airline")
    assert not hasattr(f, "model_") and (tmp_path / "afile").read_text() == "mine"
    code, out, err = run(["forecast", "airline", "--epochs", "1", "--track", "files",
                          "--tracking-dir", tmp_path / "afile", "--out", tmp_path / "o"],
                         capsys)
    assert "--tracking-dir" in one_line_error(code, err) and not (tmp_path / "o").exists()
    # a directory given without tracking recorded nothing, silently; '' wrote into '.'
    code, out, err = run(["forecast", "airline", "--epochs", "1", "--tracking-dir",
                          tmp_path / "runs", "--out", tmp_path / "o"], capsys)
    assert "is given but tracking is off" in one_line_error(code, err)
    assert "--tracking files" in err and not (tmp_path / "o").exists()
    with pytest.raises(rnnkit.InputError, match="tracking_dir='' names no directory"):
        rnnkit.Forecaster(**FORECAST, tracking="files", tracking_dir="").fit("airline")


def test_a_log_that_fails_after_training_loses_neither_the_model_nor_the_outputs(
        tmp_path, capsys, monkeypatch):
    import rnnkit.tracking as tracking

    def refused(*args):
        raise RuntimeError("the tracking server said no")

    monkeypatch.setattr(tracking, "_epochs_csv", refused)  # as a full disk, a server would
    f = rnnkit.Forecaster(**FORECAST, tracking="files", tracking_dir=str(tmp_path))
    f.fit("airline")  # trained, and a warning said what failed
    assert "could not log this fit (RuntimeError: the tracking server said no)" in \
        capsys.readouterr().err
    assert len(f.predict()) == 6 and not hasattr(f, "tracked_run_")


def test_the_cli_tracks_the_scored_fit_and_the_refit(tmp_path, capsys):
    code, out, err = run(["forecast", "airline", "--epochs", "1", "--hidden-size", "4",
                          "--repeats", "1", "--verbose", "0", "--test-size", "12",
                          "--out", tmp_path / "out", "--track", "files",
                          "--tracking-dir", tmp_path / "runs"], capsys)
    assert code == 0, err
    names = sorted(p.name.split("-")[1] for p in (tmp_path / "runs").iterdir())
    assert names == ["evaluate", "fit"] and "tracked (files):" in out
    code, out, err = run(["forecast", "airline", "--track", "neptune"], capsys)
    assert "--tracking neptune is not one of" in one_line_error(code, err)


def test_mlflow_logs_to_a_local_file_store(tmp_path, monkeypatch):
    pytest.importorskip("mlflow", reason="mlflow (rnnkit[mlflow]) is not installed")
    from mlflow.tracking import MlflowClient

    store = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 keeps it behind a flag
    f = rnnkit.Forecaster(**FORECAST, tracking="mlflow", tracking_dir=str(tmp_path / "runs"))
    f.fit("airline")
    client = MlflowClient(store)
    experiment = client.get_experiment_by_name("rnnkit")
    (logged,) = client.search_runs([experiment.experiment_id])
    assert logged.data.params["hidden_size"] == "8"
    history = client.get_metric_history(logged.info.run_id, "train_loss/run0")
    assert [m.value for m in history] == pytest.approx(f.histories_[0].train_loss)
    assert logged.data.metrics["run1_best_epoch"] == f.histories_[1].best_epoch
    names = {a.path for a in client.list_artifacts(logged.info.run_id)}
    assert {"params.json", "epochs.csv", "scores.json", "model"} <= names


def test_mlflows_database_stays_in_a_tracking_dir_whose_name_holds_url_characters(
        tmp_path, monkeypatch):
    """tracking_dir='trk#1?x' put the database in a file 'trk#1' outside it."""
    pytest.importorskip("mlflow", reason="mlflow (rnnkit[mlflow]) is not installed")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    where = tmp_path / "trk#1?x"
    rnnkit.Forecaster(**FORECAST, tracking="mlflow", tracking_dir=str(where)).fit("airline")
    assert (where / "mlflow.db").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trk#1?x"]


def test_tensorboard_event_files_hold_the_losses(tmp_path):
    pytest.importorskip("tensorboard", reason="tensorboard (rnnkit[tensorboard]) is not "
                        "installed")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    X, y = sequences()
    c = rnnkit.SequenceClassifier(max_steps=6, verbose=0, tracking="tensorboard",
                                  tracking_dir=str(tmp_path))
    c.fit(X, y)
    events = EventAccumulator(str(c.tracked_run_ / "tensorboard"))
    events.Reload()
    logged = [e.value for e in events.Scalars("train_loss/run0")]
    assert logged == pytest.approx(c.history_.train_loss, rel=1e-6)



def test_parameters_of_any_numeric_type_are_written_as_json():
    from rnnkit.tracking import json_value

    assert json_value(np.array([0.1, 0.5])) == [0.1, 0.5]
    assert json_value(np.float32(2.0)) == 2.0 and json_value((np.int64(3), "a")) == [3, "a"]


def test_scores_that_are_not_finite_are_written_as_null(tmp_path):
    """A NaN score (a MAPE of zeros, a MASE of a constant history) made scores.json invalid
    JSON; a run that kept its starting weights had no best validation loss."""
    from rnnkit.tracking import json_value, record

    assert json_value(float("nan")) is None and json_value(np.float64("inf")) is None
    f = rnnkit.Forecaster(**FORECAST, tracking="files", tracking_dir=str(tmp_path)).fit("airline")
    record(f, "evaluate", "airline", scores={"MASE": float("nan"), "RMSE": 1.5},
           model=f)
    (run_dir,) = [p for p in tmp_path.iterdir() if "evaluate" in p.name]

    def refuse(constant):
        raise ValueError(constant)

    scores = json.loads((run_dir / "scores.json").read_text(), parse_constant=refuse)
    assert scores["MASE"] is None and scores["RMSE"] == 1.5
    for r, h in enumerate(f.histories_):
        best = scores[f"run{r}_best_val_loss"]
        assert best == pytest.approx(h.val_loss[h.best_epoch - 1] if h.best_epoch
                                     else h.initial_val_loss)


def test_the_sequence_commands_track_into_the_directory_given(tmp_path, capsys):
    """The check of --tracking-dir without tracking first refused classify's tracked runs
    (its model is built untracked and tracked after the fit)."""
    rows = [{"id": i, "step": t, "x": float(np.sin(i + t)), "label": i % 2}
            for i in range(20) for t in range(8)]
    pd.DataFrame(rows).to_csv(tmp_path / "seq.csv", index=False)
    code, out, err = run(["classify", tmp_path / "seq.csv", "--label-col", "label",
                          "--sequence-cols", "x", "--id-col", "id", "--time-col", "step",
                          "--max-steps", "4", "--tracking", "files", "--tracking-dir",
                          tmp_path / "trk", "--out", tmp_path / "o"], capsys)
    assert code == 0, err
    assert (only_run(tmp_path / "trk") / "params.json").is_file()
