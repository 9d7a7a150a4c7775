"""The recurrent core: torch's fused RNN/LSTM/GRU behind one small module."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnkit.nn.config import RecurrentConfig

_TORCH_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
_FUNCTIONS = {"rnn": torch.rnn_tanh, "lstm": torch.lstm, "gru": torch.gru}  # one layer's kernel

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

    def outputs(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Per-step outputs of the top layer ``[B, T, D*H]`` of a padded batch, exact on each
        sequence's real steps (what follows a sequence's end is never read by it), without
        packing.

        A forward layer reads a padded batch as it is. A backward direction reads each
        sequence reversed within its own length (a gather), then its outputs are put back
        in time order: the packed kernels do the same work about twice as slowly on CPU.
        """
        if not self.config.bidirectional or lengths is None \
                or int(lengths.min()) == x.shape[1]:
            return self.rnn(x)[0]
        steps = torch.arange(x.shape[1], device=x.device)[None, :]
        last = lengths.to(x.device)[:, None] - 1
        reverse = torch.where(steps <= last, last - steps, steps)[..., None]  # [B, T, 1]
        function, rnn = _FUNCTIONS[self.config.cell], self.rnn
        hidden = rnn.hidden_size
        for layer in range(rnn.num_layers):
            if layer and rnn.dropout and self.training:
                x = nn.functional.dropout(x, rnn.dropout)
            halves = []
            for suffix in ("", "_reverse"):
                weights = [getattr(rnn, f"{w}_l{layer}{suffix}")
                           for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
                inputs = x.gather(1, reverse.expand(-1, -1, x.shape[2])) if suffix else x
                zero = x.new_zeros(1, x.shape[0], hidden)
                out = function(inputs, (zero, zero) if self.config.cell == "lstm" else zero,
                               weights, True, 1, 0.0, self.training, False, True)[0]
                halves.append(out.gather(1, reverse.expand(-1, -1, hidden)) if suffix else out)
            x = torch.cat(halves, dim=2)  # [B, T, 2H]
        return x

    def last_hidden(self, final: State) -> torch.Tensor:
        """The top layer's final hidden state, directions concatenated: ``[B, D*H]``.

        For the reverse direction this is its state after reading the whole sequence
        backwards (at t=0), which is what "the last step" means for a bidirectional layer.
        """
        h_n = final[0] if isinstance(final, tuple) else final  # [L*D, B, H]
        d = self.config.directions
        top = h_n[-d:]  # [D, B, H]
        return top.transpose(0, 1).reshape(h_n.shape[1], -1)  # [B, D*H]
