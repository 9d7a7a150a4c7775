"""The teaching examples run as a user runs them and write their figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
FIGURES = {"counting.py": "counting_heatmaps.png", "long_memory.py": "long_memory.png",
           "conflict.py": "conflict.png", "vanishing_gradients.py": "vanishing.png"}


@pytest.mark.parametrize("script", sorted(FIGURES))
def test_example_runs_and_writes_its_figure(script, tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "runs" / "examples" / FIGURES[script]).is_file()
