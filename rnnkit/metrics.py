"""Forecast error metrics in numpy (no torch). Inputs broadcast; NaN-free by contract.

Shapes:
    y_true, y_pred: any matching shape, usually ``[series, horizon]`` or ``[horizon]``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["rmse", "mae", "mape", "smape", "mase_scale", "mase", "forecast_metrics"]


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error."""
    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


def mape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute percentage error, in percent. Points where ``y_true == 0`` are skipped."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    nonzero = y_true != 0
    if not nonzero.any():
        return float("nan")
    return float(100 * np.mean(np.abs((y_true - y_pred)[nonzero] / y_true[nonzero])))


def smape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Symmetric MAPE in percent (0..200): ``200 * |y - p| / (|y| + |p|)``; 0/0 counts as 0."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    denom = np.abs(y_true) + np.abs(y_pred)
    ratio = np.divide(np.abs(y_true - y_pred), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(200 * np.mean(ratio))


def mase_scale(history: np.ndarray, season: int = 1) -> float:
    """In-sample MAE of the seasonal naive forecast on ``history``: MASE's denominator.

    Falls back to lag 1 when the history is not longer than one season.
    """
    history = np.asarray(history, float)
    m = season if season and len(history) > season else 1
    if len(history) <= m:
        return float("nan")
    return float(np.mean(np.abs(history[m:] - history[:-m])))


def mase(y_true: np.ndarray, y_pred: np.ndarray, scale: float) -> float:
    """Mean absolute scaled error: MAE divided by :func:`mase_scale` of the training history."""
    return mae(y_true, y_pred) / scale if scale > 0 else float("nan")


def forecast_metrics(
    y_true: list[np.ndarray], y_pred: list[np.ndarray], scales: list[float]
) -> dict[str, float]:
    """RMSE, MAE, MAPE, sMAPE pooled over all series and steps; MASE averaged over series.

    Args:
        y_true: per series, the actual values ``[h_i]``.
        y_pred: per series, the forecasts ``[h_i]``.
        scales: per series, :func:`mase_scale` of its training history.
    """
    t, p = np.concatenate(y_true), np.concatenate(y_pred)
    mases = [mase(a, b, s) for a, b, s in zip(y_true, y_pred, scales, strict=True)]
    return {
        "RMSE": rmse(t, p),
        "MAE": mae(t, p),
        "MAPE": mape(t, p),
        "sMAPE": smape(t, p),
        "MASE": float(np.nanmean(mases)) if not np.all(np.isnan(mases)) else float("nan"),
    }
