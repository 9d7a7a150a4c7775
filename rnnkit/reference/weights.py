"""Weights of a recurrent stack as plain NumPy arrays, in torch's layout and gate order."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rnnkit.errors import InputError

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
_KEY = re.compile(r"(weight|bias)_(ih|hh)_l(\d+)(_reverse)?$")


@dataclass
class LayerWeights:
    """One layer in one direction, float64.

    Shapes:
        w_ih: ``[G*H, X]``; w_hh: ``[G*H, H]``; b_ih, b_hh: ``[G*H]`` with G gate blocks
        stacked in torch's order (LSTM i, f, g, o; GRU r, z, n).
    """

    w_ih: np.ndarray
    w_hh: np.ndarray
    b_ih: np.ndarray
    b_hh: np.ndarray


@dataclass
class RecurrentWeights:
    """A whole stack: ``layers[layer][direction]`` (direction 0 forward, 1 reverse)."""

    cell: str
    layers: list[list[LayerWeights]]
    nonlinearity: str = "tanh"

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def bidirectional(self) -> bool:
        return len(self.layers[0]) == 2

    @property
    def hidden_size(self) -> int:
        return self.layers[0][0].w_hh.shape[1]

    @property
    def input_size(self) -> int:
        return self.layers[0][0].w_ih.shape[1]

    @classmethod
    def from_state_dict(cls, state: Mapping[str, object], cell: str, prefix: str = "",
                        nonlinearity: str = "tanh") -> RecurrentWeights:
        """From torch-named arrays (``weight_ih_l0``, ``bias_hh_l1_reverse``, ...).

        Args:
            state: a state dict (torch tensors or numpy arrays).
            cell: "rnn", "lstm" or "gru". prefix: the key prefix of the recurrent module.
        """
        if cell not in GATES:
            raise InputError(f"cell={cell!r} must be one of {list(GATES)}.")
        found: dict[tuple[int, int], dict[str, np.ndarray]] = {}
        for key, value in state.items():
            if not key.startswith(prefix):
                continue
            m = _KEY.fullmatch(key[len(prefix):])
            if m is None:
                continue
            kind, side, layer, reverse = m.groups()
            array = value.detach().cpu().numpy() if hasattr(value, "detach") else value
            slot = found.setdefault((int(layer), int(bool(reverse))), {})
            slot[f"{kind[0]}_{side}"] = np.asarray(array, dtype=np.float64)
        if not found:
            raise InputError(
                f"no recurrent weights under prefix {prefix!r} (expected keys like "
                f"'{prefix}weight_ih_l0'). Pass the prefix of the RNN/LSTM/GRU module."
            )
        num_layers = 1 + max(layer for layer, _ in found)
        directions = 1 + max(d for _, d in found)
        for slot in found.values():  # a module built with bias=False: its biases are zero
            for side in ("ih", "hh"):
                slot.setdefault(f"b_{side}", np.zeros(len(slot[f"w_{side}"])))
        layers = [[LayerWeights(**found[(layer, d)]) for d in range(directions)]
                  for layer in range(num_layers)]
        return cls(cell, layers, nonlinearity)

    @classmethod
    def from_torch(cls, module: object) -> RecurrentWeights:
        """From a ``torch.nn.RNN``, ``LSTM`` or ``GRU`` (any ``batch_first``)."""
        name = type(module).__name__.lower()
        if name not in GATES or getattr(module, "proj_size", 0):
            raise InputError(
                f"module of type {type(module).__name__} is not supported; expected torch.nn.RNN, "
                "LSTM (without proj_size) or GRU."
            )
        nonlinearity = getattr(module, "nonlinearity", "tanh")
        return cls.from_state_dict(module.state_dict(), name, "", nonlinearity)

    @classmethod
    def from_model(cls, model: object) -> RecurrentWeights:
        """From a fitted rnnkit estimator, or the path of a saved rnnkit model.

        A saved model is read from its safetensors file alone: no torch, no estimator.
        """
        if isinstance(model, str | os.PathLike):
            from rnnkit.artifacts import read_model

            meta, tensors = read_model(model)
            params = meta.get("params", {})
            # an ensemble of runs (repeats) keeps each run under model.members.K.: the first
            prefix = "model.core.rnn." if any(k.startswith("model.core.rnn.") for k in tensors) \
                else "model.members.0.core.rnn."
            return cls.from_state_dict(tensors, params.get("cell", "lstm"), prefix)
        core = getattr(getattr(model, "model_", None), "core", None)
        if core is None:
            raise InputError(
                f"{type(model).__name__} has no fitted recurrent core. Pass a fitted rnnkit "
                "estimator, a saved model's path, or use from_torch(module)."
            )
        return cls.from_torch(core.rnn)

    def to_state_dict(self) -> dict[str, np.ndarray]:
        """Torch-named arrays, loadable into the matching torch module."""
        out = {}
        for layer, directions in enumerate(self.layers):
            for d, w in enumerate(directions):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                out.update({f"weight_ih{suffix}": w.w_ih, f"weight_hh{suffix}": w.w_hh,
                            f"bias_ih{suffix}": w.b_ih, f"bias_hh{suffix}": w.b_hh})
        return out
