"""Scoring a forecast honestly: a chronological holdout and rolling-origin backtests beside
the naive, seasonal naive and window-MLP baselines (the MLP is the same fit with another
network), and forecasts from every origin of a history."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from rnnkit.data.frames import Panel, first_rows, select_series
from rnnkit.data.frequency import future_times_many
from rnnkit.data.times import user_times
from rnnkit.data.windows import make_windows
from rnnkit.errors import InputError
from rnnkit.evaluate import METRICS, Backtest, Evaluation
from rnnkit.evaluate.baselines import (
    DRIFT,
    PROFILE,
    STARTS,
    YEAR_AGO,
    drift_at,
    naive_at,
    profile_at,
    seasonal_naive_at,
    year_ago_at,
)
from rnnkit.evaluate.diagnosis import diagnose
from rnnkit.evaluate.statistical import NAMES, statistical_at
from rnnkit.forecast.fit import fit, trains
from rnnkit.forecast.options import ForecastOptions
from rnnkit.forecast.pace import counts_epochs
from rnnkit.forecast.predict import forecast_at
from rnnkit.forecast.spec import FittedForecast, point_index, resolve
from rnnkit.metrics import forecast_metrics, mase_scale, rmse


def model_name(options: ForecastOptions) -> str:
    return "window MLP" if options.network == "mlp" else options.cell.upper()


def baseline_options(options: ForecastOptions) -> ForecastOptions:
    """The window-MLP baseline's arguments: the model's, as a plain point forecaster (direct,
    or recursive like the model), silent."""
    strategy = "recursive" if options.strategy == "recursive" else "direct"
    return replace(options.options(), verbose=0, quantiles=None, id_embedding=0,
                   strategy=strategy, static_cols=(), training="window", bidirectional=False,
                   attention=False, network="mlp")


def evaluate(options: ForecastOptions, panel: Panel, test_size: int | None = None,
             checkpoint=None) -> tuple[Evaluation, FittedForecast]:
    """Fit on all but the last ``test_size`` rows of each series and score the forecast of
    them; the scaler, early stopping and the baselines see the training part only.

    Returns:
        The evaluation, and the model fitted on the training part.
    """
    if test_size is not None and (isinstance(test_size, bool) or not isinstance(test_size, int)
                                  or test_size < 1):
        raise InputError(f"test_size={test_size!r} must be a positive number of steps. Pass e.g. "
                         "test_size=24.")
    spec = resolve(options, panel, test_size)
    given = "test_size" if test_size is not None else "horizon"  # the holdout's source
    test_size = spec.horizon if test_size is None else test_size
    # a series too short to hold the test out and train on 3 rows is not scored (a panel's
    # newest series, say); only a panel of such series is refused
    scored = np.flatnonzero(panel.lengths >= test_size + 3)
    left_out = tuple(f"{panel.ids[i]!r} ({int(panel.lengths[i])} observations)"
                     for i in np.flatnonzero(panel.lengths < test_size + 3))
    if left_out and scored.size:
        panel = select_series(panel, scored)
    shortest = int(panel.lengths.min())
    if test_size > shortest - 3:
        i = int(np.argmin(panel.lengths))
        raise InputError(
            f"{given}={test_size} holds out {test_size} steps, which leaves series "
            f"{panel.ids[i]!r} ({shortest} observations) with {shortest - test_size} to train "
            f"on; it needs at least {test_size + 3}. " + _shorter_holdout(options, panel, given))
    if options.strategy != "recursive" and test_size > spec.horizon:
        raise InputError(
            f"test_size={test_size} is longer than horizon={spec.horizon}: a "
            f"{options.strategy} model forecasts at most its horizon. Pass test_size <= "
            f"{spec.horizon}, horizon={test_size}, or strategy='recursive'.")
    # fit would refuse it in terms of the horizon and validation the user may not have set
    most = _longest_lookback(options, panel, test_size)
    if most is not None:  # the lookback given, not the holdout, leaves no window
        raise InputError(
            f"lookback={options.lookback} is longer than the rows before the holdout of "
            f"{test_size} steps hold (with a window of real history and validation rows "
            "after it), so every window would read made-up history. "
            + (f"Pass lookback <= {most}, or leave it out (it is then set from the data)."
               if most else "Leave it out (it is then set from the data), or pass a "
               f"shorter {given}."))
    if not _trains(options, panel, test_size):
        # window training needs a window on some series (the longest tells), sequence
        # training or a given val_size on every one (the shortest)
        every = options.training != "window" or options.val_size is not None
        i = int(np.argmin(panel.lengths) if every else np.argmax(panel.lengths))
        raise InputError(
            f"{given}={test_size} holds out {test_size} steps, which leaves too few rows to "
            f"train a model that forecasts them (series {panel.ids[i]!r}, the "
            f"{'shortest' if every else 'longest'}, keeps {int(panel.lengths[i]) - test_size} "
            f"of its {int(panel.lengths[i])} rows). " + _shorter_holdout(options, panel, given))
    lengths = panel.lengths
    train_panel = first_rows(panel, lengths - test_size)
    spec = resolve(options, train_panel, test_size)
    fitted = fit(options, train_panel, horizon=test_size, checkpoint=checkpoint)
    series, origin = np.arange(panel.n_series), lengths - test_size
    name = model_name(options)
    predictions = {name: forecast_at(options, fitted, panel, series, origin, test_size)}
    mlp_options = baseline_options(options)
    mlp = fit(mlp_options, train_panel, horizon=test_size, baseline=True) \
        if options.network != "mlp" \
        else None  # the model is the MLP: no baseline of itself
    start = panel.offsets[:-1] + origin
    target = panel.target()
    predictions["naive"] = naive_at(target, start, test_size)
    predictions["seasonal naive"] = seasonal_naive_at(target, start, origin, test_size,
                                                      spec.season)
    if fitted.spec.drift:  # the base the model starts from, beside it
        predictions[DRIFT] = drift_at(target, start, origin, test_size, fitted.spec.lookback,
                                      fitted.scaler.log_target)
    if fitted.spec.profile > 1:  # likewise
        predictions[PROFILE] = profile_at(target, start, origin, test_size, spec.season,
                                          fitted.spec.profile, fitted.scaler.log_target,
                                          fitted.scaler.nonnegative)
    if fitted.spec.year:  # likewise
        predictions[YEAR_AGO] = year_ago_at(target, start, origin, test_size, fitted.spec.year,
                                            fitted.scaler.log_target)
    if mlp is not None:
        predictions["window MLP"] = forecast_at(mlp_options, mlp, panel, series, origin,
                                                test_size)
    predictions |= statistical_at(target, panel.offsets[:-1], start, test_size, spec.season)

    actual = [panel.series(s)[-test_size:, 0] for s in range(panel.n_series)]
    scales = [mase_scale(train_panel.series(s)[:, 0], spec.season or 1)
              for s in range(panel.n_series)]
    scores = pd.DataFrame(
        {k: forecast_metrics(actual, list(p), scales) for k, p in predictions.items()}
    ).T.loc[:, list(METRICS)]
    runs = None
    if len(fitted.members) > 1:  # each run alone, for the spread of every metric
        runs = pd.DataFrame([
            forecast_metrics(actual, list(forecast_at(options, fitted, panel, series, origin,
                                                      test_size, member)), scales)
            for member in fitted.members]).loc[:, list(METRICS)]
    histories = fitted.histories
    diagnosis = diagnose([h.train_loss for h in histories], [h.val_loss for h in histories],
                         [h.stopped_by_time for h in histories],
                         [h.initial_val_loss for h in histories],
                         counts_epochs(options, options.network))
    times = future_times_many(train_panel.last_times, panel.freq, test_size,
                              panel.step).reshape(-1)
    forecasts = pd.DataFrame({options.time_col: user_times(times, panel.zone),
                              "actual": np.concatenate(actual)})
    for k, p in predictions.items():
        forecasts[k] = np.asarray(p).reshape(-1)
    forecasts.insert(0, options.id_col, panel.user_ids(np.repeat(panel.ids, test_size)))
    intervals = None
    if options.quantiles:  # the outer levels' interval on the holdout: coverage and width
        levels = forecast_at(options, fitted, panel, series, origin, test_size,
                             all_quantiles=True)  # [S, h, Q]
        for k, q in enumerate(options.quantiles):
            forecasts[f"{name}_q{q:g}"] = levels[..., k].reshape(-1)
        intervals = interval_scores(options.quantiles, levels, np.stack(actual))
    evaluation = Evaluation(
        scores=scores, forecasts=forecasts, history=train_panel.to_frame(), model=name,
        test_size=test_size, season_length=spec.season, id_col=options.id_col,
        time_col=options.time_col, target_col=options.target_col, runs=runs,
        diagnosis=diagnosis, intervals=intervals, scales=scales, left_out=left_out)
    return evaluation, fitted


def _trains(options: ForecastOptions, panel: Panel, test_size: int) -> bool:
    """Whether a fit on all but the last ``test_size`` rows of each series scored (3 rows or
    more left) would train: fit's own rules (a window of real targets on some series, and on
    every one for a sequence model, after the validation rows)."""
    scored = np.flatnonzero(panel.lengths >= test_size + 3)
    if not scored.size:
        return False
    part = select_series(panel, scored)
    train = first_rows(part, part.lengths - test_size)
    try:
        spec = resolve(options, train, test_size)
    except InputError:  # such a holdout is refused for another reason (season_lags)
        return False
    if options.strategy != "recursive" and test_size > spec.horizon:
        return False
    return trains(options, spec, train.lengths)


def _longest_lookback(options: ForecastOptions, panel: Panel, test_size: int) -> int | None:
    """Where the lookback the user gave is what keeps the fit before the holdout from
    training (it would train without it): the longest that trains (0: none); else None."""
    if options.lookback is None or options.training != "window" or \
            _trains(options, panel, test_size) or \
            not _trains(replace(options, lookback=None), panel, test_size):
        return None
    return largest(lambda k: _trains(replace(options, lookback=k), panel, test_size),
                   options.lookback - 1)


def largest(works, high: int) -> int:
    """The largest k in 1..``high`` for which ``works(k)`` (true up to some k, false after:
    found by halving); 0 where none does."""
    low = 0
    while high > low:
        middle = (low + high + 1) // 2
        if works(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _shorter_holdout(options: ForecastOptions, panel: Panel, given: str) -> str:
    """The fix for a holdout too long: the longest that trains, where that can be found by
    halving (window training with the default validation: a longer holdout leaves less to
    train on); elsewhere (sequence training, a given val_size, whose series must all train,
    and season_lags) a shorter one, without a number that might not hold."""
    if options.training != "window" or options.val_size is not None or options.season_lags:
        shortest = panel.ids[int(np.argmin(panel.lengths))]
        return (f"Every series must keep a window and its validation rows before the holdout: "
                f"pass a shorter {given}, drop the shortest series ({shortest!r}), or give "
                "longer series.")

    def trains(k: int) -> bool:  # a horizon given without test_size is the holdout
        return _trains(replace(options, horizon=k) if given == "horizon" else options,
                       panel, k)

    low = largest(trains, int(panel.lengths.max()) - 3)
    if low < 1:
        return "The series are too short to evaluate: give more rows."
    return f"Pass {given} <= {low}, or give longer series."


def predict_windows(options: ForecastOptions, fitted: FittedForecast, panel: Panel,
                    stride: int = 1, batch_size: int = 1024) -> pd.DataFrame:
    """Forecasts from every origin of ``panel`` with a full lookback before it and at least
    one observed step after it (see :meth:`rnnkit.Forecaster.predict_windows`)."""
    from rnnkit.forecast.predict import contexts

    if options.strategy == "recursive":
        raise InputError("predict_windows needs a model that forecasts the horizon at once "
                         "(direct or seq2seq). Use backtest(...) or predict(data=...) for a "
                         "recursive one.")
    spec = fitted.spec
    # with future covariates an origin needs them over its whole horizon, inside the data
    ahead = spec.horizon if spec.n_future else 1
    need = spec.lookback + ahead
    if (panel.lengths < need).any():
        i = int(np.argmin(panel.lengths))
        after = f"{ahead} steps after it (the future covariates of its horizon)" if \
            spec.n_future else "one observed step after it"
        raise InputError(f"predict_windows forecasts from origins with the model's whole "
                         f"lookback ({spec.lookback} rows) before them and {after}: {need} "
                         f"rows, but series {panel.ids[i]!r} has {int(panel.lengths[i])}. "
                         "Give longer histories, or use predict(data=...) on short ones.")
    contexts(fitted, panel)  # validates ids and features
    windows = make_windows([panel.series(s)[:, :1] for s in range(panel.n_series)],
                           spec.lookback, ahead, stride, series_names=panel.ids)
    series, at = windows.series, windows.target_times()
    levels = len(options.quantiles or ()) or 1
    if options.training == "sequence":  # one pass per series serves every origin
        y = forecast_at(options, fitted, panel, series, at, spec.horizon, all_quantiles=True)
    else:
        y = np.concatenate([forecast_at(options, fitted, panel, series[k : k + batch_size],
                                        at[k : k + batch_size], spec.horizon,
                                        all_quantiles=True)
                            for k in range(0, len(at), batch_size)] or
                           [np.zeros((0, spec.horizon, levels))])
    y = y.reshape(len(at), spec.horizon, levels)  # [N, h, Q] (Q = 1 without quantiles)
    h = spec.horizon
    # each series' timestamps extended by h future steps, so every target has a time
    ahead = future_times_many([panel.series_times(s)[-1] for s in range(panel.n_series)],
                              fitted.freq, h, fitted.step)
    extended = [np.concatenate([panel.series_times(s), ahead[s]])
                for s in range(panel.n_series)]
    base = np.concatenate([[0], np.cumsum([len(t) for t in extended])])[windows.series]
    first = base + at  # [N] row of the first target in `grid`
    grid = np.concatenate(extended)
    frame = pd.DataFrame({"cutoff": user_times(np.repeat(grid[first - 1], h), panel.zone),
                          options.time_col: user_times(
                              grid[first[:, None] + np.arange(h)].reshape(-1), panel.zone),
                          options.target_col: y[..., point_index(options)].reshape(-1)})
    for k, q in enumerate(options.quantiles or ()):  # as predict() gives them
        frame[f"{options.target_col}_q{q:g}"] = y[..., k].reshape(-1)
    if fitted.has_id:
        frame.insert(0, options.id_col,
                     panel.user_ids(np.repeat(np.asarray(panel.ids)[windows.series], h)))
    return frame


def backtest(options: ForecastOptions, panel: Panel, n_windows: int = 10,
             step: int | None = None, refit: bool | int = False, baselines: bool = True
             ) -> tuple[Backtest, FittedForecast]:
    """Rolling-origin backtest (see :meth:`rnnkit.Forecaster.backtest`); ``baselines=False``
    leaves out those that train (the window MLP, the statistical models): a search scores
    many settings and needs the model's score only.

    Returns:
        The backtest, and the model of the last (re)fit.
    """
    spec = resolve(options, panel)
    horizon, lookback, season = spec.horizon, spec.lookback, spec.season
    step = horizon if step is None else step
    for arg, value in (("n_windows", n_windows), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{arg}={value!r} must be a positive integer. Pass e.g. {arg}=5.")
    every = n_windows if refit is False else (1 if refit is True else int(refit))
    if every < 1:
        raise InputError(f"refit={refit!r} must be a positive count of windows per fit (or "
                         "True: every window; False: one fit). Pass refit=5 to refit every 5 "
                         "windows, or leave it out to fit once.")
    lengths = panel.lengths[:, None]
    origins = lengths - horizon - step * (n_windows - 1 - np.arange(n_windows))[None, :]  # [S, K]
    first = origins[:, 0]
    if spec.profile > 1 and season:  # the profile's third season is not asked of the first
        lookback = min(lookback, 2 * season)  # fit: fits on shorter data average fewer
    if spec.reads and spec.profile == 1:  # nor the drift's further horizons: shorter fits
        lookback = spec.reads  # hold fewer
    # a series with fewer than 3 rows before its first origin is not scored (a panel's
    # newest series, say); one shorter than a window is forecast from its window padded in
    # front by the model the others train (as fit does); only a panel of such series is
    # refused
    kept = np.flatnonzero(first >= 3)
    left_out = tuple(f"{panel.ids[i]!r} ({int(lengths[i, 0])} observations)"
                     for i in np.flatnonzero(first < 3))
    # a sequence model trains on every series' stream, and a validation of given rows takes
    # them from every series: there a series shorter than the first window is refused
    spare = options.training == "window" and options.val_size is None
    before = max(lookback, spec.steps)  # rows before the first origin: a window, and the
    # first fit's window of real targets

    def short_of(first: np.ndarray) -> np.ndarray:
        return first < before + 1

    def refused(short: np.ndarray) -> bool:
        return bool(short.all() or (short.any() and not spare))

    def first_fit_trains(options: ForecastOptions, first: np.ndarray) -> bool:
        """Whether the first fit (on the rows before each series' first origin, the
        series left out as below) trains: fit's own rules."""
        keep = np.flatnonzero(first >= 3)
        leave = spare and (first >= before + 1).any() and len(keep) < len(first)
        if not len(keep):
            return False
        part = select_series(panel, keep) if leave else panel
        train = first_rows(part, first[keep] if leave else np.maximum(first, 1))
        try:
            return trains(options, resolve(options, train, horizon), train.lengths)
        except InputError:
            return False

    def works(k: int, options: ForecastOptions = options) -> bool:
        first_k = lengths[:, 0] - horizon - step * (k - 1)
        return not refused(short_of(first_k)) and first_fit_trains(options, first_k)

    if not works(n_windows):
        most = largest(works, n_windows - 1)
        short = short_of(first)
        given = options.lookback is not None
        read = f"lookback={options.lookback if given else lookback}"
        fewer = (f"Pass n_windows <= {most}" + (", or a smaller step" if step > 1 else "")
                 + (f", or a lookback below {options.lookback}" if given else "") + "."
                 if most >= 1 else None)
        if not refused(short):  # the windows fit; the first fit's own rules leave it none
            shorter = largest(lambda k: works(n_windows, replace(options, lookback=k)),
                              options.lookback - 1) if given else 0
            raise InputError(
                f"n_windows={n_windows} with step={step} and horizon={horizon} leaves the "
                "first fit (on the rows before the first window) too few rows to train: a "
                f"window ({read}) and its targets before its validation rows"
                + (f" (val_size={options.val_size})" if options.val_size is not None else "")
                + ". " + (fewer or (f"Pass lookback <= {shorter}." if shorter else
                                    "Lower horizon" + (" or val_size"
                                                       if options.val_size is not None
                                                       else "") + ".")))
        # the fix for the longest series where a window on one will do (dropping the
        # shortest would not), else for the shortest (every series must hold one)
        i = int(np.argmax(first)) if spare else int(np.argmin(first))
        shorter = " lower horizon" + (" or lookback" if options.lookback else "")
        fix = fewer or (
            f"No series is long enough for one window: give longer series, or{shorter}."
            if short.all() and panel.n_series > 1 else
            f"Series {panel.ids[i]!r} is too short for one window: "
            + ("drop it, or" if panel.n_series > 1 else "give a longer series, or")
            + f"{shorter}.")
        raise InputError(
            f"n_windows={n_windows} with step={step} and horizon={horizon} needs at least "
            f"{before + 1 + horizon + step * (n_windows - 1)} rows of series "
            f"{panel.ids[i]!r}, which has {int(lengths[i, 0])} ({read} before the first "
            f"window). {fix}")
    if spare and (first >= before + 1).any() and len(left_out):
        panel, origins, first = select_series(panel, kept), origins[kept], first[kept]
        lengths = lengths[kept]
    S, K = origins.shape
    rows = np.repeat(np.arange(S), K)
    at = origins.reshape(-1)  # [S*K] first target row of each window in its series
    name = model_name(options)
    mlp_options = baseline_options(options)
    with_mlp = baselines and options.network != "mlp"  # an MLP model is its own baseline
    predictions = {name: np.zeros((S * K, horizon))}
    if with_mlp:
        predictions["window MLP"] = np.zeros((S * K, horizon))
    levels = np.zeros((S * K, horizon, len(options.quantiles or ())))  # [S*K, h, Q]
    starts = np.zeros((S * K, 6), dtype=np.int64)  # each window's fit: profile, log, floor,
    # window length (the drift's pace spans it), a year-ago base, the last value as its base
    year = 0.0
    fitted = None
    for group in range(0, K, every):  # a (re)fit on everything before the group's origin
        train = first_rows(panel, origins[:, group])
        members = (np.arange(S * K) % K >= group) & (np.arange(S * K) % K < group + every)
        fitted = fit(options, train, horizon=horizon)  # the horizon the backtest scores
        starts[members] = (fitted.spec.profile, fitted.scaler.log_target,
                           fitted.scaler.nonnegative, fitted.spec.lookback,
                           fitted.spec.year > 0, fitted.spec.seasonless)
        year = fitted.spec.year or year
        if options.quantiles:
            levels[members] = forecast_at(options, fitted, panel, rows[members], at[members],
                                          horizon, all_quantiles=True)
            predictions[name][members] = levels[members][..., point_index(options)]
        else:
            predictions[name][members] = forecast_at(options, fitted, panel, rows[members],
                                                     at[members], horizon)
        if with_mlp:
            mlp = fit(mlp_options, train, horizon=horizon, baseline=True)
            predictions["window MLP"][members] = forecast_at(mlp_options, mlp, panel,
                                                             rows[members], at[members], horizon)
    target = panel.target()
    start = (panel.offsets[:-1, None] + origins).reshape(-1)  # [S*K] row of each first target
    steps = np.arange(horizon)
    actual = target[start[:, None] + steps]  # [S*K, h]
    predictions["naive"] = naive_at(target, start, horizon)
    predictions["seasonal naive"] = seasonal_naive_at(target, start, at, horizon, season)
    if spec.drift:  # the base the model starts from, beside it (on logs where a fit logged)
        predictions[DRIFT] = np.zeros((S * K, horizon))
        for log, window in np.unique(starts[:, [1, 3]], axis=0):
            m = (starts[:, 1] == log) & (starts[:, 3] == window)
            predictions[DRIFT][m] = drift_at(target, start[m], at[m], horizon, int(window),
                                             bool(log))
    profile = bool((starts[:, 0] > 1).any())
    if profile:  # likewise, window by window as each fit reads it (shorter data, fewer seasons)
        predictions[PROFILE] = np.zeros((S * K, horizon))
        for seasons, log, floor in np.unique(starts[:, :3], axis=0):
            m = (starts[:, :3] == (seasons, log, floor)).all(axis=1)
            predictions[PROFILE][m] = profile_at(target, start[m], at[m], horizon, season,
                                                 int(seasons), bool(log), bool(floor))
        flat = starts[:, 5] > 0  # refits whose series did not repeat their season
        predictions[PROFILE][flat] = naive_at(target, start[flat], horizon)
    if year:  # likewise; where a refit's window could not hold a year ago, its start:
        # the last season of the window (padded in front as the network reads it), or the
        # last value where the window is shorter than a season or the refit seasonless
        predictions[YEAR_AGO] = naive_at(target, start, horizon)
        for log in np.unique(starts[:, 1]):
            m = (starts[:, 4] > 0) & (starts[:, 1] == log)
            predictions[YEAR_AGO][m] = year_ago_at(target, start[m], at[m], horizon, year,
                                                   bool(log))
            m = (starts[:, 4] == 0) & (starts[:, 5] == 0) & (starts[:, 3] >= season) & (
                starts[:, 1] == log)
            predictions[YEAR_AGO][m] = profile_at(target, start[m], at[m], horizon, season, 1,
                                                  bool(log))
    if baselines:
        predictions |= statistical_at(target, np.repeat(panel.offsets[:-1], K), start,
                                      horizon, season)
    order = [name, "naive", "seasonal naive"] + ([DRIFT] if spec.drift else []) + (
        [PROFILE] if profile else []) + ([YEAR_AGO] if year else []) + (
        ["window MLP"] if with_mlp else []) + [n for n in NAMES if n in predictions]
    scales = [mase_scale(panel.series(s)[: origins[s, 0], 0], season or 1) for s in range(S)]
    scores = pd.DataFrame({
        k: forecast_metrics(list(actual.reshape(S, -1)), list(predictions[k].reshape(S, -1)),
                            scales)
        for k in order}).T.loc[:, list(METRICS)]
    by_step = pd.DataFrame({k: [rmse(actual[:, j], predictions[k][:, j]) for j in range(horizon)]
                            for k in order}, index=pd.RangeIndex(1, horizon + 1, name="step"))
    cutoff, ds = panel.times[start - 1], panel.times[start[:, None] + steps]
    forecasts = pd.DataFrame({
        options.id_col: panel.user_ids(np.repeat(np.asarray(panel.ids)[rows], horizon)),
        "cutoff": user_times(np.repeat(cutoff, horizon), panel.zone),
        options.time_col: user_times(ds.reshape(-1), panel.zone),
        "step": np.tile(np.arange(1, horizon + 1), S * K), "actual": actual.reshape(-1)})
    for k in order:
        forecasts[k] = predictions[k].reshape(-1)
    intervals = None
    if options.quantiles:
        for k, q in enumerate(options.quantiles):
            forecasts[f"{name}_q{q:g}"] = levels[..., k].reshape(-1)
        intervals = interval_scores(options.quantiles, levels, actual)
    result = Backtest(scores=scores, forecasts=forecasts, by_step=by_step, model=name,
                      n_windows=n_windows, step=step, horizon=horizon, refit=every,
                      history=panel.to_frame(), season_length=season, id_col=options.id_col,
                      time_col=options.time_col, target_col=options.target_col,
                      intervals=intervals, scales=scales, left_out=left_out,
                      seasonless=bool(starts[:, 5].all()))
    return result, fitted


def interval_scores(levels: tuple[float, ...], quantiles: np.ndarray, actual: np.ndarray
                    ) -> dict:
    """Coverage and mean width of the interval between the outer quantile levels.

    Shapes:
        quantiles: ``[..., Q]``; actual: ``[...]``.
    """
    low, high = quantiles[..., 0], quantiles[..., -1]
    return {"levels": [levels[0], levels[-1]], "nominal_coverage": levels[-1] - levels[0],
            "coverage": float(np.mean((actual >= low) & (actual <= high))),
            "mean_width": float(np.mean(high - low))}


def strategy_table(results: dict[str, Backtest]) -> pd.DataFrame:
    """One table for backtests of several strategies on the same origins: a row per strategy,
    the ensemble of the strategies (their mean forecast), then the baselines: the window
    MLP and the model's start (seasonal profile, naive with drift, year-ago naive) once per
    strategy that
    has them (each strategy trains its own MLP and starts from its own base), the others
    once (the same)."""
    first = next(iter(results.values()))
    rows = {f"{bt.model} {name}": bt.scores.loc[bt.model] for name, bt in results.items()}
    if len(results) > 1:
        mean = np.mean([bt.forecasts[bt.model].to_numpy() for bt in results.values()], axis=0)
        by_series = first.forecasts.assign(ensemble=mean).groupby(first.id_col, sort=False)
        actual = [g["actual"].to_numpy() for _, g in by_series]
        predicted = [g["ensemble"].to_numpy() for _, g in by_series]
        rows["ensemble of strategies"] = pd.Series(
            forecast_metrics(actual, predicted, first.scales))
    table = pd.DataFrame(rows).T.loc[:, list(METRICS)]
    baselines = first.scores.drop(index=first.model)
    if len(results) > 1:
        each = ("window MLP", *STARTS)
        own = {f"{row} {name}": bt.scores.loc[row] for row in each
               for name, bt in results.items() if row in bt.scores.index}
        baselines = baselines.drop(index=[row for row in each if row in baselines.index])
        if own:
            baselines = pd.concat([baselines, pd.DataFrame(own).T.loc[:, list(METRICS)]])
    return pd.concat([table, baselines])
