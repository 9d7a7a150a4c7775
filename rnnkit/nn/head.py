"""What every forecasting network adds to its recurrent summary: the series it reads (a
learned id vector, its static covariates) and the known future (covariates over the horizon),
then a dense layer to the horizon, monotone across quantile levels."""

from __future__ import annotations

import torch
from torch import nn

from rnnkit.nn.summary import LayerCount, dense_count


class SeriesInputs(nn.Module):
    """A learned vector per series id and the series' static covariates, side by side.

    The static covariates (already scaled) live in a buffer, saved with the weights, so a
    forecast needs only the series' row number.

    Shapes:
        series: ``[B]`` row numbers -> ``[*lead, id_embedding + n_static]`` broadcast to the
        leading shape of ``like`` (``[B, ...]``).
    """

    def __init__(self, n_series: int, id_embedding: int, n_static: int) -> None:
        super().__init__()
        self.ids = nn.Embedding(n_series, id_embedding) if id_embedding else None
        self.n_static = n_static
        self.register_buffer("static", torch.zeros(n_series, n_static) if n_static else None)
        self.width = id_embedding + n_static

    def forward(self, series: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        parts = []
        if self.ids is not None:
            parts.append(self.ids(series))
        if self.n_static:
            parts.append(self.static[series].to(like.dtype))
        out = torch.cat(parts, dim=-1)  # [B, E]
        for _ in range(like.dim() - 2):  # [B, 1, ..., E] -> the leading shape of like
            out = out.unsqueeze(1)
        return out.expand(*like.shape[:-1], out.shape[-1])

    def layer_counts(self, n_series: int) -> list[LayerCount]:
        rows = []
        if self.ids is not None:
            e = self.ids.embedding_dim
            rows.append(LayerCount("series embedding", n_series * e,
                                   f"{n_series} x {e} = {n_series * e}"))
        return rows


class ForecastHead(nn.Module):
    """Summary (+ series inputs + future covariates) -> ``horizon`` steps of outputs.

    With quantile levels the outputs per step are monotone by construction (the lowest
    level, then positive increments). ``level`` (the window's reference value) is added back.

    Shapes:
        summary: ``[*lead, D]``; series: ``[B]`` or None; future: ``[*lead, H, C]`` or None;
        level: ``[*lead, 1, nt]`` or None -> ``[*lead, H, outputs]``.
    """

    def __init__(self, width: int, horizon: int, outputs: int, future_size: int,
                 series_inputs: SeriesInputs | None, quantiles: bool) -> None:
        super().__init__()
        self.horizon, self.outputs, self.quantiles = horizon, outputs, quantiles
        self.in_features = width + (series_inputs.width if series_inputs else 0) \
            + horizon * future_size
        self.linear = nn.Linear(self.in_features, horizon * outputs)

    def forward(self, summary: torch.Tensor, extras: list[torch.Tensor],
                level: torch.Tensor | None) -> torch.Tensor:
        z = torch.cat([summary, *extras], dim=-1) if extras else summary
        y = self.linear(z).view(*summary.shape[:-1], self.horizon, self.outputs)
        if self.quantiles:
            y = torch.cat([y[..., :1], nn.functional.softplus(y[..., 1:])], dim=-1).cumsum(-1)
        return y if level is None else y + level

    def layer_count(self, name: str = "dense head") -> LayerCount:
        return dense_count(name, self.in_features, self.horizon * self.outputs)
