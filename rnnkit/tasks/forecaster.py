"""Forecaster: the scikit-learn facade over the forecasting engine (:mod:`rnnkit.forecast`).

It stores its arguments (the fields of :class:`rnnkit.forecast.options.ForecastOptions`),
hands them with the data to the engine, and keeps what the engine learned in ``fitted_``.
"""

from __future__ import annotations

import copy
import importlib.util
import os
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from rnnkit import tracking
from rnnkit.data.frames import Panel
from rnnkit.data.native import frame_kind, time_type, to_native, to_pandas
from rnnkit.errors import InputError
from rnnkit.forecast.options import ForecastOptions
from rnnkit.forecast.spec import FittedForecast
from rnnkit.tasks.base import RnnkitEstimator, register


@register
@dataclass(kw_only=True, eq=False, repr=False)
class Forecaster(ForecastOptions, RnnkitEstimator):
    """Forecast the next ``horizon`` steps of one or many series with an RNN, LSTM or GRU.

    The defaults are meant to work untuned: per-series standard scaling fitted on the training
    part, each window normalised by its last value (the network learns changes, so trend and
    level shifts do not throw it), a direct multi-step head, early stopping on the most recent
    part of the training data.

    Args:
        lookback: input steps the network reads per window; None picks 2 seasons (3 on
            monthly and quarterly data, or 2 x horizon without a season), at most 200,
            shorter on short series. The window itself (``lookback_``) may hold more: the
            seasons the base's profile averages.
        horizon: steps to forecast; None picks 2 seasons (24 for monthly data), else 10.
        strategy: "direct" (one pass predicts the whole horizon), "recursive" (a one-step
            model fed its own predictions) or "seq2seq" (an encoder-decoder: the decoder starts
            from the encoder's state, learns with teacher forcing, forecasts from its own
            outputs).
        attention: with seq2seq, each decoder step also attends to the encoder's outputs.
        cell, hidden_size, num_layers, dropout, bidirectional: the recurrent core.
        scaler: "standard", "minmax" or "none", per series and feature, fitted on train only.
        base_seasons: seasons the "season" base of the direct strategy averages: their mean
            shape at the last season's level; the window holds them, beyond the lookback if
            need be (None: 3 on monthly and quarterly data whose series repeat their season,
            a week of open days on such session data, 1 elsewhere).
        window_norm: "season" (default: the network adds to seasonal naive, or to the last
            value on daily, hourly or weekly data that do not repeat their season; on monthly and
            quarterly data that repeat their season, to the seasonal profile of the last 3
            years; on such session data, of the last week of open days; on weekly data with
            the direct strategy, to each week's value a year (52.18 weeks) before; on yearly
            data, to the naive forecast with drift), "drift", "last", "mean" or "none" (see
            :class:`rnnkit.nn.ForecastNetConfig`).
        epochs, batch_size, learning_rate, loss, patience, clip_norm, seed, verbose: training.
        val_size: rows at the end of each training series held out for early stopping (a
            fraction or a count; None: the horizon, or with training="sequence" 10% of each
            series, at least the horizon); 0 trains all epochs without validation.
        time_col, target_col, id_col, feature_cols: the column schema of the long frame.
        freq: pandas frequency to regularise the timestamps to (None: inferred).
        fill: how to fill missing values: None (error), "ffill", "interpolate", "zero", "drop".
        season_length: the seasonal period (None: from the frequency: monthly 12, daily 7, ...).
        device, precision, threads: where and how to compute (see
            :class:`rnnkit.train.TrainConfig`).
        repeats: train this many runs (seeds ``seed``, ``seed + 1``, ...) on the same data;
            they forecast together as an ensemble.
        ensemble: how the runs' forecasts combine: "mean" or "median".
        refit_all: after early stopping on the most recent rows, retrain every run on all
            rows (scaler included) for the epochs its early stopping chose.
        quantiles: levels in (0, 1) (e.g. ``(0.1, 0.5, 0.9)``): train on the pinball loss and
            predict one monotone forecast per level; ``predict`` adds a column per level and
            the point forecast is the 0.5 level (or the middle one).
        id_embedding: with many series, learn a vector of this many numbers per series id and
            give it to the head (0: none; the model is global either way).
        future_cols: future covariates: columns known ahead (holidays, planned prices). The
            model reads their past values and their values over the horizon; ``predict``
            needs them for the steps it forecasts (``future=``).
        static_cols: static covariates: one value per series (constant within it).
        calendar: add hour of day, day of week and month as sine/cosine future covariates
            (those the frequency resolves).
        training: "window" (every window a sample, shuffled) or "sequence" (stateful: each
            series is cut into about ``batch_size`` streams (fewer where the data is short:
            each runs at least ``burn_in + 2 * lookback`` steps) read in chunks of ``lookback``
            steps, the hidden state carried from chunk to chunk, a forecast and a loss after
            every step past ``burn_in``; direct strategy only). A sequence model forecasts from
            the state at the end of the history, and ``update`` advances that state.
        burn_in: with training="sequence", steps at the start of each stream whose forecasts
            are not scored (the state is still warming up); None: lookback // 2.

    Example:
        >>> f = rnnkit.Forecaster(horizon=12).fit("airline.csv")
        >>> f.predict()  # a frame of the next 12 months
    """

    _tuple_params: ClassVar[tuple[str, ...]] = ("feature_cols", "quantiles", "future_cols",
                                                "static_cols")

    # --- public API -------------------------------------------------------------------
    def fit(self, data: Any, checkpoint: str | os.PathLike | None = None,
            resume: bool = False, checkpoint_every: float = 30.0) -> Forecaster:
        """Train on ``data``: a DataFrame, a CSV/Parquet path, a bundled name or a numpy series.

        Args:
            data: long frame (``unique_id``, ``ds``, ``y`` + feature columns) or one series.
            checkpoint: a directory the fit checkpoints into every ``checkpoint_every``
                seconds (weights, optimiser, RNG and early-stopping state, per run).
            resume: continue the killed fit checkpointed there (same arguments and data);
                it ends with the weights the uninterrupted fit would have had (on CPU,
                unless the clock stopped it: see ``max_time``).
        """
        from rnnkit.forecast.fit import fit

        started = tracking.start(self)
        options, panel = self.options(), self.panel(data, fresh=True)
        where = _checkpoint_dir(options, panel, checkpoint, resume, checkpoint_every)
        self.fitted_ = fit(options, panel, checkpoint=where)
        self.frame_kind_ = frame_kind(data)  # predict answers in the caller's frame type
        self.time_type_ = time_type(data, self.time_col)  # and its time column's type
        tracking.record(self, "fit", data, started=started)
        return self

    def predict(self, h: int | None = None, data: Any = None,
                ids: list[str] | None = None, future: Any = None) -> pd.DataFrame:
        """Forecast ``h`` steps after the end of the training data, or after ``data``.

        Args:
            h: steps to forecast (default: the horizon). A direct model cannot exceed its
                horizon; a recursive one can.
            data: a newer history of the same series (at least ``lookback`` rows each).
            ids: forecast only these series (default: all).
            future: with ``future_cols``, their values over the forecast steps: a frame (or
                path) with the time column, the id column (many series) and ``future_cols``.

        Returns:
            A long frame: [id column,] time column, target column, in the user's units; of
            the library of ``data`` (or of the data fitted on): pandas, polars or pyarrow.
        """
        from rnnkit.forecast.predict import predict

        self._check_fitted("predict")
        if future is not None and not self.future_cols:  # it would be ignored
            raise InputError("future=... was given, but this model reads no future covariates "
                             "(it was fitted without future_cols). Drop future, or refit with "
                             "future_cols naming the columns it should read ahead.")
        # the model's own grid: a history of a few rows cannot tell its frequency
        panel = None if data is None else self.panel(data, freq=self.fitted_.freq, min_rows=1)
        frame = predict(self.options(), self.fitted_, h, panel, ids, future)
        return to_native(frame, self._answer_kind(data), self._answer_times(data))

    def predict_windows(self, data: Any, stride: int = 1, batch_size: int = 1024) -> pd.DataFrame:
        """Forecast from every origin of ``data`` with a full lookback before it and at
        least one observed step after it, in a few large batched forward passes.

        Args:
            data: series of the ones trained on (DataFrame, path, name or numpy series).
            stride: steps between origins. batch_size: windows per forward pass.

        Returns:
            A long frame: [id,] ``cutoff`` (the last observed time), time, target forecast
            (of the library of ``data``: pandas, polars or pyarrow).
        """
        from rnnkit.forecast.evaluate import predict_windows

        self._check_fitted("predict")
        frame = predict_windows(self.options(), self.fitted_, self.panel(data), stride,
                                batch_size)
        return to_native(frame, self._answer_kind(data), self._answer_times(data))

    def update(self, new_observations: Any) -> Forecaster:
        """Advance the model over observations that continue its series, without reading
        the past again: ``predict()`` then forecasts after them.

        A sequence-trained model carries its hidden state over the new rows (the same state a
        full pass over the whole history reaches); a window model keeps the last ``lookback``
        rows. The state is saved with the model.

        Args:
            new_observations: rows of some or all series, each starting at the step after
                the series' last time, in the training data's format.
        """
        from rnnkit.forecast.stateful import update

        self._check_fitted("update")
        update(self.options(), self.fitted_,
               self.panel(new_observations, freq=self.fitted_.freq, min_rows=1))
        return self

    def evaluate(self, data: Any, test_size: int | None = None,
                 checkpoint: str | os.PathLike | None = None, resume: bool = False,
                 protocol: str = "holdout"):
        """Fit a copy on all but the last ``test_size`` rows of each series, forecast them,
        score; this forecaster is left as it was.

        Args:
            protocol: "holdout" (the last ``test_size`` rows forecast at once from the end
                of the training part), or "one-step", the classic tutorials' test: a copy
                with horizon 1 is fitted once on the rows before the last ``test_size``
                (default: a third of the shortest series), then each of those rows is
                forecast from the true history before it (a backtest of ``test_size``
                origins one step apart).

        Returns:
            An :class:`rnnkit.evaluate.Evaluation`: RMSE, MAE, MAPE, sMAPE and MASE of this
            model beside the naive, seasonal naive and window-MLP baselines on the same
            targets; its ``estimator`` is the fitted copy. ``checkpoint`` and ``resume``:
            as in :meth:`fit`, for the model's fit. With ``protocol="one-step"``, a
            :class:`rnnkit.evaluate.Backtest` of the one-step forecasts. A series with
            fewer than ``test_size + 3`` rows is not scored (nor trained on): its name is in
            the evaluation's ``left_out`` and under its table.
        """
        from rnnkit.forecast.evaluate import evaluate
        from rnnkit.options import check_value

        check_value("protocol", protocol, "str", ("holdout", "one-step"))
        if protocol == "one-step":
            panel = self.panel(data, fresh=True)
            k = test_size or max(1, round(int(panel.lengths.min()) / 3))
            if test_size is not None:
                from rnnkit.data.validation import check_positive_int

                check_positive_int(test_size, "test_size")
            one_step = copy.copy(self)
            one_step.horizon = 1
            return one_step.backtest(data, n_windows=k, step=1)
        started = tracking.start(self)
        options, panel = self.options(), self.panel(data, fresh=True)
        where = _checkpoint_dir(options, panel, checkpoint, resume, 30.0, test_size)
        evaluation, fitted = evaluate(options, panel, test_size, checkpoint=where)
        evaluation.estimator = self._fitted_copy(fitted, data)
        tracking.record(self, "evaluate", data, scores=tracking.table_scores(evaluation.scores),
                        model=evaluation.estimator, started=started)
        return evaluation

    def backtest(self, data: Any, n_windows: int = 10, step: int | None = None,
                 refit: bool | int = False, baselines: bool = True):
        """Rolling-origin backtest of a copy: forecast the last ``n_windows`` origins,
        ``step`` apart; this forecaster is left as it was.

        The copy (and its scaler) is fitted on the data before the first origin only; with
        ``refit=k`` it is refitted, scaler included, before every k-th window on all data
        before that window. Without refit all origins are predicted in batched passes.

        ``baselines=False`` scores only the model and the baselines that do not train
        (naive, seasonal naive): what a search needs, at a fraction of the time.

        A series shorter than the first window is forecast from its window padded in front
        by the model the others train; one with fewer than 3 rows before the first origin is
        neither trained on nor scored, and the backtest's ``left_out`` names it (only a panel
        where no series holds a window before the first origin is refused). With
        ``training="sequence"`` or a given ``val_size``, which take rows of every series, a
        series shorter than the first window is refused as before.

        Returns:
            A :class:`rnnkit.evaluate.Backtest`: per-origin, per-step errors of the model and
            the naive, seasonal naive and window-MLP baselines, and their summary; its
            ``estimator`` is the copy of the last (re)fit.
        """
        from rnnkit.forecast.evaluate import backtest

        started = tracking.start(self)
        result, fitted = backtest(self.options(), self.panel(data, fresh=True), n_windows, step,
                                  refit, baselines)
        result.estimator = self._fitted_copy(fitted, data)
        tracking.record(self, "backtest", data, scores=tracking.table_scores(result.scores),
                        model=result.estimator, started=started)
        return result

    def score(self, data: Any, y: Any = None) -> float:
        """Minus the mean absolute error of the forecast (the next ``horizon`` steps after
        the fitted history) on the rows of ``data`` at those timestamps: greater is better,
        as scikit-learn's searches expect (``neg_mean_absolute_error``).

        With a chronological splitter this is the rolling-origin score, so scikit-learn's
        searches can tune a forecaster::

            GridSearchCV(Forecaster(), {"hidden_size": [16, 64]},
                         cv=TimeSeriesSplit(3, test_size=12)).fit(frame)

        Args:
            data: rows that follow the fitted history (earlier rows may be included; only
                the timestamps forecast are scored), in the training data's format.
            y: ignored (scikit-learn's signature).
        """
        from rnnkit.forecast.predict import predict

        self._check_fitted("score")
        truth = self.panel(data, freq=self.fitted_.freq, min_rows=1).to_frame()
        forecast = predict(self.options(), self.fitted_)
        keys = [self.time_col] + ([self.id_col] if self.fitted_.has_id else [])
        if self.fitted_.has_id:
            forecast[self.id_col] = forecast[self.id_col].astype(str)
            truth[self.id_col] = truth[self.id_col].astype(str)
        both = forecast.merge(truth[keys + [self.target_col]], on=keys, suffixes=("", "_true"))
        if both.empty:
            first = forecast[self.time_col].iloc[0]
            raise InputError(
                f"data has no rows at the forecast's timestamps (from {first}); score compares "
                "the next horizon steps after the fitted history with data. Pass the rows "
                "that follow the data fitted on.")
        error = both[self.target_col] - both[f"{self.target_col}_true"]
        return -float(np.abs(error.to_numpy(dtype=np.float64)).mean())

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type="regressor", target_tags=TargetTags(required=False))

    def inspect(self, data: Any = None):
        """Every state and gate of the recurrent core over one input window.

        Computed by :mod:`rnnkit.reference` from the trained weights, so it is exact.

        Args:
            data: a window ``[T, F]`` (numpy, the user's units) or a history whose last
                ``lookback`` rows are inspected; None inspects the last training window.

        Returns:
            An :class:`rnnkit.nn.inspect.Inspection`.
        """
        if self.network == "mlp":
            raise InputError("inspect draws the states and gates of a recurrent core; "
                             "network='mlp' has none. Inspect a network='recurrent' model.")
        from rnnkit.forecast.predict import contexts, inspect

        self._check_fitted("inspect")
        fitted = self.fitted_
        if data is None:
            window, row = fitted.context[0], 0
        elif isinstance(data, np.ndarray) and data.ndim in (1, 2):
            window, row = data.reshape(len(data), -1).astype(float), 0
            if window.shape[1] != fitted.spec.n_features:
                raise InputError(
                    f"data has {window.shape[1]} feature(s) per step; the model was trained on "
                    f"{fitted.spec.n_features}. Pass an array [T, {fitted.spec.n_features}].")
        else:
            context, ids, _ = contexts(fitted, self.panel(data))
            window, row = context[0], fitted.index[ids[0]]
        return inspect(self.options(), fitted, window, row)

    def summary(self, data: Any = None) -> str:
        """Parameters per layer with the closed form. Fitted, the trained network; before
        fitting, the network ``fit(data)`` would build (without data, the season and the
        calendar columns come from the arguments alone: pass ``horizon`` and ``lookback``, or
        ``data``, for the count fit will give)."""
        from rnnkit.forecast.networks import build_network
        from rnnkit.forecast.spec import resolve
        from rnnkit.nn import format_summary

        if getattr(self, "fitted_", None) is not None:
            net = self.fitted_.members[0]
            runs = len(self.fitted_.members)
        else:
            self.validate()
            panel = self.panel(data, fresh=True) if data is not None else None
            spec = resolve(self, panel)
            net, runs = build_network(self, spec), spec.repeats
        total = sum(p.numel() for p in net.parameters())
        text = format_summary(net.layer_counts(), total)
        return text + (f"\n(one of {runs} runs; the ensemble holds {runs} x)" if runs > 1 else "")

    def panel(self, data: Any, fresh: bool = False, freq: str | None = None,
              min_rows: int = 2) -> Panel:
        """``data`` read and validated with this forecaster's column schema (calendar
        features included); ``fresh``: as for a new fit, not as the fitted model reads it."""
        from rnnkit.forecast.covariates import read_panel

        fitted = None if fresh else getattr(self, "fitted_", None)
        return read_panel(self.validate(), data, None if fitted is None else
                          fitted.spec.calendar, freq, min_rows,
                          None if fitted is None else fitted.zone, fitted is not None,
                          None if fitted is None else fitted.dayfirst)

    def _answer_kind(self, data: Any) -> str | None:
        """The frame library an answer is returned in: that of ``data``, else of the data
        this forecaster was fitted on (pandas after ``load``)."""
        return frame_kind(data) if data is not None else getattr(self, "frame_kind_", None)

    def _answer_times(self, data: Any) -> tuple[str, str | None]:
        """The time column, and the type it is returned in: that of ``data``'s, else of the
        data fitted on (None: as rnnkit reads it, ``datetime64[ns]``)."""
        if data is not None:
            return self.time_col, time_type(data, self.time_col)
        return self.time_col, getattr(self, "time_type_", None)

    # --- the learned state, by name ------------------------------------------------------
    @property
    def model_(self) -> torch.nn.Module:
        return self._learned().network

    @property
    def horizon_(self) -> int:
        return self._learned().spec.horizon

    @property
    def lookback_(self) -> int:
        return self._learned().spec.lookback

    @property
    def season_length_(self) -> int | None:
        return self._learned().spec.season

    @property
    def scaler_(self):
        return self._learned().scaler

    @property
    def ids_(self) -> list[str]:
        return self._learned().ids

    @property
    def context_(self) -> np.ndarray:
        return self._learned().context

    @property
    def last_times_(self) -> list:
        return self._learned().last_times

    @property
    def histories_(self):
        return self._learned().histories

    @property
    def history_(self):
        return self._learned().histories[0]

    @property
    def final_epochs_(self) -> list[int] | None:
        return self._learned().final_epochs

    @property
    def state_(self):
        return self._learned().state

    def _learned(self) -> FittedForecast:
        self._check_fitted("show what it learned")
        return self.fitted_

    # --- model file -------------------------------------------------------------------
    def _fitted_copy(self, fitted: FittedForecast, data: Any = None) -> Forecaster:
        """A copy holding ``fitted``, answering in the frame and time types of ``data``."""
        other = copy.copy(self)
        other.__dict__.pop("fitted_", None)
        other.fitted_, other.frame_kind_ = fitted, frame_kind(data)
        other.time_type_ = time_type(data, self.time_col)
        return other

    def _fitted_meta(self) -> dict:
        # the frame library fitted on: a loaded model answers in it too (where installed)
        return self._learned().to_meta() | {"frame_kind": getattr(self, "frame_kind_", None),
                                            "time_type": getattr(self, "time_type_", None)}

    def _tensors(self) -> dict[str, np.ndarray]:
        return self._learned().tensors()

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
        from rnnkit.forecast.networks import assemble, build_network

        options = self.options()

        def build(spec):
            return assemble([build_network(options, spec) for _ in range(spec.repeats)],
                            options.ensemble)

        self.fitted_ = FittedForecast.from_meta(options, fitted, tensors, build)
        kind = fitted.get("frame_kind")
        self.frame_kind_ = kind if kind in ("polars", "pyarrow") and \
            importlib.util.find_spec(kind) is not None else None  # else pandas
        kind_of_time = fitted.get("time_type")
        self.time_type_ = kind_of_time if isinstance(kind_of_time, str) and (
            self.frame_kind_ is not None or kind_of_time.startswith("datetime64")) else None

    def _self_check(self) -> None:
        fitted = self.fitted_
        s = fitted.spec
        if fitted.context.shape != (s.n_series, s.lookback, s.n_features) or \
                len(fitted.last_times) != s.n_series or len(set(fitted.ids)) != s.n_series:
            raise ValueError(f"the stored context {fitted.context.shape} does not fit "
                             f"{s.n_series} series, lookback={s.lookback} and "
                             f"{s.n_features} features")
        if not np.isfinite(fitted.context).all():
            raise ValueError("the stored context holds non-finite numbers")
        if not self.future_cols:  # a forecast needs no more than what the file holds
            out = to_pandas(self.predict())  # (in the frame library fitted on)
            if not np.isfinite(out.select_dtypes("number").to_numpy(dtype=float)).all():
                raise ValueError("the model forecasts non-finite numbers")


def _checkpoint_dir(options: ForecastOptions, panel: Any, checkpoint: Any, resume: bool,
                    every: float, *extra: Any):
    """The prepared checkpoint directory (see :func:`rnnkit.train.checkpoint.prepare`)."""
    if checkpoint is None:
        if resume:
            raise InputError("resume=True needs checkpoint=DIR, the directory the killed fit "
                             "wrote. Pass checkpoint=...")
        return None
    from rnnkit.train.checkpoint import CheckpointDir, prepare

    where = prepare(checkpoint, _fingerprint(options, panel, *extra), resume)
    return CheckpointDir(where, every)


def _fingerprint(options: ForecastOptions, panel: Any, *extra: Any) -> str:
    """What makes two fits the same: the arguments that shape training, what they resolve
    to on this data (a checkpoint written by a version that resolved them otherwise, another
    lookback or base, is not resumed into the new shape), and the data."""
    import hashlib
    import json

    from rnnkit.data.frames import first_rows
    from rnnkit.forecast.spec import resolve

    skip = {"verbose", "threads", "device"}
    horizon = extra[0] if extra and isinstance(extra[0], int) else None
    # what the fit resolves on: an evaluation's training part (the base can depend on it)
    trained = panel if horizon is None or (panel.lengths <= horizon).any() else \
        first_rows(panel, panel.lengths - horizon)
    args = {k: v for k, v in vars(options).items() if k not in skip} | {
        "extra": extra, "spec": resolve(options, trained, horizon)}
    h = hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode())
    for part in (panel.values, panel.times, panel.offsets):
        h.update(np.ascontiguousarray(part).tobytes())
    return h.hexdigest()
