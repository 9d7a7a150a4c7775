"""The examples run as a user runs them: the teaching examples write their figures, and each
classic tutorial is rebuilt in rnnkit's API in at most 20 lines. Run with RNNKIT_SMOKE=1
(every fit a few steps): what is checked here is that they run, not what they score."""

from __future__ import annotations

import ast
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
FIGURES = {"counting.py": "counting_heatmaps.png", "long_memory.py": "long_memory.png",
           "conflict.py": "conflict.png", "vanishing_gradients.py": "vanishing.png"}
TUTORIALS = sorted(p.name for p in EXAMPLES.glob("tutorial_*.py"))


def run_example(script: str, cwd: Path, monkeypatch, capsys) -> str:
    """Run the script as ``python examples/SCRIPT`` would (as __main__, from ``cwd``), in
    this process (the interpreter and torch are already loaded); returns what it printed."""
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("RNNKIT_SMOKE", "1")
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / script)])
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    return capsys.readouterr().out


def code_lines(path: Path) -> int:
    """Lines of code: not blank, not a comment, not the module docstring."""
    tree = ast.parse(path.read_text())
    doc = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) else None
    skip = set(range(doc.lineno, doc.end_lineno + 1)) if doc else set()
    return sum(1 for number, line in enumerate(path.read_text().splitlines(), 1)
               if line.strip() and not line.strip().startswith("#") and number not in skip)


@pytest.mark.parametrize("script", sorted(FIGURES))
def test_example_runs_and_writes_its_figure(script, tmp_path, monkeypatch, capsys):
    run_example(script, tmp_path, monkeypatch, capsys)
    assert (tmp_path / "runs" / "examples" / FIGURES[script]).is_file()


def test_every_tutorial_of_the_list_has_its_example():
    assert TUTORIALS == ["tutorial_activity.py", "tutorial_addition.py", "tutorial_airline.py",
                         "tutorial_bmi.py", "tutorial_imdb.py", "tutorial_previous_weeks.py",
                         "tutorial_stacked_bidirectional.py", "tutorial_stateful.py"]


@pytest.mark.parametrize("script", TUTORIALS)
def test_a_tutorial_runs_in_at_most_20_lines(script, tmp_path, monkeypatch, capsys):
    assert code_lines(EXAMPLES / script) <= 20, script
    assert run_example(script, tmp_path, monkeypatch, capsys).strip()
