"""Encoder-decoder forecaster: the decoder starts from the encoder's final state, is trained
with teacher forcing and feeds its own outputs back when it forecasts."""

from __future__ import annotations

import torch
from torch import nn

from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.core import RecurrentCore
from rnnkit.nn.forecast import ForecastNetConfig, WindowNorm, series_inputs
from rnnkit.nn.head import ForecastHead
from rnnkit.nn.summary import LayerCount, recurrent_layer_counts


class Seq2SeqNet(nn.Module):
    """Window ``[B, L, F]`` -> forecast ``[B, H, 1]`` one decoder step at a time.

    With ``teacher`` (``[B, H, 1]``: the value before each target step, scaled) the decoder
    reads the true previous values (teacher forcing, one fused pass); without it, it reads
    its own previous outputs. With ``attention`` each decoder step also reads a dot-product
    weighted mix of the encoder's outputs. Future covariates join the decoder's input at their
    step; the series' id vector and static covariates join the head at every step.

    Shapes:
        x: ``[B, L, F]``; series: ``[B]``; future: ``[B, H, C]``; teacher: ``[B, H, 1]``.
    """

    def __init__(self, config: ForecastNetConfig, attention: bool = False) -> None:
        super().__init__()
        self.config, self.attention = config, attention
        rc = config.recurrent
        # a decoder feeds each output back as the next step's change from the last value:
        # "season" is read as "last" here
        mode = "last" if config.window_norm == "season" else config.window_norm
        self.norm = WindowNorm(mode, rc.input_size, config.target_cols)
        self.core = RecurrentCore(replace_bidirectional(rc))  # the encoder
        self.decoder = RecurrentCore(self._decoder_config())
        width = rc.hidden_size * (2 if attention else 1)
        self.series_inputs = series_inputs(config)
        self.head = ForecastHead(width, 1, 1, 0, self.series_inputs, False)

    def _decoder_config(self) -> RecurrentConfig:
        rc = self.config.recurrent
        return RecurrentConfig(rc.cell, 1 + self.config.future_size, rc.hidden_size,
                               rc.num_layers, rc.dropout, False)

    def forward(self, x: torch.Tensor, series: torch.Tensor | None = None,
                future: torch.Tensor | None = None,
                teacher: torch.Tensor | None = None) -> torch.Tensor:
        x, level = self.norm(x)  # [B, L, F]
        encoded, state = self.core(x)  # [B, L, H], final state
        previous = x[:, -1:, :1]  # the last observed target: the first decoder input
        if teacher is not None:
            if level is not None:
                teacher = teacher - level
            steps = torch.cat([previous, teacher[:, :-1]], dim=1)  # [B, H, 1]: shifted by one
            if future is not None:
                steps = torch.cat([steps, future.to(steps.dtype)], dim=-1)  # [B, H, 1 + C]
            out, _ = self.decoder(steps, state=state)
            y = self._head(self._attend(out, encoded), series)  # [B, H, 1]
        else:
            outputs = []
            # as many steps as the future covariates given (a shorter forecast), else all
            steps = self.config.horizon if future is None else \
                min(self.config.horizon, future.shape[1])
            for k in range(steps):  # each step reads the previous output
                step = previous if future is None else \
                    torch.cat([previous, future[:, k : k + 1].to(previous.dtype)], dim=-1)
                out, state = self.decoder(step, state=state)  # [B, 1, H]
                previous = self._head(self._attend(out, encoded), series)  # [B, 1, 1]
                outputs.append(previous)
            y = torch.cat(outputs, dim=1)  # [B, H, 1]
        return y if level is None else y + level

    def _head(self, out: torch.Tensor, series: torch.Tensor | None) -> torch.Tensor:
        extras = [self.series_inputs(series, out)] if self.series_inputs is not None else []
        return self.head(out, extras, None)[..., 0, :]  # [B, H', 1]

    def _attend(self, out: torch.Tensor, encoded: torch.Tensor) -> torch.Tensor:
        if not self.attention:
            return out
        weights = torch.softmax(out @ encoded.transpose(1, 2), dim=-1)  # [B, H', L]
        return torch.cat([out, weights @ encoded], dim=-1)  # [B, H', 2H]

    def layer_counts(self) -> list[LayerCount]:
        rc = self.config.recurrent
        decoder = [LayerCount(f"decoder {r.name}", r.count, r.formula)
                   for r in recurrent_layer_counts(self._decoder_config())]
        extra = self.series_inputs.layer_counts(self.config.n_series) \
            if self.series_inputs else []
        return ([LayerCount(f"encoder {r.name}", r.count, r.formula)
                 for r in recurrent_layer_counts(replace_bidirectional(rc))]
                + decoder + extra + [self.head.layer_count("dense head (every step)")])


def replace_bidirectional(rc: RecurrentConfig) -> RecurrentConfig:
    """The encoder runs forwards only: its final state must be where the decoder starts."""
    return RecurrentConfig(rc.cell, rc.input_size, rc.hidden_size, rc.num_layers, rc.dropout,
                           False)
