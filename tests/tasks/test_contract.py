"""One contract for every estimator and every cell: fit returns self, predictions have the
documented shapes, a saved model predicts exactly what it did, clone and set_params follow
scikit-learn, and a model used before fit says so."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import one_series
from sklearn.base import clone

import rnnkit
from rnnkit.errors import InputError, NotFittedError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(24, 10, 2))
LABELS = np.array(["a", "b"] * 12)
TAGS = np.where(X[:, :, 0] > 0, "up", "down")

CASES = {
    "Forecaster": (lambda cell: rnnkit.Forecaster(cell=cell, lookback=8, horizon=3, epochs=2,
                                                  hidden_size=4, verbose=0),
                   lambda m: m.fit(one_series(60)), lambda m: m.predict()["y"].to_numpy(), (3,)),
    "SequenceClassifier": (lambda cell: rnnkit.SequenceClassifier(cell=cell, max_steps=3,
                                                                  hidden_size=4, verbose=0),
                           lambda m: m.fit(X, LABELS), lambda m: m.predict_proba(X), (24, 2)),
    "SequenceRegressor": (lambda cell: rnnkit.SequenceRegressor(cell=cell, max_steps=3,
                                                                hidden_size=4, verbose=0),
                          lambda m: m.fit(X, X[:, :, 1].sum(1)), lambda m: m.predict(X), (24,)),
    "SequenceTagger": (lambda cell: rnnkit.SequenceTagger(cell=cell, epochs=2, hidden_size=4,
                                                          verbose=0),
                       lambda m: m.fit(X, TAGS), lambda m: m.predict_proba(X), (24, 10, 2)),
}


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("kind", list(CASES))
def test_estimator_contract(kind, cell, tmp_path):
    make, fit, predict, shape = CASES[kind]
    model = make(cell)
    with pytest.raises(NotFittedError, match=f"This {kind} is not fitted yet"):
        predict(model)
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(InputError, match="not a parameter"):
        model.set_params(hidden_sise=3)
    assert fit(model) is model
    out = predict(model)
    assert out.shape == shape and np.isfinite(out).all()
    model.save(tmp_path / "m")
    back = rnnkit.load(tmp_path / "m")
    assert type(back) is type(model) and back.get_params() == model.get_params()
    np.testing.assert_array_equal(predict(back), out)


@pytest.mark.parametrize("kind", list(CASES))
def test_numpy_numbers_from_a_grid_are_the_numbers_they_hold(kind, tmp_path):
    """hidden_size=np.int64(4) (a grid from np.arange) was refused as 'not an integer', and
    bidirectional=np.bool_(False) as 'not True or False'."""
    make, fit, predict, _ = CASES[kind]
    plain = make("lstm")
    given = make("lstm").set_params(hidden_size=np.int64(4), seed=np.int64(0))
    if kind != "Forecaster":
        plain.set_params(bidirectional=False)
        given.set_params(bidirectional=np.bool_(False))
    fit(plain)
    fit(given)
    assert type(given.hidden_size) is int and type(given.seed) is int
    np.testing.assert_array_equal(predict(given), predict(plain))
    given.save(tmp_path / "m")  # plain JSON numbers
    np.testing.assert_array_equal(predict(rnnkit.load(tmp_path / "m")), predict(plain))
