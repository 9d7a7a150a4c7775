from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnkit.reference import RecurrentWeights, backward, forward

TORCH = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
CASES = [(cell, layers, bi) for cell in TORCH for layers in (1, 2) for bi in (False, True)]


def _module(cell, layers, bi, x_size=3, hidden=5, seed=0):
    torch.manual_seed(seed)
    return TORCH[cell](x_size, hidden, layers, batch_first=True, bidirectional=bi).double()


def _state(cell, layers, bi, batch=4, hidden=5, seed=1):
    g = torch.Generator().manual_seed(seed)
    shape = (layers * (2 if bi else 1), batch, hidden)
    h0 = torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)
    return h0, c0


@pytest.mark.parametrize("cell,layers,bi", CASES)
def test_forward_matches_torch(cell, layers, bi):
    m = _module(cell, layers, bi).eval()
    x = torch.randn(4, 7, 3, dtype=torch.float64)
    h0, c0 = _state(cell, layers, bi)
    out, state = m(x, (h0, c0) if cell == "lstm" else h0)
    ref = forward(RecurrentWeights.from_torch(m), x.numpy(), h0.detach().numpy(),
                  c0.detach().numpy(), return_trace=True)
    h_n = state[0] if cell == "lstm" else state
    np.testing.assert_allclose(ref.output, out.detach().numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(ref.h_n, h_n.detach().numpy(), rtol=1e-6, atol=1e-12)
    if cell == "lstm":
        np.testing.assert_allclose(ref.c_n, state[1].detach().numpy(), rtol=1e-6, atol=1e-12)
        t = ref.trace[0][0]  # c_t = f c_{t-1} + i g, step by step
        np.testing.assert_allclose(t["c"][:, 1:], t["f"][:, 1:] * t["c"][:, :-1]
                                   + t["i"][:, 1:] * t["g"][:, 1:], rtol=1e-12)
    # the trace's last forward state is h_n of the top layer
    top = (layers - 1) * (2 if bi else 1)
    np.testing.assert_array_equal(ref.trace[-1][0]["h"][:, -1], ref.h_n[top])


@pytest.mark.parametrize("cell,layers,bi", CASES)
def test_gradients_match_autograd(cell, layers, bi):
    m = _module(cell, layers, bi)
    x = torch.randn(4, 6, 3, dtype=torch.float64, requires_grad=True)
    h0, c0 = _state(cell, layers, bi)
    out, state = m(x, (h0, c0) if cell == "lstm" else h0)
    g = torch.Generator().manual_seed(2)
    r_out = torch.randn(out.shape, generator=g, dtype=torch.float64)
    r_h = torch.randn(h0.shape, generator=g, dtype=torch.float64)
    r_c = torch.randn(h0.shape, generator=g, dtype=torch.float64)
    h_n = state[0] if cell == "lstm" else state
    loss = (out * r_out).sum() + (h_n * r_h).sum()
    if cell == "lstm":
        loss = loss + (state[1] * r_c).sum()
    loss.backward()
    grads = backward(RecurrentWeights.from_torch(m), x.detach().numpy(), r_out.numpy(),
                     r_h.numpy(), r_c.numpy() if cell == "lstm" else None,
                     h0.detach().numpy(), c0.detach().numpy() if cell == "lstm" else None)
    np.testing.assert_allclose(grads.x, x.grad.numpy(), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(grads.h0, h0.grad.numpy(), rtol=1e-6, atol=1e-10)
    if cell == "lstm":
        np.testing.assert_allclose(grads.c0, c0.grad.numpy(), rtol=1e-6, atol=1e-10)
    ours = grads.weights.to_state_dict()
    for name, p in m.named_parameters():
        np.testing.assert_allclose(ours[name], p.grad.numpy(), rtol=1e-6, atol=1e-10,
                                   err_msg=name)


@pytest.mark.parametrize("cell", list(TORCH))
def test_gradients_pass_a_finite_difference_check(cell):
    w = RecurrentWeights.from_torch(_module(cell, 1, False, x_size=3, hidden=2))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 3))
    r = rng.normal(size=(2, 4, 2))

    def loss(weights, inputs):
        return float((forward(weights, inputs).output * r).sum())

    grads = backward(w, x, r)
    eps = 1e-6
    for name, index in [("w_ih", (1, 2)), ("w_hh", (0, 1)), ("b_hh", (1,)), ("b_ih", (0,))]:
        array = getattr(w.layers[0][0], name)
        old = array[index]
        array[index] = old + eps
        up = loss(w, x)
        array[index] = old - eps
        down = loss(w, x)
        array[index] = old
        numeric = (up - down) / (2 * eps)
        assert getattr(grads.weights.layers[0][0], name)[index] == pytest.approx(numeric,
                                                                                 rel=1e-6, abs=1e-8)
    for index in [(0, 0, 0), (1, 3, 2)]:
        bumped = x.copy()
        bumped[index] += eps
        up = loss(w, bumped)
        bumped[index] -= 2 * eps
        numeric = (up - loss(w, bumped)) / (2 * eps)
        assert grads.x[index] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("cell", list(TORCH))
def test_variable_lengths_match_packed_sequences(cell):
    m = _module(cell, 2, True).eval()
    x = torch.randn(3, 6, 3, dtype=torch.float64)
    lengths = torch.tensor([6, 2, 4])
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, state = m(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=6)
    ref = forward(RecurrentWeights.from_torch(m), x.numpy(), lengths=lengths.numpy())
    h_n = state[0] if cell == "lstm" else state
    np.testing.assert_allclose(ref.output, out.detach().numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(ref.h_n, h_n.detach().numpy(), rtol=1e-6, atol=1e-12)


def test_state_dict_round_trip_and_batch_first_false():
    m = torch.nn.LSTM(2, 3, 2, bidirectional=True).double()  # batch_first=False
    w = RecurrentWeights.from_torch(m)
    back = RecurrentWeights.from_state_dict(w.to_state_dict(), "lstm")
    for k, v in back.to_state_dict().items():
        np.testing.assert_array_equal(v, m.state_dict()[k].numpy())
    x = torch.randn(5, 4, 2, dtype=torch.float64)  # [T, B, X]
    out, _ = m(x)
    ref = forward(w, x.transpose(0, 1).numpy())
    np.testing.assert_allclose(ref.output, out.transpose(0, 1).detach().numpy(), rtol=1e-6)


def test_weights_from_a_trained_rnnkit_model_and_its_file(tmp_path):
    import rnnkit

    f = rnnkit.Forecaster(cell="gru", hidden_size=4, num_layers=2, epochs=1, verbose=0,
                          lookback=12, horizon=2, repeats=1).fit("airline")
    f.save(tmp_path / "m")
    live, saved = RecurrentWeights.from_model(f), RecurrentWeights.from_model(tmp_path / "m")
    assert saved.cell == "gru" and saved.num_layers == 2
    for k, v in live.to_state_dict().items():
        np.testing.assert_array_equal(saved.to_state_dict()[k], v)


def test_weights_from_the_file_of_an_ensemble_are_its_first_run(tmp_path):
    import rnnkit

    X = np.random.default_rng(0).normal(size=(12, 6, 2))
    model = rnnkit.SequenceClassifier(hidden_size=3, repeats=2, epochs=1, verbose=0).fit(
        X, np.arange(12) % 2)
    model.save(tmp_path / "m")
    saved = RecurrentWeights.from_model(tmp_path / "m")
    first = RecurrentWeights.from_torch(model.model_.members[0].core.rnn)
    for k, v in first.to_state_dict().items():
        np.testing.assert_array_equal(saved.to_state_dict()[k], v)


def test_a_module_without_biases_reads_as_zero_biases():
    m = torch.nn.LSTM(2, 3, bias=False, batch_first=True).double()
    x = torch.randn(2, 5, 2, dtype=torch.float64)
    ref = forward(RecurrentWeights.from_torch(m), x.numpy())
    np.testing.assert_allclose(ref.output, m(x)[0].detach().numpy(), rtol=1e-6, atol=1e-12)


def test_lengths_as_a_list_or_tensor_and_a_c0_beside_a_gru():
    m = torch.nn.GRU(2, 3, batch_first=True).double()
    w = RecurrentWeights.from_torch(m)
    x = np.random.default_rng(1).normal(size=(2, 4, 2))
    expected = forward(w, x, lengths=np.array([4, 2]))
    for lengths in ([4, 2], torch.tensor([4, 2])):
        np.testing.assert_array_equal(forward(w, x, lengths=lengths).output, expected.output)
    with_c0 = forward(w, x, np.zeros((1, 2, 3)), np.zeros((1, 2, 3)), lengths=[4, 2])
    np.testing.assert_array_equal(with_c0.output, expected.output)  # c0 unused by a GRU
