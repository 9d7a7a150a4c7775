"""Forecasting with a fitted model: the window before each origin, batched forward passes
(step by step for the recursive strategy), the long frame of timestamps, and inspection."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch

from rnnkit.data.frames import Panel, as_user_ids, select_series
from rnnkit.data.frequency import future_times_many
from rnnkit.data.times import user_times
from rnnkit.data.windows import front_padded, origin_windows
from rnnkit.errors import InputError
from rnnkit.forecast import stateful
from rnnkit.forecast.covariates import future_block
from rnnkit.forecast.options import ForecastOptions
from rnnkit.forecast.spec import FittedForecast, check_h, point_index


def predict(options: ForecastOptions, fitted: FittedForecast, h: int | None = None,
            panel: Panel | None = None, ids: list[str] | None = None,
            future: Any = None) -> pd.DataFrame:
    """Forecast ``h`` steps after the training data, or after ``panel`` (see
    :meth:`rnnkit.Forecaster.predict`)."""
    h = check_h(options, fitted, h)
    if panel is None:
        context, names, last = fitted.context, list(fitted.ids), list(fitted.last_times)
    else:
        context, names, last = contexts(fitted, panel)
    if ids is not None:
        wanted = [str(i) for i in ([ids] if isinstance(ids, str | int) else ids)]
        missing = [i for i in wanted if i not in names]
        if missing:
            raise InputError(f"ids {missing[:5]} are not among the series "
                             f"({names[:5]}...). Pass ids of series in the data.")
        keep = [names.index(i) for i in wanted]
        context, names, last = context[keep], wanted, [last[k] for k in keep]
        if panel is not None:
            panel = select_series(panel, keep)
    targets = None
    if options.season_lags:
        if panel is not None:
            _check_lag_history(options, fitted, panel)
        targets = [fitted.season_tails[r] for r in fitted.rows(names)] if panel is None else \
            [panel.series(s)[:, 0] for s in range(panel.n_series)]
    block = future_block(options, fitted.freq, fitted.step, fitted.has_id, fitted.spec.calendar,
                         names, last, fitted.spec.future_steps(h, options.strategy), future,
                         targets, fitted.spec.season, fitted.zone, fitted.dayfirst)
    rows = fitted.rows(names)
    if options.training == "sequence":
        levels = (stateful.forecast_from_state(options, fitted, rows, h, block) if panel is None
                  else stateful.forecast_from_history(options, fitted, panel, h, block))
    else:
        levels = forecast_rows(options, fitted, context, rows, h, future=block,
                               all_quantiles=True)
    frame = to_frame(options, fitted, levels[..., point_index(options)], names, last,
                     fitted.integer_ids if panel is None else panel.integer_ids)
    for k, q in enumerate(options.quantiles or ()):
        frame[f"{options.target_col}_q{q:g}"] = levels[..., k].reshape(-1)
    return frame


def _check_lag_history(options: ForecastOptions, fitted: FittedForecast, panel: Panel) -> None:
    """A history given to predict holds the season lags of its last window, as the full one
    did (a shorter one read other lags, and forecast other numbers, without a word); a
    series that trained on fewer rows than that needs no more than it had."""
    season, n = fitted.spec.season, options.season_lags
    need = fitted.spec.lookback + n * season
    for s, sid in enumerate(panel.ids):
        had_all = len(fitted.season_tails[fitted.index[sid]]) >= n * season
        if had_all and panel.lengths[s] < need:
            raise InputError(
                f"data gives series {sid!r} {panel.lengths[s]} rows; with season_lags={n} of "
                f"{season} steps, a forecast reads {need} (lookback {fitted.spec.lookback} + "
                f"{n} seasons). Pass at least {need} rows of each series' history.")


def contexts(fitted: FittedForecast, panel: Panel, id_col: str = "unique_id"
             ) -> tuple[np.ndarray, list[str], list]:
    """The last ``lookback`` rows of each series of ``panel`` (checked against training)."""
    lookback = fitted.spec.lookback
    unknown = [i for i in panel.ids if i not in fitted.index]
    if unknown and fitted.has_id and not panel.has_id:  # its id column is missing
        raise InputError(
            f"data has no series id column, but the model was fitted on {len(fitted.ids)} "
            f"series (known: {fitted.ids[:5]}...). Give the data its id column {id_col!r}, "
            "as in training.")
    if unknown:
        raise InputError(
            f"series {unknown[:5]} were not seen in training (known: {fitted.ids[:5]}...). "
            "Predict only trained series, or refit with them.")
    if panel.n_features != fitted.spec.n_features:
        raise InputError(
            f"data has {panel.n_features} value columns but the model was trained on "
            f"{fitted.spec.n_features}. Pass the same feature_cols and future_cols as in "
            "training.")
    if fitted.lengths is not None and fitted.state is None:  # a window model given fewer
        for s, sid in enumerate(panel.ids):  # rows than its window where training had them
            need = min(lookback, fitted.lengths[fitted.index[sid]])  # (the newest alone):
            # a forecast from padding (a sequence model runs over what it is given)
            if panel.lengths[s] < need:
                raise InputError(
                    f"data holds {int(panel.lengths[s])} row(s) of series {sid!r}, but the "
                    f"model's window holds its last {lookback}: padded in front with their "
                    "first value, they would give a forecast from made-up history. Pass the "
                    f"series' recent history, at least {need} rows (in Python, rows that "
                    "continue the training data may go to update(rows), then predict()).")
    context = np.stack([front_padded(panel.series(s), lookback)[-lookback:]
                        for s in range(panel.n_series)])  # a short series: its first value
    return context, list(panel.ids), panel.last_times


def forecast_at(options: ForecastOptions, fitted: FittedForecast, panel: Panel,
                series: np.ndarray, at: np.ndarray, h: int, member: torch.nn.Module | None = None,
                all_quantiles: bool = False) -> np.ndarray:
    """Forecast ``[N, h]`` (``[N, h, Q]``) from origins inside ``panel``: row ``at[n]`` of
    series ``series[n]`` is the first forecast step; only rows before it are read, except
    the future covariates of the steps forecast. ``member``: one run of an ensemble alone."""
    rows = fitted.rows([panel.ids[s] for s in series])
    if options.training == "sequence":
        return stateful.forecast_at(options, fitted, panel, series, at, rows, h, member,
                                    all_quantiles)
    spec = fitted.spec
    context, future = origin_windows(panel.values, panel.offsets, series, at, spec.lookback,
                                     spec.future_steps(h, options.strategy), spec.future_index)
    return forecast_rows(options, fitted, context, rows, h, member=member, future=future,
                         all_quantiles=all_quantiles)


@torch.inference_mode()
def forecast_rows(options: ForecastOptions, fitted: FittedForecast, context: np.ndarray,
                  rows: np.ndarray, h: int | None, batch_size: int = 1024,
                  member: torch.nn.Module | None = None, all_quantiles: bool = False,
                  future: np.ndarray | None = None) -> np.ndarray:
    """Forecast ``[N, h]`` from contexts ``[N, lookback, F]`` of series rows ``[N]`` with the
    model (or one run, ``member``) and the future covariates ``[N, steps, C]`` over the
    forecast (user's units). With quantiles, the point forecast is the median level;
    ``all_quantiles`` returns every level, ``[N, h, Q]``."""
    h = check_h(options, fitted, h)
    model = fitted.network if member is None else member
    device = next(model.parameters()).device
    scaler = fitted.scaler
    scaled = scaler.transform(context, series=rows).astype(np.float32)
    ahead = None
    if future is not None:
        ahead = torch.from_numpy(scaler.transform(future, series=rows,
                                                  cols=fitted.spec.future_index)
                                 .astype(np.float32))
    out = []
    series = torch.from_numpy(np.asarray(rows, dtype=np.int64))
    takes_series = bool(options.id_embedding or options.static_cols)
    for start in range(0, len(scaled), batch_size):
        part = slice(start, start + batch_size)
        x = torch.from_numpy(scaled[part]).to(device)  # [b, L, F]
        ids = series[part].to(device) if takes_series else None
        fut = ahead[part].to(device) if ahead is not None else None  # [b, steps, C]
        extra = (ids, fut) if takes_series or fut is not None else ()
        if options.strategy != "recursive":  # direct and seq2seq forecast the horizon at once
            y = model(x, *extra)[:, :h]  # [b, h, 1 or Q]
        else:
            steps = []
            for k in range(h):  # each step depends on the previous prediction
                known = () if fut is None else (ids, fut[:, k : k + 1])
                step = model(x, *(known or extra))  # [b, 1, 1]
                steps.append(step)
                row = step if fut is None else torch.cat([step, fut[:, k : k + 1]], dim=-1)
                x = torch.cat([x[:, 1:], row], dim=1)
            y = torch.cat(steps, dim=1)  # [b, h, 1]
        out.append(y.double().cpu().numpy())
    y = np.concatenate(out) if out else np.zeros((0, h, 1))
    y = scaler.inverse_transform(y, series=rows, cols=(0,))  # scale > 0: order kept
    return y if all_quantiles else y[..., point_index(options)]


def to_frame(options: ForecastOptions, fitted: FittedForecast, forecast: np.ndarray,
             ids: list[str], last: list, integer_ids: bool = False) -> pd.DataFrame:
    h = forecast.shape[1]
    times = future_times_many(last, fitted.freq, h, fitted.step).reshape(-1)
    frame = pd.DataFrame({options.time_col: user_times(times, fitted.zone),
                          options.target_col: forecast.reshape(-1)})
    if fitted.has_id:
        frame.insert(0, options.id_col, as_user_ids(np.repeat(ids, h), integer_ids))
    return frame


def inspect(options: ForecastOptions, fitted: FittedForecast, window: np.ndarray, row: int):
    """Every state and gate of the first run's core over one window ``[T, F]`` (user's
    units) of series row ``row`` (see :class:`rnnkit.nn.inspect.Inspection`)."""
    from rnnkit.nn.inspect import inspect_core

    member = fitted.members[0]
    scaled = fitted.scaler.transform(window, series=row).astype(np.float32)
    x = torch.from_numpy(member.network_inputs(scaled) if hasattr(member, "network_inputs")
                         else scaled)
    device = next(member.parameters()).device
    x, _ = member.norm(x[None].to(device))
    reads = member.config.reads if hasattr(member, "config") else 0
    if reads:  # the core reads the window's last steps (the rest holds the profile's seasons)
        x, window = x[:, -reads:], window[-reads:]
    return inspect_core(member.core, x[0], window)
