"""Figures for sequence classification and regression."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import rnnkit.plots.figure  # noqa: F401  (the Agg backend, before any figure)


def plot_confusion(confusion: np.ndarray, classes: np.ndarray) -> plt.Figure:
    """Counts of true (rows) vs predicted (columns) labels, each row's share in colour."""
    share = confusion / np.maximum(confusion.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(1.2 * len(classes) + 2.5, 1.0 * len(classes) + 2))
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for (i, j), count in np.ndenumerate(confusion):
        ax.text(j, i, str(count), ha="center", va="center",
                color="white" if share[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(classes)), [str(c) for c in classes], rotation=30, ha="right")
    ax.set_yticks(range(len(classes)), [str(c) for c in classes])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"held-out accuracy {np.trace(confusion) / confusion.sum():.3f}", fontsize=10)
    fig.tight_layout()
    return fig


def plot_scatter(y_true, y_pred) -> plt.Figure:
    """Predicted against true values with the identity line."""
    t, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(t, p, s=12, alpha=0.6, color="#d62728")
    low, high = min(t.min(), p.min()), max(t.max(), p.max())
    ax.plot([low, high], [low, high], color="black", lw=0.8, ls="--", label="perfect")
    ax.set_xlabel("true")
    ax.set_ylabel("predicted")
    r = np.corrcoef(t, p)[0, 1]
    ax.set_title(f"held-out predictions, Pearson r {r:.3f}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig
