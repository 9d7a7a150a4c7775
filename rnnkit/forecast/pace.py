"""The epochs a time budget buys, decided by the data's shape rather than by the clock.

A budget in seconds that stops training when the clock runs out makes the weights depend on
the machine's speed and load: the same seed and data gave a MASE of 1.157 in one run and
1.242 in the next (bench/RESULTS.md). So ``max_time`` is first turned into a number of
epochs, from what an epoch costs on the reference machine (2 CPU cores, the CI runners and
the dev suite's bench): windows per epoch, lookback, hidden size and validation windows,
nothing the machine measures. That count is the same on every machine, and so are the
weights. The clock stays as a safety net for machines slower than the reference one.

The constants were fitted on the dev suite's epochs with the default network and on
generated series (hidden size 32 to 512, 12 to 400 steps; within 15% on every dev and
unseen series whose epoch takes more than 10 ms, bench/RESULTS.md), and the window MLP's on
the unseen series (0.44 to 0.75 ms a step).
"""

from __future__ import annotations

import math

from rnnkit.forecast.options import ForecastOptions
from rnnkit.forecast.spec import ForecastSpec

STEP_SECONDS = 1.0e-3  # one optimiser step beyond its recurrent work (gather, head, Adam)
EPOCH_SECONDS = 1.5e-3  # one epoch beyond its steps (shuffle, validation's set-up)
MLP_STEP_SECONDS = 0.5e-3  # one optimiser step of the window MLP (a few small products)
# forward and backward through one step of one window, by the layer's units H:
# CELL_FIXED + CELL_SECONDS * H + CELL_PAIR_SECONDS * H**2 (measured at H = 32 to 512)
CELL_FIXED = 2.20826e-7  # with the two below: 1.344e-6 s at the default 64 units
CELL_SECONDS = 1.234e-8
CELL_PAIR_SECONDS = 8.14e-11
VALIDATION_SHARE = 1 / 6  # a validation window (forward only, in large batches) against a
# training one


def epoch_seconds(options: ForecastOptions, spec: ForecastSpec, network: str, n_train: int,
                  n_val: int) -> float:
    """Seconds one epoch of ``n_train`` training windows (``epoch_size`` of them drawn) and
    ``n_val`` validation windows takes on the reference machine."""
    drawn = min(n_train, options.epoch_size or n_train)
    batches = math.ceil(drawn / options.batch_size)
    if network != "recurrent":
        return EPOCH_SECONDS + batches * MLP_STEP_SECONDS
    steps = (spec.reads or spec.lookback) + (spec.steps if options.strategy == "seq2seq" else 0)
    layers = options.num_layers * (2 if options.bidirectional else 1)
    units = options.hidden_size
    per_window = steps * layers * (CELL_FIXED + CELL_SECONDS * units +
                                   CELL_PAIR_SECONDS * units * units)
    return (EPOCH_SECONDS + batches * (STEP_SECONDS + options.batch_size * per_window)
            + n_val * per_window * VALIDATION_SHARE)


def counts_epochs(options: ForecastOptions, network: str) -> bool:
    """Whether ``max_time`` becomes a count of epochs: window training on CPU. Sequence
    training (one pass over long streams an epoch) is bounded by the clock alone, and so is
    a GPU, whose weights are not bit-for-bit repeatable anyway and whose epochs the CPU's
    costs would price far too high."""
    from rnnkit.train.device import resolve_device

    stateful = options.training == "sequence" and network == "recurrent"
    return not stateful and resolve_device(options.device).type == "cpu"


def affordable_epochs(seconds: float | None, options: ForecastOptions, spec: ForecastSpec,
                      network: str, n_train: int, n_val: int) -> int:
    """The epochs (at most ``options.epochs``, at least 1) that fit in ``seconds`` on the
    reference machine; ``options.epochs`` without a budget."""
    each = epoch_seconds(options, spec, network, n_train, n_val)
    if seconds is None or each <= 0:
        return options.epochs
    return max(1, min(options.epochs, int(seconds / each)))
