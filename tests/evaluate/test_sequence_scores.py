from __future__ import annotations

import numpy as np
import pytest

import rnnkit
from rnnkit.datasets.sequences import activity, sequence_and_static
from rnnkit.evaluate.sequence_scores import (
    classification_baselines,
    classification_scores,
    regression_baselines,
    summary_features,
)


def test_summary_features_by_hand_on_a_ragged_batch():
    seqs = [np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([[5.0], [1.0]])]
    f = summary_features(seqs)
    # mean, std, min, max, last, slope
    np.testing.assert_allclose(f[0], [2.5, np.std([1, 2, 3, 4]), 1, 4, 4, 1.0])
    np.testing.assert_allclose(f[1], [3.0, 2.0, 1, 5, 1, -4.0])


def test_scores_and_majority_baseline():
    scores = classification_scores(np.array(["a", "a", "b", "b"]), np.array(["a", "b", "b", "b"]),
                                   np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.3, 0.7]]),
                                   np.array(["a", "b"]))
    assert scores["accuracy"] == 0.75 and scores["balanced accuracy"] == 0.75
    assert scores["ROC-AUC"] == 1.0
    listed = classification_scores(["a", "a", "b", "b"], ["a", "b", "b", "b"],  # plain lists
                                   np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.3, 0.7]]),
                                   np.array(["a", "b"]))
    assert listed == scores
    X, y = activity(120, steps=32, seed=0)
    base = classification_baselines(X[:80], y[:80], X[80:], y[80:])
    majority = np.unique(y[:80], return_counts=True)
    expected = np.mean(y[80:] == majority[0][np.argmax(majority[1])])
    assert base["majority class"]["accuracy"] == pytest.approx(expected)


def test_the_recurrent_regressor_beats_its_baselines():
    X, S, y = sequence_and_static(400, steps=48, seed=0)
    Xt, St, yt = sequence_and_static(200, steps=48, seed=1)
    model = rnnkit.SequenceRegressor(hidden_size=8, max_steps=250, verbose=0).fit(X, y, static=S)
    base = regression_baselines(X, y, Xt, yt, S, St)
    r2 = model.score(Xt, yt, static=St)
    assert r2 > base["mean"]["R2"] and base["mean"]["R2"] < 0.01
    assert "ridge on summaries" in base  # printed beside the model, whichever wins


def test_nearest_neighbour_against_a_plain_loop():
    from rnnkit.evaluate.sequence_scores import nearest_neighbour

    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(20, 15, 2)), rng.normal(size=(7, 15, 2))

    def z(s):
        return ((s - s.mean(0)) / s.std(0)).reshape(-1)

    expected = [int(np.argmin([np.sum((z(t) - z(r)) ** 2) for r in train])) for t in test]
    assert nearest_neighbour(train, test).tolist() == expected


def test_text_baselines_are_tf_idf_with_word_pairs():
    from rnnkit.evaluate.sequence_scores import classification_baselines

    texts = ["not good at all", "very good indeed", "not bad at all", "very bad indeed"] * 10
    labels = ["neg", "pos", "pos", "neg"] * 10
    base = classification_baselines(texts, labels, texts, labels)
    # only word pairs ("not good" / "not bad") separate these: unigrams are balanced
    assert base["TF-IDF + logistic"]["accuracy"] == 1.0


def test_one_class_predictions_are_flagged():
    from rnnkit.tasks.sequence_jobs import one_class_warning

    model = rnnkit.SequenceClassifier()
    assert "predicts 'a' for every sequence" in one_class_warning(
        model, np.array(["a", "a"]), np.array(["a", "b", "c"]))[0]
    assert one_class_warning(model, np.array(["a", "b"]), np.array(["a", "b"])) == []
    minority = one_class_warning(model, np.array(["c", "c"]), np.array(["a", "a", "c"]))[0]
    assert "not even the most common one ('a')" in minority


def test_baselines_of_text_regression_token_ids_and_several_outputs():
    """Text regression failed after training (its baselines read texts as numbers), token
    ids got 1-NN on ids, and several outputs got one pooled mean and pooled scores."""
    from rnnkit.evaluate.sequence_scores import regression_scores

    texts = ["good film", "bad film", "great film", "awful film"] * 5
    y = np.array([1.0, -1.0, 2.0, -2.0] * 5)
    base = regression_baselines(texts, y, texts, y)
    assert set(base) == {"mean", "TF-IDF + ridge"}
    ids = [np.array([3, 4]), np.array([5, 4]), np.array([6, 4]), np.array([7, 4])] * 5
    labels = ["pos", "neg", "pos", "neg"] * 5
    assert "TF-IDF + logistic" in classification_baselines(ids, labels, ids, labels, "ids")
    few = ["one", "two", "three", "four"]  # no word twice: words seen once are kept
    assert "TF-IDF + logistic" in classification_baselines(few, [0, 1, 0, 1], few, [0, 1, 0, 1])
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 6, 1))
    Y = np.c_[rng.normal(size=20), 100 * rng.normal(size=20)]  # two outputs, other units
    mean = regression_baselines(X, Y, X, Y)["mean"]
    assert mean["R2"] == pytest.approx(0.0)  # each output's own mean
    by_hand = [regression_scores(Y[:, k], Y[:, k] + k + 1) for k in range(2)]
    pooled = regression_scores(Y, Y + np.array([1.0, 2.0]))
    assert pooled["RMSE"] == pytest.approx(np.mean([s["RMSE"] for s in by_hand]))
    assert pooled["R2"] == pytest.approx(np.mean([s["R2"] for s in by_hand]))


def test_a_class_missing_from_training_scores_without_log_loss():
    scores = classification_scores(np.array(["a", "b", "c"]), np.array(["a", "b", "a"]),
                                   np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]),
                                   np.array(["a", "b"]))
    assert scores["accuracy"] == pytest.approx(2 / 3) and np.isnan(scores["log loss"])


def test_the_layout_warning_points_at_the_users_line():
    rng = np.random.default_rng(0)
    with pytest.warns(UserWarning, match="aeon/sktime layout") as caught:
        rnnkit.SequenceClassifier(max_steps=1, hidden_size=4, verbose=0).fit(
            rng.normal(size=(8, 1, 40)), [0, 1] * 4)
    assert caught[0].filename == __file__
