"""Writing a figure: matplotlib on the Agg backend, saved under a temporary name and renamed
into place (a crash never leaves half a PNG)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from rnnkit.files import write_bytes_atomic  # noqa: E402

MODEL_COLOR, BASELINE_COLOR, ACTUAL_COLOR, FUTURE_COLOR = "#d62728", "#7f7f7f", "#1f77b4", "#2ca02c"


def save_figure(fig: plt.Figure, path: str | os.PathLike) -> Path:
    """Save as PNG atomically (see :mod:`rnnkit.files`), with the umask's permissions."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=Path(path).suffix.lstrip(".") or "png", dpi=110,
                    bbox_inches="tight")
    finally:
        plt.close(fig)
    return write_bytes_atomic(path, buffer.getvalue())
