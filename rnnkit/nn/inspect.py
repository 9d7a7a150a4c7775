"""Open the recurrent core: every state and gate at every step, computed exactly by the
NumPy reference from the module's trained weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnkit.nn.core import RecurrentCore
from rnnkit.reference import RecurrentWeights, forward

GATE_NAMES = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n"), "rnn": ()}
LONG_NAMES = {"h": "hidden state", "c": "cell state", "i": "input gate", "f": "forget gate",
              "g": "candidate", "o": "output gate", "r": "reset gate", "z": "update gate",
              "n": "candidate"}


@dataclass
class Inspection:
    """States and gates of every layer and direction over the time steps of one sequence.

    Attributes:
        cell: "rnn", "lstm" or "gru".
        inputs: ``[T, F]`` the sequence in the user's units.
        network_inputs: ``[T, F]`` the same as the core sees it (scaled, normalised).
        layers: ``layers[layer][direction]`` -> name -> ``[T, H]``: ``h``, ``c`` (LSTM) and
            the gates (LSTM ``i f g o``, GRU ``r z n``). Direction 1 is the reverse one,
            stored in the sequence's own time order.
    """

    cell: str
    inputs: np.ndarray
    network_inputs: np.ndarray
    layers: list[list[dict[str, np.ndarray]]]

    def __repr__(self) -> str:  # a summary, not every array in full
        steps, width = self.inputs.shape if self.inputs.ndim == 2 else (len(self.inputs), 1)
        units = self.layers[0][0]["h"].shape[1] if self.layers else 0
        return (f"Inspection({self.cell}, {steps} steps x {width} inputs, {len(self.layers)} "
                f"layer(s) x {len(self.layers[0]) if self.layers else 0} direction(s) x "
                f"{units} units; arrays per layer and direction: {', '.join(self.names())}; "
                "most_active_units() ranks the units; rnnkit.plots.inspect draws them)")

    def names(self) -> tuple[str, ...]:
        """The arrays each layer and direction holds."""
        return ("h", "c", *GATE_NAMES[self.cell]) if self.cell == "lstm" else (
            "h", *GATE_NAMES[self.cell])

    def most_active_units(self, name: str = "c", layer: int = 0, k: int = 4) -> np.ndarray:
        """The ``k`` units of ``name`` whose values change the most over time (range)."""
        key = name if name in self.layers[layer][0] else "h"
        values = self.layers[layer][0][key]  # [T, H]
        return np.argsort(values.max(axis=0) - values.min(axis=0))[::-1][:k]


@torch.no_grad()
def inspect_core(core: RecurrentCore, x: torch.Tensor, inputs: np.ndarray) -> Inspection:
    """Run one sequence through the reference with ``core``'s weights.

    Shapes:
        x: ``[T, F]`` as the core sees it; inputs: ``[T, F]`` in the user's units.
    """
    weights = RecurrentWeights.from_torch(core.rnn)
    ref = forward(weights, x.double().cpu().numpy()[None], return_trace=True)  # batch of one
    names = ("h", "c", *GATE_NAMES[weights.cell]) if weights.cell == "lstm" else (
        "h", *GATE_NAMES[weights.cell])
    layers = [[{n: trace[n][0] for n in names} for trace in directions]
              for directions in ref.trace]
    return Inspection(weights.cell, np.asarray(inputs, dtype=float),
                      x.double().cpu().numpy(), layers)
