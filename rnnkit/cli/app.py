"""The Typer app, and the flags every command builds from an estimator's declared arguments
(see :mod:`rnnkit.options`), so the command line offers every argument the API has."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

import typer

from rnnkit.errors import InputError

app = typer.Typer(
    name="rnnkit",
    help="Recurrent neural networks (RNN, LSTM, GRU) on sequences, with honest evaluation.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

GROUPS = {"data": "Data", "model": "Model", "training": "Training", "output": "Output"}


def _cli_type(check: str) -> type:
    kind, optional = check.removesuffix("|None"), check.endswith("|None")
    if kind in ("columns", "levels", "size") or (optional and _numeric(kind)):
        base: type = str  # an optional number also takes "none" (from_cli reads it)
    elif kind == "bool":
        base = bool
    elif kind.startswith("int"):
        base = int
    elif kind.startswith("float") or kind in ("fraction", "rate"):
        base = float
    else:
        base = str
    return base | None if optional or kind in ("size",) else base  # type: ignore[return-value]


def _numeric(kind: str) -> bool:
    return kind.startswith(("int", "float")) or kind in ("fraction", "rate")


def _cli_default(check: str, default: Any) -> Any:
    if check.removesuffix("|None") in ("columns", "levels"):
        return ",".join(str(v) for v in default) if default else ""
    return default


def _check_tracking(options: dict[str, Any]) -> None:
    """--tracking-dir without --tracking would record nothing there, silently."""
    where = options.get("tracking_dir")
    if where is not None and str(where) != "runs/tracking" and not options.get("tracking"):
        raise InputError(f"--tracking-dir {str(where)!r} is given but tracking is off, so nothing "
                         "would be recorded there. Pass --tracking files (or mlflow, "
                         "tensorboard), or drop --tracking-dir.")


def from_cli(check: str, value: Any, name: str) -> Any:
    """A flag's value as the estimator takes it: "a,b" -> ("a", "b"), "0.1,0.9" ->
    (0.1, 0.9), "24" -> 24 and "0.1" -> 0.1 for sizes."""
    kind = check.removesuffix("|None")
    flag = "--" + name.replace("_", "-")
    if kind == "columns":
        return tuple(c.strip() for c in value.split(",") if c.strip())
    if kind == "levels":
        try:
            levels = tuple(float(v) for v in value.split(",") if v.strip())
        except ValueError as e:
            raise InputError(f"{flag} {value!r} must be numbers like 0.1,0.5,0.9.") from e
        return levels or None
    if check.endswith("|None") and _numeric(kind) and isinstance(value, str):
        if value.strip().lower() == "none":  # e.g. --max-time none: no budget
            return None
        try:
            return int(value) if kind.startswith("int") else float(value)
        except ValueError as e:
            what = "a whole number" if kind.startswith("int") else "a number"
            example = "24" if kind.startswith("int") else "2.5"
            raise InputError(f"{flag} {value!r} must be {what} or none. Pass {what}, as in "
                             f"{flag} {example}, or none where the help gives its meaning.") \
                from e
    if kind == "size" and value is not None:
        try:
            return int(value) if value.strip().isdigit() else float(value)
        except ValueError as e:
            raise InputError(f"{flag} {value!r} must be a fraction like 0.1 or a row count "
                             "like 24.") from e
    return value


def with_options(cls: type, skip: tuple[str, ...] = (), defaults: dict | None = None
                 ) -> Callable:
    """Give a command a flag for every declared argument of ``cls`` (but ``skip`` and the
    command's own parameters); the command receives them as ``options``, a dict of the
    values the estimator takes.

    The command's own parameters come first and keep their own declarations.
    """
    defaults = defaults or {}

    def wrap(fn: Callable) -> Callable:
        hints = {k: v for k, v in inspect.get_annotations(fn, eval_str=True).items()
                 if k != "options"}
        own = [p.replace(annotation=hints[p.name])
               for p in inspect.signature(fn).parameters.values() if p.name != "options"]
        taken = set(skip) | {p.name for p in own}
        declared = [f for f in fields(cls) if f.metadata and f.metadata.get("cli")
                    and f.name not in taken]
        params, annotations = list(own), dict(hints)
        for f in declared:
            meta = f.metadata
            choices = f" [{', '.join(map(str, meta['choices']))}]" \
                if meta["choices"] and len(meta["choices"]) > 2 else ""
            option = typer.Option(*meta.get("flags", ()), help=meta["help"] + choices,
                                  rich_help_panel=GROUPS.get(meta["group"], "Model"))
            annotations[f.name] = Annotated[_cli_type(meta["check"]), option]
            params.append(inspect.Parameter(
                f.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotations[f.name],
                default=_cli_default(meta["check"], defaults.get(f.name, f.default))))

        def command(**kwargs: Any) -> Any:
            options = {f.name: from_cli(f.metadata["check"], kwargs.pop(f.name), f.name)
                       for f in declared}
            _check_tracking(options)
            return fn(**kwargs, options=options)

        command.__name__, command.__doc__ = fn.__name__, fn.__doc__
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = annotations
        return command

    return wrap


def default_out(command: str, data: str) -> Path:
    """``runs/<command>/<dataset or file name>``: one folder per command and dataset, so one
    run never overwrites another's results."""
    return Path("runs") / command / Path(str(data)).stem


Out = Annotated[Path | None, typer.Option(
    "--out", "-o", help="Directory for the results and the model (default: runs/COMMAND/DATA).",
    rich_help_panel="Output")]


def _print_version(value: bool) -> None:
    if value:
        from rnnkit._version import __version__

        typer.echo(f"rnnkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", help="Print rnnkit's version and exit.", is_eager=True,
        callback=_print_version)] = False) -> None:
    """Recurrent neural networks (RNN, LSTM, GRU) on sequences, with honest evaluation."""
