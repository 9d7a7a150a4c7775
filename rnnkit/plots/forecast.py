"""Figures of forecasts: the holdout and the future beside the baselines, learning curves,
backtests."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rnnkit.evaluate.report import Evaluation
from rnnkit.plots.figure import ACTUAL_COLOR, BASELINE_COLOR, FUTURE_COLOR, MODEL_COLOR


def plot_forecast(
    evaluation: Evaluation,
    future: pd.DataFrame | None = None,
    baseline: str | None = None,
    max_series: int = 4,
) -> plt.Figure:
    """History, holdout actual vs the model and a baseline (by default the best one on RMSE),
    and the future forecast.

    One panel per series (the first ``max_series``).
    """
    e = evaluation
    if baseline is None:
        baseline = str(e.scores.drop(index=e.model)["RMSE"].idxmin())
    ids = list(dict.fromkeys(e.forecasts[e.id_col]))[:max_series]
    fig, axes = plt.subplots(len(ids), 1, figsize=(10, 3.6 * len(ids)), squeeze=False)
    for ax, sid in zip(axes[:, 0], ids, strict=True):
        hist = e.history[e.history[e.id_col] == sid] if e.id_col in e.history else e.history
        test = e.forecasts[e.forecasts[e.id_col] == sid]
        ax.plot(hist[e.time_col], hist[e.target_col], color=ACTUAL_COLOR, lw=1.4, label="history")
        ax.plot(test[e.time_col], test["actual"], color=ACTUAL_COLOR, lw=1.4, ls="--",
                label="holdout (actual)")
        ax.plot(test[e.time_col], test[e.model], color=MODEL_COLOR, lw=1.8,
                label=f"{e.model} (holdout)")
        if e.intervals:
            lo, hi = e.intervals["levels"]
            ax.fill_between(test[e.time_col], test[f"{e.model}_q{lo:g}"],
                            test[f"{e.model}_q{hi:g}"], color=MODEL_COLOR, alpha=0.15,
                            label=f"{e.model} {lo:g}-{hi:g} interval")
        if baseline in test:
            ax.plot(test[e.time_col], test[baseline], color=BASELINE_COLOR, lw=1.2, ls=":",
                    label=baseline)
        if future is not None:
            fut = future[future[e.id_col] == sid] if e.id_col in future else future
            ax.plot(fut[e.time_col], fut[e.target_col], color=FUTURE_COLOR, lw=1.8,
                    label=f"{e.model} (future)")
        ax.axvline(test[e.time_col].iloc[0], color="black", lw=0.6, alpha=0.5)
        # this series' own errors: the table's RMSE pools every series' points
        ours = float(np.sqrt(np.mean((test[e.model] - test["actual"]) ** 2)))
        theirs = float(np.sqrt(np.mean((test[baseline] - test["actual"]) ** 2))) \
            if baseline in test else float("nan")
        prefix = f"{sid}: " if len(ids) > 1 else ""
        ax.set_title(f"{prefix}holdout of {e.test_size} steps, {e.model} RMSE {ours:.3g} "
                     f"vs {baseline} {theirs:.3g}", fontsize=10)
        ax.set_xlabel(e.time_col)
        ax.set_ylabel(e.target_col)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_learning_curves(histories: list, diagnosis: str = "") -> plt.Figure:
    """Training (blue) and validation (orange) loss per epoch of every run, kept epochs marked.

    Args:
        histories: :class:`rnnkit.train.History` objects, one per run.
        diagnosis: a sentence to print under the title.
    """
    fig, ax = plt.subplots(figsize=(7, 4.3))
    alpha = 1.0 if len(histories) == 1 else 0.6
    for k, h in enumerate(histories):
        first = k == 0
        ax.plot(range(1, len(h.train_loss) + 1), h.train_loss, color="#1f77b4", alpha=alpha,
                label="train" if first else None)
        if h.val_loss:
            ax.plot(range(1, len(h.val_loss) + 1), h.val_loss, color="#ff7f0e", alpha=alpha,
                    label="validation" if first else None)
        if h.best_epoch:
            ax.axvline(h.best_epoch, color="black", lw=0.6, ls="--", alpha=0.5,
                       label="kept epoch" if first else None)
    runs = f"{len(histories)} runs" if len(histories) > 1 else "one run"
    ax.set_title(f"learning curves, {runs}" + (f"\n{diagnosis}" if diagnosis else ""),
                 fontsize=8, wrap=True)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (scaled units)")
    losses = [v for h in histories for v in (*h.train_loss, *(h.val_loss or ()))]
    if losses and min(losses) > 0:  # a loss of 0 (a series fitted exactly) has no log
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def plot_backtest(backtest, max_origins: int = 12, strategy: str | None = None
                  ) -> plt.Figure:
    """RMSE by horizon step for every model, and the forecasts from each origin.

    Args:
        backtest: an :class:`rnnkit.evaluate.Backtest` (its first series is drawn).
        max_origins: the most recent origins drawn in the lower panel.
        strategy: named in the titles (a backtest of several strategies draws one each).
    """
    b = backtest
    named = f" ({strategy})" if strategy else ""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 8))
    colors = {"naive": "#ff7f0e", "seasonal naive": BASELINE_COLOR, "window MLP": "#9467bd",
              "naive with drift": "#8c564b", "seasonal profile": "#17becf",
              "year-ago naive": "#17becf"}
    for name in b.by_step.columns:
        is_model = name == b.model
        top.plot(b.by_step.index, b.by_step[name], marker="o", lw=2.0 if is_model else 1.0,
                 ls="-" if is_model else ":",
                 color=MODEL_COLOR if is_model else colors.get(name, "#7f7f7f"), label=name)
    top.set_xlabel("horizon step")
    top.set_ylabel("RMSE")
    top.set_title(f"RMSE by step over {b.n_windows} origins, {b.step} steps apart{named}",
                  fontsize=10)
    top.grid(alpha=0.3)
    top.legend(frameon=False, fontsize=8)

    sid = b.forecasts[b.id_col].iloc[0]
    hist = b.history[b.history[b.id_col] == sid] if b.id_col in b.history else b.history
    bottom.plot(hist[b.time_col], hist[b.target_col], color=ACTUAL_COLOR, lw=1.2, label="actual")
    runs = b.forecasts[b.forecasts[b.id_col] == sid]
    cutoffs = sorted(runs["cutoff"].unique())[-max_origins:]
    for i, cutoff in enumerate(cutoffs):
        run = runs[runs["cutoff"] == cutoff]
        bottom.plot(run[b.time_col], run[b.model], color=MODEL_COLOR, lw=1.4, alpha=0.8,
                    label=f"{b.model} from each origin" if i == 0 else None)
        bottom.axvline(cutoff, color="black", lw=0.4, alpha=0.3)
    start = pd.Timestamp(cutoffs[0]) if len(cutoffs) and not np.issubdtype(
        np.asarray(cutoffs).dtype, np.integer) else None
    if start is not None:
        span = pd.Timestamp(runs[b.time_col].max()) - start
        bottom.set_xlim(start - span * 0.5, pd.Timestamp(runs[b.time_col].max()))
    several = b.id_col in b.history and b.history[b.id_col].nunique() > 1
    bottom.set_title(f"{f'{sid}: ' if several else ''}forecasts from the last "
                     f"{len(cutoffs)} origins{named}", fontsize=10)
    bottom.grid(alpha=0.3)
    bottom.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
