"""Run by tests/train/test_distributed.py under torchrun: train a small model, rank 0 saves it."""

from __future__ import annotations

import sys

import numpy as np
import torch
from safetensors.torch import save_file

from rnnkit.nn import ForecastNetConfig, RecurrentConfig, RecurrentForecastNet
from rnnkit.train import TrainConfig, WindowBatches, train_model
from rnnkit.train.distributed import is_main_process, setup


def train_small(length: int) -> RecurrentForecastNet:
    torch.manual_seed(0)
    net = RecurrentForecastNet(ForecastNetConfig(RecurrentConfig("lstm", 1, 8), horizon=2))
    t = np.arange(length, dtype=np.float32)
    values = torch.from_numpy(np.sin(t / 5)[:, None])
    data = WindowBatches(values, torch.arange(length - 12 - 2 + 1), 12, 2)
    config = TrainConfig(epochs=3, batch_size=16, learning_rate=1e-2, seed=3, verbose=0,
                         max_time=600.0)  # a time budget: the ranks decide to stop together
    train_model(net, data, config, val=data)
    return net


if __name__ == "__main__":
    torch.set_num_threads(1)
    setup("gloo")
    # 189 windows: the last batch of 13 splits 7 + 6; 177 windows: the last batch is one
    # window, which one rank trains on while the other takes part at zero weight
    models = {n: train_small(n) for n in (202, 190)}
    if is_main_process():
        save_file({f"{n}.{k}": v for n, m in models.items() for k, v in m.state_dict().items()},
                  sys.argv[1])
