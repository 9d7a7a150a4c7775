"""How a window Forecaster forecasts: the inputs before each origin, batched forward passes
(step by step for the recursive strategy), the frame of timestamps, and inspection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

from rnnkit.data.frames import Panel, future_times
from rnnkit.errors import InputError

if TYPE_CHECKING:
    from rnnkit.nn.inspect import Inspection
    from rnnkit.tasks.forecaster import Forecaster


class WindowPrediction:
    """The prediction mechanics of :class:`rnnkit.Forecaster` (fitted attributes assumed)."""

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
                f"{self.n_features_}. Pass the same feature_cols and future_cols as in training."
            )
        context = np.stack([v[-lookback:] for v in panel.values])  # [S, L, F]
        return context, list(panel.ids), [t[-1] for t in panel.times]

    def _forecast_at(self, panel: Panel, series: np.ndarray, at: np.ndarray, h: int,
                     module: torch.nn.Module | None = None,
                     all_quantiles: bool = False) -> np.ndarray:
        """Forecast ``[N, h]`` (``[N, h, Q]``) from origins inside ``panel``: row ``at[n]``
        of series ``series[n]`` is the first forecast step; only rows before it are read,
        except the future covariates of the steps forecast."""
        rows = np.array([self.ids_.index(panel.ids[s]) for s in series], dtype=np.int64)
        if self.training == "sequence":
            from rnnkit.tasks.forecast_stateful import forecast_at

            return forecast_at(self, panel, series, at, rows, h, module, all_quantiles)
        from rnnkit.tasks.forecast_covariates import gather_origins

        context, future = gather_origins(panel, series, at, self.lookback_,
                                         self._future_steps(h),
                                         list(self._future_index(panel.n_features)))
        return self._forecast_rows(context, rows, h, module=module, future=future,
                                   all_quantiles=all_quantiles)

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
        return int(h)

    @torch.inference_mode()
    def _forecast_rows(self, context: np.ndarray, rows: np.ndarray, h: int | None,
                       batch_size: int = 1024, module: torch.nn.Module | None = None,
                       all_quantiles: bool = False, future: np.ndarray | None = None
                       ) -> np.ndarray:
        """Forecast ``[N, h]`` from contexts ``[N, lookback, F]`` of scaler rows ``[N]``
        with ``module`` (default: the model; one run of an ensemble for its own scores) and
        the future covariates ``[N, steps, C]`` over the forecast (user's units).
        With quantiles, the point forecast is the median level; ``all_quantiles`` returns
        every level, ``[N, h, Q]``."""
        h = self._check_h(h)
        model = self.model_ if module is None else module
        device = next(model.parameters()).device
        scaled = self.scaler_.transform(context, series=rows).astype(np.float32)
        ahead = None
        if future is not None:
            ahead = self.scaler_.transform(future, series=rows,
                                           cols=self._future_index(self.n_features_))
            ahead = torch.from_numpy(ahead.astype(np.float32))
        out = []
        series = torch.from_numpy(np.asarray(rows, dtype=np.int64))
        takes_series = self.id_embedding or self.static_cols
        for start in range(0, len(scaled), batch_size):
            part = slice(start, start + batch_size)
            x = torch.from_numpy(scaled[part]).to(device)  # [b, L, F]
            ids = series[part].to(device) if takes_series else None
            fut = ahead[part].to(device) if ahead is not None else None  # [b, steps, C]
            extra = (ids, fut) if takes_series or fut is not None else ()
            if self.strategy != "recursive":  # direct and seq2seq forecast the horizon at once
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


def inspect_forecaster(f: Forecaster, data: Any = None) -> Inspection:
    """See :meth:`Forecaster.inspect`."""
    from rnnkit.nn.inspect import inspect_core

    f._check_fitted("inspect")
    if data is None:
        window, row = f.context_[0], 0
    elif isinstance(data, np.ndarray) and data.ndim in (1, 2):
        window, row = data.reshape(len(data), -1).astype(float), 0
        if window.shape[1] != f.n_features_:
            raise InputError(
                f"data has {window.shape[1]} feature(s) per step; the model was trained on "
                f"{f.n_features_}. Pass an array [T, {f.n_features_}]."
            )
    else:
        context, ids, _ = f._contexts(f.load(data))
        window, row = context[0], f.ids_.index(ids[0])
    scaled = f.scaler_.transform(window, series=row).astype(np.float32)
    if f.training == "sequence":  # what the stateful network reads (target changes)
        from rnnkit.nn.stateful import step_inputs

        scaled = step_inputs(scaled, f.window_norm == "last")
    x = torch.from_numpy(scaled)
    x, _ = f.model_.norm(x[None].to(next(f.model_.parameters()).device))
    return inspect_core(f.model_.core, x[0], window)
