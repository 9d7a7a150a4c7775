from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnkit
from rnnkit.errors import NotFittedError


@pytest.mark.parametrize("cell,layers,bi", [("lstm", 2, False), ("gru", 1, True),
                                            ("rnn", 1, False)])
def test_inspect_is_exactly_what_the_core_computes(cell, layers, bi):
    f = rnnkit.Forecaster(cell=cell, num_layers=layers, bidirectional=bi, hidden_size=6,
                          epochs=2, verbose=0, lookback=12, horizon=3).fit("airline")
    ins = f.inspect()
    expected = {"lstm": ["h", "c", "i", "f", "g", "o"], "gru": ["h", "r", "z", "n"],
                "rnn": ["h"]}[cell]
    assert list(ins.names()) == expected and len(ins.layers) == layers
    assert ins.layers[0][0]["h"].shape == (12, 6)
    np.testing.assert_array_equal(ins.inputs, f.context_[0])
    out, final = f.model_.core(torch.from_numpy(ins.network_inputs[None]).float())
    top = out[0].detach().numpy()  # [T, D*H]
    np.testing.assert_allclose(ins.layers[-1][0]["h"], top[:, :6], atol=1e-5)
    if bi:
        np.testing.assert_allclose(ins.layers[-1][1]["h"], top[:, 6:], atol=1e-5)
    if cell != "rnn":  # gates live in [0, 1]
        gate = expected[2]
        assert 0 <= ins.layers[0][0][gate].min() and ins.layers[0][0][gate].max() <= 1


def test_inspect_a_given_window_and_before_fit():
    with pytest.raises(NotFittedError):
        rnnkit.Forecaster().inspect()
    f = rnnkit.Forecaster(hidden_size=4, epochs=1, verbose=0, lookback=12, horizon=3)
    f.fit("airline")
    ins = f.inspect(np.arange(30.0) + 100)
    assert ins.layers[0][0]["c"].shape == (30, 4)


def test_one_row_of_a_nan_padded_rectangle_is_inspected_without_its_padding():
    """X[0] of a NaN-padded array was refused as 'NaN inside its sequences'."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 12, 2))
    X[:, 8:] = np.nan
    model = rnnkit.SequenceClassifier(max_steps=3, hidden_size=4, front_end="none",
                                      verbose=0).fit(X, [0, 1] * 10)
    padded, cut = model.inspect(X[0]), model.inspect(X[0, :8])
    assert padded.inputs.shape == cut.inputs.shape == (8, 2)
    np.testing.assert_array_equal(padded.inputs, cut.inputs)


def test_an_inspection_prints_as_a_summary_not_its_arrays():
    X = np.random.default_rng(0).normal(size=(10, 6, 2))
    model = rnnkit.SequenceClassifier(max_steps=2, hidden_size=4, front_end="none",
                                      bidirectional=False, verbose=0).fit(X, [0, 1] * 5)
    text = repr(model.inspect(X[0]))
    assert text.startswith("Inspection(lstm, 6 steps x 2 inputs, 1 layer(s) x 1 direction(s) "
                           "x 4 units; arrays per layer and direction: h, c, i, f, g, o")
    assert "array(" not in text and len(text) < 300


def test_a_tagger_inspects_one_row_of_a_nan_padded_rectangle_too():
    X = np.random.default_rng(0).normal(size=(10, 8, 1))
    X[:, 5:] = np.nan
    tagger = rnnkit.SequenceTagger(hidden_size=4, epochs=1, verbose=0).fit(
        X, np.where(np.nan_to_num(X[..., 0]) > 0, "p", "n"))
    np.testing.assert_array_equal(tagger.inspect(X[0]).inputs, tagger.inspect(X[0, :5]).inputs)


def test_a_text_model_inspects_one_text_and_refuses_several():
    """inspect(["a good film", "a dull one"]) read the two texts as one text's tokens."""
    texts = ["a good film", "a dull film", "good fun", "dull and long"] * 5
    labels = ["pos", "neg", "pos", "neg"] * 5
    model = rnnkit.SequenceClassifier(embedding_dim=4, hidden_size=4, max_steps=2,
                                      verbose=0).fit(texts, labels)
    with pytest.raises(rnnkit.InputError, match="X holds 2 texts; inspect reads one text"):
        model.inspect(["a good film", "a dull film"])
    one = model.inspect("a good film")
    np.testing.assert_array_equal(model.inspect(["a", "good", "film"]).inputs, one.inputs)
    # [text] read the whole text as one unknown token (1 step); an array of texts was
    # called numeric sequences
    np.testing.assert_array_equal(model.inspect(["a good film"]).inputs, one.inputs)
    with pytest.raises(rnnkit.InputError, match="X holds 2 texts"):
        model.inspect(np.array(["a good film", "a dull film"]))
