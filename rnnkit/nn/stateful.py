"""A forecaster that reads a series once, step by step, and forecasts after every step.

Trained on long streams with the hidden state carried from one chunk to the next (truncated
backpropagation through time), it forecasts from the state it reached at the end of the
history and can continue that state over new observations without reading the past again.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rnnkit.errors import InputError
from rnnkit.nn.core import RecurrentCore, State
from rnnkit.nn.forecast import ForecastNetConfig, WindowNorm, head_extras, series_inputs
from rnnkit.nn.head import ForecastHead
from rnnkit.nn.summary import LayerCount, recurrent_layer_counts


class StatefulForecastNet(nn.Module):
    """Steps ``[B, T, F]`` (+ state) -> a forecast of the next ``horizon`` steps after each
    step ``[B, T, horizon, outputs]`` and the state after the last step.

    With ``window_norm="last"`` the network is level-free, like the window models: its target
    input is the change from the previous step (see :func:`step_inputs`) and each forecast is
    a change from that step's target value ``level``, added back; ``"none"`` reads and
    forecasts levels.

    Shapes:
        x: ``[B, T, F]``; series: ``[B]``; future: ``[B, T, horizon, C]`` (the covariates of
        the ``horizon`` steps after each step); state: ``(h, c)`` each ``[layers, B, hidden]``
        (LSTM) or ``h`` (RNN, GRU); level: ``[B, T]`` the target value at each step.
    """

    def __init__(self, config: ForecastNetConfig) -> None:
        super().__init__()
        rc = config.recurrent
        if rc.bidirectional or config.window_norm == "mean":
            raise InputError(
                "training='sequence' reads the series forwards, one step at a time: it takes "
                "bidirectional=False and window_norm 'last' or 'none'. Change those arguments, "
                "or use training='window'."
            )
        self.config = config
        self.norm = WindowNorm("none", rc.input_size, config.target_cols)  # for inspect
        self.core = RecurrentCore(rc)
        self.outputs = len(config.quantiles) or len(config.target_cols)
        self.series_inputs = series_inputs(config)
        self.head = ForecastHead(rc.hidden_size, config.horizon, self.outputs,
                                 config.future_size, self.series_inputs, bool(config.quantiles))

    def forward(self, x: torch.Tensor, series: torch.Tensor | None = None,
                future: torch.Tensor | None = None, state: State | None = None,
                level: torch.Tensor | None = None) -> tuple[torch.Tensor, State]:
        out, state = self.core(x, state=state)  # [B, T, H]
        ref = None if level is None else level[..., None, None]  # [B, T, 1, 1]
        return self.head(out, head_extras(self.series_inputs, series, future, out), ref), state

    def network_inputs(self, values: np.ndarray, previous: float = np.nan) -> np.ndarray:
        """What this network reads at each step of a scaled series ``[T, F]`` (see
        :func:`step_inputs`): the target's changes when it is level-free."""
        return step_inputs(values, reads_changes(self.config.window_norm), previous)

    def layer_counts(self) -> list[LayerCount]:
        extra = self.series_inputs.layer_counts(self.config.n_series) \
            if self.series_inputs else []
        return recurrent_layer_counts(self.config.recurrent) + extra + [
            self.head.layer_count("dense head (every step)")]

    @property
    def level_free(self) -> bool:
        """Whether each forecast is a change added back to the target value at its step."""
        return reads_changes(self.config.window_norm)


def reads_changes(window_norm: str) -> bool:
    """Whether a stateful network with this window normalisation reads the target's changes
    (window_norm "last", or "season" which a stateful network reads as "last": level-free,
    like the window models) rather than its levels."""
    return window_norm in ("last", "season")


def detach_state(state: State) -> State:
    """The same state cut from the graph: the next chunk starts from its values."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def step_inputs(values: np.ndarray, differenced: bool, previous: float = np.nan) -> np.ndarray:
    """What a stateful network reads at each step of a series ``[T, F]`` (scaled): with
    ``differenced`` the target column (0) becomes its change from the step before (0 at the
    series start, or from ``previous`` when the series continues), the rest unchanged."""
    if not differenced:
        return values
    out = values.copy()
    before = np.concatenate([[values[0, 0] if np.isnan(previous) else previous],
                             values[:-1, 0]])
    out[:, 0] = values[:, 0] - before
    return out
