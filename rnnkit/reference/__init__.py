"""A NumPy reference for RNN, LSTM and GRU stacks: forward, every gate, and hand-written BPTT.

It follows torch's gate order and bias convention exactly, so trained rnnkit models (and any
``torch.nn.RNN/LSTM/GRU``) can be run, inspected and differentiated by hand.

Example:
    >>> w = RecurrentWeights.from_torch(torch.nn.LSTM(1, 4, batch_first=True))
    >>> out = forward(w, x, return_trace=True)  # out.trace[0][0]["f"]: forget gate [B, T, 4]
"""

from __future__ import annotations

from rnnkit.reference.backward import ReferenceGrads, backward
from rnnkit.reference.cells import ReferenceOutput, forward, gru_step, lstm_step, rnn_step
from rnnkit.reference.weights import LayerWeights, RecurrentWeights

__all__ = [
    "LayerWeights",
    "RecurrentWeights",
    "ReferenceGrads",
    "ReferenceOutput",
    "backward",
    "forward",
    "gru_step",
    "lstm_step",
    "rnn_step",
]
