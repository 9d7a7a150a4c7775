"""The recurrent core: torch's fused RNN/LSTM/GRU behind one small module."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnkit.nn.config import RecurrentConfig

_TORCH_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


class RecurrentCore(nn.Module):
    """A stack of recurrent layers over batch-first sequences.

    Uses torch's fused kernels (cuDNN on a GPU, oneDNN/ATen on CPU): no Python loop over time.

    Shapes:
        x: ``[B, T, input_size]``; lengths: ``[B]`` (optional, for padded batches).
        outputs: ``[B, T, directions * hidden_size]``.
        summary (last state of the top layer, both directions): ``[B, directions * hidden_size]``.
    """

    def __init__(self, config: RecurrentConfig) -> None:
        super().__init__()
        self.config = config
        kwargs = {}
        if config.cell == "rnn":
            kwargs["nonlinearity"] = "tanh"
        self.rnn = _TORCH_CELLS[config.cell](
            input_size=config.input_size,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
            bidirectional=config.bidirectional,
            batch_first=True,
            **kwargs,
        )

    def forward(
        self,
        x: torch.Tensor,
        lengths: torch.Tensor | None = None,
        state: State | None = None,
    ) -> tuple[torch.Tensor, State]:
        """Run the stack. Returns per-step outputs and the final state (h_n, or (h_n, c_n))."""
        if lengths is None or int(lengths.min()) == x.shape[1]:  # nothing padded: no packing
            return self.rnn(x, state)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, final = self.rnn(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out, final

    def last_hidden(self, final: State) -> torch.Tensor:
        """The top layer's final hidden state, directions concatenated: ``[B, D*H]``.

        For the reverse direction this is its state after reading the whole sequence
        backwards (at t=0), which is what "the last step" means for a bidirectional layer.
        """
        h_n = final[0] if isinstance(final, tuple) else final  # [L*D, B, H]
        d = self.config.directions
        top = h_n[-d:]  # [D, B, H]
        return top.transpose(0, 1).reshape(h_n.shape[1], -1)  # [B, D*H]
