"""Holdout evaluation of a Forecaster beside the naive, seasonal naive and window-MLP baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from rnnkit.data.frames import Panel, first_rows, future_times
from rnnkit.errors import InputError
from rnnkit.evaluate import METRICS, Evaluation, naive, seasonal_naive
from rnnkit.evaluate.diagnosis import diagnose
from rnnkit.metrics import forecast_metrics, mase_scale
from rnnkit.nn import WindowMLP
from rnnkit.tasks.forecaster import Forecaster


class WindowMLPForecaster(Forecaster):
    """The tutorials' window MLP, on exactly the Forecaster's windows, scaling and training."""

    def _build_network(self, n_features: int, horizon: int, lookback: int,
                       n_series: int = 1) -> torch.nn.Module:
        steps = 1 if self.strategy == "recursive" else horizon
        return WindowMLP(lookback, n_features, steps, (0,), self.hidden_size, self.window_norm,
                         self.n_future_)


def baseline_params(forecaster: Forecaster) -> dict:
    """What the window-MLP baseline changes from the model's arguments: a plain point
    forecaster (direct, or recursive like the model), silent."""
    strategy = "recursive" if forecaster.strategy == "recursive" else "direct"
    return {"verbose": 0, "quantiles": None, "id_embedding": 0, "strategy": strategy,
            "static_cols": (), "training": "window"}


def model_name(forecaster: Forecaster) -> str:
    return forecaster.cell.upper() if forecaster.cell != "rnn" else "RNN"


def evaluate_forecaster(
    forecaster: Forecaster, panel: Panel, test_size: int | None = None
) -> Evaluation:
    """Fit ``forecaster`` on all but the last ``test_size`` rows of each series and score it.

    The scaler, the early stopping and the baselines see the training part only.
    """
    horizon, _, season = forecaster._resolve(panel)
    test_size = horizon if test_size is None else test_size
    if isinstance(test_size, bool) or not isinstance(test_size, int) or test_size < 1:
        raise InputError(
            f"test_size={test_size!r} must be a positive number of steps. Pass e.g. test_size=24."
        )
    if forecaster.strategy == "direct" and test_size > horizon:
        raise InputError(
            f"test_size={test_size} is longer than horizon={horizon}: a direct model forecasts "
            f"at most its horizon. Pass test_size <= {horizon}, horizon={test_size}, or "
            "strategy='recursive'."
        )
    lengths = np.array(panel.lengths)
    train_panel = first_rows(panel, lengths - test_size)
    forecaster._fit_panel(train_panel)
    series, origin = np.arange(panel.n_series), lengths - test_size
    predictions = {model_name(forecaster): forecaster._forecast_at(panel, series, origin,
                                                                   test_size)}

    mlp_params = forecaster.get_params()
    mlp_params |= baseline_params(forecaster)
    mlp = WindowMLPForecaster(**mlp_params)._fit_panel(train_panel)
    train_values = [v[:, 0] for v in train_panel.values]
    predictions["naive"] = np.stack([naive(v, test_size) for v in train_values])
    predictions["seasonal naive"] = np.stack(
        [seasonal_naive(v, test_size, season) for v in train_values]
    )
    predictions["window MLP"] = mlp._forecast_at(panel, series, origin, test_size)

    actual = [v[-test_size:, 0] for v in panel.values]
    scales = [mase_scale(v, season or 1) for v in train_values]
    scores = pd.DataFrame(
        {name: forecast_metrics(actual, list(p), scales) for name, p in predictions.items()}
    ).T.loc[:, list(METRICS)]

    runs = None
    if forecaster.repeats > 1:  # each run alone, for the spread of every metric
        runs = pd.DataFrame([
            forecast_metrics(actual, list(forecaster._forecast_at(panel, series, origin,
                                                                  test_size, member)), scales)
            for member in forecaster.model_.members
        ]).loc[:, list(METRICS)]
    histories = forecaster.histories_
    diagnosis = diagnose([h.train_loss for h in histories], [h.val_loss for h in histories])

    f = forecaster
    times = np.concatenate(
        [future_times(t[-1], panel.freq, test_size, panel.step) for t in train_panel.times]
    )
    forecasts = pd.DataFrame({f.time_col: times, "actual": np.concatenate(actual)})
    for name, p in predictions.items():
        forecasts[name] = np.asarray(p).reshape(-1)
    forecasts.insert(0, f.id_col, np.repeat(panel.ids, test_size))
    return Evaluation(
        scores=scores, forecasts=forecasts, history=train_panel.to_frame(),
        model=model_name(forecaster), test_size=test_size, season_length=season,
        id_col=f.id_col, time_col=f.time_col, target_col=f.target_col, runs=runs,
        diagnosis=diagnosis,
    )
