"""Every argument of a forecast, declared once: type, default, what it means, what it accepts.

The :class:`rnnkit.Forecaster` is this dataclass plus the scikit-learn methods, the engine
reads it, the CLI builds its flags from it, and a model file stores it: the three cannot
drift apart. ``validate`` checks every argument at the entry point, before any data is read
or torch is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from rnnkit.errors import InputError
from rnnkit.options import option, validate_fields
from rnnkit.tracking import TrackingOptions

STRATEGIES = ("direct", "recursive", "seq2seq")
NETWORKS = ("recurrent", "mlp")
TRAININGS = ("window", "sequence")
CELLS = ("rnn", "lstm", "gru")
SCALERS = ("standard", "minmax", "none")
WINDOW_NORMS = ("season", "drift", "last", "mean", "none")
TRANSFORMS = ("auto", "log", "none")
LOSSES = ("mse", "mae", "huber")
FILLS = ("ffill", "interpolate", "zero", "drop")
DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("float32", "bf16")
ENSEMBLES = ("mean", "median")


@dataclass(kw_only=True, eq=False, repr=False)
class ForecastOptions(TrackingOptions):
    """The arguments of a forecast (see each field's help; :class:`rnnkit.Forecaster` documents
    them at length)."""

    # --- the data ---------------------------------------------------------------------
    time_col: str = option("ds", "Name of the timestamp column.", "str", group="data")
    target_col: str = option("y", "Name of the target column.", "str", group="data")
    id_col: str = option("unique_id", "Name of the series id column.", "str", group="data")
    feature_cols: tuple[str, ...] = option(
        (), "Past covariates (observed up to the forecast origin).", "columns", group="data")
    future_cols: tuple[str, ...] = option(
        (), "Future covariates (known ahead; forecasts need their values).", "columns",
        group="data")
    static_cols: tuple[str, ...] = option((), "Columns holding one value per series.",
                                          "columns", group="data")
    calendar: bool = option(False, "Add hour, day of week, month as sine/cosine future "
                            "covariates.", "bool", group="data")
    freq: str | None = option(None, "Regularise the timestamps to this pandas frequency.",
                              "str|None", group="data")
    fill: str | None = option(None, "Fill missing values: ffill, interpolate, zero or drop.",
                              "str|None", FILLS, group="data")
    season_length: int | None = option(None, "Seasonal period (default: from the frequency).",
                                       "int>=1|None", group="data")
    # --- the model --------------------------------------------------------------------
    lookback: int | None = option(None, "Input steps the network reads per window (default: "
                                  "from the season, the horizon and the series' length; "
                                  "the window may hold more seasons for base_seasons).",
                                  "int>=1|None")
    horizon: int | None = option(None, "Steps to forecast (default: 2 seasons, or the test "
                                 "size of evaluate).", "int>=1|None")
    network: str = option("recurrent", "recurrent (cell, strategy, training), or mlp: the "
                          "tutorials' window MLP (the window flattened, one hidden ReLU layer).",
                          "str", NETWORKS)
    strategy: str = option("direct", "direct, recursive or seq2seq.", "str", STRATEGIES)
    cell: str = option("lstm", "Recurrent cell: lstm, gru or rnn.", "str", CELLS)
    hidden_size: int = option(64, "Units per recurrent layer.", "int>=1")
    num_layers: int = option(1, "Stacked recurrent layers.", "int>=1")
    dropout: float = option(0.0, "Dropout between stacked layers.", "fraction")
    bidirectional: bool = option(False, "Read each window both ways (window strategies).",
                                 "bool")
    attention: bool = option(False, "seq2seq: each decoder step attends to the encoder.",
                             "bool")
    scaler: str = option("standard", "Per-series scaling: standard, minmax or none.", "str",
                         SCALERS)
    window_norm: str = option("season", "Window normalisation: season (changes from the last "
                              "value, added to the last season, or to the last value on daily, "
                              "hourly or weekly data that do not repeat their season; on weekly "
                              "data with the "
                              "direct strategy, to the value a year of 52.18 weeks before; "
                              "without a season, to the naive forecast with drift), drift, "
                              "last, mean or none.", "str",
                              WINDOW_NORMS)
    base_seasons: int | None = option(
        None, "Seasons the 'season' window norm's base averages (direct strategy): their "
        "mean shape at the last season's level; the window holds them, beyond the lookback "
        "if need be, as far as the series allow (1: the last season, seasonal naive; "
        "default: 3 on monthly and quarterly data that repeat their season, a week of open "
        "days on session data that do, 1 elsewhere; a lookback given without it bounds "
        "the window).", "int>=1|None")
    transform: str = option("auto", "Target transform: log (multiplicative series), none, or "
                            "auto (log where the swing grows with the level, never under the "
                            "drift base of yearly data).", "str",
                            TRANSFORMS)
    id_embedding: int = option(0, "Numbers learned per series id (0: none).", "int>=0")
    season_lags: int = option(0, "Also read the same step in each of the previous N seasons "
                              "(known over a horizon of up to one season).", "int>=0",
                              group="data")
    quantiles: tuple[float, ...] | None = option(
        None, "Quantile levels, e.g. 0.1,0.5,0.9 (direct strategy).", "levels|None")
    training: str = option("window", "window (windows as samples) or sequence (stateful "
                           "streams, direct only).", "str", TRAININGS)
    burn_in: int | None = option(None, "training=sequence: unscored steps at each stream's "
                                 "start (default: lookback // 2).", "int>=0|None")
    # --- training ---------------------------------------------------------------------
    epochs: int = option(500, "Maximum epochs.", "int>=1", group="training")
    epoch_size: int | None = option(2048, "Windows drawn per epoch (all when fewer; None, "
                                    "CLI none: all).", "int>=1|None", group="training")
    max_time: float | None = option(
        60.0, "Seconds the whole fit may take on 2 CPU cores: on CPU, turned into the epochs "
        "that fit in it there (decided by the data's shape, the same on every machine, so "
        "the same seed gives the same weights); a slower machine, a GPU and sequence "
        "training are stopped by the clock, at the best epoch so far.", "float>0|None",
        group="training")
    batch_size: int = option(32, "Windows per batch.", "int>=1", group="training")
    learning_rate: float = option(1e-3, "Adam step size.", "rate", group="training")
    loss: str = option("mae", "mae, mse or huber (mae: measured best with MASE on the dev "
                       "suite).", "str", LOSSES, group="training")
    patience: int = option(50, "Early-stopping patience in epochs (0: off).", "int>=0",
                           group="training")
    clip_norm: float = option(1.0, "Clip the gradient norm (0: off).", "float>=0",
                              group="training")
    val_size: int | float | None = option(
        None, "Validation rows at the end of each series: a fraction or a count (default: "
        "several origins, the horizon plus up to a season).", "size|None", group="training")
    seed: int = option(0, "Random seed (same seed, same weights on CPU).", "int>=0",
                       group="training")
    repeats: int | None = option(None, "Runs with seeds seed, seed+1, ...; they forecast as an "
                                 "ensemble (default: 5 on small data, else 1).", "int>=1|None",
                                 group="training")
    ensemble: str = option("mean", "How runs combine: mean or median.", "str", ENSEMBLES,
                           group="training")
    refit_all: bool | None = option(None, "Retrain on all rows for the epochs early stopping "
                                    "chose (default: when validation held out 5% or more).",
                                    "bool|None", group="training")
    device: str = option("auto", "auto, cpu or cuda.", "str", DEVICES, group="training")
    precision: str = option("float32", "float32, or bf16 autocast (opt-in).", "str",
                            PRECISIONS, group="training")
    threads: int | None = option(None, "CPU threads (default: torch's).", "int>=1|None",
                                 group="training")
    verbose: int = option(1, "0 silent, 1 progress bar, 2 (or more) a line per epoch.", "int>=0",
                          group="output")

    def options(self) -> ForecastOptions:
        """These arguments as a plain :class:`ForecastOptions` (what the engine reads)."""
        return ForecastOptions(**{f.name: getattr(self, f.name) for f in fields(ForecastOptions)})

    def validate(self) -> ForecastOptions:
        """Check every argument against its declaration; the first bad one is an InputError
        naming it, what it accepts, what it got and the fix."""
        validate_fields(self, ForecastOptions)
        if self.training == "sequence" and self.strategy != "direct":
            raise InputError(
                f"training='sequence' forecasts the horizon after every step, the direct way; "
                f"strategy={self.strategy!r} needs training='window'. Pass strategy='direct'.")
        if self.quantiles is not None and self.strategy != "direct":
            raise InputError("quantiles need strategy='direct': a recursive model would feed one "
                             "quantile back as if it were the observation. Pass "
                             "strategy='direct', or drop quantiles.")
        if self.strategy == "recursive" and self.feature_cols:
            raise InputError(
                "strategy='recursive' feeds its own predictions back as inputs, so it cannot use "
                f"feature_cols={list(self.feature_cols)} (past covariates: their future values "
                "are unknown). Use strategy='direct', or pass known-ahead columns as future_cols.")
        if self.strategy == "seq2seq" and self.bidirectional:
            raise InputError("strategy='seq2seq' starts its decoder from the encoder's final "
                             "state, which a backward pass does not end at. Pass "
                             "bidirectional=False, or strategy='direct'.")
        if self.network == "mlp":
            unfit = [f"{name}={value!r}" for name, value, fits in (
                ("strategy", self.strategy, self.strategy != "seq2seq"),
                ("training", self.training, self.training == "window"),
                ("quantiles", self.quantiles, not self.quantiles),
                ("id_embedding", self.id_embedding, not self.id_embedding),
                ("static_cols", self.static_cols, not self.static_cols)) if not fits]
            if unfit:
                raise InputError(
                    f"network='mlp' is the tutorials' plain window MLP: it has no "
                    f"{', '.join(unfit)}. Pass network='recurrent' for those, or drop them.")
        if self.season_lags and self.training == "sequence":
            raise InputError("season_lags needs training='window': a stateful model reads one "
                             "step at a time and has no window to add them to. Pass "
                             "training='window', or season_lags=0.")
        if self.window_norm == "drift" and (self.strategy == "seq2seq"
                                            or self.training == "sequence"):
            raise InputError(
                f"window_norm='drift' takes its pace from a window, for the direct and "
                f"recursive strategies with training='window'; got strategy="
                f"{self.strategy!r}, training={self.training!r}. Pass window_norm='last', or "
                "strategy='direct' and training='window'.")
        if (self.base_seasons or 1) > 1 and (self.window_norm != "season"
                                             or self.strategy != "direct"
                                             or self.training == "sequence"):
            raise InputError(
                f"base_seasons={self.base_seasons} averages the seasons of a window, the base "
                f"of window_norm='season' with the direct strategy and training='window' (a "
                f"recursive model would average its own forecasts); got window_norm="
                f"{self.window_norm!r}, strategy={self.strategy!r}, training="
                f"{self.training!r}. Pass base_seasons=None, or window_norm='season', "
                "strategy='direct' and training='window'.")
        if self.training == "sequence" and (self.bidirectional or self.window_norm == "mean"):
            raise InputError(
                "training='sequence' reads the series forwards, one step at a time: it takes "
                "bidirectional=False and window_norm 'season', 'last' or 'none'. Change those "
                "arguments, "
                "or use training='window'.")
        return self
