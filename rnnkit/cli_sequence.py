"""`rnnkit classify` and `rnnkit regress`: thin commands over run_sequence_job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from rnnkit.cli import Cell, Out, app


def _names(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _run(task: str, data: str, target: str, sequence_cols: str, id_col: str, time_col: str,
         static_cols: str, out: Path, test_size: float, seed: int, text_col: str | None = None,
         **params) -> None:
    from rnnkit.files import write_text_atomic
    from rnnkit.plots import plot_learning_curves, save_figure
    from rnnkit.plots_sequence import plot_confusion, plot_scatter
    from rnnkit.tasks.sequence_jobs import run_sequence_job

    run = run_sequence_job(task, data, target, _names(sequence_cols), id_col, time_col or None,
                           _names(static_cols), test_size, seed, text_col, **params)
    typer.echo(f"held-out {int(test_size * 100)}% of the sequences; the model beside its "
               "baselines:")
    typer.echo(run.table())
    for note in run.warnings:
        typer.echo(note)
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "metrics.json", json.dumps(run.scores, indent=2))
    write_text_atomic(out / "predictions.csv", run.predictions.to_csv(index=False))
    figure = (plot_confusion(run.confusion, run.classes) if task == "classification"
              else plot_scatter(run.predictions["true"], run.predictions["predicted"]))
    name = "confusion.png" if task == "classification" else "scatter.png"
    save_figure(figure, out / name)
    save_figure(plot_learning_curves([run.model.history_]), out / "learning_curves.png")
    run.model.save(out / "model")
    typer.echo(f"wrote {out}/: metrics.json predictions.csv {name} learning_curves.png model/")


Sequence = Annotated[str, typer.Option(help="Comma-separated columns that vary per step.")]
Static = Annotated[str, typer.Option(help="Comma-separated per-sequence covariates.")]


@app.command()
def classify(
    data: Annotated[str, typer.Argument(help="Long frame (CSV, Parquet) or dataset name.")],
    label_col: Annotated[str, typer.Option(help="The label of each sequence.")] = "label",
    text_col: Annotated[str | None, typer.Option(help="A column of texts, one row each.")] = None,
    sequence_cols: Sequence = "",
    id_col: Annotated[str, typer.Option(help="Which sequence a row belongs to.")] = "id",
    time_col: Annotated[str, typer.Option(help="Order of steps within a sequence.")] = "step",
    static_cols: Static = "",
    out: Out = Path("runs/classify"),
    cell: Cell = "lstm",
    hidden_size: Annotated[int, typer.Option(help="Units per layer.")] = 64,
    pooling: Annotated[str, typer.Option(help="auto, last, mean, max or attention.")] = "auto",
    bidirectional: Annotated[bool | None, typer.Option(help="Read both ways (default: texts).")
                             ] = None,
    class_weight: Annotated[str | None, typer.Option(help="balanced, for rare classes.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Budget in epochs instead of steps.")] = None,
    max_steps: Annotated[int | None, typer.Option(help="Budget in optimiser steps.")] = None,
    repeats: Annotated[int, typer.Option(help="Seeded runs, predicting as an ensemble.")] = 1,
    test_size: Annotated[float, typer.Option(help="Share of sequences held out.")] = 0.25,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    verbose: Annotated[int, typer.Option(help="0 silent, 1 progress bar.")] = 0,
) -> None:
    """A label per sequence, scored beside the majority class and a logistic regression."""
    _run("classification", data, label_col, sequence_cols, id_col, time_col, static_cols, out,
         test_size, seed, text_col, cell=cell, hidden_size=hidden_size, pooling=pooling,
         bidirectional=bidirectional, class_weight=class_weight, epochs=epochs,
         max_steps=max_steps, repeats=repeats, verbose=verbose)


@app.command()
def regress(
    data: Annotated[str, typer.Argument(help="Long frame (CSV, Parquet) or dataset name.")],
    target_col: Annotated[str, typer.Option(help="The number to predict per sequence.")] = "y",
    sequence_cols: Sequence = "",
    id_col: Annotated[str, typer.Option(help="Which sequence a row belongs to.")] = "id",
    time_col: Annotated[str, typer.Option(help="Order of steps within a sequence.")] = "step",
    static_cols: Static = "",
    out: Out = Path("runs/regress"),
    cell: Cell = "lstm",
    hidden_size: Annotated[int, typer.Option(help="Units per layer.")] = 64,
    pooling: Annotated[str, typer.Option(help="auto, last, mean, max or attention.")] = "auto",
    epochs: Annotated[int | None, typer.Option(help="Budget in epochs instead of steps.")] = None,
    max_steps: Annotated[int | None, typer.Option(help="Budget in optimiser steps.")] = None,
    repeats: Annotated[int, typer.Option(help="Seeded runs, predicting as an ensemble.")] = 1,
    test_size: Annotated[float, typer.Option(help="Share of sequences held out.")] = 0.25,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    verbose: Annotated[int, typer.Option(help="0 silent, 1 progress bar.")] = 0,
) -> None:
    """A number per sequence (+ static covariates), scored beside the mean and a ridge."""
    _run("regression", data, target_col, sequence_cols, id_col, time_col, static_cols, out,
         test_size, seed, cell=cell, hidden_size=hidden_size, pooling=pooling, epochs=epochs,
         max_steps=max_steps, repeats=repeats, verbose=verbose)
