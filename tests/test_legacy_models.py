"""Model files written by an earlier rnnkit still load and predict the same numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import rnnkit

LEGACY = Path(__file__).parent / "fixtures" / "legacy_0.1.0"
EXPECTED = json.loads((LEGACY / "expected.json").read_text())


@pytest.mark.parametrize("name", ["forecaster_direct", "forecaster_ids", "forecaster_seq2seq"])
def test_forecasters_saved_by_0_1_0_predict_what_they_predicted_then(name):
    model = rnnkit.load(LEGACY / name)
    horizon = model.horizon
    forecast = model.predict(horizon)
    np.testing.assert_allclose(forecast["y"].to_numpy(), EXPECTED[name], rtol=1e-6)


def test_a_text_classifier_saved_by_0_1_0_keeps_its_vocabulary_and_probabilities():
    model = rnnkit.load(LEGACY / "classifier_text")
    proba = model.predict_proba(EXPECTED["classifier_text_inputs"])
    np.testing.assert_allclose(proba, EXPECTED["classifier_text"], rtol=1e-6)
