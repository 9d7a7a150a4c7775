"""Writing a figure: matplotlib on the Agg backend, saved under a temporary name and renamed
into place (a crash never leaves half a PNG)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MODEL_COLOR, BASELINE_COLOR, ACTUAL_COLOR, FUTURE_COLOR = "#d62728", "#7f7f7f", "#1f77b4", "#2ca02c"


def save_figure(fig: plt.Figure, path: str | os.PathLike) -> Path:
    """Save to a temporary name beside ``path`` and rename into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
        plt.close(fig)
    return path
