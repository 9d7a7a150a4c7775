"""max_time becomes a number of epochs decided by the data's shape (what an epoch costs on the
reference machine), so the same seed and data give the same weights on any machine; the
clock only stops a slower machine. Training flushes denormal floats, and only training."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from conftest import one_series

import rnnkit
from rnnkit.forecast import pace
from rnnkit.forecast.options import ForecastOptions
from rnnkit.forecast.spec import ForecastSpec
from rnnkit.train.loop import listening

COSTS = ("CELL_FIXED", "CELL_SECONDS", "CELL_PAIR_SECONDS", "STEP_SECONDS", "MLP_STEP_SECONDS",
         "EPOCH_SECONDS")  # every constant of the reference machine's costs
FAST = dict(hidden_size=8, batch_size=16, lookback=12, horizon=3, verbose=0, patience=0,
            epochs=400, repeats=2, refit_all=False)


def _spec(lookback: int) -> ForecastSpec:
    return ForecastSpec(lookback, 12, 12, 12, 1, 0, None, 1, 0)


def test_the_epochs_a_budget_buys():
    options = ForecastOptions(epochs=500)
    short, long = _spec(24), _spec(200)
    assert pace.affordable_epochs(None, options, long, "recurrent", 10**5, 100) == 500
    few = pace.affordable_epochs(10.0, options, long, "recurrent", 10**5, 100)
    more = pace.affordable_epochs(10.0, options, short, "recurrent", 10**5, 100)
    assert 1 <= few < more <= 500
    # twice the seconds buy twice the epochs (to the integer below)
    assert pace.affordable_epochs(20.0, options, long, "recurrent", 10**5, 100) in (2 * few,
                                                                                   2 * few + 1)
    # epoch_size caps the windows an epoch draws: a hundred times the data costs the same
    assert pace.affordable_epochs(10.0, options, long, "recurrent", 10**7, 100) == few
    # a budget too small for one epoch still trains one
    assert pace.affordable_epochs(1e-6, options, long, "recurrent", 10**5, 100) == 1
    # the window MLP costs far less than a recurrent network reading the same windows
    assert pace.affordable_epochs(10.0, options, long, "mlp", 10**5, 100) > more
    # an epoch's cost by hand: 2048 of the windows drawn, batches of 32, 64 units, 200 steps
    each = 200 * (pace.CELL_FIXED + 64 * pace.CELL_SECONDS + 64 * 64 * pace.CELL_PAIR_SECONDS)
    by_hand = pace.EPOCH_SECONDS + 64 * (pace.STEP_SECONDS + 32 * each) + \
        100 * each * pace.VALIDATION_SHARE
    assert pace.epoch_seconds(options, long, "recurrent", 10**5, 100) == pytest.approx(by_hand)


def test_max_time_stops_runs_at_the_same_epoch_with_the_same_weights(monkeypatch):
    """With the reference machine made 1000 times slower, max_time=1 buys a few epochs; the
    clock never runs out first, so two fits train the same epochs to the same weights."""
    for name in COSTS:
        monkeypatch.setattr(pace, name, getattr(pace, name) * 1000)
    data = one_series(120, freq="D")
    fits = [rnnkit.Forecaster(**FAST, max_time=1.0).fit(data) for _ in range(2)]
    histories = [h for f in fits for h in f.histories_]
    epochs = histories[0].epochs_run
    assert 1 <= epochs < 400
    assert all(h.epochs_run == epochs and not h.stopped_by_time for h in histories)
    first, second = (f.fitted_.network.state_dict() for f in fits)
    assert all(torch.equal(first[k], second[k]) for k in first)
    # the count the reference machine affords in 0.9 of each run's half of max_time
    options = dataclasses.replace(fits[0].options(), max_time=1.0)
    assert epochs == pace.affordable_epochs(0.9 * 1.0 / 2, options, fits[0].fitted_.spec,
                                            "recurrent", *_window_counts(fits[0]))


def _window_counts(model) -> tuple[int, int]:
    """(training windows, validation windows) of a single-series fit, from its spec."""
    spec = model.fitted_.spec
    n = 120 - spec.val_rows
    return n - spec.lookback - spec.steps + 1, spec.origins


def test_a_budget_that_cuts_the_epochs_says_so(capsys, monkeypatch):
    for name in COSTS:
        monkeypatch.setattr(pace, name, getattr(pace, name) * 1000)
    rnnkit.Forecaster(**(FAST | {"verbose": 1, "repeats": 1}), max_time=1.0).fit(
        one_series(120, freq="D"))
    assert "epochs per run, what max_time=1 s allows 1 runs" in capsys.readouterr().err


def test_training_flushes_denormal_floats_and_gives_them_back():
    if not torch.set_flush_denormal(False):
        pytest.skip("this CPU cannot flush denormal floats (torch: x86 with SSE3 only)")
    tiny = torch.tensor([1e-40])
    seen = []
    with listening(lambda *_: seen.append(float((tiny * 1)[0]))):
        rnnkit.Forecaster(**(FAST | {"epochs": 2, "repeats": 1}), max_time=None).fit(
            one_series(60, freq="D"))
    assert seen and all(v == 0.0 for v in seen)  # flushed while training
    assert float((tiny * 1)[0]) > 0.0  # kept again afterwards


def test_a_flushing_caller_keeps_flushing_after_training():
    from rnnkit.runtime import flushing

    if not torch.set_flush_denormal(True):
        pytest.skip("this CPU cannot flush denormal floats (torch: x86 with SSE3 only)")
    try:
        rnnkit.Forecaster(**(FAST | {"epochs": 1, "repeats": 1}), max_time=None).fit(
            one_series(60, freq="D"))
        assert flushing()
    finally:
        torch.set_flush_denormal(False)
    assert not flushing()


def test_sequence_training_and_gpus_keep_the_clock_and_say_so(monkeypatch):
    from rnnkit.evaluate.diagnosis import time_note
    from rnnkit.train import device

    assert pace.counts_epochs(ForecastOptions(), "recurrent")
    assert not pace.counts_epochs(ForecastOptions(training="sequence"), "recurrent")
    assert pace.counts_epochs(ForecastOptions(training="sequence"), "mlp")
    monkeypatch.setattr(device, "resolve_device", lambda name="auto": torch.device("cuda"))
    assert not pace.counts_epochs(ForecastOptions(), "recurrent")
    assert "sized on" in time_note([True], counted=True)
    clock = time_note([True], counted=False)
    assert "sized on" not in clock and "max_time=None" in clock
