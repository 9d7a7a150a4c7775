"""Networks that map a window of the past to the next ``horizon`` steps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from rnnkit.errors import InputError
from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.core import RecurrentCore
from rnnkit.nn.summary import LayerCount, dense_count, recurrent_layer_counts

WINDOW_NORMS = ("none", "last", "mean")


@dataclass(frozen=True)
class ForecastNetConfig:
    """A recurrent forecaster: core + dense head over the whole horizon.

    Args:
        recurrent: the recurrent stack.
        horizon: steps predicted in one forward pass (1 for a recursive model).
        target_cols: which input features are the targets (the head predicts these).
        window_norm: "last" subtracts each window's last target value from its target
            inputs and adds it back to the outputs, so the network learns changes, not levels
            (trend-proof); "mean" does the same with the window mean; "none" leaves levels.
        quantiles: levels in (0, 1), increasing: the head then predicts one value per level
            for one target, monotone by construction (the lowest, then positive increments).
        n_series, id_embedding: a learned vector of ``id_embedding`` numbers per series (of
            ``n_series``), joined to the summary: one global model, told which series it reads.
    """

    recurrent: RecurrentConfig = field(default_factory=RecurrentConfig)
    horizon: int = 1
    target_cols: tuple[int, ...] = (0,)
    window_norm: str = "last"
    quantiles: tuple[float, ...] = ()
    n_series: int = 0
    id_embedding: int = 0

    def __post_init__(self) -> None:
        if self.window_norm not in WINDOW_NORMS:
            raise InputError(
                f"window_norm={self.window_norm!r} is not known; expected one of "
                f"{list(WINDOW_NORMS)}. Pass window_norm='last' (default) or 'none'."
            )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ForecastNetConfig:
        return cls(
            recurrent=RecurrentConfig(**d["recurrent"]),
            horizon=int(d["horizon"]),
            target_cols=tuple(d["target_cols"]),
            window_norm=d["window_norm"],
            quantiles=tuple(d.get("quantiles", ())),
            n_series=int(d.get("n_series", 0)),
            id_embedding=int(d.get("id_embedding", 0)),
        )


class WindowNorm(nn.Module):
    """Removes each window's reference level from its target columns and restores it.

    Shapes:
        x: ``[B, L, F]`` -> (x minus the level on target columns ``[B, L, F]``,
        level ``[B, 1, n_targets]``).
    """

    def __init__(self, mode: str, n_features: int, target_cols: tuple[int, ...]) -> None:
        super().__init__()
        self.mode = mode
        mask = torch.zeros(n_features)
        mask[list(target_cols)] = 1.0
        self.register_buffer("mask", mask, persistent=False)
        self.register_buffer("cols", torch.tensor(target_cols), persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.mode == "none":
            return x, None
        ref = x[:, -1:, :] if self.mode == "last" else x.mean(dim=1, keepdim=True)  # [B, 1, F]
        return x - ref * self.mask, ref.index_select(2, self.cols)  # [B, L, F], [B, 1, nt]


class RecurrentForecastNet(nn.Module):
    """Window ``[B, lookback, F]`` -> forecast ``[B, horizon, n_targets]``."""

    def __init__(self, config: ForecastNetConfig) -> None:
        super().__init__()
        self.config = config
        rc = config.recurrent
        self.n_targets = len(config.target_cols)
        self.norm = WindowNorm(config.window_norm, rc.input_size, config.target_cols)
        self.core = RecurrentCore(rc)
        self.outputs = len(config.quantiles) or self.n_targets  # per horizon step
        self.ids = (nn.Embedding(config.n_series, config.id_embedding)
                    if config.id_embedding else None)
        self.head = nn.Linear(rc.output_size + config.id_embedding,
                              config.horizon * self.outputs)

    def forward(self, x: torch.Tensor, series: torch.Tensor | None = None) -> torch.Tensor:
        x, level = self.norm(x)  # [B, L, F]
        _, final = self.core(x)
        summary = self.core.last_hidden(final)  # [B, D*H]
        if self.ids is not None:
            summary = torch.cat([summary, self.ids(series)], dim=1)  # [B, D*H + E]
        y = self.head(summary).view(x.shape[0], self.config.horizon, self.outputs)
        if self.config.quantiles:  # monotone: the lowest level, then positive increments
            y = torch.cat([y[..., :1], nn.functional.softplus(y[..., 1:])], dim=-1).cumsum(-1)
        return y if level is None else y + level  # [B, horizon, nt or n_quantiles]

    def layer_counts(self) -> list[LayerCount]:
        rc, e = self.config.recurrent, self.config.id_embedding
        head = dense_count("dense head", rc.output_size + e, self.config.horizon * self.outputs)
        if e:
            n = self.config.n_series
            return recurrent_layer_counts(rc) + [
                LayerCount("series embedding", n * e, f"{n} x {e} = {n * e}"), head]
        return recurrent_layer_counts(rc) + [head]


class WindowMLP(nn.Module):
    """The tutorials' classic baseline: flatten the window, one hidden ReLU layer, dense out.

    Shapes:
        x: ``[B, lookback, F]`` -> ``[B, horizon, n_targets]``.
    """

    def __init__(
        self,
        lookback: int,
        n_features: int,
        horizon: int,
        target_cols: tuple[int, ...] = (0,),
        hidden_size: int = 64,
        window_norm: str = "last",
    ) -> None:
        super().__init__()
        self.horizon, self.n_targets = horizon, len(target_cols)
        self.norm = WindowNorm(window_norm, n_features, target_cols)
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(lookback * n_features, hidden_size),
            nn.ReLU(),
            nn.Linear(hidden_size, horizon * self.n_targets),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, level = self.norm(x)
        y = self.net(x).view(x.shape[0], self.horizon, self.n_targets)
        return y if level is None else y + level
