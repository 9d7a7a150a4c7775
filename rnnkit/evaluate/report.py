"""The result of a holdout evaluation: scores beside baselines, and the forecasts behind them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

METRICS = ("RMSE", "MAE", "MAPE", "sMAPE", "MASE")


@dataclass
class Evaluation:
    """Scores of a model and its baselines on the same chronological holdout.

    Attributes:
        scores: one row per model (the model first, then the baselines), one column per metric.
        forecasts: long frame: id, time, ``actual`` and one column per model.
        history: the training part of the data (long frame), for plots.
        model: the name of the evaluated model's row in ``scores``.
        test_size: holdout steps per series; season_length: the seasonal period used.
    """

    scores: pd.DataFrame
    forecasts: pd.DataFrame
    history: pd.DataFrame
    model: str
    test_size: int
    season_length: int | None
    id_col: str = "unique_id"
    time_col: str = "ds"
    target_col: str = "y"

    def beats(self, baseline: str, metric: str = "RMSE") -> bool:
        """Whether the model's ``metric`` is strictly lower than the ``baseline``'s."""
        return bool(self.scores.loc[self.model, metric] < self.scores.loc[baseline, metric])

    def table(self) -> str:
        """The scores as a plain-text table, with each metric's best value marked by ``*``."""
        frame = self.scores.loc[:, list(METRICS)]
        best = frame.idxmin()
        name_width = max(len(str(n)) for n in frame.index) + 2
        lines = [" " * name_width + "".join(f"{m:>11}" for m in METRICS)]
        for name, row in frame.iterrows():
            cells = "".join(
                f"{row[m]:>10.3f}{'*' if best[m] == name else ' '}" for m in METRICS
            )
            lines.append(f"{name:<{name_width}}{cells}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "test_size": self.test_size,
            "season_length": self.season_length,
            "scores": {
                name: {m: float(v) for m, v in row.items()}
                for name, row in self.scores.iterrows()
            },
        }

    def __str__(self) -> str:
        return self.table()
