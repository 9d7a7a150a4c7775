"""Forecaster: a recurrent network over sliding windows of one or many time series."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from rnnkit.data.frames import Columns, Panel, future_times, load_panel, season_length
from rnnkit.data.validation import check_choice
from rnnkit.errors import InputError
from rnnkit.nn import ForecastNetConfig, RecurrentConfig, RecurrentForecastNet, format_summary
from rnnkit.nn.ensemble import Ensemble
from rnnkit.tasks.base import RnnkitEstimator, register
from rnnkit.train import TrainConfig

STRATEGIES = ("direct", "recursive", "seq2seq")
DEFAULT_HORIZON = 10  # when the frequency says nothing about a season


@register
class Forecaster(RnnkitEstimator):
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
            fraction or a count; None: the horizon); 0 trains all epochs without validation.
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

    Example:
        >>> f = rnnkit.Forecaster(horizon=12).fit("airline.csv")
        >>> f.predict()  # a frame of the next 12 months
    """

    _tuple_params: ClassVar[tuple[str, ...]] = ("feature_cols", "quantiles")

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

    # --- public API -------------------------------------------------------------------
    def fit(self, data: Any) -> Forecaster:
        """Train on ``data``: a DataFrame, a CSV/Parquet path, a bundled name or a numpy series.

        Args:
            data: long frame (``unique_id``, ``ds``, ``y`` + feature columns) or one series.
        """
        return self._fit_panel(self.load(data))

    def predict(self, h: int | None = None, data: Any = None,
                ids: list[str] | None = None) -> pd.DataFrame:
        """Forecast ``h`` steps after the end of the training data, or after ``data``.

        Args:
            h: steps to forecast (default: the horizon). A direct model cannot exceed its
                horizon; a recursive one can.
            data: a newer history of the same series (at least ``lookback`` rows each).
            ids: forecast only these series (default: all).

        Returns:
            A long frame: [id column,] time column, target column, in the user's units.
        """
        self._check_fitted("predict")
        if data is None:
            context, names, last = self.context_, self.ids_, self.last_times_
        else:
            context, names, last = self._contexts(self.load(data))
        if ids is not None:
            wanted = [str(i) for i in ids]
            missing = [i for i in wanted if i not in names]
            if missing:
                raise InputError(f"ids {missing[:5]} are not among the series "
                                 f"({names[:5]}...). Pass ids of series in the data.")
            keep = [names.index(i) for i in wanted]
            context, names, last = context[keep], wanted, [last[k] for k in keep]
        ids = names
        forecast = self._forecast(context, ids, h)  # [S, h]
        frame = self._to_frame(forecast, ids, last)
        if self.quantiles:
            rows = np.array([self.ids_.index(i) for i in ids])
            levels = self._forecast_rows(context, rows, h, all_quantiles=True)  # [S, h, Q]
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
        from rnnkit.nn.inspect import inspect_core

        self._check_fitted("inspect")
        if data is None:
            window, row = self.context_[0], 0
        elif isinstance(data, np.ndarray) and data.ndim in (1, 2):
            window, row = data.reshape(len(data), -1).astype(float), 0
            if window.shape[1] != self.n_features_:
                raise InputError(
                    f"data has {window.shape[1]} feature(s) per step; the model was trained on "
                    f"{self.n_features_}. Pass an array [T, {self.n_features_}]."
                )
        else:
            context, ids, _ = self._contexts(self.load(data))
            window, row = context[0], self.ids_.index(ids[0])
        x = torch.from_numpy(self.scaler_.transform(window, series=row).astype(np.float32))
        x, _ = self.model_.norm(x[None].to(next(self.model_.parameters()).device))
        return inspect_core(self.model_.core, x[0], window)

    def summary(self) -> str:
        """Parameters per layer with the closed form; works before fitting too."""
        net = getattr(self, "model_", None)
        if net is None:
            n_features = 1 + len(self.feature_cols)
            horizon = self.horizon or DEFAULT_HORIZON
            net = self._build_network(n_features, horizon, lookback=0)
        runs = len(getattr(net, "members", [net]))  # an ensemble has repeats x the parameters
        total = sum(p.numel() for p in net.parameters()) // runs
        text = format_summary(net.layer_counts(), total)
        return text + (f"\n(one of {runs} runs; the ensemble holds {runs} x)" if runs > 1 else "")

    def load(self, data: Any) -> Panel:
        """Read and validate ``data`` with this forecaster's column schema."""
        if self.fill is not None:
            check_choice(self.fill, "fill", ("ffill", "interpolate", "zero", "drop"))
        columns = Columns(self.time_col, self.target_col, self.id_col, tuple(self.feature_cols))
        return load_panel(data, columns, fill=self.fill, freq=self.freq)

    # --- fitting ----------------------------------------------------------------------
    def _resolve(self, panel: Panel) -> tuple[int, int, int | None]:
        check_choice(self.strategy, "strategy", STRATEGIES)
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
        if self.strategy == "recursive" and panel.n_features > 1:
            raise InputError(
                "strategy='recursive' feeds its own predictions back as inputs, so it cannot "
                f"use feature_cols={list(self.feature_cols)} (their future values are unknown). "
                "Use strategy='direct'."
            )
        if self.strategy == "seq2seq" and (self.id_embedding or panel.n_features > 1):
            raise InputError("strategy='seq2seq' takes the target series alone (no feature_cols "
                             "or id_embedding yet). Use strategy='direct' for those.")
        return horizon, lookback, season

    def _net_config(self, n_features: int, horizon: int, n_series: int = 1
                    ) -> ForecastNetConfig:
        recurrent = RecurrentConfig(
            cell=self.cell, input_size=n_features, hidden_size=self.hidden_size,
            num_layers=self.num_layers, dropout=self.dropout, bidirectional=self.bidirectional,
        )
        steps = 1 if self.strategy == "recursive" else horizon
        return ForecastNetConfig(recurrent, steps, (0,), self.window_norm,
                                 tuple(self.quantiles or ()), n_series, self.id_embedding)

    def _build_network(self, n_features: int, horizon: int, lookback: int,
                       n_series: int = 1) -> torch.nn.Module:
        config = self._net_config(n_features, horizon, n_series)
        if self.strategy == "seq2seq":
            from rnnkit.nn.seq2seq import Seq2SeqNet

            return Seq2SeqNet(config, self.attention)
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
    def _contexts(self, panel: Panel) -> tuple[np.ndarray, list[str], list]:
        lookback = self.lookback_
        unknown = [i for i in panel.ids if i not in self.ids_]
        if unknown:
            raise InputError(
                f"series {unknown[:5]} were not seen in training (known: {self.ids_[:5]}...). "
                "Predict only trained series, or refit with them."
            )
        lengths = zip(panel.ids, map(len, panel.values), strict=True)
        short = [(i, n) for i, n in lengths if n < lookback]
        if short:
            raise InputError(
                f"predict needs the last lookback={lookback} rows of each series; series "
                f"{short[0][0]!r} has {short[0][1]}. Pass a longer history."
            )
        if panel.n_features != self.n_features_:
            raise InputError(
                f"data has {panel.n_features} value columns but the model was trained on "
                f"{self.n_features_}. Pass the same feature_cols as in training."
            )
        context = np.stack([v[-lookback:] for v in panel.values])  # [S, L, F]
        return context, list(panel.ids), [t[-1] for t in panel.times]

    @torch.inference_mode()
    def _forecast(self, context: np.ndarray, ids: list[str], h: int | None) -> np.ndarray:
        """Forecast ``[S, h]`` in the user's units from contexts ``[S, lookback, F]``."""
        return self._forecast_rows(context, np.array([self.ids_.index(i) for i in ids]), h)

    def _check_h(self, h: int | None) -> int:
        h = self.horizon_ if h is None else h
        if isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 1:
            raise InputError(f"h={h!r} must be a positive integer. Pass e.g. h={self.horizon_}.")
        if self.strategy != "recursive" and h > self.horizon_:
            raise InputError(
                f"h={h} is longer than the horizon={self.horizon_} this direct model was "
                f"trained for. Pass h <= {self.horizon_}, refit with horizon={h}, or use "
                "strategy='recursive'."
            )
        if self.strategy == "recursive" and self.n_features_ != 1:
            raise InputError(
                "strategy='recursive' feeds its own predictions back as inputs, so it cannot "
                f"forecast with feature_cols={list(self.feature_cols)} (their future values "
                "are unknown). Use strategy='direct'."
            )
        return int(h)

    @torch.inference_mode()
    def _forecast_rows(self, context: np.ndarray, rows: np.ndarray, h: int | None,
                       batch_size: int = 1024, module: torch.nn.Module | None = None,
                       all_quantiles: bool = False) -> np.ndarray:
        """Forecast ``[N, h]`` from contexts ``[N, lookback, F]`` of scaler rows ``[N]``
        with ``module`` (default: the model; one run of an ensemble for its own scores).
        With quantiles, the point forecast is the median level; ``all_quantiles`` returns
        every level, ``[N, h, Q]``."""
        h = self._check_h(h)
        model = self.model_ if module is None else module
        device = next(model.parameters()).device
        scaled = self.scaler_.transform(context, series=rows).astype(np.float32)
        out = []
        series = torch.from_numpy(np.asarray(rows, dtype=np.int64))
        for start in range(0, len(scaled), batch_size):
            x = torch.from_numpy(scaled[start : start + batch_size]).to(device)  # [b, L, F]
            ids = (series[start : start + batch_size].to(device),) if self.id_embedding else ()
            if self.strategy != "recursive":  # direct and seq2seq forecast the horizon at once
                y = model(x, *ids)[:, :h]  # [b, h, 1 or Q]
            else:
                steps = []
                for _ in range(h):  # each step depends on the previous prediction
                    step = model(x, *ids)  # [b, 1, 1]
                    steps.append(step)
                    x = torch.cat([x[:, 1:], step], dim=1)
                y = torch.cat(steps, dim=1)  # [b, h, 1]
            out.append(y.double().cpu().numpy())
        y = np.concatenate(out) if out else np.zeros((0, h, 1))
        y = self.scaler_.inverse_transform(y, series=rows, cols=(0,))  # scale > 0: order kept
        return y if all_quantiles else y[..., self._point_index()]

    def _point_index(self) -> int:
        """Which output is the point forecast: the 0.5 quantile, else the middle level."""
        levels = list(self.quantiles or ())
        return levels.index(0.5) if 0.5 in levels else len(levels) // 2

    def _to_frame(self, forecast: np.ndarray, ids: list[str], last: list) -> pd.DataFrame:
        h = forecast.shape[1]
        times = np.concatenate([future_times(t, self.freq_, h, self.step_) for t in last])
        frame = pd.DataFrame({self.time_col: times, self.target_col: forecast.reshape(-1)})
        if self.has_id_:
            frame.insert(0, self.id_col, np.repeat(ids, h))
        return frame

    # --- model file -------------------------------------------------------------------
    def _fitted_meta(self) -> dict:
        from rnnkit.tasks.forecast_state import fitted_meta

        return fitted_meta(self)

    def _tensors(self) -> dict[str, np.ndarray]:
        return {"context": self.context_}

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
        from rnnkit.tasks.forecast_state import restore

        restore(self, fitted, tensors)


def _slice_panel(panel: Panel, stop: np.ndarray) -> Panel:
    """The first ``stop[i]`` rows of each series."""
    return replace(
        panel,
        values=[v[:s] for v, s in zip(panel.values, stop, strict=True)],
        times=[t[:s] for t, s in zip(panel.times, stop, strict=True)],
    )


