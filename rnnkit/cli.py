"""The command line: parse flags, call the public API, print and write files. No logic of its own.

Errors rnnkit raises on purpose are caught here, at the boundary, and printed as one line on
stderr with exit status 2; torch is imported only by the commands that train or predict.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from rnnkit.errors import RnnkitError

app = typer.Typer(
    name="rnnkit",
    help="Recurrent neural networks (RNN, LSTM, GRU) on sequences, with honest evaluation.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

Cell = Annotated[str, typer.Option(help="Recurrent cell: lstm, gru or rnn.")]
Out = Annotated[Path, typer.Option("--out", "-o", help="Directory for the results and the model.")]


def _columns_help(kind: str) -> str:
    return f"Name of the {kind} column."


FeatureCols = Annotated[str, typer.Option(
    help="Comma-separated past covariates (observed up to the forecast origin).")]
FutureCols = Annotated[str, typer.Option(
    help="Comma-separated future covariates (known ahead; forecasts need --future).")]
StaticCols = Annotated[str, typer.Option(help="Comma-separated columns, one value per series.")]
Calendar = Annotated[bool, typer.Option(
    help="Add hour, day of week, month as sine/cosine future covariates.")]
Training = Annotated[str, typer.Option(
    help="window (windows as samples) or sequence (stateful streams, direct only).")]


def _cols(text: str) -> tuple[str, ...]:
    """'a, b' -> ('a', 'b')."""
    return tuple(c.strip() for c in text.split(",") if c.strip())


@app.command()
def forecast(
    data: Annotated[str, typer.Argument(help="CSV or Parquet file, or a bundled dataset name.")],
    out: Out = Path("runs/forecast"),
    time_col: Annotated[str, typer.Option(help=_columns_help("timestamp"))] = "ds",
    target_col: Annotated[str, typer.Option(help=_columns_help("target"))] = "y",
    id_col: Annotated[str, typer.Option(help=_columns_help("series id"))] = "unique_id",
    feature_cols: FeatureCols = "",
    future_cols: FutureCols = "",
    static_cols: StaticCols = "",
    calendar: Calendar = False,
    future_file: Annotated[str | None, typer.Option(
        "--future", help="CSV/Parquet with the future covariates over the forecast.")] = None,
    training: Training = "window",
    lookback: Annotated[int | None, typer.Option(help="Input steps (default: 2 seasons).")] = None,
    horizon: Annotated[
        int | None, typer.Option(help="Steps to forecast (default: 2 seasons).")
    ] = None,
    test_size: Annotated[int | None, typer.Option(help="Holdout steps (default: horizon).")] = None,
    strategy: Annotated[str, typer.Option(help="direct, recursive or seq2seq.")] = "direct",
    cell: Cell = "lstm",
    hidden_size: Annotated[int, typer.Option(help="Units per layer.")] = 64,
    num_layers: Annotated[int, typer.Option(help="Stacked recurrent layers.")] = 1,
    dropout: Annotated[float, typer.Option(help="Dropout between layers.")] = 0.0,
    bidirectional: Annotated[bool, typer.Option(help="Read each window both ways.")] = False,
    scaler: Annotated[str, typer.Option(help="standard, minmax or none.")] = "standard",
    window_norm: Annotated[str, typer.Option(help="last, mean or none.")] = "last",
    epochs: Annotated[int, typer.Option(help="Maximum epochs.")] = 500,
    batch_size: Annotated[int, typer.Option(help="Windows per batch.")] = 32,
    learning_rate: Annotated[float, typer.Option(help="Adam step size.")] = 1e-3,
    loss: Annotated[str, typer.Option(help="mse, mae or huber.")] = "mse",
    patience: Annotated[int, typer.Option(help="Early-stopping patience (0: off).")] = 50,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same weights).")] = 0,
    fill: Annotated[str | None, typer.Option(help="ffill, interpolate, zero or drop.")] = None,
    freq: Annotated[str | None, typer.Option(help="Regularise to this pandas frequency.")] = None,
    season_length: Annotated[int | None, typer.Option(help="Seasonal period.")] = None,
    verbose: Annotated[int, typer.Option(help="0 silent, 1 progress bar, 2 a line per epoch.")] = 1,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    precision: Annotated[str, typer.Option(help="float32, or bf16 autocast (opt-in).")] = "float32",
    threads: Annotated[int | None, typer.Option(help="CPU threads (default: torch's).")] = None,
    repeats: Annotated[int, typer.Option(help="Runs with seeds seed, seed+1, ...")] = 1,
    ensemble: Annotated[str, typer.Option(help="How runs combine: mean or median.")] = "mean",
    refit_all: Annotated[
        bool, typer.Option(help="Retrain on all rows for the chosen epochs.")
    ] = False,
    quantiles: Annotated[str, typer.Option(help="Levels, e.g. 0.1,0.5,0.9.")] = "",
    attention: Annotated[bool, typer.Option(help="seq2seq: attend to the encoder.")] = False,
) -> None:
    """Train on DATA, score it on a chronological holdout beside baselines, forecast the future.

    Runs data-parallel under torchrun: torchrun --nproc-per-node 2 -m rnnkit forecast DATA ...
    """
    started = time.perf_counter()
    from rnnkit.tasks.forecaster import Forecaster
    from rnnkit.train.distributed import setup

    where = setup()  # joins the torchrun process group when launched by torchrun

    model = Forecaster(
        lookback=lookback, horizon=horizon, strategy=strategy, cell=cell,
        hidden_size=hidden_size, num_layers=num_layers, dropout=dropout,
        bidirectional=bidirectional, scaler=scaler, window_norm=window_norm, epochs=epochs,
        batch_size=batch_size, learning_rate=learning_rate, loss=loss, patience=patience,
        seed=seed, verbose=verbose, time_col=time_col, target_col=target_col, id_col=id_col,
        feature_cols=_cols(feature_cols), future_cols=_cols(future_cols),
        static_cols=_cols(static_cols), calendar=calendar, training=training,
        freq=freq, fill=fill, season_length=season_length, device=device,
        precision=precision, threads=threads, repeats=repeats, ensemble=ensemble,
        refit_all=refit_all, quantiles=_levels(quantiles), attention=attention,
    )
    evaluation = model.evaluate(data, test_size=test_size)
    model = evaluation.estimator
    future = model.predict(data=data, future=future_file)
    if not where.is_main:  # every rank trained the same model; rank 0 alone reports
        return
    _print_scores(evaluation, model)

    from rnnkit.files import write_text_atomic
    from rnnkit.plots import plot_forecast, plot_learning_curves, save_figure

    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "forecast.csv", future.to_csv(index=False))
    write_text_atomic(out / "holdout.csv", evaluation.forecasts.to_csv(index=False))
    metrics = evaluation.to_dict() | {"history": model.history_.to_dict()}
    write_text_atomic(out / "metrics.json", json.dumps(metrics, indent=2))
    save_figure(plot_forecast(evaluation, future), out / "forecast.png")
    save_figure(plot_learning_curves(model.histories_, evaluation.diagnosis),
                out / "learning_curves.png")
    model.save(out / "model")
    seconds = time.perf_counter() - started
    typer.echo(f"wrote {out}/: forecast.csv holdout.csv metrics.json forecast.png "
               f"learning_curves.png model/  ({seconds:.1f} s)")


def _levels(text: str) -> tuple[float, ...] | None:
    """'0.1,0.5,0.9' -> (0.1, 0.5, 0.9); '' -> None."""
    try:
        levels = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError as e:
        from rnnkit.errors import InputError

        raise InputError(f"--quantiles {text!r} must be numbers like 0.1,0.5,0.9.") from e
    return levels or None


def _print_scores(evaluation, model) -> None:
    from rich.console import Console
    from rich.table import Table

    e = evaluation
    table = Table(title=f"holdout: last {e.test_size} steps of each series "
                        f"(season {e.season_length}); lower is better, best in bold")
    table.add_column("model")
    for m in e.scores.columns:
        table.add_column(m, justify="right")
    best = e.scores.idxmin()
    for name, row in e.scores.iterrows():
        cells = [f"[bold]{v:.3f}[/bold]" if best[m] == name else f"{v:.3f}" for m, v in row.items()]
        table.add_row(str(name), *cells)
    console = Console()
    console.print(table)
    wins = [m for m in ("RMSE", "MAPE") if e.beats("seasonal naive", m)]
    verdict = (f"beats seasonal naive on {' and '.join(wins)}" if wins
               else "does NOT beat seasonal naive on RMSE or MAPE")
    console.print(f"{e.model} {verdict} (kept epoch {model.history_.best_epoch} of "
                  f"{model.history_.epochs_run}).")
    if e.spread():
        console.print(e.spread())
    console.print(f"learning curves: {e.diagnosis}")


@app.command()
def backtest(
    data: Annotated[str, typer.Argument(help="CSV or Parquet file, or a bundled dataset name.")],
    out: Out = Path("runs/backtest"),
    n_windows: Annotated[int, typer.Option(help="Origins to forecast from.")] = 10,
    step: Annotated[
        int | None, typer.Option(help="Steps between origins (default: horizon).")
    ] = None,
    refit: Annotated[int, typer.Option(help="Refit every k windows (0: fit once).")] = 0,
    strategies: Annotated[str, typer.Option(help="Any of direct,recursive,seq2seq.")] = "direct",
    time_col: Annotated[str, typer.Option(help=_columns_help("timestamp"))] = "ds",
    target_col: Annotated[str, typer.Option(help=_columns_help("target"))] = "y",
    id_col: Annotated[str, typer.Option(help=_columns_help("series id"))] = "unique_id",
    feature_cols: FeatureCols = "",
    future_cols: FutureCols = "",
    static_cols: StaticCols = "",
    calendar: Calendar = False,
    training: Training = "window",
    lookback: Annotated[int | None, typer.Option(help="Input steps (default: 2 seasons).")] = None,
    horizon: Annotated[
        int | None, typer.Option(help="Steps to forecast (default: 2 seasons).")
    ] = None,
    cell: Cell = "lstm",
    hidden_size: Annotated[int, typer.Option(help="Units per layer.")] = 64,
    num_layers: Annotated[int, typer.Option(help="Stacked recurrent layers.")] = 1,
    epochs: Annotated[int, typer.Option(help="Maximum epochs.")] = 500,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    fill: Annotated[str | None, typer.Option(help="ffill, interpolate, zero or drop.")] = None,
    verbose: Annotated[int, typer.Option(help="0 silent, 1 progress bar, 2 per epoch.")] = 0,
    quantiles: Annotated[str, typer.Option(help="Levels, e.g. 0.1,0.5,0.9 (direct).")] = "",
    repeats: Annotated[int, typer.Option(help="Seeded runs per strategy (an ensemble).")] = 1,
) -> None:
    """Rolling-origin backtest of one or more strategies beside the baselines."""
    import pandas as pd

    from rnnkit.evaluate import format_scores
    from rnnkit.tasks.forecaster import Forecaster

    results = {}
    for strategy in [s.strip() for s in strategies.split(",") if s.strip()]:
        model = Forecaster(
            lookback=lookback, horizon=horizon, strategy=strategy, cell=cell,
            hidden_size=hidden_size, num_layers=num_layers, epochs=epochs, seed=seed,
            verbose=verbose, time_col=time_col, target_col=target_col, id_col=id_col,
            fill=fill, quantiles=_levels(quantiles), repeats=repeats,
            feature_cols=_cols(feature_cols), future_cols=_cols(future_cols),
            static_cols=_cols(static_cols), calendar=calendar, training=training,
        )
        results[strategy] = model.backtest(data, n_windows=n_windows, step=step,
                                           refit=refit or False)
    from rnnkit.forecast.evaluate import strategy_table

    first = next(iter(results.values()))
    scores = strategy_table(results)
    fits = "fit once" if first.refit >= first.n_windows else f"refit every {first.refit}"
    typer.echo(f"backtest: {first.n_windows} origins {first.step} steps apart, horizon "
               f"{first.horizon}, {fits}; lower is better, * best")
    typer.echo(format_scores(scores))
    for name, bt in results.items():
        if bt.interval_line():
            typer.echo(f"{name}: {bt.interval_line()}")

    from rnnkit.files import write_text_atomic
    from rnnkit.plots import plot_backtest, save_figure

    out.mkdir(parents=True, exist_ok=True)
    frames = [bt.forecasts.assign(strategy=name) for name, bt in results.items()]
    write_text_atomic(out / "backtest.csv", pd.concat(frames).to_csv(index=False))
    metrics = {name: bt.to_dict() for name, bt in results.items()}
    write_text_atomic(out / "metrics.json", json.dumps(metrics, indent=2, default=str))
    save_figure(plot_backtest(first), out / "backtest.png")
    typer.echo(f"wrote {out}/: backtest.csv metrics.json backtest.png")


@app.command()
def predict(
    model_path: Annotated[Path, typer.Argument(metavar="MODEL", help="A saved model directory.")],
    data: Annotated[str, typer.Argument(help="History to forecast from (CSV, Parquet, name).")],
    h: Annotated[int | None, typer.Option(help="Steps to forecast (default: horizon).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="CSV file to write.")] = None,
    future_file: Annotated[str | None, typer.Option(
        "--future", help="CSV/Parquet with the future covariates over the forecast.")] = None,
) -> None:
    """Forecast with a saved model from the end of DATA; print or write a CSV."""
    from rnnkit.files import write_text_atomic
    from rnnkit.tasks import load

    model = load(model_path)
    if hasattr(model, "schema_"):  # a sequence model fitted by rnnkit classify / regress
        from rnnkit.tasks.sequence_jobs import predict_frame

        frame = predict_frame(model, data)
    elif not hasattr(model, "predict_windows"):
        from rnnkit.errors import InputError

        raise InputError(
            f"MODEL {str(model_path)!r} is a {type(model).__name__} fitted in Python; "
            "`rnnkit predict` reads data for forecasters and for models fitted by rnnkit "
            "classify / regress. Use its Python API: rnnkit.load(path).predict(X)."
        )
    else:
        frame = model.predict(h=h, data=data, future=future_file)
    if out is None:
        typer.echo(frame.to_csv(index=False), nl=False)
    else:
        write_text_atomic(out, frame.to_csv(index=False))
        typer.echo(f"wrote {out} ({len(frame)} rows)")


@app.command()
def inspect(
    model_path: Annotated[Path, typer.Argument(metavar="MODEL", help="A saved model directory.")],
    data: Annotated[str | None, typer.Argument(help="History whose last window is inspected "
                                                    "(default: the last training window).")] = None,
    out: Out = Path("runs/inspect"),
    layer: Annotated[int, typer.Option(help="Which recurrent layer to draw.")] = 0,
    units: Annotated[int, typer.Option(help="Units in the line plot.")] = 4,
) -> None:
    """Heatmaps of every state and gate over time, and the units that change most."""
    from rnnkit.files import write_text_atomic
    from rnnkit.plots import save_figure
    from rnnkit.plots_inspect import plot_active_units, plot_heatmaps
    from rnnkit.tasks import load

    ins = load(model_path).inspect(data)
    if not 0 <= layer < len(ins.layers):
        from rnnkit.errors import InputError

        raise InputError(f"--layer {layer} does not exist; the model has {len(ins.layers)} "
                         f"layer(s). Pass --layer 0..{len(ins.layers) - 1}.")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for d in range(len(ins.layers[layer])):
        name = f"heatmaps_layer{layer}" + ("_reverse" if d else "") + ".png"
        save_figure(plot_heatmaps(ins, layer, d), out / name)
        written.append(name)
    save_figure(plot_active_units(ins, "c", layer, units), out / "active_units.png")
    summary = {"cell": ins.cell, "steps": int(ins.inputs.shape[0]),
               "most_active_units": [int(u) for u in ins.most_active_units("c", layer, units)]}
    write_text_atomic(out / "inspect.json", json.dumps(summary, indent=2))
    typer.echo(f"wrote {out}/: {' '.join(written)} active_units.png inspect.json")


@app.command()
def datasets() -> None:
    """List the bundled datasets (usable as DATA by name)."""
    from rnnkit.datasets import list_datasets

    for name, description in list_datasets().items():
        typer.echo(f"{name:<12} {description}")


@app.command()
def shapes(
    data: Annotated[str, typer.Argument(help="A series length, or a data file / dataset name.")],
    lookback: Annotated[int, typer.Option(help="Input steps per window.")] = 12,
    horizon: Annotated[int, typer.Option(help="Target steps per window.")] = 1,
    stride: Annotated[int, typer.Option(help="Steps between window origins.")] = 1,
    features: Annotated[int, typer.Option(help="Features per step.")] = 1,
    period: Annotated[int | None, typer.Option(help="Seasonal-lag windows: the period.")] = None,
    n_seasons: Annotated[int | None, typer.Option(help="Seasonal-lag windows: seasons.")] = None,
    time_col: Annotated[str, typer.Option(help=_columns_help("timestamp"))] = "ds",
    target_col: Annotated[str, typer.Option(help=_columns_help("target"))] = "y",
    id_col: Annotated[str, typer.Option(help=_columns_help("series id"))] = "unique_id",
) -> None:
    """Explain how a series becomes samples x timesteps x features for these settings."""
    from rnnkit.data.explain import explain_windows

    if data.isdigit():
        lengths: int | list[int] = int(data)
    else:
        from rnnkit.data.frames import Columns, load_panel

        panel = load_panel(data, Columns(time_col, target_col, id_col))
        lengths = panel.lengths if panel.n_series > 1 else panel.lengths[0]
    typer.echo(str(explain_windows(lengths, lookback, horizon, stride, n_features=features,
                                   period=period, n_seasons=n_seasons)))


@app.command()
def summary(
    cell: Cell = "lstm",
    input_size: Annotated[int, typer.Option(help="Features per step.")] = 1,
    hidden_size: Annotated[int, typer.Option(help="Units per layer.")] = 64,
    num_layers: Annotated[int, typer.Option(help="Stacked layers.")] = 1,
    bidirectional: Annotated[bool, typer.Option(help="Two directions.")] = False,
    horizon: Annotated[int, typer.Option(help="Outputs of the dense head.")] = 1,
) -> None:
    """Parameter count per layer with the closed form filled in (no training needed)."""
    from rnnkit.nn.config import RecurrentConfig
    from rnnkit.nn.summary import dense_count, format_summary, recurrent_layer_counts

    config = RecurrentConfig(cell, input_size, hidden_size, num_layers, 0.0, bidirectional)
    rows = recurrent_layer_counts(config) + [dense_count("dense head", config.output_size, horizon)]
    typer.echo(format_summary(rows))


def _register_sequence_commands() -> None:
    import rnnkit.cli_sequence  # noqa: F401  (registers classify and regress on the app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; turn rnnkit's errors into one line on stderr and exit 2."""
    _register_sequence_commands()
    try:
        app(args=argv, standalone_mode=True)
    except RnnkitError as e:
        print(f"rnnkit: error: {e}", file=sys.stderr)
        sys.exit(2)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as e:
        print(f"rnnkit: error: {e.strerror}: {e.filename!r}. Check the path.", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("rnnkit: interrupted; files already written are complete.", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
