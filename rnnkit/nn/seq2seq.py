"""Encoder-decoder forecaster: the decoder starts from the encoder's final state, is trained
with teacher forcing and feeds its own outputs back when it forecasts."""

from __future__ import annotations

import torch
from torch import nn

from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.core import RecurrentCore
from rnnkit.nn.forecast import ForecastNetConfig, WindowNorm
from rnnkit.nn.summary import LayerCount, dense_count, recurrent_layer_counts


class Seq2SeqNet(nn.Module):
    """Window ``[B, L, F]`` -> forecast ``[B, H, 1]`` one decoder step at a time.

    With ``teacher`` (``[B, H, 1]``: the value before each target step, scaled) the decoder
    reads the true previous values (teacher forcing, one fused pass); without it, it reads
    its own previous outputs. With ``attention`` each decoder step also reads a dot-product
    weighted mix of the encoder's outputs.
    """

    def __init__(self, config: ForecastNetConfig, attention: bool = False) -> None:
        super().__init__()
        self.config, self.attention = config, attention
        rc = config.recurrent
        self.norm = WindowNorm(config.window_norm, rc.input_size, config.target_cols)
        self.core = RecurrentCore(replace_bidirectional(rc))  # the encoder
        self.decoder = RecurrentCore(RecurrentConfig(rc.cell, 1, rc.hidden_size,
                                                     rc.num_layers, rc.dropout, False))
        width = rc.hidden_size * (2 if attention else 1)
        self.head = nn.Linear(width, 1)

    def forward(self, x: torch.Tensor, teacher: torch.Tensor | None = None) -> torch.Tensor:
        x, level = self.norm(x)  # [B, L, F]
        encoded, state = self.core(x)  # [B, L, H], final state
        previous = x[:, -1:, :1]  # the last observed target: the first decoder input
        if teacher is not None:
            if level is not None:
                teacher = teacher - level
            steps = torch.cat([previous, teacher[:, :-1]], dim=1)  # [B, H, 1]: shifted by one
            out, _ = self.decoder(steps, state=state)
            y = self.head(self._attend(out, encoded))  # [B, H, 1]
        else:
            outputs = []
            for _ in range(self.config.horizon):  # each step reads the previous output
                out, state = self.decoder(previous, state=state)  # [B, 1, H]
                previous = self.head(self._attend(out, encoded))  # [B, 1, 1]
                outputs.append(previous)
            y = torch.cat(outputs, dim=1)  # [B, H, 1]
        return y if level is None else y + level

    def _attend(self, out: torch.Tensor, encoded: torch.Tensor) -> torch.Tensor:
        if not self.attention:
            return out
        weights = torch.softmax(out @ encoded.transpose(1, 2), dim=-1)  # [B, H', L]
        return torch.cat([out, weights @ encoded], dim=-1)  # [B, H', 2H]

    def layer_counts(self) -> list[LayerCount]:
        rc = self.config.recurrent
        decoder = [LayerCount(f"decoder {r.name}", r.count, r.formula) for r in
                   recurrent_layer_counts(RecurrentConfig(rc.cell, 1, rc.hidden_size,
                                                          rc.num_layers, 0.0, False))]
        width = rc.hidden_size * (2 if self.attention else 1)
        return ([LayerCount(f"encoder {r.name}", r.count, r.formula)
                 for r in recurrent_layer_counts(replace_bidirectional(rc))]
                + decoder + [dense_count("dense head (every step)", width, 1)])


def replace_bidirectional(rc: RecurrentConfig) -> RecurrentConfig:
    """The encoder runs forwards only: its final state must be where the decoder starts."""
    return RecurrentConfig(rc.cell, rc.input_size, rc.hidden_size, rc.num_layers, rc.dropout,
                           False)
