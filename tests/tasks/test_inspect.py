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
