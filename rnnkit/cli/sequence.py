"""`rnnkit classify`, `rnnkit regress` and `rnnkit tag`: every estimator argument is a flag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from rnnkit.cli.app import Out, app, default_out, with_options
from rnnkit.errors import InputError
from rnnkit.tasks.sequence_options import ClassifierOptions, RegressorOptions, TaggerOptions

Data = Annotated[str, typer.Argument(help="Long frame (CSV, Parquet) or dataset name.")]
SequenceCols = Annotated[str, typer.Option(help="Comma-separated columns that vary per step.",
                                           rich_help_panel="Data")]
StaticCols = Annotated[str, typer.Option(help="Comma-separated per-sequence covariates.",
                                         rich_help_panel="Data")]
IdCol = Annotated[str, typer.Option(help="Which sequence a row belongs to.",
                                    rich_help_panel="Data")]
TimeCol = Annotated[str, typer.Option(help="Order of steps within a sequence, read one "
                                           "after another (a gap is not filled); none: the "
                                           "rows' order in the file.",
                                      rich_help_panel="Data")]
TestSize = Annotated[float, typer.Option(help="Share of sequences held out for the scores.",
                                         rich_help_panel="Output")]


def _names(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _run(task: str, data: str, target: str, sequence_cols: str, id_col: str, time_col: str,
         static_cols: str, out: Path | None, test_size: float, text_col: str | None,
         params: dict[str, Any]) -> None:
    _check_test_size(test_size)
    time_col = _time_col(time_col)
    from rnnkit.files import check_out_dir

    out = out or default_out("classify" if task == "classification" else "regress", data)
    check_out_dir(out, model=True)  # before the training, not after it
    target_arg = "label_col" if task == "classification" else "target_col"
    if text_col:
        if sequence_cols or static_cols:
            raise InputError(f"--text-col {text_col} reads one text per row, as the whole "
                             f"sequence; --{'sequence' if sequence_cols else 'static'}-cols "
                             "name the columns of numeric sequences in a long frame. Pass "
                             "--text-col for texts, or --sequence-cols for numbers.")
        _check_columns(data, [(target, target_arg), (text_col, "text_col")])
    else:
        _check_columns(data, [(target, target_arg), (id_col, "id_col"), (time_col, "time_col")],
                       sequence_cols, static_cols)
    from rnnkit.tasks.sequence_jobs import run_sequence_job

    seed = params.pop("seed")
    run = run_sequence_job(task, data, target, _names(sequence_cols), id_col, time_col,
                           _names(static_cols), test_size, seed, text_col, **params)
    _report(run, "classify" if task == "classification" else "regress", data, out, test_size)


def _check_columns(data: str, named: list[tuple[str, str]], sequence_cols: str = "",
                   static_cols: str = "") -> None:
    """The columns named on the command line, checked against DATA's header before pandas
    or torch load (see :mod:`rnnkit.data.header`)."""
    from rnnkit.data.columns import check_roles
    from rnnkit.data.header import check_columns

    named = named + [(c, "sequence_cols") for c in _names(sequence_cols)] + \
        [(c, "static_cols") for c in _names(static_cols)]
    check_roles(named)
    check_columns(data, named, layout=LONG_FRAME)


LONG_FRAME = ("The sequence commands read a long frame: one row per sequence and step, with "
              "the sequence's id, the step, the label and one column per feature; a file of "
              "one row per sequence and a column per step is wide: melt it into long rows "
              "(pandas' DataFrame.melt).")


def _time_col(value: str) -> str | None:
    """--time-col as the job reads it: none (or nothing) reads the rows in the file's order."""
    return None if value.strip().lower() in ("", "none") else value


def _check_test_size(test_size: float) -> None:
    if not (isinstance(test_size, float) and 0 < test_size < 1):
        raise InputError(f"--test-size {test_size} must be a fraction of the sequences in "
                         "(0, 1). Pass e.g. --test-size 0.25.")


def _report(run, command: str, data: str, out: Path | None, test_size: float) -> None:
    """Print the scores beside the baselines; write metrics, predictions, figures, model."""
    from rnnkit.files import staged_dir, write_text_atomic
    from rnnkit.plots import plot_learning_curves, save_figure
    from rnnkit.plots.sequence import plot_confusion, plot_scatter

    task = run.task
    typer.echo(f"held-out {int(test_size * 100)}% of the sequences; the model beside its "
               "baselines:")
    typer.echo(run.table())
    for note in run.warnings:
        typer.echo(note)
    out = out or default_out(command, data)
    histories = getattr(run.model, "histories_", None) or [run.model.history_]
    figure = (plot_confusion(run.confusion, run.classes) if task == "classification"
              else plot_scatter(run.predictions["true"], run.predictions["predicted"]))
    name = "confusion.png" if task == "classification" else "scatter.png"
    with staged_dir(out, command) as stage:  # each output whole, or none of them
        write_text_atomic(stage / "metrics.json", json.dumps(run.scores, indent=2))
        write_text_atomic(stage / "predictions.csv", run.predictions.to_csv(index=False))
        save_figure(figure, stage / name)
        save_figure(plot_learning_curves(histories), stage / "learning_curves.png")
        run.model.save(stage / "model")
    typer.echo(f"wrote {out}/: metrics.json predictions.csv {name} learning_curves.png model/")
    if getattr(run.model, "tracked_run_", None):
        typer.echo(f"tracked ({run.model.tracking}): {run.model.tracked_run_}")


@app.command()
@with_options(ClassifierOptions, defaults={"verbose": 0})
def classify(
    data: Data,
    label_col: Annotated[str, typer.Option(help="The label of each sequence.",
                                           rich_help_panel="Data")] = "label",
    text_col: Annotated[str | None, typer.Option(help="A column of texts, one row each.",
                                                 rich_help_panel="Data")] = None,
    sequence_cols: SequenceCols = "",
    id_col: IdCol = "id",
    time_col: TimeCol = "step",
    static_cols: StaticCols = "",
    out: Out = None,
    test_size: TestSize = 0.25,
    options: dict[str, Any] | None = None,
) -> None:
    """A label per sequence, scored beside the majority class, 1-NN and a linear model."""
    _run("classification", data, label_col, sequence_cols, id_col, time_col, static_cols, out,
         test_size, text_col, options)


@app.command()
@with_options(RegressorOptions, defaults={"verbose": 0})
def regress(
    data: Data,
    target_col: Annotated[str, typer.Option(help="The number to predict per sequence.",
                                            rich_help_panel="Data")] = "y",
    text_col: Annotated[str | None, typer.Option(help="A column of texts, one row each.",
                                                 rich_help_panel="Data")] = None,
    sequence_cols: SequenceCols = "",
    id_col: IdCol = "id",
    time_col: TimeCol = "step",
    static_cols: StaticCols = "",
    out: Out = None,
    test_size: TestSize = 0.25,
    options: dict[str, Any] | None = None,
) -> None:
    """A number per sequence (+ static covariates), scored beside the mean, 1-NN and a ridge."""
    _run("regression", data, target_col, sequence_cols, id_col, time_col, static_cols, out,
         test_size, text_col, options)


@app.command()
@with_options(TaggerOptions, defaults={"verbose": 0})
def tag(
    data: Data,
    label_col: Annotated[str, typer.Option(help="The label (or number) of each step.",
                                           rich_help_panel="Data")] = "tag",
    sequence_cols: SequenceCols = "",
    id_col: IdCol = "id",
    time_col: TimeCol = "step",
    out: Out = None,
    test_size: TestSize = 0.25,
    options: dict[str, Any] | None = None,
) -> None:
    """A label for every step (--task regression: a number), scored over the held-out steps
    beside the majority tag and a model that reads each step alone (no context)."""
    _check_test_size(test_size)
    time_col = _time_col(time_col)
    TaggerOptions(**options).validate()
    from rnnkit.files import check_out_dir

    out = out or default_out("tag", data)
    check_out_dir(out, model=True)  # before the training, not after it
    _check_columns(data, [(label_col, "label_col"), (id_col, "id_col"), (time_col, "time_col")],
                   sequence_cols)
    from rnnkit.tasks.sequence_jobs import run_tagging_job

    seed = options.pop("seed")
    run = run_tagging_job(data, label_col, _names(sequence_cols), id_col, time_col,
                          test_size, seed, **options)
    _report(run, "tag", data, out, test_size)
