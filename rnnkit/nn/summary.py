"""Parameter arithmetic: counts per layer with the closed form written out.

Bias convention: torch keeps two bias vectors per gate block (``b_ih`` and ``b_hh``), so a
recurrent layer has ``G * (H * (X + H) + 2H)`` parameters, with G gate blocks (RNN 1, GRU 3,
LSTM 4), X inputs and H hidden units. Keras keeps one bias vector (``G * (H * (X + H) + H)``),
except GRU with ``reset_after=True`` (its default), which keeps two like torch. The same LSTM
therefore has ``4H`` more parameters in torch than in Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnkit.nn.config import GATES, RecurrentConfig

BIAS_CONVENTION = (
    "torch keeps two bias vectors per gate block (b_ih and b_hh): G x (H x (X + H) + H + H). "
    "Keras keeps one (G x (H x (X + H) + H)), so the same layer has G x H fewer parameters "
    "there (an LSTM 4H, a SimpleRNN H); its GRU with reset_after=True, the default, keeps two "
    "like torch."
)


@dataclass(frozen=True)
class LayerCount:
    """One row of a parameter summary."""

    name: str
    count: int
    formula: str


def recurrent_layer_counts(config: RecurrentConfig) -> list[LayerCount]:
    """Per layer and direction: the parameter count with its closed form filled in."""
    g, h = GATES[config.cell], config.hidden_size
    rows = []
    for layer in range(config.num_layers):
        x = config.input_size if layer == 0 else config.output_size
        count = g * (h * (x + h) + 2 * h)
        formula = f"{g} x ({h} x ({x} + {h}) + {h} + {h}) = {count}"
        directions = ["forward", "reverse"] if config.bidirectional else ["forward"]
        for direction in directions:
            suffix = f" {direction}" if config.bidirectional else ""
            rows.append(LayerCount(f"{config.cell} layer {layer}{suffix}", count, formula))
    return rows


def dense_count(name: str, inputs: int, outputs: int) -> LayerCount:
    """A dense layer: weights plus one bias per output."""
    count = outputs * (inputs + 1)
    return LayerCount(name, count, f"{outputs} x ({inputs} + 1) = {count}")


def format_summary(rows: list[LayerCount], actual_total: int | None = None) -> str:
    """A plain-text table of the rows, the total and the bias convention."""
    width = max(len(r.name) for r in rows)
    lines = [f"{'layer':<{width}}  {'parameters':>10}  closed form"]
    lines += [f"{r.name:<{width}}  {r.count:>10,}  {r.formula}" for r in rows]
    total = sum(r.count for r in rows)
    lines.append(f"{'total':<{width}}  {total:>10,}")
    if actual_total is not None and actual_total != total:
        lines.append(f"(module reports {actual_total:,} parameters)")
    lines.append("bias convention: " + BIAS_CONVENTION)
    return "\n".join(lines)
