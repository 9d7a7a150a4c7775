"""network='mlp': the tutorials' window MLP as a public forecaster, the same model the
reports fit as their baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rnnkit
from rnnkit.errors import InputError

SMALL = dict(horizon=12, epochs=4, verbose=0, max_time=None, repeats=2, hidden_size=16)


def test_it_is_the_baseline_the_reports_fit_beside_every_model():
    lstm = rnnkit.Forecaster(**SMALL).evaluate("airline", test_size=12)
    mlp = rnnkit.Forecaster(**SMALL, network="mlp").evaluate("airline", test_size=12)
    pd.testing.assert_series_equal(mlp.scores.loc["window MLP"],
                                   lstm.scores.loc["window MLP"])
    assert list(mlp.scores.index[:3]) == ["window MLP", "naive", "seasonal naive"]
    assert list(mlp.scores.index).count("window MLP") == 1  # not its own baseline twice


def test_it_saves_counts_and_refuses_what_it_has_not(tmp_path):
    f = rnnkit.Forecaster(**SMALL, network="mlp").fit("airline")
    f.save(tmp_path / "m")
    np.testing.assert_array_equal(rnnkit.load(tmp_path / "m").predict()["y"],
                                  f.predict()["y"])
    lookback = f.lookback_
    assert f"16 x ({lookback} + 1)" in f.summary() and "12 x (16 + 1)" in f.summary()
    with pytest.raises(InputError, match="network='mlp' has none"):
        f.inspect()
    with pytest.raises(InputError, match="window MLP: it has no strategy='seq2seq'"):
        rnnkit.Forecaster(network="mlp", strategy="seq2seq").fit("airline")
