"""Forecaster: a recurrent network over sliding windows of one or many time series."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from rnnkit.data.frames import (
    Columns,
    Panel,
    load_panel,
    season_length,
    select_series,
)
from rnnkit.data.validation import check_choice
from rnnkit.errors import InputError
from rnnkit.nn import ForecastNetConfig, RecurrentConfig, RecurrentForecastNet, format_summary
from rnnkit.nn.ensemble import Ensemble
from rnnkit.tasks.base import RnnkitEstimator, register
from rnnkit.tasks.forecast_prediction import WindowPrediction
from rnnkit.train import TrainConfig

STRATEGIES = ("direct", "recursive", "seq2seq")
TRAININGS = ("window", "sequence")
DEFAULT_HORIZON = 10  # when the frequency says nothing about a season


@register
class Forecaster(WindowPrediction, RnnkitEstimator):
    """Forecast the next ``horizon`` steps of one or many series with an RNN, LSTM or GRU.

    The defaults are meant to work untuned: per-series standard scaling fitted on the training
    part, each window normalised by its last value (the network learns changes, so trend and
    level shifts do not throw it), a direct multi-step head, early stopping on the most recent
    part of the training data.

    Args:
        lookback: input steps per window; None picks 2 seasons (or 2 x horizon).
        horizon: steps to forecast; None picks 2 seasons (24 for monthly data), else 10.
        strategy: "direct" (one pass predicts the whole horizon), "recursive" (a one-step
            model fed its own predictions) or "seq2seq" (an encoder-decoder: the decoder starts
            from the encoder's state, learns with teacher forcing, forecasts from its own
            outputs).
        attention: with seq2seq, each decoder step also attends to the encoder's outputs.
        cell, hidden_size, num_layers, dropout, bidirectional: the recurrent core.
        scaler: "standard", "minmax" or "none", per series and feature, fitted on train only.
        window_norm: "last", "mean" or "none" (see :class:`rnnkit.nn.ForecastNetConfig`).
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

    def __init__(
        self,
        *,
        lookback: int | None = None,
        horizon: int | None = None,
        strategy: str = "direct",
        cell: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        bidirectional: bool = False,
        scaler: str = "standard",
        window_norm: str = "last",
        epochs: int = 500,
        batch_size: int = 32,
        learning_rate: float = 1e-3,
        loss: str = "mse",
        patience: int = 50,
        clip_norm: float = 1.0,
        val_size: int | float | None = None,
        seed: int = 0,
        verbose: int = 1,
        time_col: str = "ds",
        target_col: str = "y",
        id_col: str = "unique_id",
        feature_cols: tuple[str, ...] = (),
        freq: str | None = None,
        fill: str | None = None,
        season_length: int | None = None,
        device: str = "auto",
        precision: str = "float32",
        threads: int | None = None,
        repeats: int = 1,
        ensemble: str = "mean",
        refit_all: bool = False,
        quantiles: tuple[float, ...] | None = None,
        id_embedding: int = 0,
        attention: bool = False,
        future_cols: tuple[str, ...] = (),
        static_cols: tuple[str, ...] = (),
        calendar: bool = False,
        training: str = "window",
        burn_in: int | None = None,
    ) -> None:
        self.lookback = lookback
        self.horizon = horizon
        self.strategy = strategy
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.scaler = scaler
        self.window_norm = window_norm
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.loss = loss
        self.patience = patience
        self.clip_norm = clip_norm
        self.val_size = val_size
        self.seed = seed
        self.verbose = verbose
        self.time_col = time_col
        self.target_col = target_col
        self.id_col = id_col
        self.feature_cols = feature_cols
        self.freq = freq
        self.fill = fill
        self.season_length = season_length
        self.device = device
        self.precision = precision
        self.threads = threads
        self.repeats = repeats
        self.ensemble = ensemble
        self.refit_all = refit_all
        self.quantiles = quantiles
        self.id_embedding = id_embedding
        self.attention = attention
        self.future_cols = future_cols
        self.static_cols = static_cols
        self.calendar = calendar
        self.training = training
        self.burn_in = burn_in

    # --- public API -------------------------------------------------------------------
    def fit(self, data: Any) -> Forecaster:
        """Train on ``data``: a DataFrame, a CSV/Parquet path, a bundled name or a numpy series.

        Args:
            data: long frame (``unique_id``, ``ds``, ``y`` + feature columns) or one series.
        """
        self.__dict__.pop("calendar_", None)  # found again from this data's frequency
        return self._fit_panel(self.load(data))

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
            A long frame: [id column,] time column, target column, in the user's units.
        """
        self._check_fitted("predict")
        h = self._check_h(h)
        panel = None
        if data is None:
            context, names, last = self.context_, self.ids_, self.last_times_
        else:
            panel = self.load(data)
            context, names, last = self._contexts(panel)
        if ids is not None:
            wanted = [str(i) for i in ids]
            missing = [i for i in wanted if i not in names]
            if missing:
                raise InputError(f"ids {missing[:5]} are not among the series "
                                 f"({names[:5]}...). Pass ids of series in the data.")
            keep = [names.index(i) for i in wanted]
            context, names, last = context[keep], wanted, [last[k] for k in keep]
            if panel is not None:
                panel = select_series(panel, keep)
        ids = names
        from rnnkit.tasks.forecast_covariates import future_block

        block = future_block(self, ids, last, self._future_steps(h), future)
        rows = np.array([self.ids_.index(i) for i in ids])
        if self.training == "sequence":
            from rnnkit.tasks.forecast_stateful import forecast_from_history, forecast_from_state

            levels = (forecast_from_state(self, rows, h, block) if panel is None
                      else forecast_from_history(self, panel, h, block))  # [S, h, Q or 1]
        else:
            levels = self._forecast_rows(context, rows, h, future=block, all_quantiles=True)
        frame = self._to_frame(levels[..., self._point_index()], ids, last)
        if self.quantiles:
            for k, q in enumerate(self.quantiles):
                frame[f"{self.target_col}_q{q:g}"] = levels[..., k].reshape(-1)
        return frame

    def predict_windows(self, data: Any, stride: int = 1, batch_size: int = 1024) -> pd.DataFrame:
        """Forecast from every origin of ``data`` with a full lookback before it and at
        least one observed step after it, in a few large batched forward passes.

        Args:
            data: series of the ones trained on (DataFrame, path, name or numpy series).
            stride: steps between origins. batch_size: windows per forward pass.

        Returns:
            A long frame: [id,] ``cutoff`` (the last observed time), time, target forecast.
        """
        from rnnkit.tasks.forecast_backtest import predict_windows

        return predict_windows(self, self.load(data), stride, batch_size)

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
        from rnnkit.tasks.forecast_stateful import update

        self._check_fitted("update")
        return update(self, new_observations)

    def backtest(self, data: Any, n_windows: int = 10, step: int | None = None,
                 refit: bool | int = False):
        """Rolling-origin backtest: forecast the last ``n_windows`` origins, ``step`` apart.

        The model (and its scaler) is fitted on the data before the first origin only; with
        ``refit=k`` it is refitted, scaler included, before every k-th window on all data
        before that window. Without refit all origins are predicted in batched passes.

        Returns:
            A :class:`rnnkit.evaluate.Backtest`: per-origin, per-step errors of the model and
            the naive, seasonal naive and window-MLP baselines, and their summary.
        """
        from rnnkit.tasks.forecast_backtest import backtest_forecaster

        return backtest_forecaster(self, self.load(data), n_windows, step, refit)

    def evaluate(self, data: Any, test_size: int | None = None):
        """Fit on all but the last ``test_size`` rows of each series, forecast them, score.

        Returns an :class:`rnnkit.evaluate.Evaluation`: RMSE, MAE, MAPE, sMAPE and MASE of this
        model beside the naive, seasonal naive and window-MLP baselines on the same targets.
        """
        from rnnkit.tasks.forecast_evaluation import evaluate_forecaster

        return evaluate_forecaster(self, self.load(data), test_size)

    def inspect(self, data: Any = None):
        """Every state and gate of the recurrent core over one input window.

        Computed by :mod:`rnnkit.reference` from the trained weights, so it is exact.

        Args:
            data: a window ``[T, F]`` (numpy, the user's units) or a history whose last
                ``lookback`` rows are inspected; None inspects the last training window.

        Returns:
            An :class:`rnnkit.nn.inspect.Inspection`.
        """
        from rnnkit.tasks.forecast_prediction import inspect_forecaster

        return inspect_forecaster(self, data)

    def summary(self) -> str:
        """Parameters per layer with the closed form; works before fitting too."""
        net = getattr(self, "model_", None)
        if net is None:
            n_features = 1 + len(self.feature_cols) + self.n_future_
            horizon = self.horizon or DEFAULT_HORIZON
            net = self._build_network(n_features, horizon, lookback=0)
        runs = len(getattr(net, "members", [net]))  # an ensemble has repeats x the parameters
        total = sum(p.numel() for p in net.parameters()) // runs
        text = format_summary(net.layer_counts(), total)
        return text + (f"\n(one of {runs} runs; the ensemble holds {runs} x)" if runs > 1 else "")

    def load(self, data: Any) -> Panel:
        """Read and validate ``data`` with this forecaster's column schema."""
        return self._load(data)

    def _load(self, data: Any, freq: str | None = None, min_rows: int = 2) -> Panel:
        if self.fill is not None:
            check_choice(self.fill, "fill", ("ffill", "interpolate", "zero", "drop"))
        columns = Columns(self.time_col, self.target_col, self.id_col, tuple(self.feature_cols),
                          tuple(self.future_cols), tuple(self.static_cols))
        panel = load_panel(data, columns, fill=self.fill, freq=freq or self.freq,
                           min_rows=min_rows)
        if self.calendar:
            from rnnkit.tasks.forecast_covariates import with_calendar

            panel = with_calendar(panel, getattr(self, "calendar_", None))
        return panel

    # --- fitting ----------------------------------------------------------------------
    def _resolve(self, panel: Panel) -> tuple[int, int, int | None]:
        check_choice(self.strategy, "strategy", STRATEGIES)
        check_choice(self.training, "training", TRAININGS)
        if self.training == "sequence" and self.strategy != "direct":
            raise InputError(
                f"training='sequence' forecasts the horizon after every step, the direct way; "
                f"strategy={self.strategy!r} needs training='window'. Pass strategy='direct'."
            )
        season = self.season_length or season_length(panel.freq)
        horizon = self.horizon or (2 * season if season else DEFAULT_HORIZON)
        lookback = self.lookback or (2 * season if season else 2 * horizon)
        if self.quantiles is not None:
            levels = list(self.quantiles)
            if (not levels or sorted(set(levels)) != levels
                    or not all(isinstance(q, float) and 0 < q < 1 for q in levels)):
                raise InputError(
                    f"quantiles={self.quantiles!r} must be increasing levels in (0, 1), e.g. "
                    "(0.1, 0.5, 0.9); the forecast is the 0.5 level (or the middle one)."
                )
            if self.strategy != "direct":
                raise InputError("quantiles need strategy='direct': a recursive model would feed "
                                 "one quantile back as if it were the observation.")
        if self.strategy == "recursive" and self.feature_cols:
            raise InputError(
                "strategy='recursive' feeds its own predictions back as inputs, so it cannot "
                f"use feature_cols={list(self.feature_cols)} (past covariates: their future "
                "values are unknown). Use strategy='direct', or pass known-ahead columns as "
                "future_cols."
            )
        return horizon, lookback, season

    @property
    def n_future_(self) -> int:
        """Future covariate columns (user's, then calendar) at the end of the values."""
        return len(self.future_cols) + 2 * len(getattr(self, "calendar_", None) or ())

    def _future_index(self, n_features: int) -> tuple[int, ...]:
        return tuple(range(n_features - self.n_future_, n_features))

    def _future_steps(self, h: int) -> int:
        """Future covariate steps a forecast of ``h`` steps reads: the whole trained horizon
        for a direct head, only the steps forecast for a step-by-step decoder."""
        return h if self.strategy != "direct" else self.horizon_

    def _net_config(self, n_features: int, horizon: int, n_series: int = 1
                    ) -> ForecastNetConfig:
        n_static = len(self.static_cols)
        recurrent = RecurrentConfig(
            cell=self.cell, input_size=n_features, hidden_size=self.hidden_size,
            num_layers=self.num_layers, dropout=self.dropout, bidirectional=self.bidirectional,
        )
        steps = 1 if self.strategy == "recursive" else horizon
        return ForecastNetConfig(recurrent, steps, (0,), self.window_norm,
                                 tuple(self.quantiles or ()), n_series, self.id_embedding,
                                 n_static, self.n_future_)

    def _build_network(self, n_features: int, horizon: int, lookback: int,
                       n_series: int = 1) -> torch.nn.Module:
        config = self._net_config(n_features, horizon, n_series)
        if self.strategy == "seq2seq":
            from rnnkit.nn.seq2seq import Seq2SeqNet

            return Seq2SeqNet(config, self.attention)
        if self.training == "sequence":
            from rnnkit.nn.stateful import StatefulForecastNet

            return StatefulForecastNet(config)
        return RecurrentForecastNet(config)

    def _train_config(self) -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
            loss=self.loss, patience=self.patience, clip_norm=self.clip_norm, seed=self.seed,
            verbose=self.verbose, device=self.device, precision=self.precision,
            threads=self.threads,
        )

    def _fit_panel(self, panel: Panel) -> Forecaster:
        from rnnkit.tasks.forecast_fitting import fit_panel

        return fit_panel(self, panel)

    def _assemble(self, members: list[torch.nn.Module]) -> torch.nn.Module:
        return members[0] if len(members) == 1 else Ensemble(members, self.ensemble)

    # --- prediction -------------------------------------------------------------------
    # --- model file -------------------------------------------------------------------
    def _fitted_meta(self) -> dict:
        from rnnkit.tasks.forecast_state import fitted_meta

        return fitted_meta(self)

    def _tensors(self) -> dict[str, np.ndarray]:
        tensors = {"context": self.context_}
        for m, state in enumerate(getattr(self, "state_", None) or []):
            for k, part in enumerate(state):  # LSTM: (h, c); GRU, RNN: (h,)
                tensors[f"state.{m}.{k}"] = part
        return tensors

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
        from rnnkit.tasks.forecast_state import restore

        restore(self, fitted, tensors)
