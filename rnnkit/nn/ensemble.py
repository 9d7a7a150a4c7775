"""Several independently trained networks answering as one (mean or median)."""

from __future__ import annotations

import torch
from torch import nn

REDUCTIONS = ("mean", "median")


class Ensemble(nn.Module):
    """Runs every member on the same input and reduces their outputs.

    Shapes:
        x: whatever the members take -> the members' output shape (reduced over members).
    """

    def __init__(self, members: list[nn.Module], reduce: str = "mean") -> None:
        super().__init__()
        self.members = nn.ModuleList(members)
        self.reduce = reduce
        self.config = getattr(members[0], "config", None)

    @property
    def core(self) -> nn.Module:
        """The first run's recurrent core: what ``inspect`` shows."""
        return self.members[0].core

    @property
    def norm(self) -> nn.Module:
        return self.members[0].norm

    def forward_members(self, *inputs: torch.Tensor) -> torch.Tensor:
        """Every member's output, stacked: ``[M, ...]``."""
        return torch.stack([m(*inputs) for m in self.members])

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        outputs = self.forward_members(*inputs)
        return outputs.mean(0) if self.reduce == "mean" else outputs.median(0).values

    def layer_counts(self):
        return self.members[0].layer_counts()
