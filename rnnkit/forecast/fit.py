"""Fitting a forecast: the validation rows, the scaler, the windows (or streams), one or
several runs, the optional refit on every row, and the fitted state."""

from __future__ import annotations

import sys

import numpy as np
import torch

from rnnkit.data.frames import Panel
from rnnkit.data.scalers import Scaler, Scaling, multiplicative
from rnnkit.data.times import fmt_time
from rnnkit.data.windows import front_padded, make_windows
from rnnkit.errors import InputError
from rnnkit.evaluate.diagnosis import time_note
from rnnkit.forecast.covariates import static_table
from rnnkit.forecast.networks import assemble, build_network, start_at_base
from rnnkit.forecast.options import ForecastOptions
from rnnkit.forecast.pace import affordable_epochs, counts_epochs
from rnnkit.forecast.spec import FittedForecast, ForecastSpec, resolve
from rnnkit.train import History, TrainConfig, WindowBatches, pinball_loss, train_model
from rnnkit.train.checkpoint import CheckpointDir


def fit(options: ForecastOptions, panel: Panel, network: str | None = None,
        horizon: int | None = None, checkpoint: CheckpointDir | None = None,
        baseline: bool = False) -> FittedForecast:
    """Train ``options``'s network(s) on ``panel`` and return what was learned.

    Args:
        network: "recurrent" or "mlp" (the window-MLP baseline on the same windows); None:
            the options' ``network``.
        horizon: the steps an evaluation will score, when the arguments give no horizon.
        checkpoint: a directory each run checkpoints into (``fit-K.safetensors``,
            ``refit-K.safetensors``) and resumes from (see :mod:`rnnkit.train.checkpoint`).
        baseline: a baseline beside a model (it takes the model's lookback as it is).
    """
    options.validate()
    if options.attention and options.strategy != "seq2seq":  # at fit: old files still load
        raise InputError(f"attention=True is the seq2seq decoder's attention; "
                         f"strategy={options.strategy!r} has no decoder, so it would be "
                         "ignored. Pass strategy='seq2seq', or drop attention.")
    if options.quantiles and 0.5 not in options.quantiles:  # at fit: old files still load
        levels = tuple(sorted({*options.quantiles, 0.5}))
        raise InputError(f"quantiles={tuple(options.quantiles)} has no 0.5: the point forecast "
                         "(what predict, evaluate and score use) is the median, which these "
                         f"levels do not give. Pass quantiles={levels}.")
    network = network or options.network
    if checkpoint is not None and options.training == "sequence" and network == "recurrent":
        raise InputError(f"checkpoint={str(checkpoint.path)!r} with training='sequence': "
                         "sequence training writes no checkpoint, so a killed fit could not "
                         "resume. Pass training='window' to checkpoint, or fit without one.")
    spec = resolve(options, panel, horizon)
    lengths = panel.lengths
    stateful = options.training == "sequence" and network == "recurrent"
    val_rows = validation_rows(options, spec, lengths, stateful)
    cut = lengths - val_rows  # [S] first validation row of each series
    need = spec.steps + 1 if not stateful else spec.lookback + spec.steps
    short = np.flatnonzero(cut < need)
    # a series too short for one window of real targets trains nothing, but the model
    # trained on the others forecasts it (from its window padded in front); only a panel of
    # such series (a window model's, or any sequence model's) has nothing to learn from
    if short.size == len(lengths) or (short.size and stateful) or (cut < 1).any():
        i = int(np.argmin(cut)) if (cut < 1).any() else short[0]
        raise InputError(
            f"series {panel.ids[i]!r} has {lengths[i]} observations; with horizon={spec.steps} "
            f"and {val_rows[i]} held out for validation it needs at least {need + val_rows[i]}. "
            "Lower horizon or val_size, or drop the shortest series.")
    if not baseline and not holds_lookback(options, spec, cut):  # (a baseline follows the
        # model's lookback, which the model's own rules accepted: a sequence model's, say)
        i = int(np.argmax(cut))
        most = int(cut[i]) - spec.steps
        fix = f"Pass lookback <= {most}, or leave it out (it is then set from the data)" \
            if most >= 1 else "Lower horizon or val_size"
        raise InputError(
            f"lookback={options.lookback} is longer than any series holds: with horizon="
            f"{spec.steps} and {val_rows[i]} rows held out for validation, the longest series "
            f"({panel.ids[i]!r}, {lengths[i]} observations) leaves {int(cut[i])} rows for "
            f"windows of {options.lookback + spec.steps}, so every window would read made-up "
            f"history. {fix}.")
    if short.size and options.verbose:
        names = ", ".join(repr(panel.ids[i]) for i in short[:3])
        more = f" and {short.size - 3} more" if short.size > 3 else ""
        print(f"training: {short.size} of {len(lengths)} series have fewer than {need} "
              f"observations before their validation rows, too few for one window of "
              f"{spec.steps} target steps: {names}{more}; they are forecast by the model the "
              "others train", file=sys.stderr, flush=True)
    scaling = _scaling(options, spec, panel, cut)
    check_scale(options, panel, cut, scaling)
    batches = _stream_batches if stateful else _window_batches
    train, val = batches(options, spec, panel, cut, scaling)
    runs = spec.repeats * (2 if spec.refit_all else 1)
    # on CPU the budget is a count of epochs, from the data's shape (so the weights do not
    # depend on the machine), with a tenth kept for what surrounds training; the clock then
    # stops only a machine slower than the reference one. Elsewhere the clock alone, with
    # that tenth kept (see pace.counts_epochs)
    seconds = None if options.max_time is None else options.max_time / runs
    counted = counts_epochs(options, network)
    epochs = None if not counted else affordable_epochs(
        None if seconds is None else 0.9 * seconds, options, spec, network, len(train),
        0 if val is None else len(val))
    if seconds is not None and not counted:
        seconds *= 0.9
    if options.verbose and epochs is not None and epochs < options.epochs:
        print(f"training: at most {epochs} epochs per run, what max_time={options.max_time:g} "
              f"s allows {runs} runs on 2 CPU cores (the same count on every machine); early "
              "stopping may end them sooner", file=sys.stderr, flush=True)
    members, histories = [], []
    def saved(phase: str, run: int) -> tuple[str, float] | None:
        return None if checkpoint is None else (checkpoint.file(phase, run), checkpoint.every)

    for run in range(spec.repeats):  # run k: seed + k for weights, shuffling and dropout
        member, history = _train_run(options, spec, panel, run, train, val, network, seconds,
                                     epochs, saved("fit", run))
        members.append(member)
        histories.append(history)
    final_epochs = None
    if spec.refit_all:
        # the standard finish: every row, each run for the epochs its early stopping chose
        scaling = _scaling(options, spec, panel, lengths)
        train, _ = batches(options, spec, panel, lengths, scaling)
        final_epochs = [h.best_epoch for h in histories]  # 0: the base forecast won
        members = []
        for run, epochs in enumerate(final_epochs):
            member, refit = _train_run(options, spec, panel, run, train, None, network,
                                       seconds, epochs, saved("refit", run))
            members.append(member)
            # the run's history says whether the time budget cut it, fit or refit
            histories[run].stopped_by_time |= refit.stopped_by_time
    if options.verbose:
        note = time_note([h.stopped_by_time for h in histories], counted)
        if note:
            print(f"training:{note}", file=sys.stderr, flush=True)
    context = np.stack([front_padded(panel.series(s), spec.lookback)[-spec.lookback:]
                        for s in range(panel.n_series)])
    fitted = FittedForecast(spec, assemble(members, options.ensemble), scaling,
                            list(panel.ids), context, panel.last_times, panel.freq,
                            panel.step, panel.has_id, histories, final_epochs,
                            zone=panel.zone, dayfirst=panel.dayfirst,
                            lengths=[int(n) for n in panel.lengths],
                            integer_ids=panel.integer_ids)
    if options.season_lags:
        from rnnkit.data.season_lags import tail

        fitted.season_tails = [tail(v[:, 0], spec.season, options.season_lags)
                               for v in panel.per_series]
    if stateful:
        from rnnkit.forecast.stateful import history_states

        fitted.state = history_states(fitted, panel)
    return fitted


FLOAT32_SAFE = 1e30  # values beyond this overflow float32 once a network multiplies them


def check_scale(options: ForecastOptions, panel: Panel, cut: np.ndarray, scaling: Scaling
                ) -> None:
    """Refuse, before training, a target with nothing to learn (constant in every series)
    or too large for float32 arithmetic."""
    target = [panel.series(s)[:c, 0] for s, c in enumerate(cut)]
    if all(np.ptp(t) == 0 for t in target if len(t)):
        raise InputError(
            f"target_col={options.target_col!r} is constant ({target[0][0]:g}) in every series: "
            "there is nothing to learn, and every forecast would repeat it. Check the column, "
            "or pass series that vary.")
    top = max(float(np.abs(t).max()) for t in target if len(t))
    if top > FLOAT32_SAFE and not scaling.log_target:
        raise InputError(
            f"target_col={options.target_col!r} holds values up to {top:.3g}, beyond what "
            f"float32 training holds (about {FLOAT32_SAFE:.0e}). Scale the column down (divide "
            "it by a power of ten), or pass transform='log' for a positive target.")


def trains(options: ForecastOptions, spec: ForecastSpec, lengths: np.ndarray) -> bool:
    """Whether ``fit`` trains on series of ``lengths`` with ``spec`` (its own refusals, in
    short): a window of real targets after the validation rows on some series (on every one
    for a sequence model, whose validation scores whole horizons), at least one row before
    every series' validation rows, and a lookback given that some series holds."""
    stateful = options.training == "sequence" and options.network == "recurrent"
    val = validation_rows(options, spec, lengths, stateful)
    cut = lengths - val
    short = cut < (spec.lookback + spec.steps if stateful else spec.steps + 1)
    if stateful and (val < spec.horizon).any():
        return False
    return not (short.all() or (short.any() and stateful) or (cut < 1).any()) and \
        holds_lookback(options, spec, cut)


def holds_lookback(options: ForecastOptions, spec: ForecastSpec, cut: np.ndarray) -> bool:
    """Whether some series holds a lookback given by the user and the steps after it in its
    rows before ``cut`` (its validation rows): padding in front is for the short series of
    a panel; a lookback that no series holds would train every window on made-up history
    (lookback=500 on 144 months)."""
    return options.lookback is None or options.training != "window" or bool(
        (np.asarray(cut) >= options.lookback + spec.steps).any())


def validation_rows(options: ForecastOptions, spec: ForecastSpec, lengths: np.ndarray,
                    stateful: bool = False) -> np.ndarray:
    """Rows at the end of each series held out for early stopping (none on a series too
    short to spare them for more than its horizon)."""
    size = options.val_size
    if size is None and stateful:  # its one pass scores every origin
        return np.maximum(np.round(lengths * 0.1).astype(lengths.dtype), spec.horizon)
    if size is None:
        rows = np.full_like(lengths, spec.val_rows)
        return np.where(lengths - rows >= spec.steps + 2, rows, 0)
    if isinstance(size, float):
        return np.round(lengths * size).astype(lengths.dtype)
    return np.full_like(lengths, size)


def _scaling(options: ForecastOptions, spec: ForecastSpec, panel: Panel, cut: np.ndarray
             ) -> Scaling:
    """The target transform and the per-series scaler, decided and fitted on the rows
    before ``cut``."""
    target = [panel.series(s)[:c, 0] for s, c in enumerate(cut)]
    # the validation rows are logged too: every row must be positive
    positive = [bool((panel.series(s)[:, 0] > 0).all()) for s in range(panel.n_series)]
    # where the base is the drift, a log would make its pace a growth rate: a multiplicative
    # trend, compounded over the horizon (ETS leaves those out by default, for that reason)
    drifts = spec.drift or options.window_norm == "drift"
    log = options.transform == "log" or (options.transform == "auto" and all(positive)
                                         and not drifts
                                         and multiplicative(target, spec.season))
    if options.transform == "log" and not all(positive):
        s = positive.index(False)
        row = int(np.argmax(panel.series(s)[:, 0] <= 0))
        raise InputError(f"transform='log' needs a positive target; series {panel.ids[s]!r} "
                         f"has {float(panel.series(s)[row, 0])!r} at "
                         f"{fmt_time(panel.series_times(s)[row])}. "
                         "Pass transform='none' (or 'auto').")
    nonnegative = all((t >= 0).all() for t in target)
    rows = [panel.series(s)[:c].copy() for s, c in enumerate(cut)]
    if log:  # the scaler is fitted on what it will scale: the logged target
        for r in rows:
            r[:, 0] = np.log(r[:, 0])
    return Scaling(Scaler(options.scaler).fit(rows), log, nonnegative)


def _scaled(panel: Panel, scaling: Scaling) -> list[np.ndarray]:
    """Every series, scaled as the network reads it."""
    series = np.repeat(np.arange(panel.n_series), panel.lengths)
    scaled = scaling.transform(panel.values[:, None, :], series=series)[:, 0]
    return [scaled[a:b] for a, b in zip(panel.offsets[:-1], panel.offsets[1:], strict=True)]


def _window_batches(options: ForecastOptions, spec: ForecastSpec, panel: Panel, cut: np.ndarray,
                   scaling: Scaling):
    """Windows whose targets end before ``cut`` (training) and start at or after it
    (validation; None when there are none). A series whose rows before ``cut`` are fewer
    than a window is padded in front with its first value, so that it trains on at least
    one window; targets are always real rows."""
    per_series, pads = [], []
    for values, before in zip(_scaled(panel, scaling), cut, strict=True):
        # the rows before the cut hold a whole window (the validation rows come after)
        padded = front_padded(values, spec.lookback + spec.steps + len(values) - int(before))
        pads.append(len(padded) - len(values))
        per_series.append(padded)
    cut = cut + np.array(pads)
    windows = make_windows(per_series, spec.lookback, spec.steps, series_names=panel.ids)
    first_target = windows.target_times()  # [N] row of the first target within its series
    pad = np.array(pads)[windows.series]
    series_cut = cut[windows.series]
    real = first_target > pad  # no target on a padded row, at least one real row read
    train_idx = np.flatnonzero(real & (first_target + spec.steps <= series_cut))
    val_idx = np.flatnonzero(real & (first_target >= series_cut))
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
    return train, val


def _stream_batches(options: ForecastOptions, spec: ForecastSpec, panel: Panel, cut: np.ndarray,
                   scaling: Scaling):
    """The training streams (targets before ``cut``) and the validation origins (targets
    from it on) of a stateful network."""
    from rnnkit.nn.stateful import reads_changes
    from rnnkit.train.stateful import SequenceStreams

    per_series = _scaled(panel, scaling)
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
    return train, val


def _train_run(options: ForecastOptions, spec: ForecastSpec, panel: Panel, run: int, train,
               val, network: str, seconds: float | None, epochs: int | None = None,
               checkpoint: tuple[str, float] | None = None
               ) -> tuple[torch.nn.Module, History]:
    path, every = checkpoint or (None, 30.0)
    config = TrainConfig.from_params(vars(options), seed=options.seed + run,
                                     epochs=max(epochs or options.epochs, 1), max_time=seconds,
                                     epoch_size=options.epoch_size, keep_initial=True,
                                     checkpoint=path, checkpoint_every=every)
    torch.manual_seed(options.seed + run)
    member = start_at_base(build_network(options, spec, network))
    if epochs == 0:  # the refit of a run whose early stopping kept the untrained network
        return member, History()
    table = static_table(panel) if options.static_cols and network == "recurrent" else None
    if table is not None:
        member.series_inputs.static.copy_(torch.from_numpy(table))
    loss = pinball_loss(tuple(options.quantiles)) if options.quantiles else None
    if options.training == "sequence" and network == "recurrent":
        from rnnkit.train.stateful import train_stateful

        return member, train_stateful(member, train, config, val, loss, chunk=spec.lookback)
    return member, train_model(member, train, config, val, loss)
