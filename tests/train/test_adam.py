from __future__ import annotations

import pytest
import torch
from torch import nn

from rnnkit.train.adam import Adam


@pytest.mark.parametrize("weight_decay, decoupled", [(0.0, False), (0.01, False), (0.1, True)])
def test_same_weights_as_torch_adam_and_adamw(weight_decay, decoupled):
    torch.manual_seed(0)
    a = nn.LSTM(3, 5, 2, batch_first=True)
    b = nn.LSTM(3, 5, 2, batch_first=True)
    b.load_state_dict(a.state_dict())
    ours = Adam(a.parameters(), lr=1e-2, weight_decay=weight_decay, decoupled=decoupled)
    reference = torch.optim.AdamW if decoupled else torch.optim.Adam
    theirs = reference(b.parameters(), lr=1e-2, weight_decay=weight_decay, foreach=True)
    for step in range(25):
        x = torch.randn(4, 6, 3, generator=torch.Generator().manual_seed(step))
        for net, opt in ((a, ours), (b, theirs)):
            opt.zero_grad(set_to_none=True)
            net(x)[0].pow(2).mean().backward()
            opt.step()
    for (name, pa), pb in zip(a.named_parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pa, pb, rtol=0, atol=1e-7, msg=name)
    # and it did move the weights
    torch.manual_seed(0)
    fresh = nn.LSTM(3, 5, 2, batch_first=True)
    assert not torch.equal(fresh.weight_ih_l0, a.weight_ih_l0)


def test_sparse_rows_update_like_torch_sparse_adam_and_clip_like_dense():
    from rnnkit.train.loop import clip_gradients

    torch.manual_seed(0)
    a = nn.Embedding(30, 4, sparse=True)
    b = nn.Embedding(30, 4, sparse=True)
    b.load_state_dict(a.state_dict())
    ours = Adam(a.parameters(), lr=1e-2)
    theirs = torch.optim.SparseAdam(b.parameters(), lr=1e-2)
    for step in range(20):
        ids = torch.randint(0, 10, (8,), generator=torch.Generator().manual_seed(step))
        for net, opt in ((a, ours), (b, theirs)):
            opt.zero_grad(set_to_none=True)
            net(ids).pow(2).sum().backward()
            opt.step()
    # torch adds eps after undoing the bias correction, rnnkit before (as dense Adam): 1e-8
    torch.testing.assert_close(a.weight, b.weight, rtol=0, atol=1e-6)
    assert torch.equal(a.weight[10:], b.weight[10:])  # rows never seen stay as they were
    dense = nn.Embedding(30, 4)
    dense.load_state_dict(a.state_dict())
    a.weight.grad = None
    for net in (a, dense):
        net(torch.tensor([1, 1, 2])).pow(2).sum().mul(100).backward()
    clip_gradients(list(a.parameters()), 1.0)
    nn.utils.clip_grad_norm_(dense.parameters(), 1.0)
    torch.testing.assert_close(a.weight.grad.to_dense(), dense.weight.grad)


def test_a_parameter_without_a_gradient_on_some_steps_is_corrected_by_its_own_count():
    """One step count for all parameters bias-corrected a late parameter's first update as
    if it were its fourth: torch counts steps per parameter."""
    from rnnkit.train.adam import Adam

    torch.manual_seed(0)
    ours = [torch.randn(3, requires_grad=True) for _ in range(2)]
    theirs = [p.detach().clone().requires_grad_(True) for p in ours]
    mine = Adam(ours, lr=0.01, weight_decay=0.1, decoupled=True)
    reference = torch.optim.AdamW(theirs, lr=0.01, weight_decay=0.1, foreach=True)
    for step in range(5):
        grads = [torch.randn(3), torch.randn(3) if step >= 3 else None]
        for params, optimizer in ((ours, mine), (theirs, reference)):
            optimizer.zero_grad()
            for p, g in zip(params, grads, strict=True):
                p.grad = None if g is None else g.clone()
            optimizer.step()
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-7)
    assert mine.steps == [5, 2]
