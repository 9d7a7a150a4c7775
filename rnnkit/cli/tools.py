"""The commands around a model: `predict`, `inspect`, `export`, `datasets`, `shapes`,
`summary`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from rnnkit.cli.app import app


def _columns_help(kind: str) -> str:
    return f"Name of the {kind} column."


@app.command()
def predict(
    model_path: Annotated[Path, typer.Argument(metavar="MODEL", help="A saved model directory.")],
    data: Annotated[str, typer.Argument(
        help="History to forecast from, or sequences to answer for (CSV, Parquet, name).")],
    h: Annotated[int | None, typer.Option(
        help="Forecasters: steps to forecast (default: horizon).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="CSV file to write.")] = None,
    future_file: Annotated[str | None, typer.Option(
        "--future", help="CSV/Parquet with the future covariates over the forecast.")] = None,
) -> None:
    """Predict with a saved model: a forecaster forecasts from the end of DATA, a sequence
    model answers for each sequence of DATA (read with the columns it was fitted on); print
    or write a CSV."""
    from rnnkit.files import write_text_atomic
    from rnnkit.tasks import load
    from rnnkit.tasks.forecaster import Forecaster

    for given, what in ((data, "DATA"), (future_file, "--future"), (str(model_path), "MODEL")):
        if out is not None and given is not None and Path(given).exists() and \
                Path(given).resolve() == out.resolve():
            from rnnkit.errors import InputError

            raise InputError(f"--out {str(out)!r} is the {what}"
                             f"{' file' if Path(given).is_file() else ''}: the forecast would "
                             "replace it. Pass another --out.")
    if out is not None:
        from rnnkit.files import check_out_file

        check_out_file(out, "--out", "the predictions' CSV", (".csv", ".tsv"))
    model = load(model_path)
    if future_file is not None and not getattr(model, "future_cols", ()):
        from rnnkit.errors import InputError

        raise InputError(f"--future {future_file!r}: this model reads no future covariates (it "
                         "was fitted without --future-cols). Drop --future.")
    if isinstance(model, Forecaster):
        frame = model.predict(h=h, data=data, future=future_file)
    elif h is not None:
        from rnnkit.errors import InputError

        raise InputError(f"--h {h}: a {type(model).__name__} predicts one answer per sequence "
                         "(or per step), not steps ahead. Drop --h.")
    else:  # a sequence model: it reads data with the columns `rnnkit classify` saw
        from rnnkit.tasks.sequence_jobs import predict_frame

        frame = predict_frame(model, data, str(model_path))
    from rnnkit.data.native import to_pandas

    frame = to_pandas(frame)  # a model fitted on polars in Python answers in polars
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
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Directory for the figures (default: runs/inspect/NAME: a CLI "
                            "run's runs/forecast/airline/model is forecast_airline)."
    )] = None,
    layer: Annotated[int, typer.Option(help="Which recurrent layer to draw.")] = 0,
    units: Annotated[int, typer.Option(help="Units in the line plot.")] = 4,
    sequence: Annotated[int, typer.Option(
        help="Sequence models: which sequence of DATA to inspect, counted in the order "
             "their ids first appear in DATA, from 0 (inspect.json names the id).")] = 0,
) -> None:
    """Heatmaps of every state and gate over time, and the units that change most: over the
    last window of DATA (forecasters) or over one sequence of DATA (models of rnnkit
    classify / regress, read with the columns they were fitted on)."""
    from rnnkit.errors import InputError
    from rnnkit.files import staged_dir
    from rnnkit.options import check_value
    from rnnkit.plots import save_figure
    from rnnkit.plots.inspect import plot_active_units, plot_heatmaps
    from rnnkit.tasks import load
    from rnnkit.tasks.forecaster import Forecaster

    check_value("--units", units, "int>=1", default=4)
    model = load(model_path)
    if not hasattr(model, "inspect"):
        raise InputError(f"{model_path} is a {type(model).__name__}, which has no inspect (its "
                         "encoder and decoder are not one recurrent core). Inspect a forecaster, "
                         "a sequence classifier, regressor or tagger.")
    drawn = {}
    if isinstance(model, Forecaster):
        if sequence:
            raise InputError(f"--sequence {sequence} picks a sequence of a sequence model's "
                             "DATA; a forecaster is inspected over the last window of DATA. "
                             "Drop --sequence.")
        ins = model.inspect(data)
    elif not getattr(model, "schema_", None) and hasattr(model, "task") and data is not None:
        ins = model.inspect(data)  # a tagger fitted in Python: a teaching task or a .npy file
    else:
        x, drawn["sequence_id"] = _one_sequence(model, data, sequence, str(model_path))
        ins = model.inspect(x)
    if not 0 <= layer < len(ins.layers):
        raise InputError(f"--layer {layer} does not exist; the model has {len(ins.layers)} "
                         f"layer(s). Pass --layer 0..{len(ins.layers) - 1}.")
    written = []
    out = out or _inspect_out(model_path)
    with staged_dir(out, "inspect") as stage:  # each figure whole; another layer's go
        for d in range(len(ins.layers[layer])):
            name = f"heatmaps_layer{layer}" + ("_reverse" if d else "") + ".png"
            save_figure(plot_heatmaps(ins, layer, d), stage / name)
            written.append(name)
        save_figure(plot_active_units(ins, "c", layer, units), stage / "active_units.png")
        summary = drawn | {"cell": ins.cell, "steps": int(ins.inputs.shape[0]),
                   "most_active_units": [int(u) for u in
                                         ins.most_active_units("c", layer, units)]}
        (stage / "inspect.json").write_text(json.dumps(summary, indent=2))
    typer.echo(f"wrote {out}/: {' '.join(written)} active_units.png inspect.json")


def _one_sequence(model, data: str | None, index: int, name: str):
    from rnnkit.errors import InputError
    from rnnkit.tasks.sequence_jobs import read_inputs

    if data is None:
        raise InputError(f"DATA is missing: a {type(model).__name__} is inspected over one "
                         "sequence of a file. Pass rnnkit inspect MODEL DATA [--sequence N].")
    X, _, ids = read_inputs(model, data, name, action="inspect")
    if not 0 <= index < len(ids):
        raise InputError(f"--sequence {index} is out of range: DATA holds {len(ids)} "
                         f"sequences. Pass --sequence 0..{len(ids) - 1}.")
    return X[index], ids[index].item() if hasattr(ids[index], "item") else ids[index]


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
    from rnnkit.errors import InputError
    from rnnkit.options import check_value

    for flag, value, kind in (("--lookback", lookback, "int>=1"), ("--horizon", horizon, "int>=1"),
                              ("--stride", stride, "int>=1"), ("--features", features, "int>=1"),
                              ("--period", period, "int>=1|None"),
                              ("--n-seasons", n_seasons, "int>=1|None")):
        check_value(flag, value, kind)
    if n_seasons is not None and period is None:
        raise InputError(f"--n-seasons {n_seasons} counts seasons of a --period, and none was "
                         "given. Pass --period too (e.g. --period 12), or drop --n-seasons.")

    if data.isascii() and data.isdigit():
        lengths: int | list[int] = int(data)
    else:
        from rnnkit.data.columns import Columns
        from rnnkit.data.frames import load_panel

        panel = load_panel(data, Columns(time_col, target_col, id_col))
        lengths = panel.lengths if panel.n_series > 1 else panel.lengths[0]
    try:
        plan = explain_windows(lengths, lookback, horizon, stride, n_features=features,
                               period=period, n_seasons=n_seasons)
    except (MemoryError, ValueError) as e:  # numpy refusing an absurd size
        if isinstance(e, InputError):
            raise
        raise InputError(f"these sizes are too large to plan here ({type(e).__name__}: "
                         f"{str(e).splitlines()[0][:80]}). Pass the lengths of a real series "
                         "and window.") from e
    typer.echo(str(plan))


@app.command()
def summary(
    cell: Annotated[str, typer.Option(help="Recurrent cell: lstm, gru or rnn.")] = "lstm",
    input_size: Annotated[int, typer.Option(help="Features per step.")] = 1,
    hidden_size: Annotated[int, typer.Option(help="Units per layer.")] = 64,
    num_layers: Annotated[int, typer.Option(help="Stacked layers.")] = 1,
    bidirectional: Annotated[bool, typer.Option(help="Two directions.")] = False,
    horizon: Annotated[int, typer.Option(help="Outputs of the dense head.")] = 1,
) -> None:
    """Parameter count per layer with the closed form filled in (no training needed)."""
    from rnnkit.options import check_value

    check_value("--horizon", horizon, "int>=1", default=1)
    from rnnkit.nn.config import RecurrentConfig
    from rnnkit.nn.summary import dense_count, format_summary, recurrent_layer_counts

    config = RecurrentConfig(cell, input_size, hidden_size, num_layers, 0.0, bidirectional)
    rows = recurrent_layer_counts(config) + [dense_count("dense head", config.output_size, horizon)]
    typer.echo(format_summary(rows))


@app.command()
def export(
    model_path: Annotated[Path, typer.Argument(metavar="MODEL", help="A saved model directory.")],
    format: Annotated[str, typer.Option(
        help="onnx (a graph for onnxruntime and other runtimes) or torchscript.")] = "onnx",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="File to write (default: MODEL.onnx or MODEL.pt beside it, "
                            "without a zipped model's .zip).")
    ] = None,
) -> None:
    """Write MODEL as one serving graph that computes its predictions (scaling, window
    normalisation, every run and the inverse included); print its inputs and outputs."""
    from rnnkit.options import check_value

    check_value("--format", format, "str", ("onnx", "torchscript"))
    from rnnkit.errors import InputError
    from rnnkit.export import FORMAT_NAMES, describe_export
    from rnnkit.files import check_out_file
    from rnnkit.tasks import load

    suffix = ".onnx" if format == "onnx" else ".pt"
    if out is not None and Path(out).suffix.lower() in (".onnx", ".pt", ".pth") and \
            Path(out).suffix.lower() not in (suffix, ".pth" if format == "torchscript" else ""):
        raise InputError(f"--out {str(out)!r} names a {Path(out).suffix} file but --format is "
                         f"{format}. Pass --format {'onnx' if suffix == '.pt' else 'torchscript'}"
                         f", or an --out ending in {suffix}.")
    where = model_path.resolve()  # beside it: a zipped model's name without .zip
    target = out or where.with_name((where.stem if where.suffix.lower() == ".zip" else
                                     where.name) + suffix)
    check_out_file(target, "--out", f"the {FORMAT_NAMES[format]} graph",
                   (".onnx",) if format == "onnx" else (".pt", ".pth"))
    model = load(model_path)
    written = model.export(target, format=format)
    about = describe_export(model)
    typer.echo(f"wrote {written} ({format}): {about['summary']}")
    for role, items in (("input", about["inputs"]), ("output", about["outputs"])):
        for item in items:
            shape = ", ".join(f"{a}={d}" if d is not None else a
                              for a, d in zip(item["shape"], item["dims"], strict=True))
            typer.echo(f"  {role} {item['name']} [{shape}] {item['dtype']}")


def _inspect_out(model_path: Path) -> Path:
    """``runs/inspect/<model>``: one folder per model, named by its path (a CLI run's
    runs/forecast/airline/model: forecast_airline; a folder or zip of another name: that
    name), so that inspecting one model does not replace another's figures."""
    path = model_path.resolve()
    if path.name == "model" and path.parent.name:
        above = path.parent.parent.name
        name = f"{above}_{path.parent.name}" if above else path.parent.name
    else:
        name = path.stem
    return Path("runs") / "inspect" / name
