"""RNN, LSTM and GRU forward passes in plain NumPy, gate by gate, as torch computes them.

Each gate is one line with its equation beside it; x W^T is written ``x @ w.T``. torch
keeps two bias vectors per gate block (``b_ih`` and ``b_hh``); both appear below. The input
projection of all time steps is one matrix product up front; only the recurrence loops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnnkit.reference.weights import LayerWeights, RecurrentWeights

Trace = dict[str, np.ndarray]


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^-a), computed without overflow for large |a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def rnn_step(xw: np.ndarray, h: np.ndarray, w: LayerWeights, nonlinearity: str = "tanh"):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh); ``xw`` is ``W_ih x + b_ih``.

    Shapes:
        xw: ``[B, H]``; h: ``[B, H]`` -> h' ``[B, H]``.
    """
    a = xw + h @ w.w_hh.T + w.b_hh
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


def lstm_step(xw: np.ndarray, h: np.ndarray, c: np.ndarray, w: LayerWeights):
    """One LSTM step; ``xw`` is ``W_ih x + b_ih`` (all four blocks).

    Shapes:
        xw: ``[B, 4H]``; h, c: ``[B, H]`` -> h', c' ``[B, H]`` and the gates ``[B, H]`` each.
    """
    H = h.shape[1]
    z = xw + h @ w.w_hh.T + w.b_hh  # W_i* x + b_i* + W_h* h + b_h*, blocks i f g o
    i = sigmoid(z[:, :H])  # input gate      i = σ(W_ii x + b_ii + W_hi h + b_hi)
    f = sigmoid(z[:, H : 2 * H])  # forget gate f = σ(W_if x + b_if + W_hf h + b_hf)
    g = np.tanh(z[:, 2 * H : 3 * H])  # candidate g = tanh(W_ig x + b_ig + W_hg h + b_hg)
    o = sigmoid(z[:, 3 * H :])  # output gate    o = σ(W_io x + b_io + W_ho h + b_ho)
    c = f * c + i * g  # cell state           c' = f ⊙ c + i ⊙ g
    h = o * np.tanh(c)  # hidden state        h' = o ⊙ tanh(c')
    return h, c, {"i": i, "f": f, "g": g, "o": o}


def gru_step(xw: np.ndarray, h: np.ndarray, w: LayerWeights):
    """One GRU step; ``xw`` is ``W_ih x + b_ih`` (blocks r, z, n).

    Shapes:
        xw: ``[B, 3H]``; h: ``[B, H]`` -> h' ``[B, H]`` and the gates ``[B, H]`` each.
    """
    H = h.shape[1]
    hw = h @ w.w_hh.T + w.b_hh  # W_h* h + b_h*
    r = sigmoid(xw[:, :H] + hw[:, :H])  # reset gate   r = σ(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(xw[:, H : 2 * H] + hw[:, H : 2 * H])  # update  z = σ(W_iz x + b_iz + W_hz h + b_hz)
    # candidate  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    n = np.tanh(xw[:, 2 * H :] + r * hw[:, 2 * H :])
    h = (1 - z) * n + z * h  # new state             h' = (1 - z) ⊙ n + z ⊙ h
    return h, {"r": r, "z": z, "n": n, "hn": hw[:, 2 * H :]}


@dataclass
class ReferenceOutput:
    """What :func:`forward` returns.

    Attributes:
        output: ``[B, T, D*H]`` top layer outputs, directions concatenated (torch's layout).
        h_n: ``[L*D, B, H]``; c_n: the same for LSTM, else None.
        trace: ``trace[layer][direction]`` -> name -> ``[B, T, H]`` in the sequence's own
            time order (also for the reverse direction): ``h``, ``c`` (LSTM), the gates
            (LSTM i f g o; GRU r z n and ``hn`` = W_hn h + b_hn), and ``inputs[layer]``
            ``[B, T, X_layer]`` the layer's inputs. Empty unless asked for.
    """

    output: np.ndarray
    h_n: np.ndarray
    c_n: np.ndarray | None
    trace: list[list[Trace]] = field(default_factory=list)
    inputs: list[np.ndarray] = field(default_factory=list)


def run_direction(weights: RecurrentWeights, w: LayerWeights, x: np.ndarray, h0: np.ndarray,
                  c0: np.ndarray | None, reverse: bool, lengths: np.ndarray | None = None):
    """One layer, one direction. Returns (outputs ``[B, T, H]``, h_T, c_T, trace).

    With ``lengths`` a sequence's state is frozen past its end (and, running in reverse,
    stays at its initial value until its last valid step), as torch's packed sequences do.
    """
    B, T, _ = x.shape
    xw = x @ w.w_ih.T + w.b_ih  # [B, T, G*H]: the input projection of every step at once
    h, c = h0, c0
    names = {"lstm": ("h", "c", "i", "f", "g", "o"), "gru": ("h", "r", "z", "n", "hn"),
             "rnn": ("h",)}[weights.cell]
    trace = {name: np.zeros((B, T, h0.shape[1])) for name in names}
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        if weights.cell == "lstm":
            h_new, c_new, gates = lstm_step(xw[:, t], h, c, w)
        elif weights.cell == "gru":
            h_new, gates = gru_step(xw[:, t], h, w)
            c_new = None
        else:
            h_new, gates, c_new = rnn_step(xw[:, t], h, w, weights.nonlinearity), {}, None
        if lengths is not None:
            live = (t < lengths)[:, None]  # [B, 1]
            h_new = np.where(live, h_new, h)
            c_new = None if c is None else np.where(live, c_new, c)
        h, c = h_new, c_new
        trace["h"][:, t] = h
        if c is not None:
            trace["c"][:, t] = c
        for name, value in gates.items():
            trace[name][:, t] = value
    out = trace["h"]
    if lengths is not None:  # padded steps output zeros, as pad_packed_sequence does
        out = out * (np.arange(T) < lengths[:, None])[..., None]
    return out, h, c, trace


def forward(weights: RecurrentWeights, x: np.ndarray, h0: np.ndarray | None = None,
            c0: np.ndarray | None = None, lengths: np.ndarray | None = None,
            return_trace: bool = False) -> ReferenceOutput:
    """The whole stack over a batch-first sequence, in eval mode (no dropout).

    Args:
        weights: the stack's weights.
        x: inputs. h0, c0: initial states (zeros if None). lengths: valid steps per sequence.
        return_trace: keep every state and gate at every step.

    Shapes:
        x: ``[B, T, X]``; h0, c0: ``[L*D, B, H]``; lengths: ``[B]``.
    """
    x = np.asarray(x, dtype=np.float64)
    B, H, D = x.shape[0], weights.hidden_size, 2 if weights.bidirectional else 1
    L = weights.num_layers
    h0 = np.zeros((L * D, B, H)) if h0 is None else np.asarray(h0, dtype=np.float64)
    if weights.cell == "lstm":
        c0 = np.zeros((L * D, B, H)) if c0 is None else np.asarray(c0, dtype=np.float64)
    else:
        c0 = None  # only an LSTM has a cell state: a c0 given beside a GRU or RNN is unused
    if lengths is not None:  # a list, or the tensor given to pack_padded_sequence
        lengths = np.asarray(lengths, dtype=np.int64).reshape(-1)
    h_n, c_n, traces, inputs = [], [], [], []
    layer_input = x
    for layer in range(L):
        outs, layer_traces = [], []
        for d in range(D):
            k = layer * D + d
            out, h, c, trace = run_direction(weights, weights.layers[layer][d], layer_input,
                                             h0[k], None if c0 is None else c0[k], d == 1, lengths)
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
            layer_traces.append(trace)
        inputs.append(layer_input)
        traces.append(layer_traces)
        layer_input = np.concatenate(outs, axis=2)  # [B, T, D*H]
    return ReferenceOutput(
        output=layer_input, h_n=np.stack(h_n),
        c_n=np.stack(c_n) if weights.cell == "lstm" else None,
        trace=traces if return_trace else [], inputs=inputs if return_trace else [],
    )
