"""Statistical baselines beside the recurrent model: AutoETS and AutoTheta from statsforecast
(the optional extra ``pip install 'rnnkit[stats]'``), refitted at every origin on the same
history the model saw (its last 4,000 observations at most). Without the extra,
:data:`MISSING_NOTE` says how to add them."""

from __future__ import annotations

import warnings

import numpy as np

NAMES = ("AutoETS", "AutoTheta")
MISSING_NOTE = ("AutoETS and AutoTheta join this table with the optional extra: "
                "pip install 'rnnkit[stats]'")
MAX_ETS_SEASON = 52  # ETS's seasonal states grow with the season; beyond, fit without one
MAX_HISTORY = 4000  # the most recent observations each model is fitted on (long series cost
# minutes otherwise: AutoTheta took 6 of them on 27,716 five-minute points)


def available() -> bool:
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        return False
    return True


def statistical_at(target: np.ndarray, first: np.ndarray, start: np.ndarray, h: int,
                   season: int | None) -> dict[str, np.ndarray]:
    """AutoETS and AutoTheta forecasts ``[N, h]`` of ``h`` steps from each origin.

    Args:
        target: ``[total]`` every series' target, one after the other.
        first: ``[N]`` row where each origin's series starts; start: ``[N]`` row of its first
            forecast step (its history is ``target[first:start]``).
        season: the seasonal period (None or 1: none).
    Returns:
        {} without statsforecast; a model that cannot fit a history gives NaN there.
    """
    if not available():
        return {}
    from statsforecast.models import AutoETS, AutoTheta

    m = season if season and season > 1 else 1
    out = {name: np.full((len(start), h), np.nan) for name in NAMES}
    for i, (a, b) in enumerate(zip(first, start, strict=True)):
        y = np.asarray(target[max(a, b - MAX_HISTORY):b], dtype=np.float64)
        for name, model in (("AutoETS", lambda: AutoETS(season_length=m if m <= MAX_ETS_SEASON
                                                         else 1)),
                            ("AutoTheta", lambda: AutoTheta(season_length=m))):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out[name][i] = model().forecast(y=y, h=h)["mean"]
            except Exception:  # noqa: BLE001 - a history it cannot fit: NaN, said in the table
                continue
    return out
