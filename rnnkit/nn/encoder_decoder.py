"""A general encoder-decoder over token sequences: an embedding and a recurrent encoder, a
recurrent decoder started from the encoder's final state, optional attention over the
encoder's outputs (Luong's, after the decoder: teacher-forced training decodes a whole batch
in one fused call), trained with teacher forcing, decoding greedily."""

from __future__ import annotations

import torch
from torch import nn

from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.core import RecurrentCore
from rnnkit.nn.summary import LayerCount, dense_count, recurrent_layer_counts

PAD, START, END = 0, 1, 2  # target ids; the source uses 0 for padding and 1 for unknown


class EncoderDecoder(nn.Module):
    """Source ids ``[B, S]`` (+ lengths ``[B]``) and decoder inputs ``[B, T]`` (start, then the
    target shifted by one) -> logits ``[B, T, n_target]``.

    Args:
        n_source, n_target: vocabulary sizes (ids included: padding, start, end, unknown).
        cell, embedding_dim, hidden_size, num_layers, dropout: the two recurrent stacks.
        attention: each decoder output attends to the encoder's outputs (a bilinear score,
            softmax over the source's real steps), the context joined to it before the head.
    """

    def __init__(self, n_source: int, n_target: int, cell: str = "lstm",
                 embedding_dim: int = 32, hidden_size: int = 64, num_layers: int = 1,
                 dropout: float = 0.0, attention: bool = True) -> None:
        super().__init__()
        self.attention = attention
        self.source_embed = nn.Embedding(n_source, embedding_dim, padding_idx=PAD)
        self.target_embed = nn.Embedding(n_target, embedding_dim, padding_idx=PAD)
        config = RecurrentConfig(cell, embedding_dim, hidden_size, num_layers, dropout, False)
        self.encoder, self.decoder = RecurrentCore(config), RecurrentCore(config)
        self.score = nn.Linear(hidden_size, hidden_size, bias=False) if attention else None
        self.combine = nn.Linear(2 * hidden_size, hidden_size) if attention else None
        self.head = nn.Linear(hidden_size, n_target)
        self.config = config

    def encode(self, source: torch.Tensor, lengths: torch.Tensor):
        """Encoder outputs ``[B, S, H]`` (zeros after each length), its final state, and the
        mask of real source steps ``[B, S]``."""
        outputs, state = self.encoder(self.source_embed(source), lengths)
        mask = torch.arange(source.shape[1], device=source.device)[None] \
            < lengths.to(source.device)[:, None]
        return outputs, state, mask

    def decode(self, inputs: torch.Tensor, state, memory: torch.Tensor, mask: torch.Tensor):
        """Logits ``[B, T, n_target]`` of decoder inputs ``[B, T]`` from ``state``, and the
        decoder's state after them."""
        out, state = self.decoder(self.target_embed(inputs), None, state)  # [B, T, H]
        if self.attention:
            scores = self.score(out) @ memory.transpose(1, 2)  # [B, T, S]
            weights = torch.softmax(scores.masked_fill(~mask[:, None, :], float("-inf")), -1)
            out = torch.tanh(self.combine(torch.cat([out, weights @ memory], dim=-1)))
        return self.head(out), state

    def forward(self, source: torch.Tensor, lengths: torch.Tensor,
                decoder_inputs: torch.Tensor) -> torch.Tensor:
        memory, state, mask = self.encode(source, lengths)
        return self.decode(decoder_inputs, state, memory, mask)[0]

    @torch.inference_mode()
    def greedy(self, source: torch.Tensor, lengths: torch.Tensor, max_length: int
               ) -> torch.Tensor:
        """The most probable next id, fed back, until every sequence has ended or
        ``max_length`` ids: ``[B, <= max_length]`` (``END`` then ``PAD`` after an end)."""
        memory, state, mask = self.encode(source, lengths)
        token = torch.full((source.shape[0], 1), START, dtype=torch.long, device=source.device)
        done = torch.zeros(source.shape[0], dtype=torch.bool, device=source.device)
        produced = []
        for _ in range(max_length):  # one step per output position: each needs the last
            logits, state = self.decode(token, state, memory, mask)
            token = logits[:, -1].argmax(-1, keepdim=True)  # [B, 1]
            token = token.masked_fill(done[:, None], PAD)
            produced.append(token)
            done |= token[:, 0] == END
            if bool(done.all()):
                break
        return torch.cat(produced, dim=1)

    def layer_counts(self) -> list[LayerCount]:
        rows = []
        for name, embed in (("source embedding", self.source_embed),
                            ("target embedding", self.target_embed)):
            v, e = embed.num_embeddings, embed.embedding_dim
            rows.append(LayerCount(name, v * e, f"{v} x {e} = {v * e}"))
        rows += [LayerCount(f"encoder {r.name}", r.count, r.formula)
                 for r in recurrent_layer_counts(self.config)]
        rows += [LayerCount(f"decoder {r.name}", r.count, r.formula)
                 for r in recurrent_layer_counts(self.config)]
        h = self.config.hidden_size
        if self.attention:
            rows.append(LayerCount("attention score", h * h, f"{h} x {h} = {h * h}"))
            rows.append(dense_count("attention combine", 2 * h, h))
        return rows + [dense_count("dense head", h, self.head.out_features)]
