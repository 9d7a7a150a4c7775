"""Per-step classification: a recurrent core with a dense layer on every step's output."""

from __future__ import annotations

import torch
from torch import nn

from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.core import RecurrentCore
from rnnkit.nn.summary import LayerCount, dense_count, recurrent_layer_counts

IGNORE = -100  # target id of padded steps: cross-entropy skips them


class TaggerNet(nn.Module):
    """Sequences ``[B, T, F]`` (with optional lengths ``[B]``) -> ``[B, T, outputs]``: logits
    per class, or one value per step."""

    def __init__(self, config: RecurrentConfig, n_classes: int) -> None:
        super().__init__()
        self.config = config
        self.core = RecurrentCore(config)
        self.head = nn.Linear(config.output_size, n_classes)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        out = self.core.outputs(x, lengths)  # [B, T, D*H], exact on real steps
        return self.head(out)  # [B, T, C]

    def layer_counts(self) -> list[LayerCount]:
        return recurrent_layer_counts(self.config) + [
            dense_count("dense head (every step)", self.config.output_size,
                        self.head.out_features)]


def masked_cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the real (not padded) steps.

    Shapes:
        logits: ``[B, T, C]``; target: ``[B, T]`` class ids, ``IGNORE`` at padded steps.
    """
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                                       ignore_index=IGNORE)


def masked_mse(values: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the real steps (the target is NaN on padded steps).

    Shapes:
        values: ``[B, T, 1]``; target: ``[B, T]``.
    """
    real = ~torch.isnan(target)
    return ((values[..., 0][real] - target[real]) ** 2).mean()
