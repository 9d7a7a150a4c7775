"""AutoETS and AutoTheta beside the model when statsforecast is installed; without it, the
table says how to add them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnkit.evaluate.report import format_scores, statistical_note
from rnnkit.evaluate.statistical import available, statistical_at


def test_without_statsforecast_the_table_says_how_to_add_it():
    scores = pd.DataFrame({m: [1.0, 2.0] for m in ("RMSE", "MAE", "MAPE", "sMAPE", "MASE")},
                          index=["LSTM", "naive"])
    note = statistical_note(scores)
    assert "pip install 'rnnkit[stats]'" in note and "AutoETS" in note
    assert statistical_note(pd.concat([scores, scores.rename(index={"naive": "AutoETS"})
                                       .iloc[1:]])) == ""
    assert "LSTM" in format_scores(scores)


@pytest.mark.skipif(not available(), reason="statsforecast (rnnkit[stats]) is not installed")
def test_statistical_forecasts_follow_each_origins_history():
    t = np.arange(120.0)
    target = np.concatenate([10 + np.sin(2 * np.pi * t / 12), 50 + 0.5 * t])  # two series
    out = statistical_at(target, np.array([0, 120]), np.array([108, 228]), 12, 12)
    assert set(out) == {"AutoETS", "AutoTheta"} and out["AutoETS"].shape == (2, 12)
    np.testing.assert_allclose(out["AutoETS"][0], target[108:120], atol=0.05)  # a clean season
    np.testing.assert_allclose(out["AutoTheta"][1], target[228:240], rtol=0.02)  # a line


def test_without_statsforecast_no_columns_are_added(monkeypatch):
    import rnnkit.evaluate.statistical as statistical

    monkeypatch.setattr(statistical, "available", lambda: False)
    assert statistical.statistical_at(np.zeros(10), np.array([0]), np.array([8]), 2, None) == {}
