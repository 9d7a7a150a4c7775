"""`rnnkit tune`: a hyperparameter search of a forecaster on DATA (see :mod:`rnnkit.tuning`);
every Forecaster argument is a flag and sets the starting point."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from rnnkit.cli.app import Out, app, default_out, with_options
from rnnkit.forecast.options import ForecastOptions


@app.command()
@with_options(ForecastOptions, defaults={"verbose": 0})
def tune(
    data: Annotated[str, typer.Argument(help="CSV or Parquet file, or a bundled dataset name.")],
    n_trials: Annotated[int, typer.Option(help="Trials to run.", rich_help_panel="Search")
                        ] = 20,
    timeout: Annotated[float | None, typer.Option(
        help="Stop starting trials after this many seconds.", rich_help_panel="Search")] = None,
    n_windows: Annotated[int, typer.Option(
        help="Backtest origins per trial, spread over one horizon.", rich_help_panel="Search")
    ] = 3,
    prune: Annotated[bool, typer.Option(
        help="Stop trials whose learning curve is worse than the median's.",
        rich_help_panel="Search")] = True,
    out: Out = None,
    options: dict[str, Any] | None = None,
) -> None:
    """Search the forecaster's settings on DATA (Optuna; the sampler is seeded with --seed,
    as every fit is): each trial is scored by a rolling-origin backtest (MASE); the table of
    trials, the best settings beside the default's score, and the best model refitted on
    all the data are written to --out."""
    started = time.perf_counter()
    from rnnkit.options import check_value

    check_value("--n-trials", n_trials, "int>=1")
    check_value("--timeout", timeout, "float>0|None")
    check_value("--n-windows", n_windows, "int>=1")
    from rnnkit.cli.forecast import check_before_reading, read_before_torch

    check_before_reading(options, data)  # arguments and columns first: the fastest line
    from rnnkit.files import check_out_dir

    out = out or default_out("tune", data)
    check_out_dir(out, model=True)  # before the search, not after it
    from rnnkit.tuning import _optuna

    _optuna()  # a missing extra is one line before any data is read
    panel = read_before_torch(options, data)
    from rnnkit.tasks.forecaster import Forecaster
    from rnnkit.tuning import tune as search

    result = search(Forecaster(**options), panel, n_trials=n_trials, timeout=timeout,
                    seed=options["seed"], n_windows=n_windows, prune=prune)
    typer.echo(result.table())
    typer.echo(result.summary())
    where = result.save(out)
    typer.echo(f"wrote {Path(where)}/: trials.csv best.json tuning.png model/  "
               f"({time.perf_counter() - started:.1f} s)")
