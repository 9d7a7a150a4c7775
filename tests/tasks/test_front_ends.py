from __future__ import annotations

import numpy as np
import pytest

import rnnkit
from rnnkit.datasets.sequences import activity
from rnnkit.errors import InputError

FAST = dict(hidden_size=8, epochs=10, verbose=0)


def small_reviews(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """A small-vocabulary review task (a cue word among a few fillers, some negated): the
    front ends' mechanics, learnable in a few epochs; the bundled reviews are harder."""
    rng = np.random.default_rng(seed)
    good, bad = ["great", "superb", "funny", "moving"], ["awful", "dull", "boring", "weak"]
    filler = ["the", "film", "plot", "was", "and", "a", "story", "cast", "it", "music"]
    texts, labels = [], []
    for _ in range(n):
        positive, negated = bool(rng.integers(0, 2)), rng.random() < 0.3
        cue = str(rng.choice(bad if positive == negated else good))
        words = [str(w) for w in rng.choice(filler, size=rng.integers(5, 10))]
        at = int(rng.integers(0, len(words) + 1))
        words[at:at] = ["not", cue] if negated else [cue]
        texts.append(" ".join(words))
        labels.append("positive" if positive else "negative")
    return texts, np.asarray(labels)


@pytest.fixture(scope="module")
def reviews():
    return small_reviews(600, seed=0), small_reviews(200, seed=1)


@pytest.mark.parametrize("kwargs", [{}, {"conv_channels": 8}, {"pooling": "attention"},
                                    {"bidirectional": True}])
def test_text_front_ends_train_above_chance(reviews, kwargs):
    (texts, labels), (test_texts, test_labels) = reviews
    params = FAST | {"hidden_size": 16, "epochs": 15} | kwargs
    model = rnnkit.SequenceClassifier(embedding_dim=16, **params).fit(texts, labels)
    assert model.score(test_texts, test_labels) > 0.8  # chance is 0.5


def test_text_model_round_trips_with_its_vocabulary(reviews, tmp_path):
    (texts, labels), (test_texts, _) = reviews
    model = rnnkit.SequenceClassifier(embedding_dim=8, **FAST).fit(texts, labels)
    model.save(tmp_path / "text")
    back = rnnkit.load(tmp_path / "text")
    assert back.vocabulary_ == model.vocabulary_
    np.testing.assert_array_equal(back.predict_proba(test_texts), model.predict_proba(test_texts))
    # a frame's column of texts reads as the list of them (it was refused as not numeric)
    import pandas as pd

    column = pd.Series(test_texts, index=np.arange(len(test_texts)) + 100)
    np.testing.assert_array_equal(back.predict_proba(column), model.predict_proba(test_texts))
    with pytest.raises(InputError, match="trained on text"):
        back.predict(np.zeros((2, 5, 3)))


def test_token_ids_and_padding_invariance_through_embedding_and_conv():
    rng = np.random.default_rng(0)
    seqs = [rng.integers(1, 20, size=rng.integers(3, 12)) for _ in range(200)]
    labels = np.array(["even" if s.sum() % 2 == 0 else "odd" for s in seqs])
    model = rnnkit.SequenceClassifier(vocab_size=20, embedding_dim=8, conv_channels=8,
                                      conv_pool=2, **FAST).fit(seqs, labels)
    alone = model.predict_proba([seqs[0]])
    batched = model.predict_proba([seqs[1], seqs[0], np.arange(1, 19)])[1:2]
    np.testing.assert_allclose(batched, alone, atol=1e-6)
    # a zero-padded id matrix, padded after (most tools) or before (Keras' pad_sequences),
    # reads as the list of its sequences: the zeros were read as tokens
    after = np.zeros((3, 15), dtype=np.int64)
    before = np.zeros((3, 15), dtype=np.int64)
    for k, s in enumerate(seqs[:3]):
        after[k, :len(s)] = s
        before[k, 15 - len(s):] = s
    listed = model.predict_proba(seqs[:3])
    np.testing.assert_allclose(model.predict_proba(after), listed, atol=1e-6)
    np.testing.assert_allclose(model.predict_proba(before), listed, atol=1e-6)
    with pytest.raises(InputError, match="below vocab_size"):
        model.predict([np.array([1, 25])])


def test_conv_front_end_on_numeric_sequences():
    X, y = activity(300, steps=64, seed=0)
    Xt, yt = activity(150, steps=64, seed=1)
    model = rnnkit.SequenceClassifier(conv_channels=8, conv_pool=2, **FAST | {"epochs": 30}
                                      ).fit(X, y)
    assert model.recipe_["front_end"] == "conv"
    assert model.score(Xt, yt) > 0.45  # chance 0.25
    with pytest.raises(InputError, match="odd"):
        rnnkit.SequenceClassifier(conv_channels=8, conv_kernel=4, **FAST).fit(X, y)


def test_text_recipe_prunes_rare_words_and_stops_early_on_a_holdout(reviews):
    (texts, labels), _ = reviews
    model = rnnkit.SequenceClassifier(hidden_size=8, max_steps=300, verbose=0).fit(
        [*texts, "zyzzyva"], [*labels, "positive"])
    assert model.recipe_ == {"front_end": "none", "pooling": "max", "bidirectional": True,
                             "input_dropout": 0.3, "max_steps": 300, "hidden_size": 8}
    assert "zyzzyva" not in model.vocabulary_.tokens  # seen once: below min_count=2
    assert model.holdout_.startswith("early stopping on a hold-out of 6")
    history = model.history_
    assert len(history.val_loss) == history.epochs_run > 2
    assert history.best_epoch == 1 + int(np.argmin(history.val_loss)) > 1
