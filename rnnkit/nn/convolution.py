"""Convolutional front ends over time: the fully convolutional blocks of FCN / LSTM-FCN
(Wang et al. 2017; Karim et al. 2017, 2019) and the single convolution of the CNN+LSTM
tutorials, both blind to padding.

Padding never changes a prediction: after every block the padded steps are set back to zero
(a "same" convolution pads a sequence's end with zeros too, so a real step near the end sees
the same numbers whatever follows it), and batch normalisation computes its statistics over
real steps only.
"""

from __future__ import annotations

import torch
from torch import nn


def step_mask(lengths: torch.Tensor, steps: int, device: torch.device) -> torch.Tensor:
    """``[B, 1, T]`` float: 1 on real steps."""
    return (torch.arange(steps, device=device)[None, :]
            < lengths.to(device)[:, None]).unsqueeze(1).float()


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch normalisation over channels whose training statistics ignore padded steps.

    Shapes:
        x: ``[B, C, T]``; mask: ``[B, 1, T]`` or None (nothing padded).
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if mask is None or not self.training:
            return super().forward(x)  # eval: a per-step affine map, padding cannot leak
        n = mask.sum()
        mean = (x * mask).sum(dim=(0, 2)) / n  # [C]
        var = (((x - mean[None, :, None]) * mask) ** 2).sum(dim=(0, 2)) / n
        with torch.no_grad():
            m = self.momentum
            self.running_mean.mul_(1 - m).add_(mean.detach(), alpha=m)
            self.running_var.mul_(1 - m).add_(var.detach() * n / max(float(n) - 1, 1.0), alpha=m)
            self.num_batches_tracked.add_(1)
        y = (x - mean[None, :, None]) / torch.sqrt(var[None, :, None] + self.eps)
        return y * self.weight[None, :, None] + self.bias[None, :, None]


class ConvBlocks(nn.Module):
    """Blocks of (1-D convolution with "same" padding, batch normalisation, ReLU).

    The default (64, 128, 64) channels with kernels (7, 5, 3) is FCN's design at half its
    width (128, 256, 128 with kernels 8, 5, 3): odd kernels keep every output centred on its
    step, and the half width costs a quarter of the arithmetic for the same accuracy on the
    dev suite's problems. The first block can stride (``stride`` > 1) to shorten long
    sequences before the rest of the network reads them.

    Shapes:
        x: ``[B, T, F]``; lengths ``[B]`` -> (``[B, T', C]`` zeros on padding, lengths ``[B]``).
    """

    def __init__(self, in_features: int, channels: tuple[int, ...] = (64, 128, 64),
                 kernels: tuple[int, ...] = (7, 5, 3), stride: int = 1) -> None:
        super().__init__()
        self.stride = stride
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        width = in_features
        for k, (c, kernel) in enumerate(zip(channels, kernels, strict=True)):
            s = stride if k == 0 else 1
            self.convs.append(nn.Conv1d(width, c, kernel, stride=s, padding=kernel // 2))
            self.norms.append(MaskedBatchNorm1d(c))
            width = c
        self.out_features = width

    def forward(self, x: torch.Tensor, lengths: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        h = x.transpose(1, 2)  # [B, F, T]
        padded = int(lengths.min()) < x.shape[1]
        for k, (conv, norm) in enumerate(zip(self.convs, self.norms, strict=True)):
            h = conv(h)  # [B, C, T']
            if k == 0 and self.stride > 1:
                lengths = torch.div(lengths + self.stride - 1, self.stride, rounding_mode="floor")
            mask = step_mask(lengths, h.shape[2], h.device) if padded else None
            h = torch.relu(norm(h, mask))
            if mask is not None:
                h = h * mask
        return h.transpose(1, 2), lengths  # [B, T', C]

    def layer_counts(self) -> list[tuple[str, int, str]]:
        rows = []
        for k, conv in enumerate(self.convs, start=1):
            c, i, w = conv.out_channels, conv.in_channels, conv.kernel_size[0]
            n = c * (i * w + 1)
            rows.append((f"conv block {k}", n + 2 * c,
                         f"{c} x ({i} x {w} + 1) + 2 x {c} (batch norm) = {n + 2 * c}"))
        return rows


def masked_mean(h: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Mean over each sequence's real steps: ``[B, T, C]`` -> ``[B, C]`` (global average
    pooling that ignores padding)."""
    mask = step_mask(lengths, h.shape[1], h.device).transpose(1, 2)  # [B, T, 1]
    return (h * mask).sum(1) / lengths.to(h)[:, None]
