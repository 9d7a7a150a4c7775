from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_score

import rnnkit
from rnnkit.data.holdout import split_holdout
from rnnkit.datasets.sequences import activity, sequence_and_static
from rnnkit.errors import InputError

FAST = dict(hidden_size=8, epochs=8, verbose=0)


@pytest.fixture(scope="module")
def data():
    X, y = activity(240, steps=32, seed=0)
    return X, y


@pytest.mark.parametrize("pooling", ["last", "mean", "max", "attention"])
def test_padding_never_changes_a_prediction(data, pooling):
    X, y = data
    model = rnnkit.SequenceClassifier(pooling=pooling, bidirectional=True, **FAST).fit(X, y)
    assert model.recipe_["front_end"] == "fcn"  # numeric input: convolutional blocks
    short = X[0, :10]
    alone = model.predict_proba([short])
    in_batch = model.predict_proba([X[1], short, X[2, :20]])[1:2]
    np.testing.assert_allclose(in_batch, alone, atol=1e-6)
    np.testing.assert_allclose(model.predict_proba(X[:5]).sum(1), 1.0, atol=1e-12)
    assert model.score(X, y) > 0.8  # clearly above chance (0.25)


def test_numeric_recipe_reads_both_ways_for_classes_and_one_way_for_numbers(data, tmp_path):
    X, y = data
    X, y = X[:40, :12], y[:40]
    small = dict(epochs=1, verbose=0)
    clf = rnnkit.SequenceClassifier(**small).fit(X, y)
    reg = rnnkit.SequenceRegressor(**small).fit(X, np.arange(40.0))
    assert (clf.recipe_["bidirectional"], clf.recipe_["hidden_size"]) == (True, 32)
    assert (reg.recipe_["bidirectional"], reg.recipe_["hidden_size"]) == (False, 64)
    for model, wide in ((clf, 2 * 32), (reg, 64)):  # the summary is 64 wide either way
        core = model.model_.config.recurrent
        assert core.hidden_size * (2 if core.bidirectional else 1) == wide
    # what the user sets wins; a bidirectional regressor also keeps a summary 64 wide
    assert rnnkit.SequenceClassifier(bidirectional=False, **small).fit(X, y).recipe_[
        "hidden_size"] == 64
    assert rnnkit.SequenceRegressor(bidirectional=True, **small).fit(
        X, np.arange(40.0)).recipe_["hidden_size"] == 32
    assert rnnkit.SequenceClassifier(hidden_size=5, **small).fit(X, y).model_.config \
        .recurrent.hidden_size == 5
    # several channels: each read per sequence and scaled over the training set, side by side
    channels = X.shape[2]
    assert clf.recipe_["normalize"] == "both" and clf.get_params()["normalize"] == "auto"
    assert clf.model_.config.input_features == 2 * channels
    one = rnnkit.SequenceClassifier(**small).fit(X[:, :, :1], y)
    assert one.recipe_["normalize"] == "sequence" and one.model_.config.input_features == 1
    clf.save(tmp_path / "m")
    loaded = rnnkit.load(tmp_path / "m")
    assert loaded.recipe_["normalize"] == "both"
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_attention_weights_ignore_padding(data):
    X, y = data
    model = rnnkit.SequenceClassifier(pooling="attention", **FAST).fit(X, y)
    w = model.attention_weights([X[0], X[1, :12]])
    np.testing.assert_allclose(w.sum(1), 1.0, atol=1e-6)
    assert (w[1, 12:] == 0).all()


def test_labels_round_trip_and_save_load_exact(data, tmp_path):
    X, y = data
    numeric = np.searchsorted(np.unique(y), y) * 10  # integer labels 0, 10, 20, 30
    model = rnnkit.SequenceClassifier(**FAST).fit(X, numeric)
    assert set(model.predict(X)) <= {0, 10, 20, 30}
    model.save(tmp_path / "clf")
    back = rnnkit.load(tmp_path / "clf")
    assert type(back) is rnnkit.SequenceClassifier
    np.testing.assert_array_equal(back.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(back.classes_, model.classes_)


def test_sklearn_clone_and_cross_val_score(data):
    X, y = data
    model = rnnkit.SequenceClassifier(class_weight="balanced", **FAST)
    assert clone(model).get_params() == model.get_params()
    scores = cross_val_score(model, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert len(scores) == 3 and scores.min() > 0.5


def test_regressor_uses_the_static_covariates(tmp_path):
    X, S, y = sequence_and_static(400, steps=48, seed=0)
    Xt, St, yt = sequence_and_static(200, steps=48, seed=1)
    both = rnnkit.SequenceRegressor(hidden_size=8, max_steps=250, verbose=0).fit(X, y, static=S)
    alone = rnnkit.SequenceRegressor(hidden_size=8, max_steps=250, verbose=0).fit(X, y)
    assert both.score(Xt, yt, static=St) > alone.score(Xt, yt) + 0.1
    assert both.predict(Xt, static=St).shape == (200,)
    both.save(tmp_path / "reg")
    back = rnnkit.load(tmp_path / "reg")
    np.testing.assert_array_equal(back.predict(Xt, static=St), both.predict(Xt, static=St))


def test_bad_input(data):
    X, y = data
    with pytest.raises(InputError, match="single class"):
        rnnkit.SequenceClassifier(**FAST).fit(X, np.full(len(y), "walking"))
    bad = X.copy()
    bad[4, 7, 2] = np.nan
    with pytest.raises(InputError, match="sample 4, step 7"):
        rnnkit.SequenceClassifier(**FAST).fit(bad, y)
    with pytest.raises(InputError, match="static has shape"):
        rnnkit.SequenceRegressor(**FAST).fit(X, np.zeros(len(X)), static=np.zeros((3, 2)))
    model = rnnkit.SequenceClassifier(**FAST).fit(X, y)
    with pytest.raises(InputError, match="not in training"):
        model.score(X[:2], ["walking", "swimming"])
    with pytest.raises(InputError, match="reshape"):
        model.predict(X[:, :, 0])
    with pytest.raises(InputError, match="pooling"):
        rnnkit.SequenceClassifier(pooling="sum", **FAST).fit(X, y)


def test_a_model_of_one_task_loaded_as_another(data, tmp_path):
    from rnnkit.errors import ArtifactError

    X, y = data
    rnnkit.SequenceClassifier(**FAST).fit(X, y).save(tmp_path / "clf")
    assert type(rnnkit.SequenceClassifier.load(tmp_path / "clf")) is rnnkit.SequenceClassifier
    with pytest.raises(ArtifactError, match="holds a SequenceClassifier, not a SequenceRegressor"):
        rnnkit.SequenceRegressor.load(tmp_path / "clf")


def test_k_fold_never_leaks_a_folds_scaler(data):
    from sklearn.base import clone

    X, y = data
    template = rnnkit.SequenceClassifier(normalize="channel", val_size=0.2, **FAST)
    for train, _ in StratifiedKFold(3, shuffle=True, random_state=0).split(X, y):
        model = clone(template).fit(X[train], y[train])
        # a stratified fifth of the fold is held out inside fit; the scaler sees the rest only
        inner = split_holdout(len(train), 0.2, 0, np.unique(y[train], return_inverse=True)[1])
        assert inner.used
        rows = X[train][inner.train].reshape(-1, X.shape[2])
        np.testing.assert_allclose(model.inputs_.channel_scaler.offset_[0], rows.mean(0),
                                   rtol=1e-10)


def test_cross_validate_is_stratified_and_scores_every_fold(data):
    from rnnkit.tasks.sequence_jobs import cross_validate

    X, y = data
    scores = cross_validate(rnnkit.SequenceClassifier(**FAST), X, y, folds=3)
    assert list(scores.index) == [1, 2, 3] and "model balanced accuracy" in scores
    assert scores["model accuracy"].min() > 0.5
    assert {"1-NN Euclidean accuracy", "majority class accuracy"} <= set(scores)
    texts = ["good film"] * 6 + ["bad film"] * 6
    labels = ["pos"] * 6 + ["neg"] * 6
    text_scores = cross_validate(rnnkit.SequenceClassifier(**FAST), texts, labels, folds=3)
    assert len(text_scores) == 3


def test_repeats_predict_as_the_mean_of_their_runs_and_repeat_exactly(data):
    X, y = data
    model = rnnkit.SequenceClassifier(repeats=3, **FAST).fit(X[:80], y[:80])
    runs = model.predict_runs(X[80:90])
    assert len(runs) == 3 and len(model.histories_) == 3
    assert not np.allclose(runs[0], runs[1])  # seeds 0, 1, 2 differ
    np.testing.assert_allclose(model.predict_proba(X[80:90]), np.mean(runs, axis=0))
    again = rnnkit.SequenceClassifier(repeats=3, **FAST).fit(X[:80], y[:80])
    np.testing.assert_array_equal(again.predict_proba(X[80:90]), model.predict_proba(X[80:90]))


def test_a_ragged_list_predicts_what_each_sequence_predicts_alone(data):
    X, y = data
    model = rnnkit.SequenceClassifier(**FAST).fit([x[: 16 + i % 16] for i, x in
                                                   enumerate(X)], y)
    ragged = [X[0, :20], X[1], X[2, :17]]
    together = model.predict_proba(ragged)
    alone = np.concatenate([model.predict_proba([s]) for s in ragged])
    np.testing.assert_allclose(together, alone, atol=1e-6)


def test_budget_in_steps_without_a_holdout_on_small_data():
    X, y = activity(60, steps=16, seed=0)
    model = rnnkit.SequenceClassifier(hidden_size=8, max_steps=40, verbose=0).fit(X, y)
    assert "whole budget" in model.holdout_ and not model.history_.val_loss
    assert model.history_.epochs_run == 10  # 40 steps of 16 from 60 sequences: 4 per epoch


def test_encode_returns_every_step_and_the_final_states_of_each_length():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) for n in (7, 3, 5, 7)]
    y = [0, 1, 0, 1]
    model = rnnkit.SequenceClassifier(**FAST, front_end="none", num_layers=2, cell="lstm",
                                      bidirectional=False, pooling="last").fit(X, y)
    enc = model.encode(X)
    assert enc.outputs.shape == (4, 7, 8) and enc.lengths.tolist() == [7, 3, 5, 7]
    assert enc.h.shape == enc.c.shape == (2, 4, 8)
    # the top layer's final state is its output at the last real step; zeros after it
    for n, length in enumerate(enc.lengths):
        np.testing.assert_allclose(enc.h[-1, n], enc.outputs[n, length - 1], rtol=1e-6)
        assert not enc.outputs[n, length:].any()
    # a sequence alone encodes as in the batch (padding never leaks in)
    alone = model.encode([X[1]])
    np.testing.assert_allclose(alone.outputs[0, :3], enc.outputs[1, :3], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(alone.c[:, 0], enc.c[:, 1], rtol=1e-5, atol=1e-7)


def test_targets_are_scaled_by_the_rows_that_train():
    """The early-stopping hold-out is validation: the target's mean and spread come from the
    other rows, as every input statistic does (they came from all rows)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5, 1))
    y = np.arange(200, dtype=float)
    reg = rnnkit.SequenceRegressor(max_steps=2, hidden_size=4, verbose=0, val_size=0.2).fit(X, y)
    held = split_holdout(200, 0.2, 0, order="random")
    assert held.used and len(held.val) == 40
    assert reg.y_mean_[0] == pytest.approx(y[held.train].mean())
    assert reg.y_mean_[0] != pytest.approx(y.mean())
    tagger = rnnkit.SequenceTagger(task="regression", hidden_size=4, epochs=1, verbose=0,
                                   val_size=0.2).fit(X, [np.full(5, v) for v in y])
    assert tagger.y_mean_ == pytest.approx(y[held.train].mean())


def test_static_frames_are_matched_by_column_name(tmp_path):
    import pandas as pd

    rng = np.random.default_rng(0)
    X, cov = rng.normal(size=(40, 6, 1)), rng.normal(size=(40, 3))
    frame = pd.DataFrame(cov, columns=["age", "sex", "height"])
    model = rnnkit.SequenceRegressor(hidden_size=4, max_steps=5, verbose=0).fit(
        X, cov[:, 0] * 3, static=frame)
    expected = model.predict(X, static=frame)
    assert np.abs(expected - model.predict(X, static=frame[["height", "age", "sex"]])).max() == 0
    np.testing.assert_array_equal(model.predict(X, static=cov), expected)  # numbers: by position
    model.save(tmp_path / "m")
    loaded = rnnkit.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict(X, static=frame[["sex", "height", "age"]]),
                                  expected)
    with pytest.raises(InputError, match=r"missing \['age'\], unknown \['Age'\]"):
        loaded.predict(X, static=frame.rename(columns={"age": "Age"}))
    with pytest.raises(InputError, match="static has 2 covariates; the model was trained with 3"):
        model.predict(X, static=cov[:, :2])
    numbered = pd.DataFrame(cov)  # labels 0, 1, 2 (a frame made from an array)
    by_number = rnnkit.SequenceRegressor(hidden_size=4, max_steps=5, verbose=0).fit(
        X, cov[:, 0], static=numbered)
    np.testing.assert_array_equal(by_number.predict(X, static=numbered[[2, 0, 1]]),
                                  by_number.predict(X, static=numbered))


def test_cross_validate_says_which_class_is_too_small_and_which_estimators_it_scores():
    """A class smaller than the folds (PigCVP: 2 sequences a class, folds=5 by default) and a
    tagger were raw scikit-learn and TypeError messages."""
    from rnnkit.tasks.sequence_jobs import cross_validate

    X = np.random.default_rng(0).normal(size=(20, 6, 1))
    y = np.array(["a"] * 18 + ["b"] * 2)
    pig = np.array(["a", "a", "b", "b", "c", "c"] * 3 + ["d", "d"])  # 2 to 6 of a class
    with pytest.raises(InputError, match="folds=7: no class has that many sequences \\(the "
                                         "largest, 'a', has 6\\).* Pass folds <= 6"):
        cross_validate(rnnkit.SequenceClassifier(**FAST), X, pig, folds=7)
    with pytest.raises(InputError, match="folds=30 needs at least 30 sequences; y holds 20"):
        cross_validate(rnnkit.SequenceRegressor(**FAST), X, np.arange(20.0), folds=30)
    with pytest.raises(InputError, match="estimator is a SequenceTagger; cross_validate"):
        cross_validate(rnnkit.SequenceTagger(), X, [np.zeros(6)] * 20, folds=2)
    assert len(cross_validate(rnnkit.SequenceClassifier(**FAST), X, y, folds=2)) == 2
    with pytest.warns(UserWarning, match="least populated class"):  # a rare class: warned
        assert len(cross_validate(rnnkit.SequenceClassifier(**FAST), X, y, folds=3)) == 3
