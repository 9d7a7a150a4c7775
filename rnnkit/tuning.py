"""Hyperparameter search on Optuna, scored the way the reports score.

``rnnkit.tune(estimator, data, ...)`` tries settings drawn from a search space, scores each
with the honest protocol of its task, and refits the best on all the data:

- a Forecaster: a rolling-origin backtest (``n_windows`` origins spread over one horizon,
  each forecasting a whole horizon; one fit on the data before the first), mean MASE of the
  model (scale-free, so a panel's series weigh alike). The origins cover one horizon, not
  ``n_windows`` of them, so the fit keeps most of the history. The baselines that train
  are left out of each trial; the model's score is all a trial needs.
- a SequenceClassifier / SequenceRegressor: stratified (classifier) k-fold
  cross-validation, mean accuracy or RMSE.

The first trial is the estimator as given (its values of the searched arguments), so the
table always holds the default's score under the same protocol as every other trial. Bad
trials are pruned by their learning curves: each epoch's validation loss is reported, and a
trial whose curve is worse than the median of earlier trials at the same epoch stops there
(Optuna's MedianPruner). The sampler is seeded (TPE): the same seed, data and machine give
the same trials, as far as the fits themselves are repeatable (they are, unless a machine
slower than 2 CPU cores lets the clock stop them: see ``max_time``).

Optuna is an extra: ``pip install 'rnnkit[tune]'``.
"""

from __future__ import annotations

import json
import math
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnkit.errors import InputError

# Spaces: a list is a choice; (low, high) a uniform range (integers when both are); ("log",
# low, high) a log-uniform range. Chosen from what the dev suite moved (see bench/RESULTS.md).
SPACES: dict[str, dict[str, Any]] = {
    "Forecaster": {
        "cell": ["lstm", "gru"],
        "hidden_size": [16, 32, 64, 128],
        "num_layers": [1, 2],
        "learning_rate": ("log", 3e-4, 1e-2),
        "batch_size": [16, 32, 64],
        "window_norm": ["season", "last"],
    },
    "SequenceClassifier": {
        "cell": ["lstm", "gru"],
        "hidden_size": [32, 64, 128],
        "num_layers": [1, 2],
        "learning_rate": ("log", 1e-3, 1e-2),
        "dropout": (0.0, 0.5),
        "pooling": ["auto", "last", "mean", "attention"],
    },
}
SPACES["SequenceRegressor"] = dict(SPACES["SequenceClassifier"])
METRICS = {"Forecaster": ("MASE", "minimize"), "SequenceClassifier": ("accuracy", "maximize"),
           "SequenceRegressor": ("RMSE", "minimize")}


@dataclass
class TuneResult:
    """What a search found.

    Attributes:
        best_params: the searched arguments of the best trial.
        best_score, default_score: their score, and the estimator-as-given's (trial 0),
            both under the same protocol (``metric``, ``direction``).
        best_estimator: the best settings refitted on all the data.
        trials: one row per trial: number, state (COMPLETE, PRUNED or FAIL), score,
            seconds, why it failed (``error``), and a column per searched argument.
        importances: how much each argument explained the scores (fANOVA; empty when
            fewer than two trials completed).
    """

    best_params: dict
    best_score: float
    default_score: float | None
    metric: str
    direction: str
    best_estimator: Any
    trials: pd.DataFrame
    importances: dict = field(default_factory=dict)
    study: Any = None
    failed: str = ""  # why every drawn setting failed, when none of them ran

    def table(self) -> str:
        shown = self.trials.copy()
        shown["score"] = shown["score"].map(lambda v: "" if pd.isna(v) else f"{v:.4f}")
        return shown.to_string(index=False)

    def summary(self) -> str:
        """Two lines: the best settings and the default's score beside the best's."""
        better = "lower" if self.direction == "minimize" else "higher"
        default = "not scored" if self.default_score is None else f"{self.default_score:.4f}"
        return (f"best {self.metric} {self.best_score:.4f} ({better} is better) vs the "
                f"default's {default}\nbest settings: "
                + (", ".join(f"{k}={_show(v)}" for k, v in self.best_params.items())
                   or ("the estimator as given: no drawn setting ran (the first said: "
                       f"{self.failed})" if self.failed else
                       "the estimator as given (no setting of the space did better)"))
                + self._tie_line())

    def tied(self) -> int:
        """Complete trials whose score equals the best's (to 6 significant digits)."""
        done = self.trials.loc[self.trials["state"] == "COMPLETE", "score"].dropna()
        return int(sum(f"{v:.6g}" == f"{self.best_score:.6g}" for v in done))

    def _tie_line(self) -> str:
        n = self.tied()
        if n < 2:
            return ""
        return (f"\n{n} trials tie at the best score (equal to 6 significant digits): the "
                "settings above are the first of them, not a winner. Such ties mean the "
                "searched settings did not change the forecast (every model kept the same "
                "start, say, when training stopped at epoch 0); widen the space, or train "
                "longer.")

    def plot(self):
        """Score against trial (pruned trials crossed, the best so far as a line, the
        default circled) and the importances of the arguments."""
        from rnnkit.plots.figure import plt

        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        done = self.trials[self.trials["state"] == "COMPLETE"]
        pruned = self.trials[self.trials["state"] == "PRUNED"]
        left.scatter(done["number"], done["score"], label="trial", color="C0")
        if len(pruned):  # no score: marked along the bottom
            left.plot(pruned["number"], np.full(len(pruned), 0.02), "x", color="C3",
                      transform=left.get_xaxis_transform(), label="pruned")
        if len(done):
            running = (done["score"].cummin() if self.direction == "minimize"
                       else done["score"].cummax())
            left.step(done["number"], running, where="post", color="C2", label="best so far")
        if self.default_score is not None:
            left.scatter([0], [self.default_score], s=150, facecolors="none", edgecolors="k",
                         label="default (trial 0)")
        left.set_xlabel("trial")
        left.set_ylabel(self.metric)
        left.set_title(f"{self.metric} by trial ({self.direction})")
        left.legend(fontsize=8)
        if self.importances:
            names = list(self.importances)[::-1]
            right.barh(names, [self.importances[n] for n in names], color="C1")
            right.set_xlabel("importance (fANOVA)")
        else:
            right.text(0.5, 0.5, "too few complete trials\nfor importances", ha="center",
                       va="center")
        right.set_title("which arguments mattered")
        fig.tight_layout()
        return fig

    def save(self, out: str | Path) -> Path:
        """Write ``trials.csv``, ``best.json``, ``tuning.png`` and the best ``model/`` (where
        it was refitted: ``refit=True``) to ``out``, each whole (see
        :func:`rnnkit.files.staged_dir`)."""
        from rnnkit.files import staged_dir, write_text_atomic
        from rnnkit.plots import save_figure
        from rnnkit.tracking import json_value

        out = Path(out)
        with staged_dir(out, "tune") as stage:
            write_text_atomic(stage / "trials.csv", self.trials.to_csv(index=False))
            best = {"metric": self.metric, "direction": self.direction,
                    "best_score": json_value(self.best_score),
                    "default_score": json_value(self.default_score),  # NaN: null
                    "best_params": self.best_params, "importances": self.importances,
                    "tied_trials": self.tied()}
            runs = len(getattr(self.best_estimator, "histories_", None) or [1])
            if runs > 1:  # the trials compared one run each; the saved model is an ensemble
                best["saved_model"] = (f"refit with the estimator's repeats: {runs} runs, "
                                       "averaged (each trial scored one run)")
            fitted = self.best_estimator._is_fitted()
            if not fitted:  # tune(refit=False): the search's files, no model
                best["saved_model"] = ("none: tuned with refit=False; fit best_estimator "
                                       "and save it")
            write_text_atomic(stage / "best.json", json.dumps(best, indent=2, default=_show))
            save_figure(self.plot(), stage / "tuning.png")
            if fitted:
                self.best_estimator.save(stage / "model")
        return out


class _GivenFails(Exception):
    """Trial 0, the estimator as given, raised an InputError: its arguments are wrong for
    the data, so the search stops at once with that line (trials of other settings would
    fail alike, each logged with a traceback)."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


def tune(estimator: Any, data: Any, y: Any = None, *, space: dict | Callable | None = None,
         n_trials: int = 20, timeout: float | None = None, seed: int = 0,
         n_windows: int = 3, folds: int = 3, static: Any = None, prune: bool = True,
         refit: bool = True, verbose: bool = False) -> TuneResult:
    """Search ``space`` for the settings of ``estimator`` that score best on ``data``.

    Args:
        estimator: the starting point (its other arguments stay as given): a Forecaster,
            SequenceClassifier or SequenceRegressor.
        data: a Forecaster's data; or the sequences ``X`` of a sequence model, with ``y``
            (and ``static``).
        space: ``{argument: choices}``: a list (a choice), ``(low, high)`` (a uniform range,
            integers when both are) or ``("log", low, high)``; or a function of an Optuna
            trial returning the arguments. Default: :data:`SPACES` for the estimator.
        n_trials, timeout: stop after this many trials or seconds, whichever comes first.
        seed: the sampler's seed (the fits keep the estimator's own ``seed``).
        n_windows: a Forecaster's backtest origins. folds: a sequence model's folds.
        prune: stop trials whose learning curve is worse than the median's.
        refit: fit the best settings on all the data (``best_estimator``).

    Returns:
        A :class:`TuneResult`.

    Example:
        >>> result = rnnkit.tune(rnnkit.Forecaster(), "airline", n_trials=20)
        >>> print(result.summary()); result.save("runs/tune/airline")
    """
    optuna = _optuna()
    from sklearn.base import clone

    from rnnkit.options import check_value

    kind = type(estimator).__name__
    if kind not in METRICS:
        raise InputError(f"estimator is a {kind}; tune searches a Forecaster, "
                         "SequenceClassifier or SequenceRegressor. Pass one of those.")
    check_value("n_trials", n_trials, "int>=1")
    check_value("timeout", timeout, "float>0|None")
    check_value("seed", seed, "int>=0")
    if kind != "Forecaster" and y is None:
        raise InputError(f"y is missing: a {kind} is tuned on sequences X (data) and their "
                         "targets y. Pass tune(model, X, y).")
    if space is None:
        space = dict(SPACES[kind])
        if (getattr(estimator, "base_seasons", None) or 1) > 1:
            # a profile base asked for is the "season" norm's: the search keeps that norm
            space.pop("window_norm")
        if getattr(estimator, "network", None) == "mlp":  # the window MLP has no cell nor
            space.pop("cell")  # layers to choose: trials on them would score alike
            space.pop("num_layers")
    if not callable(space) and not isinstance(space, dict):
        raise InputError(f"space={space!r} must be a dict {{argument: choices}} or a function "
                         f"of an Optuna trial; got a {type(space).__name__}. Pass e.g. "
                         "space={'hidden_size': [16, 64]}.")
    if not callable(space):
        space = {name: _plain(spec) for name, spec in space.items()}  # np.int64(4) -> 4
        _check_space(estimator, space)
    metric, direction = METRICS[kind]
    base = clone(estimator)
    if kind == "Forecaster" and base.repeats is None:
        base.set_params(repeats=1)  # a search compares settings, one run each
    score = _forecast_score(data, n_windows) if kind == "Forecaster" else \
        _cv_score(y, static, folds, seed, metric)

    default = None if callable(space) else _current(estimator, space)

    def objective(trial):
        if trial.number == 0 and default is None:  # the estimator as given, whatever the
            params = {}  # space: its values may lie outside it (hidden_size=None, 8, ...)
            searched = space if isinstance(space, dict) else {}
            trial.set_user_attr("shown", {k: getattr(estimator, k, None) for k in searched})
        else:
            params = space(trial) if callable(space) else _suggest(trial, space)
        if not isinstance(params, dict):
            raise _GivenFails(InputError(
                f"space(trial) returned a {type(params).__name__}; a space function returns "
                "a dict {argument: value}. Return e.g. {'hidden_size': "
                "trial.suggest_int('hidden_size', 8, 64)}."))
        params = {k: v.item() if hasattr(v, "item") else v for k, v in params.items()}
        trial.set_user_attr("params", params)  # what a space function returned, by name
        try:
            model = clone(base).set_params(**params)
            # a setting the estimator refuses fails here (with its reason), not in the fit
            (model.validate if hasattr(model, "validate") else model.options().validate)()
        except InputError as e:
            trial.set_user_attr("error", " ".join(str(e).split()))
            raise
        last = [0]

        def report(epoch, train_loss, val_loss):
            """The first fit's learning curve only (later folds and runs start over at
            epoch 1, and would be compared with other trials' later epochs); the loss is
            negated for a study that maximises, so the pruner reads it the study's way."""
            if epoch <= last[0]:
                last[0] = math.inf  # a second fit began: its curve is not reported
            if last[0] == math.inf:
                return
            last[0] = epoch
            value = val_loss if val_loss is not None else train_loss
            if prune and math.isfinite(value):
                trial.report(-value if direction == "maximize" else value, epoch)
                if trial.should_prune():
                    raise optuna.TrialPruned()

        from rnnkit.train.loop import listening

        started = time.perf_counter()
        try:
            with listening(report):
                value = score(model, data)
        except InputError as e:
            if trial.number == 0:  # the estimator as given cannot run: no setting will help
                raise _GivenFails(e) from e
            trial.set_user_attr("error", " ".join(str(e).split()))
            raise
        finally:  # pruned and failed trials took time too
            trial.set_user_attr("seconds", time.perf_counter() - started)
        return value

    sampler = optuna.samplers.TPESampler(seed=seed)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=5) if prune \
        else optuna.pruners.NopPruner()
    was = optuna.logging.get_verbosity()  # Optuna's own setting, given back after
    if not verbose:  # a failed trial is in the table; its traceback is not for the user
        optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(direction=direction, sampler=sampler, pruner=pruner)
    if default is not None:  # inside the space: the sampler learns from it too
        study.enqueue_trial(default)
    from rnnkit.train.config import SMOKE

    if os.environ.get(SMOKE):  # a smoke run checks that the search runs: a few trials
        n_trials = min(n_trials, 3)
    try:
        with warnings.catch_warnings():
            if not verbose:  # the sampler's notes on its own state, not the user's to act on
                warnings.filterwarnings("ignore", category=UserWarning, module="optuna")
            study.optimize(objective, n_trials=n_trials, timeout=timeout, catch=(InputError,))
    except _GivenFails as e:  # one line, before any search: the user's arguments are wrong
        raise e.error from None
    finally:
        optuna.logging.set_verbosity(was)
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    if not complete:
        raise InputError(f"no trial of the {len(study.trials)} run completed (every one was "
                         "pruned or failed). Give more trials or a longer timeout, or pass "
                         "prune=False.")
    first = study.trials[0]
    default_score = first.value if first.state.name == "COMPLETE" else None
    drawn = [t for t in study.trials if t.number > 0 or default is not None]
    errors = [t.user_attrs["error"] for t in drawn if t.user_attrs.get("error")]
    failed = errors[0] if drawn and len(errors) == len(drawn) else ""  # none of them ran
    best_params = dict(study.best_trial.user_attrs.get("params", study.best_trial.params))
    best = clone(estimator).set_params(**best_params)
    if refit:
        best.fit(data) if kind == "Forecaster" else best.fit(data, y, static=static)
    if not verbose:
        optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        importances = _importances(optuna, study)
    finally:
        optuna.logging.set_verbosity(was)
    return TuneResult(best_params=best_params, best_score=float(study.best_value),
                      default_score=default_score, metric=metric, direction=direction,
                      best_estimator=best, trials=_trials(study), importances=importances,
                      study=study, failed=failed)


def _optuna():
    try:
        import optuna
    except ModuleNotFoundError as e:
        raise InputError("tune needs Optuna, which is not installed. Install it with pip "
                         "install 'rnnkit[tune]'.") from e
    return optuna


def _forecast_score(data: Any, n_windows: int) -> Callable:
    def score(model, data):
        from rnnkit.forecast.spec import resolve

        horizon = resolve(model.options(), model.panel(data, fresh=True)).horizon
        try:
            result = model.backtest(data, n_windows=n_windows,
                                    step=max(1, horizon // n_windows), baselines=False)
        except InputError as e:  # tune sets the step itself: fewer windows is the way out
            raise InputError(str(e).replace(", or a smaller step.", ".")) from e
        return float(result.scores.loc[result.model, "MASE"])

    return score


def _cv_score(y: Any, static: Any, folds: int, seed: int, metric: str) -> Callable:
    from rnnkit.tasks.sequence_jobs import cross_validate

    def score(model, X):
        table = cross_validate(model, X, y, static=static, folds=folds, seed=seed)
        return float(table[f"model {metric}"].mean())

    return score


def _suggest(trial: Any, space: dict) -> dict:
    params = {}
    for name, spec in space.items():
        if isinstance(spec, list):
            params[name] = trial.suggest_categorical(name, spec)
        elif len(spec) == 3:
            params[name] = trial.suggest_float(name, spec[1], spec[2], log=True)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in spec):
            params[name] = trial.suggest_int(name, spec[0], spec[1])
        else:
            params[name] = trial.suggest_float(name, spec[0], spec[1])
    return params


def _plain(spec: Any) -> Any:
    """A space's choices or bounds with numpy numbers (a grid from np.arange) as Python's."""
    if isinstance(spec, np.ndarray):  # np.arange(16, 65, 16): its values as choices
        spec = spec.tolist()
    if isinstance(spec, list | tuple):
        items = [v.item() if type(v).__module__ == "numpy" and getattr(v, "ndim", None) == 0
                 else v for v in spec]
        return type(spec)(items)
    return spec


def _check_space(estimator: Any, space: dict) -> None:
    known = estimator.get_params()
    for name, spec in space.items():
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise InputError(f"space names {name!r}, which is not an argument of "
                             f"{type(estimator).__name__}.{hint} Pass arguments of the "
                             "estimator as the space's keys.")
        numbers = isinstance(spec, tuple) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in spec[-2:])
        ok = (isinstance(spec, list) and len(spec) > 0) or (numbers and (
            (len(spec) == 2 and spec[0] < spec[1])
            or (len(spec) == 3 and spec[0] == "log" and 0 < spec[1] < spec[2])))
        if numbers and len(spec) in (2, 3) and spec[-2] >= spec[-1]:  # the ends swapped
            fixed = (*spec[:-2], spec[-1], spec[-2])
            raise InputError(f"space[{name!r}]={spec!r} has its low end {spec[-2]!r} at or above "
                             f"its high end {spec[-1]!r}. Pass space={{{name!r}: {fixed!r}}}.")
        if numbers and len(spec) == 3 and spec[0] == "log" and spec[1] <= 0:
            raise InputError(f"space[{name!r}]={spec!r} is a log range from {spec[1]!r}; a log "
                             "range needs a positive low end. Pass a low end above 0, or "
                             f"({spec[1]!r}, {spec[2]!r}) for a linear range.")
        if not ok:
            raise InputError(f"space[{name!r}]={spec!r} is not a search range; expected a list "
                             "of choices, (low, high) or ('log', low, high). Pass e.g. "
                             f"space={{{name!r}: [..]}}.")


def _current(estimator: Any, space: dict) -> dict | None:
    """The estimator's own values of the searched arguments, when each lies in the space."""
    values = {}
    for name, spec in space.items():
        v = getattr(estimator, name)
        inside = v in spec if isinstance(spec, list) else (
            isinstance(v, int | float) and spec[-2] <= v <= spec[-1])
        if not inside:
            return None
        values[name] = v
    return values


def _trials(study: Any) -> pd.DataFrame:
    rows = []
    for t in study.trials:
        row = {"number": t.number, "state": t.state.name,
               "score": t.value if t.state.name == "COMPLETE" else np.nan,
               "seconds": round(float(t.user_attrs.get("seconds", np.nan)), 2),
               "error": t.user_attrs.get("error", "")}
        rows.append(row | t.user_attrs.get("shown", {}) | dict(t.params))
    frame = pd.DataFrame(rows)
    for column in frame.columns[5:]:  # whole numbers stay whole beside a trial without one
        given = [r[column] for r in rows if r.get(column) is not None]
        if given and all(isinstance(v, int | np.integer) and not isinstance(v, bool)
                         for v in given):
            frame[column] = frame[column].astype("Int64")
    return frame


def _importances(optuna: Any, study: Any) -> dict:
    # the trials that drew settings (trial 0, the estimator as given, may have drawn none)
    drawn = [t for t in study.trials if t.state.name == "COMPLETE" and t.params]
    if len(drawn) < 2:
        return {}
    if len(drawn) < len([t for t in study.trials if t.state.name == "COMPLETE"]):
        study = optuna.create_study(directions=study.directions)
        study.add_trials(drawn)
    try:
        found = optuna.importance.get_param_importances(study)
    except (RuntimeError, ValueError):  # e.g. every trial scored the same
        return {}
    return {k: float(v) for k, v in found.items()}


def _show(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)
