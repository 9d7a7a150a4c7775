"""The command line: app.py (the Typer app, flags built from the estimators' declared
arguments), one module per command group (forecast.py, sequence.py, tools.py, tune.py), main.py (the
error boundary). No logic of its own: parse flags -> call the public API -> print and write."""

from __future__ import annotations

from rnnkit.cli.main import main

__all__ = ["main"]
