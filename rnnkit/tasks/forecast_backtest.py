"""Forecasts from many origins at once: every window of a history, and rolling-origin backtests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnkit.data.frames import Panel, first_rows, future_times
from rnnkit.data.windows import make_windows
from rnnkit.errors import InputError
from rnnkit.evaluate import METRICS, Backtest
from rnnkit.metrics import forecast_metrics, mase_scale, rmse
from rnnkit.tasks.forecast_evaluation import WindowMLPForecaster, baseline_params, model_name
from rnnkit.tasks.forecaster import Forecaster


def predict_windows(f: Forecaster, panel: Panel, stride: int, batch_size: int) -> pd.DataFrame:
    """See :meth:`Forecaster.predict_windows`."""
    f._check_fitted("predict")
    if f.strategy == "recursive":
        raise InputError(
            "predict_windows needs a model that forecasts the horizon at once (direct or "
            "seq2seq). Use backtest(...) or predict(data=...) for a recursive one."
        )
    f._contexts(panel)  # validates ids, lengths and features
    # with future covariates an origin needs them over its whole horizon, inside the data
    ahead = f.horizon_ if f.n_future_ else 1
    windows = make_windows([v[:, :1] for v in panel.values], f.lookback_, ahead, stride,
                           series_names=panel.ids)
    series, at = windows.series, windows.target_times()
    if f.training == "sequence":  # one pass per series serves every origin
        y = f._forecast_at(panel, series, at, f.horizon_)
    else:
        y = np.concatenate([f._forecast_at(panel, series[k : k + batch_size],
                                           at[k : k + batch_size], f.horizon_)
                            for k in range(0, len(at), batch_size)] or
                           [np.zeros((0, f.horizon_))])
    h = f.horizon_
    # each series' timestamps extended by h future steps, so every target has a time
    extended = [np.concatenate([t, future_times(t[-1], f.freq_, h, f.step_)])
                for t in panel.times]
    base = np.concatenate([[0], np.cumsum([len(t) for t in extended])])[windows.series]
    first = base + windows.target_times()  # [N] row of the first target in `grid`
    grid = np.concatenate(extended)
    frame = pd.DataFrame({"cutoff": np.repeat(grid[first - 1], h),
                          f.time_col: grid[first[:, None] + np.arange(h)].reshape(-1),
                          f.target_col: y.reshape(-1)})
    if f.has_id_:
        frame.insert(0, f.id_col, np.repeat(np.asarray(panel.ids)[windows.series], h))
    return frame


def _origins(panel: Panel, n_windows: int, step: int, horizon: int) -> np.ndarray:
    """``[S, K]`` first target row of each window: the last window ends at the last row."""
    lengths = np.array(panel.lengths)[:, None]
    return lengths - horizon - step * (n_windows - 1 - np.arange(n_windows))[None, :]


def _seasonal_naive(target: np.ndarray, at: np.ndarray, origin: np.ndarray, steps: np.ndarray,
                    season: int | None, fallback: np.ndarray) -> np.ndarray:
    """Step j repeats the value one season before (``[N, h]``); naive where no season fits."""
    if not season or season < 2:
        return fallback
    rows = at - season + steps % season  # [N, h]
    return np.where(origin >= season, target[np.maximum(rows, 0)], fallback)


def backtest_forecaster(
    f: Forecaster, panel: Panel, n_windows: int = 10, step: int | None = None,
    refit: bool | int = False,
) -> Backtest:
    """See :meth:`Forecaster.backtest`."""
    horizon, lookback, season = f._resolve(panel)
    step = horizon if step is None else step
    for name, value in (("n_windows", n_windows), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name}={value!r} must be a positive integer. Pass e.g. {name}=5.")
    every = n_windows if refit is False else (1 if refit is True else int(refit))
    if every < 1:
        raise InputError(f"refit={refit!r} must be False, True or a positive window count.")
    origins = _origins(panel, n_windows, step, horizon)  # [S, K]
    first = origins[:, 0]
    if (first < lookback + 1).any():
        i = int(np.argmin(first))
        raise InputError(
            f"n_windows={n_windows} with step={step} and horizon={horizon} starts the backtest "
            f"at row {first[i]} of series {panel.ids[i]!r}, leaving too little history to train "
            "on. Lower n_windows or step."
        )
    S, K = origins.shape
    rows = np.repeat(np.arange(S), K)
    at = origins.reshape(-1)  # [S*K] first target row of each window in its series
    mlp_params = f.get_params() | baseline_params(f)
    predictions = {model_name(f): np.zeros((S * K, horizon)),
                   "window MLP": np.zeros((S * K, horizon))}
    levels = np.zeros((S * K, horizon, len(f.quantiles or ())))  # [S*K, h, Q]
    for group in range(0, K, every):  # a (re)fit on everything before the group's origin
        train = first_rows(panel, origins[:, group])
        members = (np.arange(S * K) % K >= group) & (np.arange(S * K) % K < group + every)
        for model in (f, WindowMLPForecaster(**mlp_params)):
            model._fit_panel(train)
            name = "window MLP" if isinstance(model, WindowMLPForecaster) else model_name(f)
            if model is f and f.quantiles:
                levels[members] = f._forecast_at(panel, rows[members], at[members], horizon,
                                                 all_quantiles=True)
                predictions[name][members] = levels[members][..., f._point_index()]
            else:
                predictions[name][members] = model._forecast_at(panel, rows[members],
                                                                at[members], horizon)
    target = np.concatenate([v[:, 0] for v in panel.values])
    offsets = np.concatenate([[0], np.cumsum(panel.lengths)])[:-1, None]
    at = (offsets + origins).reshape(-1)[:, None]  # [S*K, 1] row of each first target
    steps = np.arange(horizon)
    actual = target[at + steps]  # [S*K, h]
    predictions["naive"] = np.repeat(target[at - 1], horizon, axis=1)
    predictions["seasonal naive"] = _seasonal_naive(target, at, origins.reshape(-1, 1),
                                                    steps, season, predictions["naive"])
    order = [model_name(f), "naive", "seasonal naive", "window MLP"]
    scales = [mase_scale(v[: origins[s, 0], 0], season or 1)
              for s, v in enumerate(panel.values)]
    scores = pd.DataFrame({
        name: forecast_metrics(list(actual.reshape(S, -1)),
                               list(predictions[name].reshape(S, -1)), scales)
        for name in order
    }).T.loc[:, list(METRICS)]
    by_step = pd.DataFrame({name: [rmse(actual[:, j], predictions[name][:, j])
                                   for j in range(horizon)] for name in order},
                           index=pd.RangeIndex(1, horizon + 1, name="step"))
    times = np.concatenate(panel.times)
    cutoff, ds = times[at[:, 0] - 1], times[at + steps]  # [S*K], [S*K, h]
    forecasts = pd.DataFrame({
        f.id_col: np.repeat(np.asarray(panel.ids)[rows], horizon),
        "cutoff": np.repeat(cutoff, horizon), f.time_col: ds.reshape(-1),
        "step": np.tile(np.arange(1, horizon + 1), S * K), "actual": actual.reshape(-1),
    })
    for name in order:
        forecasts[name] = predictions[name].reshape(-1)
    intervals = None
    if f.quantiles:
        for k, q in enumerate(f.quantiles):
            forecasts[f"{model_name(f)}_q{q:g}"] = levels[..., k].reshape(-1)
        low, high = levels[..., 0], levels[..., -1]
        intervals = {
            "levels": [f.quantiles[0], f.quantiles[-1]],
            "nominal_coverage": f.quantiles[-1] - f.quantiles[0],
            "coverage": float(np.mean((actual >= low) & (actual <= high))),
            "mean_width": float(np.mean(high - low)),
        }
    return Backtest(scores=scores, forecasts=forecasts, by_step=by_step, model=model_name(f),
                    n_windows=n_windows, step=step, horizon=horizon, refit=every,
                    history=panel.to_frame(), season_length=season, id_col=f.id_col,
                    time_col=f.time_col, target_col=f.target_col, intervals=intervals,
                    scales=scales)


def strategy_table(results: dict[str, Backtest]) -> pd.DataFrame:
    """One table for backtests of several strategies on the same origins: a row per strategy,
    the ensemble of the strategies (their mean forecast), then the baselines."""
    first = next(iter(results.values()))
    rows = {f"{bt.model} {name}": bt.scores.loc[bt.model] for name, bt in results.items()}
    if len(results) > 1:
        mean = np.mean([bt.forecasts[bt.model].to_numpy() for bt in results.values()], axis=0)
        by_series = first.forecasts.assign(ensemble=mean).groupby(first.id_col, sort=False)
        actual = [g["actual"].to_numpy() for _, g in by_series]
        predicted = [g["ensemble"].to_numpy() for _, g in by_series]
        rows["ensemble of strategies"] = pd.Series(
            forecast_metrics(actual, predicted, first.scales))
    table = pd.DataFrame(rows).T.loc[:, list(METRICS)]
    return pd.concat([table, first.scores.drop(index=first.model)])
