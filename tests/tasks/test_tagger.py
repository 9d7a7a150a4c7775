from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

import rnnkit
from rnnkit.datasets.teaching import counting
from rnnkit.errors import InputError, NotFittedError

FAST = dict(hidden_size=8, epochs=40, verbose=0)


@pytest.fixture(scope="module")
def fitted():
    X, y = counting(256, max_count=4, seed=0)
    return rnnkit.SequenceTagger(**FAST).fit(X, y), X, y


def test_labels_round_trip_and_probabilities_sum_to_one(fitted):
    model, X, y = fitted
    assert set(model.classes_) == {"-", "b"}
    pred = model.predict(X[:5])
    assert pred.shape == (5, X.shape[1]) and set(np.unique(pred)) <= {"-", "b"}
    proba = model.predict_proba(X[:5])
    np.testing.assert_allclose(proba.sum(-1), 1.0, atol=1e-12)
    assert model.score(X, y) > 0.95


def test_padding_never_changes_a_prediction(fitted):
    model, X, _ = fitted
    short = X[0, :5]
    alone = model.predict_proba([short])[0]
    batched = model.predict_proba([X[1], short, X[2, :7]])[1]
    np.testing.assert_allclose(batched, alone, atol=1e-6)
    assert batched.shape == (5, 2)


def test_encode_gives_what_the_per_step_head_reads_and_the_final_states(fitted):
    """A tagger had no encode (the classifier's and regressor's glass box)."""
    import torch

    model, X, _ = fitted
    ragged = [X[0, :5], X[1], X[2, :7]]
    enc = model.encode(ragged)
    assert enc.outputs.shape[:2] == (3, X.shape[1]) and enc.lengths.tolist() == [5, X.shape[1],
                                                                                7]
    assert not enc.outputs[0, 5:].any()  # zeros after each length
    head = model.model_.head
    for k, x in enumerate(ragged):  # the head on the encoding gives predict's probabilities
        logits = head(torch.from_numpy(enc.outputs[k, : len(x)]).float()).double().detach()
        np.testing.assert_allclose(torch.softmax(logits, -1).numpy(),
                                   model.predict_proba([x])[0], atol=1e-5)
    # one forward layer: the final h is the output at the last real step of each sequence
    np.testing.assert_allclose(enc.h[-1, 0], enc.outputs[0, 4], atol=1e-6)
    assert enc.c is not None and enc.c.shape == enc.h.shape


def test_variable_length_training_and_masked_loss():
    X, y = counting(128, max_count=4, seed=1)
    lengths = np.random.default_rng(0).integers(6, X.shape[1] + 1, size=len(X))
    Xs = [x[:n] for x, n in zip(X, lengths, strict=True)]
    ys = [t[:n] for t, n in zip(y, lengths, strict=True)]
    model = rnnkit.SequenceTagger(**FAST).fit(Xs, ys)
    pred = model.predict(Xs)
    assert [len(p) for p in pred] == list(lengths)


def test_save_load_exact_and_clone(fitted, tmp_path):
    model, X, _ = fitted
    model.save(tmp_path / "tagger")
    back = rnnkit.load(tmp_path / "tagger")
    assert type(back) is rnnkit.SequenceTagger
    np.testing.assert_array_equal(back.predict_proba(X[:8]), model.predict_proba(X[:8]))
    assert clone(model).get_params() == model.get_params()


def test_bad_input():
    X, y = counting(16, seed=0)
    with pytest.raises(NotFittedError):
        rnnkit.SequenceTagger().predict(X)
    with pytest.raises(InputError, match="single label"):
        rnnkit.SequenceTagger(**FAST).fit(X, np.full(y.shape, "-"))
    with pytest.raises(InputError, match=r"reshape\(16, 18, 1\)"):
        rnnkit.SequenceTagger(**FAST).fit(X[:, :, 0], y)
    with pytest.raises(InputError, match="12 sequences of labels but X has 16"):
        rnnkit.SequenceTagger(**FAST).fit(X, y[:12])
    bad = X.copy()
    bad[3, 5, 0] = np.nan
    with pytest.raises(InputError, match="sample 3, step 5"):
        rnnkit.SequenceTagger(**FAST).fit(bad, y)


def test_summary_before_and_after_fit(fitted):
    text = rnnkit.SequenceTagger(hidden_size=4, cell="gru").summary(input_size=3, n_classes=2)
    assert "3 x (4 x (3 + 4) + 4 + 4) = 108" in text and "2 x (4 + 1) = 10" in text
    assert "4 x (8 x (3 + 8) + 8 + 8) = 416" in fitted[0].summary()


def test_per_step_regression_and_fractional_labels_refused_for_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 12, 1))
    y = np.cumsum(X[:, :, 0], axis=1)  # the running sum: a value per step, read in order
    model = rnnkit.SequenceTagger(task="regression", hidden_size=16, max_steps=400,
                                  verbose=0).fit(X, y)
    assert model.predict(X[:3]).shape == (3, 12)
    assert model.score(X, y) > 0.9
    with pytest.raises(InputError, match="task='regression'"):
        rnnkit.SequenceTagger(**FAST).fit(X, y)
    with pytest.raises(InputError, match="call predict"):
        model.predict_proba(X[:1])


def test_labels_of_mixed_types_are_one_set_of_classes():
    """0 and 0.0 are one class; numbers beside text are compared as text (both failed with a
    TypeError in the class lookup)."""
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(6, 2)) for _ in range(8)]
    numbers = [np.array([0, 1, 0, 1, 1, 0]) if i % 2 else np.zeros(6) for i in range(8)]
    tagger = rnnkit.SequenceTagger(hidden_size=8, epochs=1, verbose=0).fit(X, numbers)
    assert tagger.classes_.tolist() == [0.0, 1.0]
    texts = [np.array([0, "B", 0, "B", 0, 0], dtype=object) for _ in range(8)]
    tagger = rnnkit.SequenceTagger(hidden_size=8, epochs=1, verbose=0).fit(X, texts)
    assert tagger.classes_.tolist() == ["0", "B"]
    assert set(np.concatenate(tagger.predict(X)).tolist()) <= {"0", "B"}


def test_repeats_are_refused_not_ignored():
    """The tagger and the translator train one run; repeats=2 was silently ignored."""
    X, y = counting(16, max_count=2, seed=0)
    with pytest.raises(InputError, match="repeats=2: SequenceTagger trains one run"):
        rnnkit.SequenceTagger(repeats=2, **FAST).fit(X, y)
    with pytest.raises(InputError, match="repeats=3: SequenceToSequence trains one run"):
        rnnkit.SequenceToSequence(repeats=3, verbose=0).fit(["ab"], ["ba"])


def test_inspect_reads_a_teaching_task_a_npy_file_and_refuses_other_files(fitted, tmp_path):
    model, X, _ = fitted
    np.save(tmp_path / "one.npy", X[0])
    from_file = model.inspect(str(tmp_path / "one.npy"))
    np.testing.assert_array_equal(from_file.layers[0][0]["h"],
                                  model.inspect(X[0]).layers[0][0]["h"])
    assert model.inspect("counting").inputs.shape[1] == X.shape[2]
    (tmp_path / "seqs.csv").write_text("id,x\n0,1\n")
    with pytest.raises(InputError, match="teaching task name .* or a .npy file"):
        model.inspect(str(tmp_path / "seqs.csv"))


def test_a_budget_in_steps_replaces_the_epochs():
    """max_steps was ignored: the default 100 epochs ran whatever it said."""
    X, y = counting(64, max_count=2, seed=0)
    model = rnnkit.SequenceTagger(hidden_size=4, max_steps=3, verbose=0).fit(X, y)
    assert len(model.history_.train_loss) == 1  # 3 steps of batch 16: part of one epoch


def test_a_nan_padded_rectangle_fits_predicts_and_scores_with_its_rectangle_of_labels():
    """X padded with NaN as pad_sequences pads it, y a rectangle alike: fit refused the
    labels of the padded steps, and score failed on the predictions' rectangle."""
    rng = np.random.default_rng(0)
    lengths = [3, 6, 4, 6] * 4
    X = np.full((16, 6, 1), np.nan)
    for i, n in enumerate(lengths):
        X[i, :n, 0] = rng.normal(size=n)
    labels = np.where(np.nan_to_num(X[..., 0]) > 0, "p", "n")  # [16, 6], padded steps too
    model = rnnkit.SequenceTagger(hidden_size=4, epochs=2, verbose=0).fit(X, labels)
    ragged = [labels[i, :n] for i, n in enumerate(lengths)]
    cut = [X[i, :n] for i, n in enumerate(lengths)]
    assert model.score(X, labels) == model.score(cut, ragged)  # the real steps only
    values = rnnkit.SequenceTagger(task="regression", hidden_size=4, epochs=2, verbose=0).fit(
        X, np.nan_to_num(X[..., 0])).predict(X)
    assert np.isnan(values[0, 3:]).all() and np.isfinite(values[0, :3]).all()
    # a rectangle wider than its longest sequence (fit failed on a broadcast); the padded
    # steps get no label (they were given made-up ones) and no probability
    wide = np.concatenate([X, np.full((16, 2, 1), np.nan)], axis=1)
    wide_labels = np.concatenate([labels, np.full((16, 2), "n")], axis=1)
    model = rnnkit.SequenceTagger(hidden_size=4, epochs=2, verbose=0).fit(wide, wide_labels)
    predicted = model.predict(wide)
    assert predicted.shape == (16, 8) and predicted[0, 3:].tolist() == [None] * 5
    assert set(predicted[0, :3]) <= {"p", "n"}
    assert predicted[1, :6].tolist() == model.predict(cut)[1].tolist()
    assert np.isnan(model.predict_proba(wide)[0, 3:]).all()


def test_missing_labels_are_refused_before_training_and_mixed_labels_score_as_text():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(5, 1)) for _ in range(6)]
    y = [np.array(["p", "n", "p", "n", "p"], dtype=object) for _ in range(6)]
    y[2][3] = None
    with pytest.raises(InputError, match="missing label.*sequence 2, step 3"):
        rnnkit.SequenceTagger(hidden_size=4, epochs=1, verbose=0).fit(X, y)
    with pytest.raises(InputError, match="y must hold the labels of every step"):
        rnnkit.SequenceTagger(hidden_size=4, epochs=1, verbose=0).fit(X, None)
    mixed = [np.array([0, 1, 0, 1, "x"], dtype=object) for _ in range(6)]
    model = rnnkit.SequenceTagger(hidden_size=4, epochs=1, verbose=0).fit(X, mixed)
    as_text = [m.astype(str) for m in mixed]
    assert model.score(X, mixed) == model.score(X, as_text)  # 0 is "0" (was scored wrong)
    predicted = np.concatenate(model.predict(X))
    assert model.score(X, mixed) == np.mean(predicted == np.concatenate(as_text))
