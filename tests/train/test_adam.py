from __future__ import annotations

import pytest
import torch
from torch import nn

from rnnkit.train.adam import Adam


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_same_weights_as_torch_adam(weight_decay):
    torch.manual_seed(0)
    a = nn.LSTM(3, 5, 2, batch_first=True)
    b = nn.LSTM(3, 5, 2, batch_first=True)
    b.load_state_dict(a.state_dict())
    ours = Adam(a.parameters(), lr=1e-2, weight_decay=weight_decay)
    theirs = torch.optim.Adam(b.parameters(), lr=1e-2, weight_decay=weight_decay, foreach=True)
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
