"""Networks that map a window of the past to the next ``horizon`` steps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from rnnkit.data.frequency import year_ago_rows
from rnnkit.errors import InputError
from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.core import RecurrentCore
from rnnkit.nn.head import ForecastHead, SeriesInputs
from rnnkit.nn.summary import LayerCount, dense_count, recurrent_layer_counts

WINDOW_NORMS = ("none", "last", "mean", "season", "drift")


@dataclass(frozen=True)
class ForecastNetConfig:
    """A recurrent forecaster: core + dense head over the whole horizon.

    Args:
        recurrent: the recurrent stack.
        horizon: steps predicted in one forward pass (1 for a recursive model).
        target_cols: which input features are the targets (the head predicts these).
        window_norm: "last" subtracts each window's last target value from its target
            inputs and adds it back to the outputs, so the network learns changes, not levels
            (trend-proof); "mean" does the same with the window mean; "season" reads the same
            inputs as "last" and adds its outputs to the last season of the window repeated
            (the seasonal naive forecast: a network that has learned nothing forecasts that);
            "drift" reads the inputs of "last" and adds its outputs to the naive forecast
            with drift: the last value going on at the window's pace, (last - first) /
            (lookback - 1) a step (the default for yearly data; short series padded in front
            with their first value give a gentler pace); "none" leaves levels.
        season: the seasonal period "season" repeats (0 or 1: none; then it acts as "last").
        profile: seasons the "season" base averages: the window's last ``profile`` seasons
            averaged step by step (the seasonal shape, less noisy than one season), moved to
            the level (mean) of the last season; 1: the last season as it was (seasonal
            naive). Windows holding fewer whole seasons average those they hold.
        reads: the steps of each window the recurrent core reads, its last ones (0: all):
            a window may hold more seasons for the profile than the network needs to read.
        year: a season of ``season`` steps that is a year not of whole steps (weekly data:
            365.25 / 7 = 52.18): the "season" base of one season takes each step's value a
            year before, between the two rows around it (0: the season's own steps).
        quantiles: levels in (0, 1), increasing: the head then predicts one value per level
            for one target, monotone by construction (the lowest, then positive increments).
        n_series, id_embedding: a learned vector of ``id_embedding`` numbers per series (of
            ``n_series``), joined to the summary: one global model, told which series it reads.
        n_static: static covariates per series (a fixed row per series, joined likewise).
        future_size: future covariates per step, known over the horizon: the head reads their
            values at every target step.
    """

    recurrent: RecurrentConfig = field(default_factory=RecurrentConfig)
    horizon: int = 1
    target_cols: tuple[int, ...] = (0,)
    window_norm: str = "last"
    quantiles: tuple[float, ...] = ()
    n_series: int = 0
    id_embedding: int = 0
    n_static: int = 0
    future_size: int = 0
    season: int = 0
    profile: int = 1
    reads: int = 0
    year: float = 0.0

    @property
    def takes_series(self) -> bool:
        """Whether forward needs the series' row numbers."""
        return bool(self.id_embedding or self.n_static)

    def __post_init__(self) -> None:
        if self.window_norm not in WINDOW_NORMS:
            raise InputError(
                f"window_norm={self.window_norm!r} is not known; expected one of "
                f"{list(WINDOW_NORMS)}. Pass window_norm='season' (the Forecaster's default) "
                "or 'last'."
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
            n_static=int(d.get("n_static", 0)),
            future_size=int(d.get("future_size", 0)),
            season=int(d.get("season", 0)),
            profile=int(d.get("profile", 1)),  # files before it: the last season
            reads=int(d.get("reads", 0)),  # files before it: the whole window
            year=float(d.get("year", 0.0)),  # files before it: whole seasons
        )


class WindowNorm(nn.Module):
    """Removes each window's reference level from its target columns, and gives the base the
    network's outputs are added to: that level, or with "season" the window's last season
    (or the profile of its last ``profile`` seasons) repeated over the horizon (see
    :class:`ForecastNetConfig`).

    Shapes:
        x: ``[B, L, F]`` -> (x minus the level on target columns ``[B, L, F]``,
        base ``[B, 1, n_targets]``, or ``[B, horizon, n_targets]`` with "season" and
        "drift").
    """

    def __init__(self, mode: str, n_features: int, target_cols: tuple[int, ...],
                 season: int = 0, horizon: int = 1, profile: int = 1, year: float = 0.0
                 ) -> None:
        super().__init__()
        self.mode, self.season, self.horizon, self.profile = mode, season, horizon, profile
        mask = torch.zeros(n_features)
        mask[list(target_cols)] = 1.0
        self.register_buffer("mask", mask, persistent=False)
        self.register_buffer("cols", torch.tensor(target_cols), persistent=False)
        self.year_rows = 0  # the window steps a year-ago base needs (0: none)
        if mode == "season" and year and profile < 2:
            before, weight = year_ago_rows(horizon, year)
            self.year_rows = int(-before.min())
            self.register_buffer("before", torch.from_numpy(before), persistent=False)
            self.register_buffer("weight", torch.from_numpy(weight).float()[None, :, None],
                                 persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.mode == "none":
            return x, None
        ref = x[:, -1:, :] if self.mode in ("last", "season", "drift") \
            else x.mean(dim=1, keepdim=True)  # [B, 1, F]
        base = ref.index_select(2, self.cols)  # [B, 1, nt]
        steps = x.shape[1]
        if self.mode == "drift" and steps > 1:  # the last value, going on at the window's pace
            pace = (x[:, -1:] - x[:, :1]).index_select(2, self.cols) / (steps - 1)  # [B, 1, nt]
            ahead = torch.arange(1, self.horizon + 1, device=x.device, dtype=x.dtype)
            base = base + pace * ahead[None, :, None]  # [B, H, nt]
        if self.mode == "season" and 1 < self.season <= steps:
            base = self.last_seasons(x, steps)  # [B, H, nt]
        return x - ref * self.mask, base  # [B, L, F], [B, 1 or H, nt]

    def last_seasons(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        """The last season of the window (or its profile over the last ``profile`` seasons,
        at the last season's level), repeated over the horizon: ``[B, H, nt]``."""
        m = self.season
        if self.year_rows and steps >= self.year_rows:  # a year ago, between two rows
            rows = x[:, steps + self.before].index_select(2, self.cols)  # [B, H, nt]
            later = x[:, steps + 1 + self.before].index_select(2, self.cols)
            weight = self.weight.to(x.dtype)
            return rows + weight * (later - rows)
        phase = torch.arange(self.horizon, device=x.device) % m
        k = min(self.profile, steps // m)
        if k < 2:  # seasonal naive
            return x[:, steps - m + phase].index_select(2, self.cols)
        seasons = x[:, steps - k * m:].index_select(2, self.cols)  # [B, k*m, nt]
        shape = seasons.reshape(x.shape[0], k, m, -1).mean(dim=1)  # [B, m, nt]
        last = seasons[:, -m:]
        level = last.mean(dim=1, keepdim=True) - shape.mean(dim=1, keepdim=True)
        return (shape + level)[:, phase]


class RecurrentForecastNet(nn.Module):
    """Window ``[B, lookback, F]`` -> forecast ``[B, horizon, n_targets or n_quantiles]``.

    Shapes:
        x: ``[B, L, F]``; series: ``[B]`` row numbers (with an id embedding or static
        covariates); future: ``[B, horizon, future_size]`` covariates at the target steps.
    """

    def __init__(self, config: ForecastNetConfig) -> None:
        super().__init__()
        self.config = config
        rc = config.recurrent
        self.n_targets = len(config.target_cols)
        self.norm = WindowNorm(config.window_norm, rc.input_size, config.target_cols,
                               config.season, config.horizon, config.profile, config.year)
        self.core = RecurrentCore(rc)
        self.outputs = len(config.quantiles) or self.n_targets  # per horizon step
        self.series_inputs = series_inputs(config)
        self.head = ForecastHead(rc.output_size, config.horizon, self.outputs,
                                 config.future_size, self.series_inputs, bool(config.quantiles))

    def forward(self, x: torch.Tensor, series: torch.Tensor | None = None,
                future: torch.Tensor | None = None) -> torch.Tensor:
        x, level = self.norm(x)  # [B, L, F]
        if self.config.reads:
            x = x[:, -self.config.reads:]
        _, final = self.core(x)
        summary = self.core.last_hidden(final)  # [B, D*H]
        return self.head(summary, head_extras(self.series_inputs, series, future, summary),
                         level)

    def layer_counts(self) -> list[LayerCount]:
        extra = self.series_inputs.layer_counts(self.config.n_series) \
            if self.series_inputs else []
        return recurrent_layer_counts(self.config.recurrent) + extra + [self.head.layer_count()]


def series_inputs(config: ForecastNetConfig) -> SeriesInputs | None:
    """The id embedding and static covariates of ``config``, or None without either."""
    if not config.takes_series:
        return None
    return SeriesInputs(config.n_series, config.id_embedding, config.n_static)


def head_extras(inputs: SeriesInputs | None, series: torch.Tensor | None,
                future: torch.Tensor | None, summary: torch.Tensor) -> list[torch.Tensor]:
    """What the head reads beside the summary ``[*lead, D]``: the series inputs and the
    future covariates flattened over the horizon (``[*lead, H, C]`` -> ``[*lead, H*C]``)."""
    extras = []
    if inputs is not None:
        extras.append(inputs(series, summary))
    if future is not None:
        extras.append(future.flatten(-2).to(summary.dtype))
    return extras


class WindowMLP(nn.Module):
    """The tutorials' classic baseline: flatten the window, one hidden ReLU layer, dense out.

    Shapes:
        x: ``[B, lookback, F]`` (+ future ``[B, horizon, C]``) -> ``[B, horizon, n_targets]``.
        The series argument is accepted and ignored (the baseline knows no series).
    """

    def __init__(
        self,
        lookback: int,
        n_features: int,
        horizon: int,
        target_cols: tuple[int, ...] = (0,),
        hidden_size: int = 64,
        window_norm: str = "last",
        future_size: int = 0,
        season: int = 0,
        profile: int = 1,
        reads: int = 0,
        year: float = 0.0,
    ) -> None:
        super().__init__()
        self.horizon, self.n_targets, self.reads = horizon, len(target_cols), reads
        self.norm = WindowNorm(window_norm, n_features, target_cols, season, horizon, profile,
                               year)
        self.net = nn.Sequential(
            nn.Linear((reads or lookback) * n_features + horizon * future_size, hidden_size),
            nn.ReLU(),
            nn.Linear(hidden_size, horizon * self.n_targets),
        )

    def forward(self, x: torch.Tensor, series: torch.Tensor | None = None,
                future: torch.Tensor | None = None) -> torch.Tensor:
        x, level = self.norm(x)
        x = x[:, -self.reads:] if self.reads else x
        z = x.flatten(1) if future is None else torch.cat([x.flatten(1), future.flatten(1)], 1)
        y = self.net(z).view(x.shape[0], self.horizon, self.n_targets)
        return y if level is None else y + level

    def layer_counts(self) -> list[LayerCount]:
        hidden, head = self.net[0], self.net[2]
        return [dense_count("dense hidden (ReLU)", hidden.in_features, hidden.out_features),
                dense_count("dense head", head.in_features, head.out_features)]
