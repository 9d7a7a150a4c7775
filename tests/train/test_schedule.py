from __future__ import annotations

import math

import pytest
import torch

from rnnkit.train import SequenceBatches, TrainConfig
from rnnkit.train.loop import budget
from rnnkit.train.schedule import learning_rate


def test_one_cycle_warms_up_then_anneals_to_almost_nothing():
    lrs = [learning_rate(k, 1000, 1e-2, "onecycle") for k in range(1000)]
    assert lrs[0] == pytest.approx(1e-2 / 25)
    assert max(lrs) == pytest.approx(1e-2) and int(torch.tensor(lrs).argmax()) == 100
    assert lrs[-1] == pytest.approx(1e-6)
    assert all(a >= b for a, b in zip(lrs[100:], lrs[101:], strict=False))  # monotone decay
    # the cosine half-way through the decay is the mean of peak and floor
    assert lrs[550] == pytest.approx((1e-2 + 1e-6) / 2, rel=1e-2)
    assert learning_rate(5, 10, 0.1, "constant") == 0.1


def test_a_budget_in_steps_is_independent_of_the_data_size():
    assert budget(TrainConfig(max_steps=1000, batch_size=16), 50) == (1000, math.ceil(1000 / 4))
    assert budget(TrainConfig(max_steps=1000, batch_size=16), 16000) == (1000, 1)
    assert budget(TrainConfig(epochs=3, batch_size=10), 95) == (30, 3)


def test_sequence_batches_group_similar_lengths_and_cut_each_batch():
    lengths = torch.tensor([5, 100, 6, 98, 7, 99, 4, 97] * 25)
    x = torch.zeros(len(lengths), 100, 1)
    data = SequenceBatches(x, lengths, torch.arange(len(lengths)))
    order = data.batch_order(8, torch.Generator().manual_seed(0))
    assert sorted(torch.cat(order).tolist()) == list(range(len(lengths)))  # each sample once
    spreads = [int(lengths[b].max() - lengths[b].min()) for b in order]
    # 100 short and 100 long sorted together: one batch at most straddles the two groups
    assert sum(s > 50 for s in spreads) <= 1
    (inputs, got_lengths), target = data.get(order[0])
    assert inputs.shape[1] == int(got_lengths.max())  # cut to the batch's longest
    torch.testing.assert_close(target, order[0])


@pytest.mark.parametrize("total", [2, 3, 5])
def test_a_short_onecycle_still_ends_small(total):
    """With 2 steps the warm-up took the last step, which ran at the peak rate."""
    assert learning_rate(total - 1, total, 1.0, "onecycle") == pytest.approx(1e-4)
    assert learning_rate(0, total, 1.0, "onecycle") == pytest.approx(0.04)
