"""Fitting a forecast: the validation rows, the scaler, the windows (or streams), one or
several runs, the optional refit on every row, and the fitted state."""

from __future__ import annotations

import numpy as np
import torch

from rnnkit.data.frames import Panel
from rnnkit.data.scalers import Scaler
from rnnkit.data.windows import make_windows
from rnnkit.errors import InputError
from rnnkit.forecast.covariates import static_table
from rnnkit.forecast.networks import assemble, build_network
from rnnkit.forecast.options import ForecastOptions
from rnnkit.forecast.spec import FittedForecast, ForecastSpec, resolve
from rnnkit.train import History, TrainConfig, WindowBatches, pinball_loss, train_model


def fit(options: ForecastOptions, panel: Panel, network: str = "recurrent") -> FittedForecast:
    """Train ``options``'s network(s) on ``panel`` and return what was learned.

    Args:
        network: "recurrent", or "mlp" for the window-MLP baseline on the same windows.
    """
    options.validate()
    spec = resolve(options, panel)
    lengths = panel.lengths
    val_rows = validation_rows(options, lengths, spec.horizon)
    cut = lengths - val_rows  # [S] first validation row of each series
    short = np.flatnonzero(cut < spec.lookback + spec.steps)
    if short.size:
        i = short[0]
        raise InputError(
            f"lookback={spec.lookback} and horizon={spec.steps} need at least "
            f"{spec.lookback + spec.steps} training observations per series (plus {val_rows[i]} "
            f"for validation); series {panel.ids[i]!r} has {lengths[i]}. Lower lookback, "
            "horizon or val_size, or drop short series.")
    stateful = options.training == "sequence" and network == "recurrent"
    batches = _stream_batches if stateful else _window_batches
    scaler, train, val = batches(options, spec, panel, cut)
    members, histories = [], []
    for run in range(options.repeats):  # run k: seed + k for weights, shuffling and dropout
        member, history = _train_run(options, spec, panel, run, train, val, network)
        members.append(member)
        histories.append(history)
    final_epochs = None
    if options.refit_all:
        # the standard finish: every row, each run for the epochs its early stopping chose
        scaler, train, _ = batches(options, spec, panel, lengths)
        final_epochs = [max(h.best_epoch, 1) for h in histories]
        members = [_train_run(options, spec, panel, run, train, None, network, epochs)[0]
                   for run, epochs in enumerate(final_epochs)]
    context = np.stack([panel.series(s)[-spec.lookback:] for s in range(panel.n_series)])
    fitted = FittedForecast(spec, assemble(members, options.ensemble), scaler, list(panel.ids),
                            context, panel.last_times, panel.freq, panel.step, panel.has_id,
                            histories, final_epochs)
    if stateful:
        from rnnkit.forecast.stateful import history_states

        fitted.state = history_states(fitted, panel)
    return fitted


def validation_rows(options: ForecastOptions, lengths: np.ndarray, horizon: int) -> np.ndarray:
    """Rows at the end of each series held out for early stopping."""
    size = options.val_size
    if size is None and options.training == "sequence":  # its one pass scores every origin
        return np.maximum(np.round(lengths * 0.1).astype(lengths.dtype), horizon)
    if size is None:
        return np.full_like(lengths, horizon)
    if isinstance(size, float):
        return np.round(lengths * size).astype(lengths.dtype)
    return np.full_like(lengths, size)


def _scaled(options: ForecastOptions, panel: Panel, cut: np.ndarray) -> tuple[Scaler, np.ndarray]:
    """The scaler fitted on the rows before ``cut`` of each series, and every row scaled."""
    scaler = Scaler(options.scaler).fit([panel.series(s)[:c] for s, c in enumerate(cut)])
    series = np.repeat(np.arange(panel.n_series), panel.lengths)
    return scaler, scaler.transform(panel.values[:, None, :], series=series)[:, 0]


def _window_batches(options: ForecastOptions, spec: ForecastSpec, panel: Panel, cut: np.ndarray):
    """Windows whose targets end before ``cut`` (training) and start at or after it
    (validation; None when there are none)."""
    scaler, scaled = _scaled(options, panel, cut)
    windows = make_windows([scaled[a:b] for a, b in zip(panel.offsets[:-1], panel.offsets[1:],
                                                       strict=True)],
                           spec.lookback, spec.steps, series_names=panel.ids)
    first_target = windows.target_times()  # [N] row of the first target within its series
    series_cut = cut[windows.series]
    train_idx = np.flatnonzero(first_target + spec.steps <= series_cut)
    val_idx = np.flatnonzero(first_target >= series_cut)
    values = torch.from_numpy(np.ascontiguousarray(windows.values, dtype=np.float32))
    starts = torch.from_numpy(windows.starts)
    series = torch.from_numpy(windows.series) if options.id_embedding or options.static_cols \
        else None

    def part(index, teacher):
        return WindowBatches(values, starts[index], spec.lookback, spec.steps,
                             series=None if series is None else series[index], teacher=teacher,
                             future_cols=spec.future_index)

    train = part(train_idx, options.strategy == "seq2seq")
    val = part(val_idx, False) if val_idx.size else None  # validation runs free
    return scaler, train, val


def _stream_batches(options: ForecastOptions, spec: ForecastSpec, panel: Panel, cut: np.ndarray):
    """The training streams (targets before ``cut``) and the validation origins (targets
    from it on) of a stateful network."""
    from rnnkit.nn.stateful import reads_changes
    from rnnkit.train.stateful import SequenceStreams

    scaler, scaled = _scaled(options, panel, cut)
    per_series = [scaled[a:b] for a, b in zip(panel.offsets[:-1], panel.offsets[1:], strict=True)]
    burn_in = spec.lookback // 2 if options.burn_in is None else options.burn_in
    differenced = reads_changes(options.window_norm)
    # a stream should outlast its burn-in by two chunks of lookback steps
    train = SequenceStreams.from_series(per_series, cut, spec.steps, options.batch_size,
                                        burn_in, spec.future_index,
                                        min_length=burn_in + 2 * spec.lookback,
                                        differenced=differenced)
    val = SequenceStreams.validation(per_series, cut, spec.steps, warmup=4 * spec.lookback,
                                     future_cols=spec.future_index, differenced=differenced) \
        if (cut < panel.lengths).any() else None
    return scaler, train, val


def _train_run(options: ForecastOptions, spec: ForecastSpec, panel: Panel, run: int, train,
               val, network: str, epochs: int | None = None) -> tuple[torch.nn.Module, History]:
    config = TrainConfig.from_params(vars(options), seed=options.seed + run,
                                     epochs=epochs or options.epochs)
    torch.manual_seed(options.seed + run)
    member = build_network(options, spec, network)
    table = static_table(panel) if options.static_cols and network == "recurrent" else None
    if table is not None:
        member.series_inputs.static.copy_(torch.from_numpy(table))
    loss = pinball_loss(tuple(options.quantiles)) if options.quantiles else None
    if options.training == "sequence" and network == "recurrent":
        from rnnkit.train.stateful import train_stateful

        return member, train_stateful(member, train, config, val, loss, chunk=spec.lookback)
    return member, train_model(member, train, config, val, loss)
