"""rnnkit.tune and `rnnkit tune`: the objective is the report's score, the search repeats
with its seed, bad trials are pruned, the best is refitted and saved."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli.cli_support import one_line_error, run

import rnnkit

optuna = pytest.importorskip("optuna", reason="Optuna (rnnkit[tune]) is not installed")

SMALL = dict(horizon=6, epochs=4, repeats=1, verbose=0, max_time=None, batch_size=16,
             hidden_size=8)
SPACE = {"hidden_size": [4, 8], "learning_rate": ("log", 1e-3, 1e-2)}


def test_trial_zero_is_the_estimator_as_given_scored_by_the_backtest():
    base = rnnkit.Forecaster(**SMALL)
    result = rnnkit.tune(base, "airline", space=SPACE, n_trials=3, seed=0, refit=False,
                         prune=False)
    # the independent reference: the same backtest run by hand
    by_hand = base.backtest("airline", n_windows=3, step=2, baselines=False)
    assert result.default_score == pytest.approx(by_hand.scores.loc[by_hand.model, "MASE"])
    assert result.trials["number"].tolist() == [0, 1, 2]
    assert result.trials.loc[0, "hidden_size"] == 8
    scores = result.trials["score"].to_numpy()
    assert result.best_score == pytest.approx(np.nanmin(scores))
    assert "best MASE" in result.summary() and "default's" in result.summary()


def test_trial_zero_is_the_estimator_as_given_even_outside_the_space():
    base = rnnkit.Forecaster(**SMALL)  # hidden_size=8: not a choice of the space
    result = rnnkit.tune(base, "airline", space={"hidden_size": [4, 16], "learning_rate": (
        "log", 1e-3, 1e-2)}, n_trials=3, seed=0, refit=False, prune=False)
    by_hand = base.backtest("airline", n_windows=3, step=2, baselines=False)
    assert result.default_score == pytest.approx(by_hand.scores.loc[by_hand.model, "MASE"])
    assert result.trials.loc[0, "hidden_size"] == 8
    assert result.trials.loc[1, "hidden_size"] in (4, 16)
    # the importances read the trials that drew settings (trial 0 drew none)
    assert set(result.importances) == {"hidden_size", "learning_rate"}


def test_the_same_seed_draws_the_same_trials_and_scores():
    first, second = (rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", space=SPACE,
                                 n_trials=3, seed=7, refit=False) for _ in range(2))
    assert first.trials.drop(columns="seconds").equals(second.trials.drop(columns="seconds"))


def test_a_trial_whose_learning_curve_is_worse_than_the_median_is_pruned(monkeypatch):
    def curve(trial):  # a pruner that has seen enough: every trial after the first is worse
        return trial.number > 0

    monkeypatch.setattr(optuna.trial.Trial, "should_prune", curve)
    result = rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", space=SPACE, n_trials=3,
                         seed=0, refit=False)
    assert result.trials["state"].tolist() == ["COMPLETE", "PRUNED", "PRUNED"]
    assert result.trials["score"].isna().tolist() == [False, True, True]


def test_the_best_is_refitted_and_saved_with_the_table_and_figure(tmp_path):
    result = rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", space=SPACE, n_trials=2,
                         seed=0, prune=False)
    best = result.best_estimator
    assert best.hidden_size == result.best_params["hidden_size"]
    assert str(best.fitted_.last_times[0])[:7] == "1960-12"  # refitted on all the data
    result.save(tmp_path / "out")
    saved = json.loads((tmp_path / "out" / "best.json").read_text())
    assert saved["best_params"]["hidden_size"] == best.hidden_size
    assert (tmp_path / "out" / "tuning.png").stat().st_size > 0
    assert rnnkit.load(tmp_path / "out" / "model").hidden_size == best.hidden_size
    assert "saved_model" not in saved  # SMALL fits one run: the model the trials scored
    ensemble = rnnkit.tune(rnnkit.Forecaster(**SMALL | {"repeats": None}), "airline",
                           space=SPACE, n_trials=1, prune=False)  # 5 runs on small data
    ensemble.save(tmp_path / "five")
    assert "5 runs, averaged (each trial scored one run)" in json.loads(
        (tmp_path / "five" / "best.json").read_text())["saved_model"]


def test_tied_trials_are_said_and_a_search_without_refit_saves_its_files(tmp_path):
    """Trials that all kept the same score named one's settings as the best; save() after
    refit=False raised NotFittedError and wrote nothing."""
    result = rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", space={"verbose": [0, 0]},
                         n_trials=3, seed=0, refit=False, prune=False)  # nothing changes
    assert result.tied() == 3
    assert "3 trials tie at the best score" in result.summary()
    result.save(tmp_path / "out")
    saved = json.loads((tmp_path / "out" / "best.json").read_text())
    assert saved["tied_trials"] == 3 and saved["saved_model"].startswith("none: tuned with "
                                                                         "refit=False")
    assert (tmp_path / "out" / "trials.csv").is_file() and not (tmp_path / "out" /
                                                                 "model").exists()
    distinct = rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", space=SPACE, n_trials=3,
                           seed=0, refit=False, prune=False)
    assert distinct.tied() == 1 and "tie" not in distinct.summary()


def test_a_sequence_classifier_is_tuned_by_stratified_cross_validation():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 12, 1))
    y = (X[:, :, 0].mean(1) > 0).astype(int)
    optuna.logging.set_verbosity(optuna.logging.INFO)  # the user's, given back after
    result = rnnkit.tune(rnnkit.SequenceClassifier(max_steps=5, verbose=0), X, y,
                         space={"hidden_size": [8, 16]}, n_trials=2, folds=2, refit=False)
    assert optuna.logging.get_verbosity() == optuna.logging.INFO  # was left at ERROR
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    assert result.metric == "accuracy" and result.direction == "maximize"
    assert 0 <= result.best_score <= 1
    # trial 0 leaves hidden_size to the data (None): the others' stay whole (not 8.0)
    assert result.trials.to_csv(index=False).splitlines()[2].split(",")[-1] in ("8", "16")


def test_a_bad_space_or_estimator_is_one_clear_line():
    with pytest.raises(rnnkit.InputError, match="'hiden_size'.*Did you mean 'hidden_size'"):
        rnnkit.tune(rnnkit.Forecaster(), "airline", space={"hiden_size": [8]})
    with pytest.raises(rnnkit.InputError, match=r"space\['dropout'\]=\(0.5, 0.1\) has its "
                                                r"low end 0.5 at or above its high end 0.1. "
                                                r"Pass space=\{'dropout': \(0.1, 0.5\)\}"):
        rnnkit.tune(rnnkit.Forecaster(), "airline", space={"dropout": (0.5, 0.1)})
    with pytest.raises(rnnkit.InputError, match="a log range needs a positive low end"):
        rnnkit.tune(rnnkit.Forecaster(), "airline", space={"dropout": ("log", 0, 0.5)})
    with pytest.raises(rnnkit.InputError, match="y is missing"):
        rnnkit.tune(rnnkit.SequenceRegressor(), np.zeros((4, 3, 1)))
    with pytest.raises(rnnkit.InputError, match="tune searches a Forecaster"):
        rnnkit.tune(rnnkit.SequenceTagger(), np.zeros((4, 3, 1)), np.zeros((4, 3)))
    with pytest.raises(rnnkit.InputError, match="space='hidden_size' must be a dict"):
        rnnkit.tune(rnnkit.Forecaster(), "airline", space="hidden_size")  # AttributeError
    with pytest.raises(rnnkit.InputError, match=r"space\['learning_rate'\]=\('log', 'a'"):
        rnnkit.tune(rnnkit.Forecaster(), "airline", space={"learning_rate": ("log", "a", "b")})
    with pytest.raises(rnnkit.InputError, match="space\\(trial\\) returned a list"):
        rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", space=lambda t: [1], n_trials=2)


def test_settings_that_all_fail_are_said_with_their_reason_not_hidden():
    result = rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", space={"cell": ["foo", "bar"]},
                         n_trials=3, refit=False)
    assert list(result.trials["state"]) == ["COMPLETE", "FAIL", "FAIL"]
    assert "is not one of ['rnn', 'lstm', 'gru']" in result.trials["error"].iloc[1]
    assert "no drawn setting ran (the first said: cell=" in result.summary()


def test_the_cli_prints_the_trials_and_the_best_beside_the_default(tmp_path, capsys):
    code, out, err = run(["tune", "airline", "--n-trials", "2", "--horizon", "6", "--epochs",
                          "2", "--hidden-size", "4", "--repeats", "1", "--out",
                          tmp_path / "t"], capsys)
    assert code == 0, err
    assert "COMPLETE" in out and "best MASE" in out and "vs the default's" in out
    assert (tmp_path / "t" / "trials.csv").exists() and (tmp_path / "t" / "model").is_dir()
    code, out, err = run(["tune", "airline", "--n-trials", "0"], capsys)
    assert "--n-trials=0 must be an integer >= 1" in one_line_error(code, err)


def test_a_space_function_and_a_maximised_score_are_read_the_study_s_way(monkeypatch):
    result = rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", n_trials=2, seed=0,
                         refit=False, space=lambda t: {"hidden_size": 4 * t.suggest_int("q", 1, 2)})
    # the arguments, not the draw's names (trial 0, the estimator as given, draws none)
    assert set(result.best_params) <= {"hidden_size"}
    assert result.default_score == result.trials.loc[0, "score"]
    reported = []
    real = optuna.trial.Trial.report
    monkeypatch.setattr(optuna.trial.Trial, "report",
                        lambda self, value, step: (reported.append((value, step)),
                                                   real(self, value, step)))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 12, 1))
    y = (X[:, :, 0].mean(1) > 0).astype(int)
    rnnkit.tune(rnnkit.SequenceClassifier(max_steps=8, verbose=0), X, y, n_trials=1,
                folds=2, refit=False, space={"hidden_size": [8]})
    assert reported and all(v <= 0 for v, _ in reported)  # a loss, negated: higher is better
    steps = [s for _, s in reported]
    assert steps == list(range(1, len(steps) + 1))  # the first fit's curve, epoch by epoch


def test_a_smoke_run_searches_a_few_trials(monkeypatch):
    monkeypatch.setenv("RNNKIT_SMOKE", "1")
    result = rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", space=SPACE, n_trials=20,
                         seed=0, refit=False)
    assert len(result.trials) == 3


def test_a_setting_the_estimator_as_given_cannot_run_is_one_line_at_once(capsys):
    """Every trial failed alike, each with a logged traceback, then the advice was to give
    more trials."""
    code, out, err = run(["tune", "airline", "--n-windows", "1000", "--n-trials", "2"], capsys)
    line = one_line_error(code, err)
    assert "--n-windows 1000" in line and "Trial" not in err
    assert "Pass --n-windows <= " in line and "step" not in line.split("Pass")[-1]  # not tune's


def test_a_profile_base_asked_for_keeps_the_season_norm_in_the_default_search():
    # window_norm='last' cannot take base_seasons=3: the default space leaves the norm alone
    result = rnnkit.tune(rnnkit.Forecaster(**SMALL, base_seasons=3), "airline", n_trials=3,
                         seed=0, refit=False, prune=False)
    assert "window_norm" not in result.trials.columns
    assert np.isfinite(result.trials["score"].to_numpy()).all()


def test_the_default_search_of_a_window_mlp_leaves_out_what_it_has_not():
    result = rnnkit.tune(rnnkit.Forecaster(**SMALL, network="mlp"), "airline", n_trials=2,
                         seed=0, refit=False, prune=False)
    assert {"cell", "num_layers"}.isdisjoint(result.trials.columns)
    assert "hidden_size" in result.trials.columns


def test_a_space_of_numpy_numbers_is_read_as_numbers():
    """space={'hidden_size': (np.int64(4), np.int64(8))} was 'not a search range'."""
    result = rnnkit.tune(rnnkit.Forecaster(**SMALL), "airline", n_trials=2, seed=0, refit=False,
                         space={"hidden_size": (np.int64(4), np.int64(8)),
                                "learning_rate": list(np.array([1e-3, 3e-3])),
                                "batch_size": np.arange(16, 33, 16)})  # an array of choices
    assert len(result.trials) == 2 and result.trials["hidden_size"].between(4, 8).all()
