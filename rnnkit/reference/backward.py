"""Backpropagation through time, written out by hand for RNN, LSTM and GRU stacks.

Every line is the derivative of one line of :mod:`rnnkit.reference.cells`; ``d_name`` is
∂loss/∂name. Gradients flow from the top layer down and, within a layer and direction,
from the last processed step back to the first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnkit.reference.cells import forward
from rnnkit.reference.weights import LayerWeights, RecurrentWeights


@dataclass
class ReferenceGrads:
    """Gradients of the loss, shaped like what they differentiate."""

    x: np.ndarray  # [B, T, X]
    h0: np.ndarray  # [L*D, B, H]
    c0: np.ndarray | None  # [L*D, B, H] for LSTM
    weights: RecurrentWeights  # dL/dW in the same structure as the weights


def _direction_backward(cell: str, nonlinearity: str, w: LayerWeights, x: np.ndarray,
                        trace: dict[str, np.ndarray], h0: np.ndarray, c0: np.ndarray | None,
                        d_out: np.ndarray, d_hT: np.ndarray, d_cT: np.ndarray | None,
                        reverse: bool):
    """One layer, one direction. Returns (d_x, d_h0, d_c0, LayerWeights of gradients)."""
    B, T, H = d_out.shape
    order = list(range(T - 1, -1, -1)) if reverse else list(range(T))
    d_xw = np.zeros((B, T, w.w_ih.shape[0]))  # ∂L/∂(W_ih x_t + b_ih) per step
    d_w_hh, d_b_hh = np.zeros_like(w.w_hh), np.zeros_like(w.b_hh)
    dh, dc = d_hT.copy(), None if d_cT is None else d_cT.copy()
    for k in range(T - 1, -1, -1):  # walk the processing order backwards
        t = order[k]
        h_prev = h0 if k == 0 else trace["h"][:, order[k - 1]]
        dh = dh + d_out[:, t]  # the step's output and the next step's recurrence
        if cell == "lstm":
            c_prev = c0 if k == 0 else trace["c"][:, order[k - 1]]
            i, f, g, o, c = (trace[n][:, t] for n in ("i", "f", "g", "o", "c"))
            tanh_c = np.tanh(c)
            d_o = dh * tanh_c  # h = o ⊙ tanh(c)
            dc = dc + dh * o * (1 - tanh_c**2)
            d_i, d_g, d_f = dc * g, dc * i, dc * c_prev  # c = f ⊙ c_prev + i ⊙ g
            dc = dc * f  # flows to c_prev
            dz = np.concatenate([
                d_i * i * (1 - i),  # σ' = σ (1 - σ)
                d_f * f * (1 - f),
                d_g * (1 - g**2),  # tanh' = 1 - tanh²
                d_o * o * (1 - o),
            ], axis=1)  # [B, 4H]: ∂L/∂ pre-activations
            d_gi, d_gh = dz, dz
            carry = 0.0  # h_prev reaches the loss only through the gates
        elif cell == "gru":
            r, z, n, hn = (trace[m][:, t] for m in ("r", "z", "n", "hn"))
            d_n = dh * (1 - z)  # h = (1 - z) ⊙ n + z ⊙ h_prev
            d_z = dh * (h_prev - n)
            d_an = d_n * (1 - n**2)  # n = tanh(a_n), a_n = gi_n + r ⊙ hn
            d_r = d_an * hn
            d_ar, d_az = d_r * r * (1 - r), d_z * z * (1 - z)
            d_gi = np.concatenate([d_ar, d_az, d_an], axis=1)  # [B, 3H]
            d_gh = np.concatenate([d_ar, d_az, d_an * r], axis=1)
            carry = dh * z  # and through the direct path z ⊙ h_prev
        else:
            h = trace["h"][:, t]
            d_a = dh * (1 - h**2) if nonlinearity == "tanh" else dh * (h > 0)
            d_gi, d_gh = d_a, d_a
            carry = 0.0
        d_xw[:, t] = d_gi
        d_w_hh += d_gh.T @ h_prev  # gh = W_hh h_prev + b_hh
        d_b_hh += d_gh.sum(axis=0)
        dh = carry + d_gh @ w.w_hh  # ∂L/∂h_prev
    d_w_ih = np.einsum("btg,btx->gx", d_xw, x)  # xw_t = W_ih x_t + b_ih, for every t
    d_b_ih = d_xw.sum(axis=(0, 1))
    d_x = d_xw @ w.w_ih
    return d_x, dh, dc, LayerWeights(d_w_ih, d_w_hh, d_b_ih, d_b_hh)


def backward(weights: RecurrentWeights, x: np.ndarray, grad_output: np.ndarray,
             grad_h_n: np.ndarray | None = None, grad_c_n: np.ndarray | None = None,
             h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> ReferenceGrads:
    """Gradients of a loss with respect to the inputs, initial states and every weight.

    Args:
        weights: the stack. x: its input. grad_output: ∂L/∂output.
        grad_h_n, grad_c_n: ∂L/∂h_n and ∂L/∂c_n (zeros if None). h0, c0: initial states.

    Shapes:
        x: ``[B, T, X]``; grad_output: ``[B, T, D*H]``; grad_h_n, grad_c_n, h0, c0:
        ``[L*D, B, H]``.
    """
    ref = forward(weights, x, h0, c0, return_trace=True)
    L, H = weights.num_layers, weights.hidden_size
    D, B = 2 if weights.bidirectional else 1, np.shape(x)[0]
    lstm = weights.cell == "lstm"
    zeros = np.zeros((L * D, B, H))
    h0 = zeros if h0 is None else np.asarray(h0, dtype=np.float64)
    c0 = (zeros if c0 is None else np.asarray(c0, dtype=np.float64)) if lstm else None
    grad_h_n = zeros if grad_h_n is None else np.asarray(grad_h_n, dtype=np.float64)
    grad_c_n = (zeros if grad_c_n is None else np.asarray(grad_c_n, dtype=np.float64)) \
        if lstm else None
    d_h0, d_c0 = np.zeros_like(zeros), np.zeros_like(zeros) if lstm else None
    grads: list[list[LayerWeights]] = [[None] * D for _ in range(L)]  # type: ignore[list-item]
    d_above = np.asarray(grad_output, dtype=np.float64)  # ∂L/∂(this layer's output)
    for layer in range(L - 1, -1, -1):
        d_input = np.zeros_like(ref.inputs[layer])
        for d in range(D):
            k = layer * D + d
            d_x, d_h0[k], dc, grads[layer][d] = _direction_backward(
                weights.cell, weights.nonlinearity, weights.layers[layer][d],
                ref.inputs[layer], ref.trace[layer][d], h0[k], None if c0 is None else c0[k],
                d_above[:, :, d * H : (d + 1) * H], grad_h_n[k],
                None if grad_c_n is None else grad_c_n[k], d == 1,
            )
            if lstm:
                d_c0[k] = dc
            d_input += d_x  # both directions read the same input
        d_above = d_input
    return ReferenceGrads(d_above, d_h0, d_c0,
                          RecurrentWeights(weights.cell, grads, weights.nonlinearity))
