"""The headline is honest: a lead smaller than the spread of the model's own runs is not
marked as a win, and one run says it cannot tell."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnkit.evaluate.report import METRICS, Evaluation


def evaluation(model_rmse: float, run_rmses: list[float] | None) -> Evaluation:
    rows = {"LSTM": model_rmse, "naive": 10.0, "seasonal naive": 12.0}
    scores = pd.DataFrame({m: rows for m in METRICS})
    runs = None if run_rmses is None else pd.DataFrame({m: run_rmses for m in METRICS})
    return Evaluation(scores=scores, forecasts=pd.DataFrame(), history=pd.DataFrame(),
                      model="LSTM", test_size=12, season_length=12, runs=runs)


def best_line(table: str) -> str:
    return next(line for line in table.splitlines() if line.startswith("LSTM"))


def test_a_lead_beyond_the_spread_of_the_runs_is_a_win():
    e = evaluation(8.0, [7.9, 8.1, 8.0, 8.2, 7.8])  # 2.0 ahead, runs within 0.16
    assert best_line(e.table()).count("*") == len(METRICS) and "~" not in e.table()
    assert "beats every baseline" in e.verdict() and "larger than the spread" in e.verdict()


def test_a_lead_within_the_spread_is_no_clear_winner():
    e = evaluation(9.95, [9.0, 11.0, 9.5, 10.5, 9.75])  # 0.05 ahead, runs spread about 0.8
    assert best_line(e.table()).count("~") == len(METRICS)
    assert "no clear winner" in e.table()
    assert "within the spread of the 5 runs" in e.verdict() and "no clear winner" in e.verdict()
    behind = evaluation(10.05, [9.0, 11.0, 9.5, 10.5, 9.75])  # a baseline ahead, within noise
    assert "does NOT beat" in behind.verdict() and "no clear winner" in behind.verdict()
    assert np.isclose(float(behind.runs["RMSE"].std(ddof=1)), 0.79, atol=0.01)


def test_one_run_says_it_cannot_tell():
    e = evaluation(9.95, None)
    assert "*" in best_line(e.table())
    assert "one run cannot tell" in e.verdict() and "repeats=5" in e.verdict()
