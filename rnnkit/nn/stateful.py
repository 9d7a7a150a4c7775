"""A forecaster that reads a series once, step by step, and forecasts after every step.

Trained on long streams with the hidden state carried from one chunk to the next (truncated
backpropagation through time), it forecasts from the state it reached at the end of the
history and can continue that state over new observations without reading the past again.
"""

from __future__ import annotations

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

    With ``window_norm="last"`` each step's forecast is a change from that step's target
    value (the trend-proof choice of the window models); ``"none"`` forecasts levels.

    Shapes:
        x: ``[B, T, F]``; series: ``[B]``; future: ``[B, T, horizon, C]`` (the covariates of
        the ``horizon`` steps after each step); state: ``(h, c)`` each ``[layers, B, hidden]``
        (LSTM) or ``h`` (RNN, GRU).
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
        self.register_buffer("cols", torch.tensor(config.target_cols), persistent=False)

    def forward(self, x: torch.Tensor, series: torch.Tensor | None = None,
                future: torch.Tensor | None = None, state: State | None = None
                ) -> tuple[torch.Tensor, State]:
        out, state = self.core(x, state=state)  # [B, T, H]
        level = None
        if self.config.window_norm == "last":
            level = x.index_select(2, self.cols).unsqueeze(2)  # [B, T, 1, nt]
        return self.head(out, head_extras(self.series_inputs, series, future, out), level), state

    def layer_counts(self) -> list[LayerCount]:
        extra = self.series_inputs.layer_counts(self.config.n_series) \
            if self.series_inputs else []
        return recurrent_layer_counts(self.config.recurrent) + extra + [
            self.head.layer_count("dense head (every step)")]


def detach_state(state: State) -> State:
    """The same state cut from the graph: the next chunk starts from its values."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()
