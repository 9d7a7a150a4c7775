"""Whole-sequence models: a front end, a recurrent core, a summary over time, the sequence's
own numbers (static covariates, per-sequence levels), a head."""

from __future__ import annotations

import torch
from torch import nn

from rnnkit.nn.config import SequenceNetConfig
from rnnkit.nn.convolution import ConvBlocks, masked_mean, step_mask
from rnnkit.nn.core import RecurrentCore
from rnnkit.nn.summary import LayerCount, dense_count, recurrent_layer_counts


class AdditivePooling(nn.Module):
    """Additive attention over time steps: score_t = v · tanh(W o_t + b), softmax over real
    steps only.

    Shapes:
        outputs: ``[B, T, D]``; mask: ``[B, T]`` (True on real steps) -> ``[B, D]``, ``[B, T]``.
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.project = nn.Linear(size, size)
        self.score = nn.Linear(size, 1, bias=False)

    def forward(self, outputs: torch.Tensor, mask: torch.Tensor):
        scores = self.score(torch.tanh(self.project(outputs))).squeeze(-1)  # [B, T]
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)  # [B, T]
        return torch.bmm(weights.unsqueeze(1), outputs).squeeze(1), weights  # [B, D], [B, T]


class SequenceNet(nn.Module):
    """Sequences ``[B, T, F]`` (+ lengths ``[B]``, static ``[B, S]``) -> outputs ``[B, K]``.

    The summary ignores padding: "last" is each sequence's own last step (both directions),
    "mean" and "max" run over real steps only, "attention" gives padded steps zero weight.
    The core reads padded batches without packing (see :meth:`RecurrentCore.outputs`).
    """

    def __init__(self, config: SequenceNetConfig) -> None:
        super().__init__()
        self.config = c = config
        self.summary, self.static_size = c.summary, c.static_size
        # front ends, in order: token embedding, then convolution(s) (+ max pool)
        # sparse gradients: a step updates the batch's rows only (see rnnkit.train.adam)
        self.embed = nn.Embedding(c.vocab_size, c.embedding_dim, padding_idx=0, sparse=True) \
            if c.vocab_size else None
        width = c.embedding_dim if c.vocab_size else c.input_features
        self.conv = nn.Conv1d(width, c.conv_channels, c.conv_kernel,
                              padding=c.conv_kernel // 2) if c.front_end == "conv" else None
        self.blocks = ConvBlocks(width, c.fcn_channels, c.fcn_kernels, c.stride) \
            if c.front_end == "fcn" else None
        self.conv_pool = c.conv_pool
        self.input_dropout = nn.Dropout(c.input_dropout)
        self.core = RecurrentCore(c.recurrent)
        self.pool = AdditivePooling(c.recurrent.output_size) if c.summary == "attention" else None
        self.dropout = nn.Dropout(c.dropout)
        self.head = nn.Linear(c.summary_width, c.n_outputs)

    def front(self, x: torch.Tensor, lengths: torch.Tensor
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """What the recurrent core reads ``[B, T', F']``, its lengths, and the fcn blocks'
        average over time ``[B, C]`` (None without them).

        Padding stays zero through every front end (the embedding's padding row is zero, the
        convolutions pad with zeros and are masked), so it never changes a prediction.
        """
        pooled = None
        if self.embed is not None:
            x = self.embed(x)  # [B, T] ids -> [B, T, E]
        if self.conv is not None:
            x = torch.relu(self.conv(x.transpose(1, 2)))  # [B, C, T]
            # zero on padded steps (a convolution there reads the real steps beside it)
            x = (x * step_mask(lengths, x.shape[2], x.device)).transpose(1, 2)  # [B, T, C]
        if self.blocks is not None:
            x, lengths = self.blocks(x, lengths)  # [B, T', C]
            pooled = masked_mean(x, lengths)  # [B, C]: FCN's global average pooling
        if self.conv_pool > 1 and (self.conv is not None or self.blocks is not None):
            # ceil_mode keeps a short sequence's last steps; padding is 0 after a ReLU,
            # so a max over a window that mixes real and padded steps is the real steps' max
            if x.shape[1] < self.conv_pool:  # a batch shorter than one window: one window
                x = nn.functional.pad(x, (0, 0, 0, self.conv_pool - x.shape[1]))
            x = nn.functional.max_pool1d(x.transpose(1, 2), self.conv_pool,
                                         ceil_mode=self.blocks is not None).transpose(1, 2)
            if self.blocks is not None:
                lengths = torch.div(lengths + self.conv_pool - 1, self.conv_pool,
                                    rounding_mode="floor")
            else:
                lengths = torch.clamp(lengths // self.conv_pool, min=1)
        return x, lengths, pooled

    def encode(self, x: torch.Tensor, lengths: torch.Tensor, static: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The summary ``[B, D*H (+ C) (+ S)]`` and, for attention, its weights ``[B, T']``."""
        x, lengths, pooled = self.front(x, lengths)
        x = self.input_dropout(x)
        weights = None
        steps = x.shape[1]
        mask = torch.arange(steps, device=x.device)[None, :] < lengths.to(x.device)[:, None]
        out = self.core.outputs(x, lengths)  # [B, T, D*H], exact on real steps
        if self.summary == "last":  # forward: its last real step; backward: its first
            last = (lengths.to(out.device) - 1)[:, None, None].expand(-1, 1, out.shape[2])
            summary = out.gather(1, last)[:, 0]  # a gather, so an exported graph keeps it
            if self.core.config.bidirectional:
                half = self.core.config.hidden_size
                summary = torch.cat([summary[:, :half], out[:, 0, half:]], dim=1)  # [B, 2H]
        elif self.summary == "mean":
            summary = (out * mask[..., None]).sum(1) / lengths.to(out)[:, None]
        elif self.summary == "max":
            summary = out.masked_fill(~mask[..., None], float("-inf")).max(1).values
        else:
            summary, weights = self.pool(out, mask)
        parts = [summary] + ([pooled] if pooled is not None else [])
        if self.static_size:
            parts.append(static)  # the two-input model
        return torch.cat(parts, dim=1) if len(parts) > 1 else summary, weights

    def forward(self, x: torch.Tensor, lengths: torch.Tensor,
                static: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.dropout(self.encode(x, lengths, static)[0]))  # [B, K]

    def layer_counts(self) -> list[LayerCount]:
        rows = []
        if self.embed is not None:
            v, e = self.embed.num_embeddings, self.embed.embedding_dim
            rows.append(LayerCount("embedding", v * e, f"{v} x {e} = {v * e}"))
        if self.conv is not None:
            c, i, k = self.conv.out_channels, self.conv.in_channels, self.conv.kernel_size[0]
            n = c * (i * k + 1)
            rows.append(LayerCount("conv1d", n, f"{c} x ({i} x {k} + 1) = {n}"))
        if self.blocks is not None:
            rows += [LayerCount(*row) for row in self.blocks.layer_counts()]
        rows += recurrent_layer_counts(self.core.config)
        if self.pool is not None:
            d = self.core.config.output_size
            rows.append(LayerCount("attention pooling", d * d + d + d,
                                   f"{d} x {d} + {d} + {d} = {d * d + 2 * d}"))
        return rows + [dense_count("dense head", self.config.summary_width,
                                   self.head.out_features)]

