"""Whole-sequence models: a recurrent core, a summary over time, static covariates, a head."""

from __future__ import annotations

import torch
from torch import nn

from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.core import RecurrentCore
from rnnkit.nn.summary import LayerCount, dense_count, recurrent_layer_counts

SUMMARIES = ("last", "mean", "max", "attention")


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
    """

    def __init__(self, config: RecurrentConfig, n_outputs: int, summary: str = "last",
                 static_size: int = 0, input_dropout: float = 0.0, vocab_size: int = 0,
                 embedding_dim: int = 0, conv_channels: int = 0, conv_kernel: int = 3,
                 conv_pool: int = 1, input_features: int = 0) -> None:
        super().__init__()
        self.config, self.summary, self.static_size = config, summary, static_size
        # optional front ends, in order: token embedding, then a 1-D convolution (+ max pool)
        self.embed = nn.Embedding(vocab_size, embedding_dim, padding_idx=0) if vocab_size else None
        self.conv = None
        if conv_channels:
            width = embedding_dim if vocab_size else (input_features or config.input_size)
            self.conv = nn.Conv1d(width, conv_channels, conv_kernel, padding=conv_kernel // 2)
        self.conv_pool = conv_pool
        self.input_dropout = nn.Dropout(input_dropout)
        self.core = RecurrentCore(config)
        self.pool = AdditivePooling(config.output_size) if summary == "attention" else None
        self.head = nn.Linear(config.output_size + static_size, n_outputs)

    def front(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """What the recurrent core reads: ``[B, T', F']`` and the lengths after pooling.

        Padding stays zero through both front ends (the embedding's padding row is zero,
        the convolution pads with zeros), so it never changes a prediction.
        """
        if self.embed is not None:
            x = self.embed(x)  # [B, T] ids -> [B, T, E]
        if self.conv is not None:
            x = torch.relu(self.conv(x.transpose(1, 2)))  # [B, C, T]
            if self.conv_pool > 1:
                x = nn.functional.max_pool1d(x, self.conv_pool)  # [B, C, T // pool]
                lengths = torch.clamp(lengths // self.conv_pool, min=1)
            x = x.transpose(1, 2)  # [B, T', C]
        return x, lengths

    def encode(self, x: torch.Tensor, lengths: torch.Tensor, static: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The summary ``[B, D*H (+ S)]`` and, for attention, its weights ``[B, T']``."""
        x, lengths = self.front(x, lengths)
        out, final = self.core(self.input_dropout(x), lengths)  # [B, T, D*H]
        weights = None
        if self.summary == "last":
            summary = self.core.last_hidden(final)  # [B, D*H]
            return (torch.cat([summary, static], dim=1) if self.static_size else summary), None
        mask = torch.arange(x.shape[1], device=x.device)[None, :] < lengths.to(x.device)[:, None]
        if self.summary == "mean":
            summary = (out * mask[..., None]).sum(1) / lengths.to(out)[:, None]
        elif self.summary == "max":
            summary = out.masked_fill(~mask[..., None], float("-inf")).max(1).values
        else:
            summary, weights = self.pool(out, mask)
        if self.static_size:
            summary = torch.cat([summary, static], dim=1)  # the two-input model
        return summary, weights

    def forward(self, x: torch.Tensor, lengths: torch.Tensor,
                static: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.encode(x, lengths, static)[0])  # [B, K]

    def layer_counts(self) -> list[LayerCount]:
        rows = []
        if self.embed is not None:
            v, e = self.embed.num_embeddings, self.embed.embedding_dim
            rows.append(LayerCount("embedding", v * e, f"{v} x {e} = {v * e}"))
        if self.conv is not None:
            c, i, k = self.conv.out_channels, self.conv.in_channels, self.conv.kernel_size[0]
            n = c * (i * k + 1)
            rows.append(LayerCount("conv1d", n, f"{c} x ({i} x {k} + 1) = {n}"))
        rows += recurrent_layer_counts(self.config)
        if self.pool is not None:
            d = self.config.output_size
            rows.append(LayerCount("attention pooling", d * d + d + d,
                                   f"{d} x {d} + {d} + {d} = {d * d + 2 * d}"))
        return rows + [dense_count("dense head", self.config.output_size + self.static_size,
                                   self.head.out_features)]
