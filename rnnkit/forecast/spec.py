"""What a forecast is, resolved once from the arguments and the data (``ForecastSpec``), and
everything fitting learned (``FittedForecast``): the two typed values the engine passes
around. Fit, predict, evaluate, backtest and ``summary()`` all read the same spec."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from rnnkit.data.calendar import calendar_cycles
from rnnkit.data.frames import Panel
from rnnkit.data.frequency import (
    is_yearly,
    season_is_a_year,
    season_length,
    year_ago_rows,
    year_steps,
)
from rnnkit.data.scalers import Scaling
from rnnkit.data.sessions import Sessions, is_sessions
from rnnkit.data.zones import Zone
from rnnkit.errors import InputError
from rnnkit.forecast.options import ForecastOptions
from rnnkit.train import History

DEFAULT_HORIZON = 10  # when the frequency says nothing about a season
MAX_LOOKBACK = 200  # beyond one season, longer windows cost time and rarely help
SMALL_DATA = 200_000  # window-steps below which several seeded runs cost little
YEAR_PROFILE = 3  # seasons the base of monthly and quarterly data averages
DRIFT_SPAN = 3  # horizons over which the drift base of yearly data measures its pace
TESTED_SEASONS = 10  # seasons a series holds before failing the seasonality test counts


@dataclass(frozen=True)
class ForecastSpec:
    """The shape of a forecast: how many steps in and out, which columns, which season.

    Attributes:
        lookback: input steps per window. horizon: steps forecast.
        steps: steps one forward pass predicts (1 for the recursive strategy, else horizon).
        season: the seasonal period, or None.
        n_features: value columns the network reads per step (target, past covariates,
            future covariates, calendar features).
        n_future: future covariate columns (the user's, then calendar), the last of the values.
        calendar: the calendar cycles added as future covariates, or None.
        n_series: series trained on. n_static: static covariates per series.
        origins: validation origins per series (the last ``horizon + origins - 1`` rows of
            each training series decide early stopping).
        repeats: seeded runs. refit_all: whether each run is retrained on every row.
        drift: the "season" window norm starts from the naive forecast with drift (series
            whose calendar has no season: yearly data); saved, so a model file keeps the
            base it was trained with.
        profile: seasons the "season" window norm's base averages (1: the last season);
            saved likewise.
        reads: the steps of each window the network reads (its last ones); 0: all of it.
            A window longer than that holds the seasons the profile averages, beyond what
            the network needs to read (a week of days of 169 slots: 845 steps, of which
            the network reads 200); saved likewise.
        seasonless: the series (most of them) do not repeat their season, one that is not a
            year of months or quarters (a week of days, a day of hours, a year of weeks): the
            "season" window norm starts from the last value instead (saved likewise).
        year: weekly data's year, 52.18 weeks, where the base is the last season: it takes
            each step's value a year before, between the weeks around it (seasonal naive
            repeats 52 weeks ago, a day and a quarter earlier every year); 0: whole seasons.
            Saved likewise.
    """

    lookback: int
    horizon: int
    steps: int
    season: int | None
    n_features: int
    n_future: int
    calendar: tuple[str, ...] | None
    n_series: int
    n_static: int
    origins: int = 1
    repeats: int = 1
    refit_all: bool = False
    drift: bool = False
    profile: int = 1
    reads: int = 0
    year: float = 0.0
    seasonless: bool = False

    @property
    def val_rows(self) -> int:
        return self.horizon + self.origins - 1

    @property
    def future_index(self) -> tuple[int, ...]:
        """Columns of the values that are future covariates."""
        return tuple(range(self.n_features - self.n_future, self.n_features))

    def future_steps(self, h: int, strategy: str) -> int:
        """Future covariate steps a forecast of ``h`` steps reads: the whole trained horizon
        for a direct head, only the steps forecast for a step-by-step decoder."""
        return self.horizon if strategy == "direct" else h

    def to_dict(self) -> dict:
        return asdict(self)


def resolve(options: ForecastOptions, panel: Panel | None = None,
            horizon: int | None = None) -> ForecastSpec:
    """The spec of ``options`` on ``panel``; ``horizon``: the steps an evaluation will score
    (the horizon when the arguments give none). Without a panel (``summary()`` before fitting)
    the season and the covariates come from the arguments alone.

    What "None" becomes (measured on the dev suite, bench/RESULTS.md):
    - horizon: the evaluation's steps, else 2 seasons (10 without a season), at most a third
      of the median series length;
    - lookback: 2 seasons (3 where the base averages 3), at least the horizon (2 horizons
      without a season), at most 200
      steps or one season, shortened on short series so that each keeps about as many
      training windows as its horizon (never below one season where the series allows);
      on yearly data (a calendar without a season), one horizon (at least 2; short series
      padded in front), while the window holds up to 3 horizons (as many as the training
      rows allow beside some windows), whose pace the naive-with-drift base of the "season"
      window norm carries on (``drift``; the network reads the last horizon of it:
      ``reads``; bench/RESULTS.md: a pace over one horizon was noisy on most yearly series);
    - profile: on monthly and quarterly data whose series (most of them) repeat their
      season, the "season" base is the mean shape of the window's last 3 seasons (years)
      at the last one's level, less noisy than the last season alone; on session data
      (business hours: a season is a day of open slots, every one a working day) the last
      week of open days, each weekday once (``base_seasons`` sets it). The window then
      holds those seasons, as many as the series' training rows allow, while the network
      reads the lookback's last steps of it (``reads``); a lookback given without
      ``base_seasons`` bounds the window (the profile averages the seasons it holds);
    - seasonless: on data whose calendar's season is not a year of months or quarters (a
      week of days, a day of hours, a year of weeks; at most 200 steps) where most series
      that hold 10 seasons fail the seasonality test below on their last 20, the "season"
      base is the last value (daily
      temperatures: the value a week ago is a poor start); not for a season given by hand;
    - year: on weekly data whose base is one season (52 weeks; not seasonless), the year
      of 52.18 weeks:
      the base takes each week's value a year before, between the weeks around it, where
      the window holds them (a lookback of 53 weeks or more); the direct strategy with
      window training only (as the profile: a recursive model would read its own forecasts
      a year on, the others have no seasonal base), and not with ``base_seasons`` given
      (1 asks for seasonal naive);
    - validation: the horizon plus up to one season (or horizon) of further origins, a
      twentieth of the series at most, so early stopping reads several windows per series;
    - repeats: 5 seeded runs on small data (fewer than 200,000 window-steps), else 1;
    - refit_all: retrain on every row when validation held out 5% or more of it.
    """
    freq = panel.freq if panel is not None else None
    season = options.season_length or season_length(freq)
    period = season if season and season > 1 else 0
    length = int(np.median(panel.lengths)) if panel is not None else 10_000
    h = options.horizon or horizon or min(2 * period if period else DEFAULT_HORIZON,
                                          max(1, length // 3))
    steps = 1 if options.strategy == "recursive" else h
    origins = max(1, min(max(period, h), length // 20))
    val = h + origins - 1 if options.val_size is None else _val_rows(options.val_size, length)
    lookback = options.lookback
    # yearly data (a calendar without a season): start from the naive forecast with drift
    drift = bool(is_yearly(freq) and not period and options.window_norm == "season"
                 and options.strategy != "seq2seq" and options.training == "window")
    seasons = options.base_seasons or (
        profile_seasons(freq, period) if period and options.window_norm == "season"
        and options.strategy == "direct" and options.training == "window"
        and profile_seasons(freq, period) > 1 and _seasonal(panel, period) else 1)
    # a season of the calendar that is not a year of months or quarters (a week of days, a
    # day of hours) which the series do not repeat (daily temperatures, prices): start from
    # the last value, as the Theta method does not deseasonalise them
    seasonless = bool(period and not season_is_a_year(freq) and seasons == 1
                      and options.season_length is None and options.base_seasons is None
                      and options.window_norm == "season" and options.strategy != "seq2seq"
                      and options.training == "window" and _seasonless(panel, period))
    room = length - val - steps - max(h, 8)  # keep some windows for training
    if lookback is None and not period and (drift or options.window_norm == "drift"):
        # the network reads one horizon (short series padded in front); the window holds
        # up to DRIFT_SPAN of them (below), whose pace goes on
        lookback = min(max(h, 2), MAX_LOOKBACK)
    elif lookback is None:
        lookback = max(max(2, seasons) * period, h) if period else 2 * h
        lookback = min(lookback, max(MAX_LOOKBACK, period))
        lookback = max(min(lookback, room), min(period, length - val - steps - 1), 1)
    drift = drift and lookback > 1
    # the window holds the profile's seasons (as many as the training rows allow beside
    # some windows); the network reads the lookback's last steps of it. A lookback given
    # without base_seasons bounds the window: the seasons it holds
    span = lookback if options.lookback and not options.base_seasons else max(lookback, room)
    profile = max(1, min(seasons, span // period)) if period else 1
    reads = lookback if profile > 1 and profile * period > lookback else 0
    lookback = max(lookback, profile * period) if profile > 1 else lookback
    # weekly data's season is a year of 52.18 weeks: a base of one season reads a year ago
    year = year_steps(freq, period) if options.window_norm == "season" and profile == 1 \
        and not seasonless \
        and options.base_seasons is None and options.strategy == "direct" \
        and options.training == "window" else 0.0
    if year and lookback < -year_ago_rows(steps, year)[0].min():
        year = 0.0  # the window must hold the weeks around a year ago
    paced = drift or (options.window_norm == "drift" and not period)  # by default or name
    if paced and options.lookback is None and lookback > 1:  # the pace over 3 horizons
        span = min(DRIFT_SPAN * lookback, max(lookback, room), MAX_LOOKBACK)
        if span > lookback:
            reads, lookback = lookback, span
    cycles = (calendar_cycles(freq) if panel is not None else None) if options.calendar else None
    n_future = len(options.future_cols) + 2 * len(cycles or ()) + options.season_lags
    if options.season_lags and period and h > period:
        raise InputError(f"season_lags={options.season_lags} with horizon={h}: the lags of "
                         f"steps beyond one season ({period}) are not observed at the "
                         f"forecast origin. Pass horizon <= {period}, or season_lags=0.")
    n_features = panel.n_features if panel is not None else \
        1 + len(options.feature_cols) + n_future
    windows = int(np.sum(np.maximum(panel.lengths - lookback - steps + 1, 1))) \
        if panel is not None else 1
    repeats = options.repeats or (5 if windows * (reads or lookback) < SMALL_DATA else 1)
    refit = options.refit_all if options.refit_all is not None else \
        (val >= 0.05 * length and options.val_size != 0)
    return ForecastSpec(lookback, h, steps, season, n_features, n_future, cycles,
                        panel.n_series if panel is not None else 1, len(options.static_cols),
                        origins if options.val_size is None else max(1, val - h + 1), repeats,
                        bool(refit), drift, profile, reads, year, seasonless)


def profile_seasons(freq: str | None, season: int) -> int:
    """Seasons the default profile averages on data of ``freq`` with a season of ``season``
    steps: 3 years on monthly and quarterly data; on session data whose season is a day of
    open slots, a week of open days (each weekday once); 1 (the last season: seasonal
    naive) elsewhere, where seasons differ (a daily season of around-the-clock data mixes
    weekdays and weekends; a weekly season of 52.18 weeks drifts from year to year:
    bench/RESULTS.md), and for a season set by hand to another length."""
    if season_is_a_year(freq):
        return YEAR_PROFILE
    if is_sessions(freq):
        sessions = Sessions.from_freq(freq)
        return len(sessions.weekdays) if 1 < sessions.slots == season else 1
    return 1


def _seasonal(panel: Panel | None, season: int) -> bool:
    """Whether most series of ``panel`` repeat their season (see
    :func:`rnnkit.data.seasonality.repeats_season`)."""
    if panel is None:
        return False
    from rnnkit.data.seasonality import repeats_season

    return bool(repeats_season(panel.values[:, 0], panel.offsets, season).mean() >= 0.5)


def _seasonless(panel: Panel | None, season: int) -> bool:
    """Whether most series of ``panel`` that hold ``TESTED_SEASONS`` seasons fail the
    seasonality test on their last ``2 * TESTED_SEASONS`` seasons (the test costs a pass
    over the rows per lag). False where no series holds that many (a clean cycle of a few
    seasons fails the test, its bound growing with the season's autocorrelations) or the
    season is longer than ``MAX_LOOKBACK`` steps (minutes of a day)."""
    if panel is None or season > MAX_LOOKBACK:
        return False
    from rnnkit.data.seasonality import repeats_season

    lengths = panel.lengths
    long = np.flatnonzero(lengths >= TESTED_SEASONS * season)
    if not len(long):
        return False
    kept = np.minimum(lengths[long], 2 * TESTED_SEASONS * season)  # each one's last rows
    offsets = np.concatenate([[0], np.cumsum(kept)])
    rows = np.repeat(panel.offsets[long + 1] - kept - offsets[:-1], kept) + np.arange(
        offsets[-1])
    return bool(repeats_season(panel.values[rows, 0], offsets, season).mean() < 0.5)


def _val_rows(val_size: int | float, length: int) -> int:
    return int(round(val_size * length)) if isinstance(val_size, float) else int(val_size)


@dataclass
class FittedForecast:
    """Everything a fit learned, and what it needs to forecast again.

    Attributes:
        spec: the resolved shape. network: the trained module (an Ensemble for repeats).
        scaler: per-series scaling of the value columns, fitted on the training rows.
        ids: the series in training order; ``index[id]`` is a series' row.
        context: ``[S, lookback, F]`` the last window of each series (user's units).
        last_times: each series' last timestamp. freq, step, has_id: the time grid.
        histories: each run's training history. final_epochs: with ``refit_all``, the
            epochs each run was retrained for.
        state: with training="sequence", each run's recurrent state after the history.
        season_tails: with season_lags, what of each series' target the lags of a forecast
            after it read (the last season_lags seasons).
        zone: how the training data's zoned timestamps sit on the time grid (None: they
            had no zone); predictions are returned in that zone.
        dayfirst: the training data's numeric dates put the day first (so do new rows').
        lengths: each series' rows in training (and updates); None in files before it.
        integer_ids: the training data's ids were integers (answers give them back so).
    """

    spec: ForecastSpec
    network: torch.nn.Module
    scaler: Scaling
    ids: list[str]
    context: np.ndarray
    last_times: list
    freq: str | None
    step: int
    has_id: bool
    histories: list[History]
    final_epochs: list[int] | None = None
    state: list[tuple[np.ndarray, ...]] | None = None
    season_tails: list[np.ndarray] | None = None
    zone: Zone | None = None
    dayfirst: bool = False
    lengths: list[int] | None = None
    integer_ids: bool = False

    @property
    def index(self) -> dict[str, int]:
        return {sid: k for k, sid in enumerate(self.ids)}

    def rows(self, ids: list[str]) -> np.ndarray:
        index = self.index
        return np.array([index[i] for i in ids], dtype=np.int64)

    @property
    def members(self) -> list[torch.nn.Module]:
        """Every run's network (one without repeats)."""
        return list(getattr(self.network, "members", [self.network]))

    # --- model file ---------------------------------------------------------------------
    def to_meta(self) -> dict:
        """The learned numbers as JSON (model.json's ``fitted``); the layout of rnnkit 0.1."""
        s = self.spec
        return {
            "horizon": s.horizon, "lookback": s.lookback, "season_length": s.season,
            "drift": s.drift, "profile": s.profile, "reads": s.reads, "year": s.year,
            "seasonless": s.seasonless,
            "n_features": s.n_features, "freq": self.freq, "step": self.step,
            "has_id": self.has_id, "ids": self.ids,
            "last_times": [_time_to_json(t) for t in self.last_times],
            "scaler": self.scaler.to_dict(), "history": self.histories[0].to_dict(),
            "histories": [h.to_dict() for h in self.histories],
            "final_epochs": self.final_epochs,
            "calendar": list(s.calendar) if s.calendar else None,
            "network": _config(self.network),
            "zone": self.zone.to_dict() if self.zone else None,
            "dayfirst": self.dayfirst,
            "lengths": self.lengths,
            "integer_ids": self.integer_ids,
        }

    def tensors(self) -> dict[str, np.ndarray]:
        out = {"context": self.context}
        for s, values in enumerate(self.season_tails or []):
            out[f"season_tail.{s}"] = values
        for m, state in enumerate(self.state or []):
            for k, part in enumerate(state):  # LSTM: (h, c); GRU, RNN: (h,)
                out[f"state.{m}.{k}"] = part
        return out

    @classmethod
    def from_meta(cls, options: ForecastOptions, fitted: dict, tensors: dict[str, np.ndarray],
                  build) -> FittedForecast:
        """Back from a model file; ``build(spec)`` makes the (untrained) network the weights
        load into."""
        calendar = tuple(fitted["calendar"]) if fitted.get("calendar") else None
        n_future = len(options.future_cols) + 2 * len(calendar or ()) + options.season_lags
        horizon = int(fitted["horizon"])
        spec = ForecastSpec(int(fitted["lookback"]), horizon,
                            1 if options.strategy == "recursive" else horizon,
                            fitted["season_length"], int(fitted["n_features"]), n_future,
                            calendar, len(fitted["ids"]), len(options.static_cols),
                            repeats=len(fitted.get("histories", [fitted["history"]])),
                            drift=bool(fitted.get("drift", False)),
                            profile=int(fitted.get("profile", 1)),
                            reads=int(fitted.get("reads", 0)),  # files before it: all
                            year=float(fitted.get("year", 0.0)),  # before it: whole seasons
                            seasonless=fitted.get("seasonless") is True)
        histories = [History.from_dict(h) for h in fitted.get("histories", [fitted["history"]])]
        state = None
        if options.training == "sequence":
            state = [tuple(tensors[f"state.{m}.{k}"] for k in range(2)
                           if f"state.{m}.{k}" in tensors) for m in range(spec.repeats)]
        tails = [tensors[f"season_tail.{s}"] for s in range(len(fitted["ids"]))] \
            if options.season_lags else None
        return cls(spec, build(spec), Scaling.from_dict(fitted["scaler"]), list(fitted["ids"]),
                   tensors["context"], [_time_from_json(t) for t in fitted["last_times"]],
                   fitted["freq"], fitted["step"], fitted["has_id"], histories,
                   fitted.get("final_epochs"), state, tails, Zone.from_dict(fitted.get("zone")),
                   bool(fitted.get("dayfirst", False)), _lengths(fitted.get("lengths"), fitted),
                   fitted.get("integer_ids") is True)


def _lengths(value: Any, fitted: dict) -> list[int] | None:
    """The series' training lengths of a model file (None in files before them)."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != len(fitted["ids"]) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in value):
        raise ValueError("'lengths' must hold one count of rows per series")
    return list(value)


def check_h(options: ForecastOptions, fitted: FittedForecast, h: int | None) -> int:
    """The number of steps to forecast: ``h`` checked against what the model can do."""
    horizon = fitted.spec.horizon
    h = horizon if h is None else h
    if isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 1:
        raise InputError(f"h={h!r} must be a positive integer. Pass e.g. h={horizon}.")
    season = fitted.spec.season
    if getattr(options, "season_lags", 0) and season and h > season:
        raise InputError(
            f"h={h} reaches beyond one season ({season}): the season lags of those steps are "
            f"not observed yet. Pass h <= {season}, or refit with season_lags=0.")
    if options.strategy != "recursive" and h > horizon:
        raise InputError(
            f"h={h} is longer than the horizon={horizon} this {options.strategy} model was "
            "trained for. "
            f"Pass h <= {horizon} (CLI: --h {horizon}), or refit with horizon={h} or "
            f"strategy='recursive' (CLI: rnnkit forecast --horizon {h} or --strategy "
            "recursive).")
    return int(h)


def point_index(options: ForecastOptions) -> int:
    """Which output is the point forecast: the 0.5 quantile, else the middle level."""
    levels = list(options.quantiles or ())
    return levels.index(0.5) if 0.5 in levels else len(levels) // 2


def _time_to_json(t: Any) -> str | int:
    if isinstance(t, np.datetime64 | pd.Timestamp):
        return str(np.datetime64(t, "ns"))
    return int(t)


def _time_from_json(t: str | int) -> np.datetime64 | int:
    return np.datetime64(t, "ns") if isinstance(t, str) else int(t)


def _config(network: Any) -> dict | None:
    """The network's configuration as JSON (None for the window MLP, which has none)."""
    config = getattr(network, "config", None)
    return config.to_dict() if config is not None else None
