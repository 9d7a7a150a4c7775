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


def test_a_tie_is_called_a_tie_not_a_win():
    """An untrained network kept by early stopping forecasts seasonal naive up to float
    rounding: its score equal to 6 digits was counted as a win (or a loss)."""
    e = evaluation(12.0, None)
    e.scores.loc["naive"] = 12.0 * (1 + 1e-8)  # float noise above the model
    e.diagnosis = "no trained epoch beat the untrained network (the run): ..."
    assert not e.beats("naive") and not e.beats("seasonal naive")
    assert e.verdict().startswith("ties with seasonal naive on RMSE (12.000")
    assert "kept the untrained network" in e.verdict()
    assert best_line(e.table()).count("=") == len(METRICS) and "tied for best" in e.table()
    assert evaluation(11.9, None).beats("naive") is False  # 10.0 is lower: a plain loss
    assert evaluation(9.0, None).beats("naive")


def test_the_table_says_how_series_combine_and_which_mase_leaves_out():
    e = evaluation(8.0, None)
    e.forecasts = pd.DataFrame({"unique_id": ["a", "a", "b", "b", "c", "c"]})
    e.scales = [1.0, 0.0, 2.0]
    text = e.table()
    assert "pool the points of all 3 series" in text
    assert "MASE leaves out 1 of 3 series that seasonal naive fits exactly" in text
    assert "pool the points" not in evaluation(8.0, None).table()


def test_each_panel_of_the_forecast_plot_shows_its_own_series_errors():
    """Every panel's title showed the table's RMSE, pooled over all series (the largest
    series' errors on the smallest one's panel)."""
    from conftest import panel

    import rnnkit
    from rnnkit.plots import plot_forecast

    data = panel((60, 60))
    data.loc[data["unique_id"] == data["unique_id"].iloc[-1], "y"] *= 100
    e = rnnkit.Forecaster(epochs=1, hidden_size=4, lookback=14, horizon=7, verbose=0,
                          repeats=1, max_time=None).evaluate(data, test_size=7)
    figure = plot_forecast(e, baseline="naive")
    for ax, (sid, part) in zip(figure.axes, e.forecasts.groupby("unique_id", sort=False),
                               strict=True):
        ours = np.sqrt(np.mean((part[e.model] - part["actual"]) ** 2))
        theirs = np.sqrt(np.mean((part["naive"] - part["actual"]) ** 2))
        assert ax.get_title().startswith(f"{sid}: ")
        assert f"RMSE {ours:.3g} vs naive {theirs:.3g}" in ax.get_title()
