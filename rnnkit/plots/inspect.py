"""Pictures of a recurrent core at work: the input above heatmaps of states and gates."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import rnnkit.plots.figure  # noqa: F401  (the Agg backend, before any figure)
from rnnkit.nn.inspect import LONG_NAMES, Inspection


def _draw_input(ax: plt.Axes, inputs: np.ndarray) -> None:
    """The input over time: the symbol id for one-hot inputs, else the first feature."""
    steps = np.arange(len(inputs))
    one_hot = inputs.shape[1] > 1 and np.isin(inputs, (0, 1)).all() and (inputs.sum(1) == 1).all()
    values = inputs.argmax(axis=1) if one_hot else inputs[:, 0]
    ax.plot(steps, values, color="#1f77b4", marker="o", ms=3, lw=1.2,
            drawstyle="steps-mid" if one_hot else "default")
    ax.set_ylabel("input symbol" if one_hot else "input")
    if one_hot:
        ax.set_yticks(range(inputs.shape[1]))
    ax.grid(alpha=0.3)


def plot_heatmaps(ins: Inspection, layer: int = 0, direction: int = 0,
                  names: tuple[str, ...] | None = None) -> plt.Figure:
    """Time runs left to right in every panel; one row per unit in the heatmaps.

    States use a diverging map centred on 0 (-1..1 for h, symmetric for c); gates use 0..1.
    """
    names = names or ins.names()
    states = ins.layers[layer][direction]
    T = ins.inputs.shape[0]
    heights = [1.2] + [1.0] * len(names)
    fig, axes = plt.subplots(len(names) + 1, 1, figsize=(10, 1.6 + 1.5 * len(names)),
                             sharex=True, gridspec_kw={"height_ratios": heights})
    _draw_input(axes[0], ins.inputs)
    axes[0].set_title(f"{ins.cell.upper()} layer {layer}"
                      + (" (reverse direction)" if direction else "")
                      + ": states and gates at every step", fontsize=10)
    for ax, name in zip(axes[1:], names, strict=True):
        values = states[name].T  # [H, T]
        extent = (-0.5, T - 0.5, values.shape[0] - 0.5, -0.5)  # cells centred on steps
        if name in ("h", "c", "g", "n"):
            bound = float(np.abs(values).max()) or 1.0
            image = ax.imshow(values, aspect="auto", cmap="RdBu_r", vmin=-bound, vmax=bound,
                              interpolation="nearest", extent=extent)
        else:
            image = ax.imshow(values, aspect="auto", cmap="viridis", vmin=0, vmax=1,
                              interpolation="nearest", extent=extent)
        ax.set_ylabel(f"{LONG_NAMES[name]}\nunit")
        fig.colorbar(image, ax=ax, pad=0.01, fraction=0.03)
    axes[-1].set_xlabel("time step")
    fig.tight_layout()
    return fig


def plot_active_units(ins: Inspection, name: str = "c", layer: int = 0, k: int = 4) -> plt.Figure:
    """The ``k`` units of ``name`` that change the most, as lines over time, under the input."""
    units = ins.most_active_units(name, layer, k)
    key = name if name in ins.layers[layer][0] else "h"
    values = ins.layers[layer][0][key]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True,
                                      gridspec_kw={"height_ratios": [1, 2]})
    steps = np.arange(len(values))
    _draw_input(top, ins.inputs)
    for unit in units:
        bottom.plot(steps, values[:, unit], lw=1.8, label=f"unit {unit}")
    bottom.set_ylabel(LONG_NAMES[key])
    bottom.set_xlabel("time step")
    bottom.grid(alpha=0.3)
    bottom.legend(frameon=False, fontsize=8)
    top.set_title(f"the {len(units)} {LONG_NAMES[key]} units of layer {layer} that change most",
                  fontsize=10)
    fig.tight_layout()
    return fig
