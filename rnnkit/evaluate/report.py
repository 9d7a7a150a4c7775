"""The result of a holdout evaluation: scores beside baselines, and the forecasts behind them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

METRICS = ("RMSE", "MAE", "MAPE", "sMAPE", "MASE")
# scores equal to this relative precision are a tie: an untrained network kept by early
# stopping forecasts its base (seasonal naive) up to float32 rounding, and is no better
TIE = 1e-6


def same(a: float, b: float) -> bool:
    """Whether two scores are equal up to float rounding (``TIE``)."""
    return bool(abs(a - b) <= TIE * max(abs(a), abs(b), 1e-12))


def lower(a: float, b: float) -> bool:
    """Whether score ``a`` is lower than ``b`` by more than float rounding."""
    return bool(a < b and not same(a, b))


def format_scores(scores: pd.DataFrame, marks: dict[str, str] | None = None) -> str:
    """Scores (models x metrics) as plain text, each metric's best value marked by ``*``
    (or by ``marks[metric]``: "~" where the best leads by less than the run-to-run spread)."""
    frame = scores.loc[:, list(METRICS)]
    tied = tied_rows(frame)
    marks = marks or {}
    name_width = max(len(str(n)) for n in frame.index) + 2
    lines = [" " * name_width + "".join(f"{m:>11}" for m in METRICS)]
    for name, row in frame.iterrows():
        cells = "".join(
            f"{_number(row[m]):>10}"
            + ((marks.get(m, "*") if len(tied[m]) == 1 else "=") if name in tied[m] else " ")
            for m in METRICS)
        lines.append(f"{name:<{name_width}}{cells}")
    if any(len(t) > 1 for t in tied.values()):
        lines.append("= tied for best (equal to 6 significant digits): no winner")
    if "~" in marks.values():
        lines.append("~ best by less than the run-to-run spread of the model: no clear winner")
    return "\n".join(lines)


def tied_rows(scores: pd.DataFrame) -> dict[str, list]:
    """Per metric, every row whose score equals the lowest up to float rounding (one row
    where the best is clear; none where no row has a number: MASE of a series that
    seasonal naive fits exactly, whose scale is 0)."""
    out = {}
    for m in scores.columns:
        column = scores[m].dropna()
        low = column.min() if len(column) else None
        out[m] = [] if low is None else [n for n, v in column.items() if same(v, low)]
    return out


def spread_marks(scores: pd.DataFrame, model: str, runs: pd.DataFrame | None) -> dict[str, str]:
    """Per metric, "~" where the model and the runner-up (one of them the best) are closer
    than the standard deviation of the model's runs: a lead that repeated runs show to be
    noise is not marked as a win. Empty for a single run (nothing to measure it with)."""
    if runs is None or len(runs) < 2:
        return {}
    marks = {}
    for m in METRICS:
        column = scores[m].sort_values()
        if model not in column.index[:2] or len(column) < 2:
            continue
        if abs(column.iloc[1] - column.iloc[0]) <= runs[m].std(ddof=1):
            marks[m] = "~"
    return marks


def _number(value: float) -> str:
    return f"{value:.3f}" if np.isfinite(value) else "n/a"


def interval_line(intervals: dict | None) -> str:
    """Coverage and width of a prediction interval ('' without one)."""
    if not intervals:
        return ""
    i = intervals
    return (f"interval {i['levels'][0]:g}-{i['levels'][1]:g}: covered "
            f"{100 * i['coverage']:.0f}% of the actual values (nominal "
            f"{100 * i['nominal_coverage']:.0f}%), mean width {i['mean_width']:.3g}")


def pooling_note(n_series: int, scales: list[float] | None) -> str:
    """How the table's scores combine several series, and which series MASE leaves out
    ('' for one series with a MASE)."""
    lines = []
    if n_series > 1:
        lines.append(f"RMSE, MAE, MAPE and sMAPE pool the points of all {n_series} series "
                     "(series on larger scales weigh more); MASE is the mean of each series' "
                     "own")
    if scales is not None:
        exact = sum(1 for s in scales if not s > 0)
        if exact:
            lines.append(f"MASE leaves out {exact} of {len(scales)} series that seasonal "
                         "naive fits exactly on the training part (a scale of 0)")
    return "".join(f"\n({line})" for line in lines)


def seasonless_start(estimator: Any) -> bool:
    """Whether a fitted forecaster starts from the last value because its series do not
    repeat their season (``ForecastSpec.seasonless``): the "naive" row is then its start."""
    spec = getattr(getattr(estimator, "fitted_", None), "spec", None)
    return bool(getattr(spec, "seasonless", False))


def start_note(scores: pd.DataFrame, seasonless: bool = False) -> str:
    """A line saying what the model's start is, when the table prints it as a baseline (the
    seasonal profile of monthly, quarterly and session data, the naive forecast with drift
    of yearly data, the year-ago value of weekly data, and with ``seasonless`` naive): a
    model no better than that row has learned nothing its start misses."""
    from rnnkit.evaluate.baselines import DRIFT, PROFILE, YEAR_AGO

    starts = {PROFILE: "the mean shape of the last seasons at the last season's level",
              DRIFT: "the last value, going on at the pace of the window",
              YEAR_AGO: "each week's value a year (52.18 weeks) before, between the weeks "
                        "around it, where seasonal naive takes 52 weeks"}
    if seasonless:
        starts["naive"] = "the last value: the series do not repeat their season"
    rows = [str(row) for row in scores.index]
    return "".join(f"\n({name}: where the model starts from, {what})"
                   for name, what in starts.items()
                   if any(row == name or row.startswith(f"{name} ") for row in rows))


def statistical_note(scores: pd.DataFrame) -> str:
    """A line saying how to add AutoETS and AutoTheta, when the table lacks them."""
    from rnnkit.evaluate.statistical import MISSING_NOTE

    return "" if "AutoETS" in scores.index else f"\n({MISSING_NOTE})"


def _n_series(forecasts: pd.DataFrame, id_col: str) -> int:
    return int(forecasts[id_col].nunique()) if id_col in forecasts else 1


def _scores_dict(scores: pd.DataFrame) -> dict:
    return {name: {m: float(v) for m, v in row.items()} for name, row in scores.iterrows()}


def not_scored_note(left_out: tuple[str, ...], why: str) -> str:
    """A line naming the series left out of the scores and ``why`` ('' when none were)."""
    if not left_out:
        return ""
    shown = ", ".join(left_out[:3]) + (f" and {len(left_out) - 3} more"
                                       if len(left_out) > 3 else "")
    return f"\nnot scored: {shown}, {why} (a fit on all the data still forecasts them)"


@dataclass
class Evaluation:
    """Scores of a model and its baselines on the same chronological holdout.

    Attributes:
        scores: one row per model (the model first, then the baselines), one column per metric.
        forecasts: long frame: id, time, ``actual`` and one column per model.
        history: the training part of the data (long frame), for plots.
        model: the name of the evaluated model's row in ``scores``.
        test_size: holdout steps per series; season_length: the seasonal period used.
        left_out: the series too short to hold ``test_size`` steps out and train on 3,
            neither scored nor trained on ("'id' (n observations)").
    """

    scores: pd.DataFrame
    forecasts: pd.DataFrame
    history: pd.DataFrame
    model: str
    test_size: int
    season_length: int | None
    id_col: str = "unique_id"
    time_col: str = "ds"
    target_col: str = "y"
    runs: pd.DataFrame | None = None  # with repeats: one row per run, one column per metric
    diagnosis: str = ""
    estimator: Any = None  # the model fitted on the training part
    intervals: dict | None = None  # with quantiles: coverage and width of the outer levels
    scales: list[float] | None = None  # per series: MASE's denominator (training part)
    left_out: tuple[str, ...] = ()  # series too short to score: "'id' (n observations)"

    def beats(self, baseline: str, metric: str = "RMSE") -> bool:
        """Whether the model's ``metric`` is lower than the ``baseline``'s (a tie, equal to
        6 significant digits, is not a win)."""
        return lower(self.scores.loc[self.model, metric], self.scores.loc[baseline, metric])

    def table(self) -> str:
        """The scores as a plain-text table, with each metric's best value marked by ``*``
        (and, without statsforecast, how to add the statistical baselines)."""
        line = interval_line(self.intervals)
        marks = spread_marks(self.scores, self.model, self.runs)
        return format_scores(self.scores, marks) + \
            start_note(self.scores, seasonless_start(self.estimator)) + \
            statistical_note(self.scores) + \
            pooling_note(_n_series(self.forecasts, self.id_col), self.scales) + \
            (f"\n{line}" if line else "") + self.left_out_note()

    def left_out_note(self) -> str:
        """A line naming the series too short to score ('' when every series is scored)."""
        return not_scored_note(self.left_out, f"too short to hold out {self.test_size} steps "
                               "and train on 3")

    def verdict(self, metric: str = "RMSE") -> str:
        """One sentence: the model against the best baseline on ``metric``, and whether the
        gap is larger than the spread of the model's own runs (or that one run cannot
        tell)."""
        others = self.scores.drop(index=self.model)[metric]
        best = str(others.idxmin())
        ours, theirs = float(self.scores.loc[self.model, metric]), float(others[best])
        gap = abs(ours - theirs)
        if same(ours, theirs):
            return (f"ties with {best} on {metric} ({ours:.3f}, equal to 6 significant "
                    "digits): no winner" + (
                        "; early stopping kept the untrained network, whose forecast is "
                        "that baseline's" if "epoch 0" in self.diagnosis or
                        "untrained" in self.diagnosis else ""))
        head = (f"beats every baseline on {metric} ({ours:.3f}; the best baseline, {best}: "
                f"{theirs:.3f})" if ours < theirs else
                f"does NOT beat the best baseline on {metric}: {best} {theirs:.3f}, "
                f"{self.model} {ours:.3f}")
        if self.runs is None or len(self.runs) < 2:
            return (f"{head}; one run cannot tell whether a gap of {gap:.3g} is more than "
                    "run-to-run noise (repeats=5 would)")
        spread = float(self.runs[metric].std(ddof=1))
        if gap <= spread:
            return (f"{head}, but the gap ({gap:.3g}) is within the spread of the "
                    f"{len(self.runs)} runs (± {spread:.3g}): no clear winner")
        return (f"{head}; the gap ({gap:.3g}) is larger than the spread of the "
                f"{len(self.runs)} runs (± {spread:.3g})")

    def interval_line(self) -> str:
        """Coverage and width of the prediction interval on the holdout ('' without
        quantiles)."""
        return interval_line(self.intervals)

    def spread(self) -> str:
        """Mean ± standard deviation of every metric over the runs ('' for a single run)."""
        if self.runs is None or len(self.runs) < 2:
            return ""
        cells = [f"{m} {self.runs[m].mean():.3f} ± {self.runs[m].std(ddof=1):.3f}"
                 for m in METRICS]
        return f"{len(self.runs)} runs, each alone: " + ", ".join(cells)

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "test_size": self.test_size,
            "season_length": self.season_length,
            "scores": _scores_dict(self.scores),
            "runs": None if self.runs is None else self.runs.to_dict(orient="records"),
            "diagnosis": self.diagnosis,
            "intervals": self.intervals,
            "left_out": list(self.left_out),
        }

    def __str__(self) -> str:
        return self.table()


@dataclass
class Backtest:
    """A rolling-origin backtest: the model and its baselines on many origins.

    Attributes:
        scores: one row per model, one column per metric, over all origins and steps.
        forecasts: long frame: id, ``cutoff`` (last observed time), time, ``step``,
            ``actual`` and one column per model.
        by_step: RMSE per horizon step (rows) and model (columns).
        history: the whole data (long frame), for plots.
        model: the evaluated model's row name; n_windows, step, horizon: the origins;
        refit: windows per (re)fit (``n_windows`` means one fit before the first origin).
        left_out: the series with fewer than 3 rows before the first origin, neither scored
            nor trained on ("'id' (n observations)").
        seasonless: every (re)fit started from the last value, its series not repeating
            their season (the "naive" row is then the model's start at every origin).
    """

    scores: pd.DataFrame
    forecasts: pd.DataFrame
    by_step: pd.DataFrame
    model: str
    n_windows: int
    step: int
    horizon: int
    refit: int
    history: pd.DataFrame
    season_length: int | None = None
    id_col: str = "unique_id"
    time_col: str = "ds"
    target_col: str = "y"
    intervals: dict | None = None  # with quantiles: coverage and width of the outer levels
    scales: list[float] | None = None  # per series: MASE's denominator on the first fit's rows
    estimator: Any = None  # the model of the last (re)fit
    left_out: tuple[str, ...] = ()  # series too short to score: "'id' (n observations)"
    seasonless: bool = False

    def beats(self, baseline: str, metric: str = "RMSE") -> bool:
        """Whether the model's ``metric`` is lower than the ``baseline``'s (a tie, equal to
        6 significant digits, is not a win)."""
        return lower(self.scores.loc[self.model, metric], self.scores.loc[baseline, metric])

    def table(self) -> str:
        """The scores as a plain-text table (best marked; how several series combine)."""
        line = interval_line(self.intervals)
        return format_scores(self.scores) + start_note(self.scores, self.seasonless) + \
            pooling_note(
            _n_series(self.forecasts, self.id_col), self.scales) + \
            (f"\n{line}" if line else "") + self.left_out_note()

    def left_out_note(self) -> str:
        """A line naming the series too short to score ('' when every series is scored)."""
        return not_scored_note(self.left_out, "fewer than 3 rows before the first origin")

    def interval_line(self) -> str:
        """Coverage and width of the prediction interval ('' without quantiles)."""
        return interval_line(self.intervals)

    def to_dict(self) -> dict:
        return {
            "model": self.model, "n_windows": self.n_windows, "step": self.step,
            "horizon": self.horizon, "refit_every": self.refit,
            "season_length": self.season_length, "scores": _scores_dict(self.scores),
            "rmse_by_step": {name: [float(v) for v in col] for name, col in self.by_step.items()},
            "intervals": self.intervals,
            "left_out": list(self.left_out),
        }

    def __str__(self) -> str:
        return self.table()
