"""Fitting a Forecaster: validation split, scaling, windows, one or several runs, refit."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from rnnkit.data.calendar import calendar_cycles
from rnnkit.data.frames import Panel
from rnnkit.data.scalers import Scaler
from rnnkit.data.validation import check_choice, check_positive_int
from rnnkit.data.windows import make_windows
from rnnkit.errors import InputError
from rnnkit.nn.ensemble import REDUCTIONS
from rnnkit.tasks.forecast_covariates import static_table
from rnnkit.tasks.forecaster import Forecaster
from rnnkit.train import History, WindowBatches, pinball_loss, train_model


def fit_panel(f: Forecaster, panel: Panel) -> Forecaster:
    f.calendar_ = calendar_cycles(panel.freq) if f.calendar else None
    horizon, lookback, season = f._resolve(panel)
    check_positive_int(f.repeats, "repeats")
    check_choice(f.ensemble, "ensemble", REDUCTIONS)
    steps = 1 if f.strategy == "recursive" else horizon
    lengths = np.array(panel.lengths)
    val_rows = _val_rows(f, lengths, horizon)
    cut = lengths - val_rows  # [S] first validation row of each series
    short = np.flatnonzero(cut < lookback + steps)
    if short.size:
        i = short[0]
        raise InputError(
            f"lookback={lookback} and horizon={steps} need at least {lookback + steps} "
            f"training observations per series (plus {val_rows[i]} for validation); series "
            f"{panel.ids[i]!r} has {lengths[i]}. Lower lookback, horizon or val_size, or drop "
            "short series."
        )
    batches = _stream_batches if f.training == "sequence" else _batches
    scaler, train, val = batches(f, panel, cut, lookback, steps)
    members, histories = [], []
    for run in range(f.repeats):  # run k: seed + k for weights, shuffling and dropout
        member, history = _train_member(f, panel, horizon, lookback, run, train, val)
        members.append(member)
        histories.append(history)
    f.final_epochs_ = None
    if f.refit_all:
        # the standard finish: every row, each run for the epochs its early stopping chose
        scaler, train, _ = batches(f, panel, lengths, lookback, steps)
        f.final_epochs_ = [max(h.best_epoch, 1) for h in histories]
        members = [_train_member(f, panel, horizon, lookback, run, train, None, epochs)[0]
                   for run, epochs in enumerate(f.final_epochs_)]
    f.model_ = f._assemble(members)
    f.histories_, f.history_ = histories, histories[0]
    f.scaler_ = scaler
    f.horizon_, f.lookback_, f.season_length_ = horizon, lookback, season
    f.n_features_ = panel.n_features
    f.freq_, f.step_, f.has_id_ = panel.freq, panel.step, panel.has_id
    f.ids_ = list(panel.ids)
    f.context_, _, f.last_times_ = f._contexts(panel)
    f.state_ = None
    if f.training == "sequence":
        from rnnkit.tasks.forecast_stateful import history_states

        f.state_ = history_states(f, panel)
    return f


def _batches(f: Forecaster, panel: Panel, cut: np.ndarray, lookback: int, steps: int):
    """Scaler fitted on the rows before ``cut``; windows whose targets end before it
    (training) and start at or after it (validation; None when there are none)."""
    scaler = Scaler(f.scaler).fit([v[:c] for v, c in zip(panel.values, cut, strict=True)])
    scaled = [scaler.transform(v, series=i) for i, v in enumerate(panel.values)]
    windows = make_windows(scaled, lookback, steps, series_names=panel.ids)
    first_target = windows.target_times()  # [N] row of the first target within its series
    series_cut = cut[windows.series]
    train_idx = np.flatnonzero(first_target + steps <= series_cut)
    val_idx = np.flatnonzero(first_target >= series_cut)
    values = torch.from_numpy(np.ascontiguousarray(windows.values, dtype=np.float32))
    starts = torch.from_numpy(windows.starts)
    series = torch.from_numpy(windows.series) if f.id_embedding or f.static_cols else None
    future = f._future_index(panel.n_features)
    train = WindowBatches(values, starts[train_idx], lookback, steps,
                          series=None if series is None else series[train_idx],
                          teacher=f.strategy == "seq2seq", future_cols=future)
    val = WindowBatches(values, starts[val_idx], lookback, steps,
                        series=None if series is None else series[val_idx],
                        future_cols=future) if val_idx.size else None  # validation runs free
    return scaler, train, val


def _stream_batches(f: Forecaster, panel: Panel, cut: np.ndarray, lookback: int, steps: int):
    """Scaler fitted on the rows before ``cut``; the training streams (targets before it)
    and the validation origins (targets from it on)."""
    from rnnkit.train.stateful import SequenceStreams

    scaler = Scaler(f.scaler).fit([v[:c] for v, c in zip(panel.values, cut, strict=True)])
    scaled = [scaler.transform(v, series=i) for i, v in enumerate(panel.values)]
    burn_in = lookback // 2 if f.burn_in is None else f.burn_in
    if isinstance(burn_in, bool) or not isinstance(burn_in, int) or burn_in < 0:
        raise InputError(f"burn_in={f.burn_in!r} must be a count of steps >= 0, or None "
                         "(lookback // 2).")
    future = f._future_index(panel.n_features)
    # a stream should outlast its burn-in by two chunks of lookback steps
    differenced = f.window_norm == "last"
    train = SequenceStreams.from_series(scaled, cut, steps, f.batch_size, burn_in, future,
                                        min_length=burn_in + 2 * lookback,
                                        differenced=differenced)
    val = SequenceStreams.validation(scaled, cut, steps, warmup=4 * lookback,
                                     future_cols=future, differenced=differenced) \
        if (cut < np.array(panel.lengths)).any() else None
    return scaler, train, val


def _train_member(f: Forecaster, panel: Panel, horizon: int, lookback: int, run: int,
                  train: WindowBatches, val: WindowBatches | None,
                  epochs: int | None = None) -> tuple[torch.nn.Module, History]:
    config = replace(f._train_config(), seed=f.seed + run,
                     epochs=epochs or f.epochs)
    torch.manual_seed(f.seed + run)
    member = f._build_network(panel.n_features, horizon, lookback, panel.n_series)
    table = static_table(panel) if f.static_cols else None
    if table is not None:
        member.series_inputs.static.copy_(torch.from_numpy(table))
    loss = pinball_loss(tuple(f.quantiles)) if f.quantiles else None
    if f.training == "sequence":
        from rnnkit.train.stateful import train_stateful

        return member, train_stateful(member, train, config, val, loss, chunk=lookback)
    return member, train_model(member, train, config, val, loss)


def _val_rows(f: Forecaster, lengths: np.ndarray, horizon: int) -> np.ndarray:
    if f.val_size is None and f.training == "sequence":  # its one pass scores every origin
        return np.maximum(np.round(lengths * 0.1).astype(lengths.dtype), horizon)
    if f.val_size is None:
        return np.full_like(lengths, horizon)
    if isinstance(f.val_size, float) and 0 <= f.val_size < 1:
        return np.round(lengths * f.val_size).astype(lengths.dtype)
    if isinstance(f.val_size, int) and not isinstance(f.val_size, bool):
        return np.full_like(lengths, f.val_size)
    raise InputError(
        f"val_size={f.val_size!r} must be a fraction in [0, 1), a row count, or None "
        "(the horizon). Pass e.g. val_size=0.1, or 0 to train without validation."
    )
