from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from rnnkit.errors import InputError, TrainingError
from rnnkit.nn import ForecastNetConfig, RecurrentConfig, RecurrentForecastNet
from rnnkit.train import TensorBatches, TrainConfig, WindowBatches, train_model


def _windows_by_loop(values, lookback, horizon):
    xs, ys = [], []
    for i in range(len(values) - lookback - horizon + 1):
        xs.append(values[i : i + lookback])
        ys.append(values[i + lookback : i + lookback + horizon, :1])
    return np.array(xs), np.array(ys)


def test_window_batches_gather_the_same_windows_as_a_loop():
    values = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    batches = WindowBatches(torch.from_numpy(values), torch.arange(50 - 7 - 3 + 1), 7, 3)
    index = torch.tensor([0, 5, 40])
    (x,), y = batches.get(index)
    ref_x, ref_y = _windows_by_loop(values, 7, 3)
    np.testing.assert_array_equal(x.numpy(), ref_x[[0, 5, 40]])
    np.testing.assert_array_equal(y.numpy(), ref_y[[0, 5, 40]])


def _net(seed=0):
    torch.manual_seed(seed)
    return RecurrentForecastNet(ForecastNetConfig(RecurrentConfig("lstm", 1, 8), horizon=2))


def _sine_batches(n=120):
    t = np.arange(n, dtype=np.float32)
    values = torch.from_numpy(np.sin(t / 4)[:, None])
    return WindowBatches(values, torch.arange(n - 12 - 2 + 1), 12, 2)


def test_same_seed_gives_the_same_weights_bit_for_bit():
    config = TrainConfig(epochs=3, batch_size=16, seed=7, verbose=0)
    a, b = _net(), _net()
    train_model(a, _sine_batches(), config)
    train_model(b, _sine_batches(), config)
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(va, vb), k
    c = _net()
    train_model(c, _sine_batches(), TrainConfig(epochs=3, batch_size=16, seed=8, verbose=0))
    assert not torch.equal(a.head.linear.weight, c.head.linear.weight)


def test_training_reduces_the_loss_and_restores_the_best_epoch():
    net = _net()
    data = _sine_batches()
    config = TrainConfig(epochs=30, learning_rate=1e-2, verbose=0)
    history = train_model(net, data, config, val=data)
    assert history.train_loss[-1] < history.train_loss[0] / 4
    assert history.best_epoch == int(np.argmin(history.val_loss)) + 1
    # the restored weights are the best epoch's: their validation loss is the minimum
    from rnnkit.train import mean_loss, regression_loss

    assert math.isclose(mean_loss(net, data, regression_loss("mse")), min(history.val_loss),
                        rel_tol=1e-5)


def test_early_stopping_stops_after_patience():
    net = _net()
    data = _sine_batches()
    config = TrainConfig(epochs=200, learning_rate=0.05, patience=3, min_delta=1e9, verbose=0)
    history = train_model(net, data, config, val=data)
    assert history.stopped_early and history.epochs_run == 4 and history.best_epoch == 1


def test_nan_loss_stops_with_a_clear_error():
    x = torch.randn(8, 4, 1)
    y = torch.full((8, 2, 1), float("nan"))
    with pytest.raises(TrainingError, match="became nan at epoch 1.*learning_rate"):
        train_model(_net(), TensorBatches((x,), y), TrainConfig(epochs=2, verbose=0))


def test_a_loss_that_turns_nan_later_keeps_the_best_weights_and_warns():
    """Epochs 1-3 train; at epoch 4 the loss becomes NaN (a poisoned loss, as a diverging
    step gives): training stops, the best epoch's weights come back, the estimator works."""
    net = _net()
    data = _sine_batches()
    calls = {"n": 0}
    per_epoch = math.ceil(len(data) / 32)

    def loss(prediction, target):
        calls["n"] += 1
        base = nn.functional.mse_loss(prediction, target)
        return base * float("nan") if calls["n"] > 3 * per_epoch else base

    with pytest.warns(RuntimeWarning, match=r"became nan at epoch 4.*kept epoch \d"):
        history = train_model(net, data, TrainConfig(epochs=10, verbose=0), loss_fn=loss)
    assert history.epochs_run == 3 and "epoch 4" in history.fault
    assert 1 <= history.best_epoch <= 3
    assert all(torch.isfinite(p).all() for p in net.parameters())
    (x,), _ = data.get(torch.arange(4))
    assert torch.isfinite(net(x)).all()


def test_custom_loss_and_tensor_batches():
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    x, y = torch.randn(64, 3), torch.randint(0, 2, (64,))
    history = train_model(model, TensorBatches((x,), y), TrainConfig(epochs=5, verbose=0),
                          loss_fn=nn.functional.cross_entropy)
    assert history.epochs_run == 5 and len(history.val_loss) == 0


@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"batch_size": True}, {"loss": "l3"},
                                    {"learning_rate": 0}, {"patience": -1}])
def test_bad_train_config_is_an_input_error(kwargs):
    with pytest.raises(InputError):
        TrainConfig(**kwargs)


def test_bf16_trains_near_float32_or_refuses_clearly_on_a_cpu_without_bf16():
    from rnnkit.train import device

    data = _sine_batches()
    reference = train_model(_net(), data, TrainConfig(epochs=5, verbose=0, device="cpu"))
    config = TrainConfig(epochs=5, verbose=0, device="cpu", precision="bf16")
    if not device.cpu_has_bf16():
        with pytest.raises(InputError, match="precision='bf16' needs a CPU.*precision='float32'"):
            train_model(_net(), data, config)
        return
    history = train_model(_net(), data, config)
    assert history.train_loss[-1] == pytest.approx(reference.train_loss[-1], rel=0.1)


def test_bf16_on_a_cpu_without_bf16_is_an_input_error_before_training(monkeypatch):
    from rnnkit.train import device

    monkeypatch.setattr(device, "cpu_has_bf16", lambda: False)
    net = _net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    with pytest.raises(InputError, match="AVX-512 BF16"):
        train_model(net, _sine_batches(), TrainConfig(epochs=2, verbose=0, device="cpu",
                                                      precision="bf16"))
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


@pytest.mark.parametrize(("arg", "value"), [("epoch_size", 0), ("epoch_size", -1),
                                            ("epoch_size", 2.5), ("max_time", 0),
                                            ("max_time", "60")])
def test_a_bad_epoch_size_or_max_time_is_one_line(arg, value):
    with pytest.raises(InputError, match=f"{arg}={value!r} must be"):
        TrainConfig(**{arg: value})


def test_epoch_size_on_batches_drawn_by_length_is_refused():
    """Sequence batches draw every sequence once an epoch: an epoch_size sized the budget for
    fewer and left empty epochs (loss 0.0) that early stopping kept."""
    from rnnkit.train import SequenceBatches

    x = torch.randn(40, 5, 2)
    data = SequenceBatches(x, torch.full((40,), 5), torch.randn(40, 1))
    with pytest.raises(InputError, match="epoch_size=8 draws windows"):
        train_model(nn.Sequential(), data, TrainConfig(epochs=3, epoch_size=8, batch_size=4,
                                                       verbose=0))


def test_a_budget_that_ends_in_time_is_not_called_cut_by_time():
    """After the budget's last epoch the time check predicted a next epoch that would not
    run, and reported the run as stopped by max_time (the report then said its weights
    depend on the machine's speed)."""
    import time as clock

    def slow(prediction, target):
        clock.sleep(0.3)  # sleep-bound: the same pace on a busy machine
        return ((prediction - target) ** 2).mean()

    torch.manual_seed(0)
    data = TensorBatches((torch.randn(8, 3),), torch.randn(8, 1))
    # after epoch 2 (0.6 s), one more epoch would end past 0.75 s: but there is none
    config = TrainConfig(epochs=2, batch_size=8, verbose=0, max_time=0.75, patience=0)
    history = train_model(nn.Linear(3, 1), data, config, loss_fn=slow)
    assert history.epochs_run == 2 and not history.stopped_by_time


def test_the_pinball_loss_keeps_its_levels_in_float32():
    from rnnkit.train.loop import pinball_loss

    loss = pinball_loss((0.1, 0.9))
    prediction = torch.zeros(1, 1, 2, dtype=torch.bfloat16)
    value = loss(prediction, torch.ones(1, 1, 1))
    assert value.item() == pytest.approx((0.1 + 0.9) / 2, abs=1e-6)  # 0.898 in bf16
