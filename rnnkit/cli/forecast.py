"""`rnnkit forecast` and `rnnkit backtest`: every Forecaster argument is a flag."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from rnnkit.cli.app import Out, app, default_out, with_options
from rnnkit.forecast.options import ForecastOptions

Data = Annotated[str, typer.Argument(help="CSV or Parquet file, or a bundled dataset name.")]


@app.command()
@with_options(ForecastOptions)
def forecast(
    data: Data,
    out: Out = None,
    test_size: Annotated[int | None, typer.Option(
        help="Holdout steps (default: horizon).", rich_help_panel="Output")] = None,
    future_file: Annotated[str | None, typer.Option(
        "--future", help="CSV/Parquet with the future covariates over the forecast.",
        rich_help_panel="Data")] = None,
    checkpoint: Annotated[Path | None, typer.Option(
        help="Directory the fit checkpoints into every 30 s.", rich_help_panel="Training")
    ] = None,
    resume: Annotated[bool, typer.Option(
        help="Continue the killed fit checkpointed in --checkpoint.",
        rich_help_panel="Training")] = False,
    refit: Annotated[bool, typer.Option(
        help="After scoring, refit on all the data (same settings) for forecast.csv and "
        "model/; --no-refit keeps the model that never saw the holdout.",
        rich_help_panel="Output")] = True,
    options: dict[str, Any] | None = None,
) -> None:
    """Train on DATA, score it on a chronological holdout beside baselines, forecast the future.

    Runs data-parallel under torchrun: torchrun --nproc-per-node 2 -m rnnkit forecast DATA ...
    """
    started = time.perf_counter()
    from rnnkit.options import check_value

    check_value("--test-size", test_size, "int>=1|None")
    from rnnkit.files import check_out_dir

    out = out or default_out("forecast", data)
    check_out_dir(out, model=True)  # before the training, not after it
    _check_future(options, future_file)
    panel = read_before_torch(options, data)  # arguments, paths and columns, before torch
    if future_file is not None:  # the rows the forecast reads, before the training
        from rnnkit.forecast.covariates import check_future_covers

        check_future_covers(ForecastOptions(**options), panel, future_file,
                            None if refit else test_size)
    from rnnkit.tasks.forecaster import Forecaster
    from rnnkit.train.distributed import setup

    where = setup()  # joins the torchrun process group when launched by torchrun
    evaluation = Forecaster(**options).evaluate(panel, test_size=test_size,
                                                checkpoint=checkpoint, resume=resume)
    model = evaluation.estimator
    if where.is_main:
        _print_scores(evaluation, model)
        typer.echo(
            f"refitting on all the data (same settings) for forecast.csv and model/; "
            f"--no-refit keeps the model scored above, which ends {evaluation.test_size} "
            "steps before the data" if refit else
            f"--no-refit: forecast.csv and model/ come from the model scored above, which "
            f"never saw the last {evaluation.test_size} steps")
    if refit:  # every rank trains (under torchrun the fit is data-parallel)
        model = Forecaster(**options).fit(panel)
        future = model.predict(future=future_file)
    else:
        known = set(model.fitted_.ids)  # series too short to score were never trained on
        if evaluation.left_out and where.is_main:
            typer.echo(f"--no-refit: {len(panel.ids) - len(known)} series not scored are not "
                       "forecast either (the scored model never saw them); refit forecasts them")
        from rnnkit.data.frames import select_series

        future = model.predict(data=select_series(panel, [i for i, sid in enumerate(panel.ids)
                                                          if sid in known]),
                               future=future_file)
    if not where.is_main:  # every rank trained the same model; rank 0 alone reports
        return

    from rnnkit.files import staged_dir, write_text_atomic
    from rnnkit.plots import plot_forecast, plot_learning_curves, save_figure

    out = out or default_out("forecast", data)
    with staged_dir(out, "forecast") as stage:  # each output whole, or none
        write_text_atomic(stage / "forecast.csv", future.to_csv(index=False))
        write_text_atomic(stage / "holdout.csv", evaluation.forecasts.to_csv(index=False))
        # the curves and the diagnosis are the scored model's (the refit's curves are in
        # metrics.json as saved_model_history: it is the model saved in model/)
        scored = evaluation.estimator
        metrics = evaluation.to_dict() | {"history": scored.history_.to_dict()}
        if model is not scored:
            metrics["saved_model_history"] = model.history_.to_dict()
        write_text_atomic(stage / "metrics.json", json.dumps(metrics, indent=2))
        save_figure(plot_forecast(evaluation, future), stage / "forecast.png")
        save_figure(plot_learning_curves(scored.histories_, evaluation.diagnosis),
                    stage / "learning_curves.png")
        model.save(stage / "model")
    seconds = time.perf_counter() - started
    typer.echo(f"wrote {out}/: forecast.csv holdout.csv metrics.json forecast.png "
               f"learning_curves.png model/  ({seconds:.1f} s)")
    tracked = [str(m.tracked_run_) for m in (evaluation.estimator, model)
               if getattr(m, "tracked_run_", None)]
    if tracked:
        typer.echo(f"tracked ({options['tracking']}): {', '.join(dict.fromkeys(tracked))}")


def _kept(histories: list) -> str:
    """Which epochs early stopping kept: of the one run, or the range over the runs."""
    best = [h.best_epoch for h in histories]
    ran = max(h.epochs_run for h in histories)
    if len(best) == 1:
        return f"kept epoch {best[0]} of {ran}"
    if min(best) == max(best):
        return f"kept epoch {best[0]} in each of the {len(best)} runs, of at most {ran}"
    return f"kept epochs {min(best)} to {max(best)} of the {len(best)} runs, at most {ran} each"


def read_before_torch(options: dict[str, Any], data: str):
    """Every argument checked, and DATA read and validated with its columns, before torch
    is imported: a misspelt column is one line in a fraction of a second. Returns the
    validated panel, which the estimators take as data."""
    checked = check_before_reading(options, data)
    from rnnkit.forecast.covariates import read_panel

    return read_panel(checked, data)


def _check_future(options: dict[str, Any], future_file: str | None) -> None:
    """--future and --future-cols go together, checked before minutes of training."""
    from rnnkit.errors import InputError

    cols = options.get("future_cols") or ()
    if cols and future_file is None:
        raise InputError(f"--future-cols {','.join(cols)} needs --future FILE: the values of "
                         "those columns over the forecast's steps (a CSV or Parquet with the "
                         "time column, the series id if any, and those columns). Pass --future.")
    if future_file is not None and not cols:
        raise InputError(f"--future {future_file!r}: no --future-cols names which of its "
                         "columns the model reads ahead. Pass --future-cols, or drop --future.")
    if future_file is not None:  # its file, columns and numbers, before minutes of training
        from rnnkit.data.columns import Columns
        from rnnkit.data.frames import time_from_index
        from rnnkit.data.reading import read_data
        from rnnkit.forecast.covariates import future_values

        time_col, id_col = options.get("time_col", "ds"), options.get("id_col", "unique_id")
        frame = read_data(future_file, Columns(time_col, options.get("target_col", "y"),
                                               id_col), what="--future")
        frame = time_from_index(frame, time_col)  # as predict reads it: a time index too
        missing = [c for c in (time_col, *cols) if c not in frame.columns]
        if missing:
            raise InputError(f"--future {future_file!r} has no column {missing[0]!r}; it needs "
                             f"{time_col!r}, the series id if the data has one, and "
                             f"{', '.join(repr(c) for c in cols)}. Add the column.")
        future_values(frame, list(cols))


def check_before_reading(options: dict[str, Any], data: str) -> ForecastOptions:
    """Every argument, and the columns named, against DATA's header (or a bundled dataset's
    declared columns) before pandas loads."""
    from rnnkit.data.header import check_columns

    checked = ForecastOptions(**options).validate()
    # the id column may be absent (one series), unless the user named one
    named_id = [(checked.id_col, "id_col")] if checked.id_col != ForecastOptions().id_col \
        else []
    check_columns(data, [(checked.time_col, "time_col"), (checked.target_col, "target_col")]
                  + named_id
                  + [(c, "feature_cols") for c in checked.feature_cols]
                  + [(c, "future_cols") for c in checked.future_cols]
                  + [(c, "static_cols") for c in checked.static_cols])
    return checked


def _print_scores(evaluation, model) -> None:
    from rich.console import Console
    from rich.table import Table

    from rnnkit.evaluate.report import (
        pooling_note,
        seasonless_start,
        spread_marks,
        start_note,
        statistical_note,
        tied_rows,
    )

    e = evaluation
    table = Table(title=f"holdout: last {e.test_size} steps of each series "
                        f"(season {e.season_length}); lower is better, best in bold")
    table.add_column("model")
    for m in e.scores.columns:
        table.add_column(m, justify="right")
    tied = tied_rows(e.scores)
    marks = spread_marks(e.scores, e.model, e.runs)
    for name, row in e.scores.iterrows():
        shown = {m: f"{v:.3f}" if math.isfinite(v) else "n/a" for m, v in row.items()}
        cells = [(f"{shown[m]}=" if len(tied[m]) > 1 else f"[bold]{shown[m]}[/bold]"
                  if m not in marks else f"{shown[m]}~")
                 if name in tied[m] else shown[m] for m in row.index]
        table.add_row(str(name), *cells)
    console = Console()
    console.print(table)
    if any(len(t) > 1 for t in tied.values()):
        console.print("= tied for best (equal to 6 significant digits): no winner")
    if marks:
        console.print("~ best by less than the run-to-run spread of the model: no clear "
                      "winner")
    console.print(f"{e.model} {e.verdict()} ({_kept(model.histories_)}).")
    if e.interval_line():
        console.print(e.interval_line())
    note = start_note(e.scores, seasonless_start(e.estimator)) + statistical_note(e.scores) + \
        pooling_note(e.forecasts[e.id_col].nunique(), e.scales) + e.left_out_note()
    for line in note.strip().splitlines():
        console.print(line, markup=False)
    if e.spread():
        console.print(e.spread())
    console.print(f"learning curves: {e.diagnosis}")


@app.command()
@with_options(ForecastOptions, skip=("strategy",), defaults={"verbose": 0})
def backtest(
    data: Data,
    out: Out = None,
    n_windows: Annotated[int, typer.Option(help="Origins to forecast from.",
                                           rich_help_panel="Output")] = 10,
    step: Annotated[int | None, typer.Option(help="Steps between origins (default: horizon).",
                                             rich_help_panel="Output")] = None,
    refit: Annotated[int, typer.Option(help="Refit every k windows (0: fit once).",
                                       rich_help_panel="Output")] = 0,
    strategies: Annotated[str, typer.Option(help="Any of direct,recursive,seq2seq.",
                                            rich_help_panel="Model")] = "direct",
    options: dict[str, Any] | None = None,
) -> None:
    """Rolling-origin backtest of one or more strategies beside the baselines."""
    import pandas as pd

    from rnnkit.forecast.options import STRATEGIES
    from rnnkit.options import check_value

    chosen = [s.strip() for s in strategies.split(",") if s.strip()]
    for strategy in chosen or [""]:  # every name checked before the first fit
        check_value("--strategies", strategy, "str", STRATEGIES)
    from rnnkit.files import check_out_dir

    out = out or default_out("backtest", data)
    check_out_dir(out)  # before the fits, not after them
    panel = read_before_torch(options, data)
    from rnnkit.evaluate import format_scores
    from rnnkit.evaluate.report import pooling_note, start_note, statistical_note
    from rnnkit.forecast.evaluate import strategy_table
    from rnnkit.tasks.forecaster import Forecaster

    results = {}
    for strategy in chosen:
        model = Forecaster(strategy=strategy, **options)
        results[strategy] = model.backtest(panel, n_windows=n_windows, step=step,
                                           refit=refit or False)
    first = next(iter(results.values()))
    scores = strategy_table(results)
    fits = "fit once" if first.refit >= first.n_windows else f"refit every {first.refit}"
    typer.echo(f"backtest: {first.n_windows} origins {first.step} steps apart, horizon "
               f"{first.horizon}, {fits}; lower is better, * best")
    seasonless = all(bt.seasonless for bt in results.values())  # naive: one row for all
    typer.echo(format_scores(scores) + start_note(scores, seasonless) + statistical_note(scores)
               + pooling_note(first.forecasts[first.id_col].nunique(), first.scales)
               + first.left_out_note())
    for name, bt in results.items():
        if bt.interval_line():
            typer.echo(f"{name}: {bt.interval_line()}")

    from rnnkit.files import staged_dir, write_text_atomic
    from rnnkit.plots import plot_backtest, save_figure

    out = out or default_out("backtest", data)
    frames = [bt.forecasts.assign(strategy=name) for name, bt in results.items()]
    metrics = {name: bt.to_dict() for name, bt in results.items()}
    with staged_dir(out, "backtest") as stage:
        write_text_atomic(stage / "backtest.csv", pd.concat(frames).to_csv(index=False))
        write_text_atomic(stage / "metrics.json", json.dumps(metrics, indent=2, default=str))
        pictures = ["backtest.png"] if len(results) == 1 else \
            [f"backtest_{name}.png" for name in results]
        for picture, (name, bt) in zip(pictures, results.items(), strict=True):
            save_figure(plot_backtest(bt, strategy=name if len(results) > 1 else None),
                        stage / picture)
    typer.echo(f"wrote {out}/: backtest.csv metrics.json {' '.join(pictures)}")

