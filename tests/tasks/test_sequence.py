from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_score

import rnnkit
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
    short = X[0, :10]
    alone = model.predict_proba([short])
    in_batch = model.predict_proba([X[1], short, X[2, :20]])[1:2]
    np.testing.assert_allclose(in_batch, alone, atol=1e-6)
    np.testing.assert_allclose(model.predict_proba(X[:5]).sum(1), 1.0, atol=1e-12)
    assert model.score(X, y) > 0.8  # clearly above chance (0.25)


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
    both = rnnkit.SequenceRegressor(hidden_size=8, epochs=30, verbose=0).fit(X, y, static=S)
    alone = rnnkit.SequenceRegressor(hidden_size=8, epochs=30, verbose=0).fit(X, y)
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
    template = rnnkit.SequenceClassifier(**FAST)
    for train, _ in StratifiedKFold(3, shuffle=True, random_state=0).split(X, y):
        model = clone(template).fit(X[train], y[train])
        # val_size=0.1 of the fold is held out inside fit; the scaler sees the rest only
        inner = np.random.default_rng(0).permutation(len(train))[int(round(0.1 * len(train))):]
        rows = X[train][inner].reshape(-1, X.shape[2])
        np.testing.assert_allclose(model.scaler_.offset_[0], rows.mean(0), rtol=1e-10)


def test_cross_validate_is_stratified_and_scores_every_fold(data):
    from rnnkit.tasks.sequence_jobs import cross_validate

    X, y = data
    scores = cross_validate(rnnkit.SequenceClassifier(**FAST), X, y, folds=3)
    assert list(scores.index) == [1, 2, 3] and "balanced accuracy" in scores
    assert scores["accuracy"].min() > 0.5
    texts = ["good film"] * 6 + ["bad film"] * 6
    labels = ["pos"] * 6 + ["neg"] * 6
    text_scores = cross_validate(rnnkit.SequenceClassifier(**FAST), texts, labels, folds=3)
    assert len(text_scores) == 3
