"""The teaching tasks' claims, with fixed seeds and small sizes."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

import rnnkit
from rnnkit.datasets.teaching import conflict, counting, long_memory
from rnnkit.train import TensorBatches, TrainConfig, train_model

FAST = dict(hidden_size=8, epochs=60, verbose=0)


def last_step_accuracy(model, X, y):
    return float(np.mean(model.predict(X)[:, -1] == y[:, -1]))


def test_lstm_solves_the_conflict_task_and_an_mlp_on_the_last_3_inputs_cannot():
    X, y = conflict(256, seed=0)
    Xt, yt = conflict(256, seed=1)
    lstm = rnnkit.SequenceTagger(**FAST).fit(X, y)
    assert last_step_accuracy(lstm, Xt, yt) > 0.98
    # the MLP sees only the last 3 steps: 0 1 2 in every sequence
    classes = np.unique(y[:, -1])
    target = torch.from_numpy(np.searchsorted(classes, y[:, -1]))
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(15, 16), nn.ReLU(), nn.Linear(16, 2))
    inputs = torch.from_numpy(X[:, -3:].astype(np.float32))
    train_model(mlp, TensorBatches((inputs,), target),
                TrainConfig(epochs=60, learning_rate=1e-2, verbose=0),
                loss_fn=nn.functional.cross_entropy)
    with torch.no_grad():
        pred = classes[mlp(torch.from_numpy(Xt[:, -3:].astype(np.float32))).argmax(-1).numpy()]
    assert np.mean(pred == yt[:, -1]) < 0.65


def test_lstm_remembers_across_the_gap():
    X, y = long_memory(512, gap=10, seed=0)
    Xt, yt = long_memory(256, gap=10, seed=1)
    # one informative step in eleven: the loss plateaus before the network finds the answer
    model = rnnkit.SequenceTagger(**FAST | {"patience": 30}).fit(X, y)
    assert last_step_accuracy(model, Xt, yt) > 0.98


def test_a_cell_state_unit_counts():
    X, y = counting(256, max_count=6, seed=0)
    model = rnnkit.SequenceTagger(**FAST).fit(X, y)
    Xt, yt = counting(64, max_count=6, seed=1)
    assert model.score(Xt, yt) > 0.97
    # the running count: +1 on each a, -1 on each emitted b
    a, b = Xt[:, :, 0], (yt == "b").astype(float)
    count = np.cumsum(a - b, axis=1).reshape(-1)
    cells = np.concatenate([model.inspect(x).layers[0][0]["c"] for x in Xt])  # [64*T, H]
    r = [abs(np.corrcoef(cells[:, u], count)[0, 1]) for u in range(cells.shape[1])]
    assert max(r) > 0.9
