"""What a saved Forecaster keeps beside its weights, and how it comes back."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rnnkit.data.scalers import Scaler
from rnnkit.tasks.forecaster import Forecaster
from rnnkit.train import History


def fitted_meta(f: Forecaster) -> dict:
    """The fitted state as JSON-able numbers and strings (model.json's ``fitted``)."""
    return {
        "horizon": f.horizon_, "lookback": f.lookback_,
        "season_length": f.season_length_, "n_features": f.n_features_,
        "freq": f.freq_, "step": f.step_, "has_id": f.has_id_, "ids": f.ids_,
        "last_times": [_time_to_json(t) for t in f.last_times_],
        "scaler": f.scaler_.to_dict(), "history": f.history_.to_dict(),
        "histories": [h.to_dict() for h in f.histories_],
        "final_epochs": f.final_epochs_,
        "calendar": list(f.calendar_) if f.calendar_ else None,
        "network": f.model_.config.to_dict() if hasattr(f.model_, "config") else None,
    }


def restore(f: Forecaster, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
    """Set the fitted state back and build the (untrained) network the weights load into."""
    f.horizon_, f.lookback_ = fitted["horizon"], fitted["lookback"]
    f.season_length_, f.n_features_ = fitted["season_length"], fitted["n_features"]
    f.freq_, f.step_, f.has_id_ = fitted["freq"], fitted["step"], fitted["has_id"]
    f.ids_ = list(fitted["ids"])
    f.last_times_ = [_time_from_json(t) for t in fitted["last_times"]]
    f.scaler_ = Scaler.from_dict(fitted["scaler"])
    h = fitted["history"]
    f.histories_ = [History.from_dict(h) for h in fitted.get("histories", [h])]
    f.history_ = f.histories_[0]
    f.final_epochs_ = fitted.get("final_epochs")
    f.context_ = tensors["context"]
    f.calendar_ = tuple(fitted["calendar"]) if fitted.get("calendar") else None
    f.state_ = None
    if f.training == "sequence":
        f.state_ = [tuple(tensors[f"state.{m}.{k}"] for k in range(2)
                          if f"state.{m}.{k}" in tensors) for m in range(f.repeats)]
    runs = [f._build_network(f.n_features_, f.horizon_, f.lookback_, len(f.ids_))
            for _ in range(f.repeats)]
    f.model_ = f._assemble(runs)


def _time_to_json(t: Any) -> str | int:
    if isinstance(t, np.datetime64 | pd.Timestamp):
        return str(np.datetime64(t, "ns"))
    return int(t)


def _time_from_json(t: str | int) -> np.datetime64 | int:
    return np.datetime64(t, "ns") if isinstance(t, str) else int(t)
