"""One call from a long frame to a scored sequence model: what `rnnkit classify` and
`rnnkit regress` run."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnnkit import tracking
from rnnkit.data.columns import Columns, check_roles
from rnnkit.data.reading import read_data
from rnnkit.data.sequences import (
    check_targets_present,
    plain_value,
    sequences_from_frame,
)
from rnnkit.errors import InputError
from rnnkit.evaluate.sequence_scores import (
    classification_baselines,
    classification_scores,
    regression_baselines,
    regression_scores,
)
from rnnkit.tasks.sequence import SequenceClassifier, SequenceEstimator, SequenceRegressor


@dataclass
class SequenceRun:
    """A fitted model, its scores on a held-out split beside the baselines, the predictions.

    Attributes:
        scores: one row per model ("model" first, then the baselines), one score each.
        runs: with ``repeats``, every run's scores alone (one row per run).
        warnings: what the report must say beside the scores (a model that predicts one
            class for everything, training without a hold-out, ...).
    """

    task: str
    model: SequenceEstimator
    scores: dict[str, dict[str, float]]
    predictions: pd.DataFrame
    classes: np.ndarray | None = None
    confusion: np.ndarray | None = None
    runs: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)

    def table(self) -> str:
        return score_table(self.scores, self.runs)


def _read(data: Any, schema: dict, with_target: bool = True):
    """Sequences (numeric from a long frame, or texts from a text column), targets, static,
    ids — as the schema says."""
    frame = read_data(data, Columns(id_col=schema["id_col"]))  # ids as written: "007" != "7"
    if schema.get("text_col"):
        for col in [schema["text_col"]] + ([schema["target_col"]] if with_target else []):
            if col not in frame.columns:
                raise InputError(f"column {col!r} is not in the data; columns are "
                                 f"{[str(c) for c in frame.columns]}.")
        ids = (frame[schema["id_col"]].to_numpy() if schema["id_col"] in frame.columns
               else np.arange(len(frame)))
        y = frame[schema["target_col"]].to_numpy() if with_target else None
        if with_target:  # named by its row in the file
            check_targets_present(y, schema["target_col"], ids, unit="sequence" if
                                  schema["id_col"] in frame.columns else "row")
        texts = frame[schema["text_col"]]
        if texts.isna().any():  # named by its row in the file, before any split or shuffle
            row = int(np.flatnonzero(texts.isna().to_numpy())[0])
            raise InputError(f"column {schema['text_col']!r} is empty in "
                             f"{int(texts.isna().sum())} row(s) (first: row {row} of the "
                             "data). Give every row a text, or drop those rows.")
        return texts.astype(str).tolist(), y, None, ids
    if not with_target:
        needed = [schema["id_col"], *schema["sequence_cols"], *schema["static_cols"]] + \
            ([schema["time_col"]] if schema["time_col"] else [])
        missing = [c for c in needed if c not in frame.columns]
        if missing:  # named before the stand-in target below joins the columns
            raise InputError(f"column(s) {missing} are not in the data; the model was fitted "
                             f"on {needed}, and the data has {[str(c) for c in frame.columns]}."
                             " Pass data with the columns the model was fitted on.")
        frame = frame.assign(**{schema["target_col"]: 0})
    return sequences_from_frame(frame, schema["id_col"], schema["time_col"],
                                schema["sequence_cols"], schema["target_col"],
                                schema["static_cols"])


def read_inputs(model: SequenceEstimator, data: Any, name: str = "MODEL",
                action: str = "predict") -> tuple[Any, Any, np.ndarray]:
    """The sequences (or texts), static covariates and ids of ``data``, read with the columns
    the model was fitted on by :func:`run_sequence_job` (`rnnkit classify` / `regress`)."""
    schema = getattr(model, "schema_", None)
    if not schema:
        raise InputError(
            f"{name} is a {type(model).__name__} fitted in Python, so it does not know which "
            f"columns of a file to read (`rnnkit {action}` reads files for forecasters and "
            "for models fitted by rnnkit classify / regress). Use its Python API: "
            f"rnnkit.load(path).{action}(X).")
    X, _, static, ids = _read(data, schema, with_target=False)
    return X, static, ids


def predict_frame(model: SequenceEstimator, data: Any, name: str = "MODEL") -> pd.DataFrame:
    """Predictions of a model fitted by :func:`run_sequence_job` (or :func:`run_tagging_job`)
    on new data of the same schema: one row per sequence (id, prediction, and class
    probabilities), or for a tagger one row per step (id, step, prediction)."""
    X, static, ids = read_inputs(model, data, name)
    if not isinstance(model, SequenceClassifier | SequenceRegressor):  # a tagger: every step
        per_step = model.predict(X)
        return pd.DataFrame({model.schema_["id_col"]: np.repeat(ids, [len(p) for p in per_step]),
                             "step": np.concatenate([np.arange(len(p)) for p in per_step]),
                             "predicted": np.concatenate([np.asarray(p) for p in per_step])})
    if not isinstance(model, SequenceClassifier):
        return pd.DataFrame({model.schema_["id_col"]: ids,
                             "predicted": model.predict(X, static=static)})
    proba = model.predict_proba(X, static=static)  # one pass: the labels are its argmax
    frame = pd.DataFrame({model.schema_["id_col"]: ids,
                          "predicted": model.classes_[proba.argmax(1)]})
    return frame.assign(**{f"p({c})": proba[:, k] for k, c in enumerate(model.classes_)})


def run_sequence_job(task: str, data: Any, target_col: str, sequence_cols: list[str],
                     id_col: str = "id", time_col: str | None = "step",
                     static_cols: list[str] | None = None, test_size: float = 0.25,
                     seed: int = 0, text_col: str | None = None,
                     **params: Any) -> SequenceRun:
    """Read a long frame, split by sequence (stratified for classes), fit, score, compare.

    Args:
        task: "classification" or "regression".
        data: a long frame, a CSV/Parquet path or a bundled dataset name.
        target_col, sequence_cols, id_col, time_col, static_cols: the frame's schema.
        text_col: instead, a column of texts, one row per sequence.
        test_size: share of sequences held out. params: estimator arguments.
    """
    schema = {"target_col": target_col, "sequence_cols": list(sequence_cols), "id_col": id_col,
              "time_col": time_col, "static_cols": list(static_cols or ()), "text_col": text_col}
    if text_col and (sequence_cols or static_cols):
        raise InputError(f"text_col={text_col!r} reads one text per row, as the whole sequence; "
                         f"{'sequence' if sequence_cols else 'static'}_cols name the columns "
                         "of numeric sequences in a long frame. Pass text_col for texts, or "
                         "sequence_cols for numbers.")
    check_roles([(target_col, "target_col"), (id_col, "id_col"), (time_col, "time_col")]
                + [(c, "sequence_cols") for c in sequence_cols]
                + [(c, "static_cols") for c in static_cols or ()] + [(text_col, "text_col")])
    X, y, static, ids = _read(data, schema)
    if task == "regression":
        try:
            y = np.asarray(y, dtype=float)
        except (TypeError, ValueError) as e:
            raise InputError(f"target_col={target_col!r} must hold numbers to regress on ({e}). "
                             "Name a numeric column, or classify for labels.") from e
    index = np.arange(len(X))
    train, test = _split(index, test_size, seed, y if task == "classification" else None)

    def pick(a, i):
        return None if a is None else a[i]

    X_train, X_test = [X[i] for i in train], [X[i] for i in test]
    estimator = SequenceClassifier if task == "classification" else SequenceRegressor
    tracking.check_backend(params.get("tracking"))  # before any training
    started = time.time()
    model = estimator(seed=seed, **(params | {"tracking": None}))  # tracked with its scores
    model.schema_ = schema  # so `rnnkit predict MODEL DATA` can read new data the same way
    model.fit(X_train, y[train], static=pick(static, train))
    scores, runs, predicted, proba = score_model(model, X_test, y[test], pick(static, test))
    frame = pd.DataFrame({id_col: ids[test], "true": y[test], "predicted": predicted})
    notes = [model.holdout_] if model.holdout_ else []
    if task == "classification":
        scores |= classification_baselines(X_train, y[train], X_test, y[test],
                                           model.inputs_.kind)
        from sklearn.metrics import confusion_matrix

        confusion = confusion_matrix(y[test], predicted, labels=model.classes_)
        for k, c in enumerate(model.classes_):
            frame[f"p({c})"] = proba[:, k]
        notes += one_class_warning(model, predicted, y[train])
        result = SequenceRun(task, model, scores, frame, model.classes_, confusion, runs, notes)
    else:
        scores |= regression_baselines(X_train, y[train], X_test, y[test], pick(static, train),
                                       pick(static, test), model.inputs_.kind)
        result = SequenceRun(task, model, scores, frame, runs=runs, warnings=notes)
    model.tracking = params.get("tracking")
    tracking.record(model, "fit", data, scores=_flat(scores), started=started)
    return result


def _flat(scores: dict) -> dict:
    """``{"model/metric": number}`` from the held-out scores of every model."""
    flat = {}
    for name, row in scores.items():
        for metric, value in (row.items() if isinstance(row, dict) else [(None, row)]):
            if isinstance(value, int | float):
                flat[name if metric is None else f"{name}/{metric}"] = value
    return flat


def run_tagging_job(data: Any, label_col: str, sequence_cols: list[str], id_col: str = "id",
                    time_col: str | None = "step", test_size: float = 0.25, seed: int = 0,
                    **params: Any) -> SequenceRun:
    """Read a long frame with a label (or number) on every row, split by sequence, fit a
    :class:`SequenceTagger`, score every held-out step beside the per-step baselines."""
    from rnnkit.evaluate.sequence_scores import tagging_baselines
    from rnnkit.tasks.tagger import SequenceTagger

    check_roles([(label_col, "label_col"), (id_col, "id_col"), (time_col, "time_col")]
                + [(c, "sequence_cols") for c in sequence_cols])
    frame = read_data(data, Columns(id_col=id_col))  # ids as written: "007" != "7"
    X, y, _, ids = sequences_from_frame(frame, id_col, time_col, sequence_cols, label_col,
                                        per_step=True)
    train, test = _split(np.arange(len(X)), test_size, seed)
    tracking.check_backend(params.get("tracking"))  # before any training
    started = time.time()
    model = SequenceTagger(seed=seed, **(params | {"tracking": None}))
    model.schema_ = {"target_col": label_col, "sequence_cols": list(sequence_cols),
                     "id_col": id_col, "time_col": time_col, "static_cols": [],
                     "text_col": None}  # so `rnnkit inspect MODEL DATA` reads DATA alike
    task = model.task
    if task == "classification":  # numbers of many values are values per step, not tags
        steps = pd.Series(np.concatenate([np.asarray(t, dtype=object) for t in y]))
        counts = steps.value_counts()
        numbers = pd.api.types.is_numeric_dtype(pd.to_numeric(counts.index, errors="coerce")) \
            and pd.to_numeric(counts.index, errors="coerce").notna().all() and \
            not any(isinstance(v, bool | np.bool_) for v in counts.index)
        if numbers and len(counts) > 10 and (
                bool(np.any(np.mod(counts.index.to_numpy(float), 1) != 0))
                or (counts == 1).mean() > 0.5 or len(counts) > 0.2 * len(steps)):
            raise InputError(f"--label-col {label_col!r} holds {len(counts)} different numbers "
                             f"over {len(steps)} steps: values per step, not tags. Pass "
                             "--task regression, or bin the numbers into tags.")
    if task == "regression":
        try:
            y = [np.asarray(t, dtype=float) for t in y]
        except (TypeError, ValueError) as e:
            raise InputError(f"--task regression needs numbers in {label_col!r}; {e}. Pass "
                             "--task classification for labels, or a numeric column.") from e
    X_train, y_train = [X[i] for i in train], [y[i] for i in train]
    X_test, y_test = [X[i] for i in test], [y[i] for i in test]
    model.fit(X_train, y_train)
    predicted = model.predict(X_test)
    truth, guess = np.concatenate(y_test), np.concatenate(predicted)
    scores = {"model": classification_scores(truth, guess) if task == "classification"
              else regression_scores(truth, guess)}
    scores |= tagging_baselines(X_train, y_train, X_test, y_test, task)
    frame = pd.DataFrame({id_col: np.repeat(ids[test], [len(t) for t in y_test]),
                          "step": np.concatenate([np.arange(len(t)) for t in y_test]),
                          "true": truth, "predicted": guess})
    notes = [model.holdout_] if model.holdout_ else []
    result = SequenceRun(task, model, scores, frame,
                         classes=getattr(model, "classes_", None), warnings=notes)
    if task == "classification":
        from sklearn.metrics import confusion_matrix

        result.confusion = confusion_matrix(truth, guess, labels=model.classes_) \
            if np.isin(truth, model.classes_).any() else \
            np.zeros((len(model.classes_),) * 2, dtype=np.int64)  # no held-out tag was seen
    model.tracking = params.get("tracking")
    tracking.record(model, "fit", data, scores=_flat(scores), started=started)
    return result


def score_model(model: SequenceEstimator, X: Any, y: np.ndarray, static: Any = None):
    """The model's scores on (X, y), every run's alone when there are several, and its
    predictions (and probabilities for a classifier)."""
    if isinstance(model, SequenceClassifier):
        each = model.predict_runs(X, static=static)
        proba = np.mean(each, axis=0)
        predicted = model.classes_[proba.argmax(1)]
        scores = {"model": classification_scores(y, predicted, proba, model.classes_)}
        rows = [classification_scores(y, model.classes_[p.argmax(1)], p, model.classes_)
                for p in each]
    else:
        each = model.predict_runs(X, static=static)
        proba, predicted = None, np.mean(each, axis=0)
        scores = {"model": regression_scores(y, predicted)}
        rows = [regression_scores(y, p) for p in each]
    runs = pd.DataFrame(rows, index=pd.RangeIndex(1, len(rows) + 1, name="run")) \
        if len(rows) > 1 else None
    return scores, runs, predicted, proba


def one_class_warning(model: SequenceClassifier, predicted: np.ndarray,
                      y_train: np.ndarray) -> list[str]:
    """A sentence when the model predicts one class for everything although training had
    several (a model stuck at the majority class), else nothing."""
    seen = np.unique(predicted)
    if len(seen) > 1 or len(np.unique(y_train)) < 2:
        return []
    values, counts = np.unique(y_train, return_counts=True)
    majority = values[np.argmax(counts)]
    what = "it learned nothing beyond the majority" if seen[0] == majority else \
        f"not even the most common one ({plain_value(majority)!r}): worse than guessing the " \
        "majority"
    return [f"WARNING: the model predicts {plain_value(seen[0])!r} for every sequence although "
            f"training had {len(values)} classes: {what}. Try more steps (max_steps; CLI: "
            "--max-steps), repeats, or another front end."]


def score_table(scores: dict[str, dict[str, float]], runs: pd.DataFrame | None = None) -> str:
    """Scores as plain text: a row per model, a column per score; with several runs, a
    line of each score's mean ± standard deviation over the runs."""
    metrics = list(next(iter(scores.values())))
    width = max(len(n) for n in scores) + 2
    lines = [" " * width + "".join(f"{m:>18}" for m in metrics)]
    for name, row in scores.items():
        lines.append(f"{name:<{width}}" + "".join(f"{row.get(m, float('nan')):>18.3f}"
                                                   for m in metrics))
        if name == "model" and runs is not None:
            cells = "".join(f"{f'{runs[m].mean():.3f}±{runs[m].std(ddof=1):.3f}':>18}"
                            for m in metrics)
            lines.append(f"{f'  {len(runs)} runs alone':<{width}}" + cells)
    return "\n".join(lines)


def cross_validate(estimator: SequenceEstimator, X: Any, y: Any, static: Any = None,
                   folds: int = 5, seed: int = 0) -> pd.DataFrame:
    """K-fold cross-validation (stratified for a classifier), a fresh clone per fold, so each
    fold's scalers, vocabulary and early stopping see that fold's training part only.

    Returns:
        One row per fold; a column per score of the model ("model accuracy", ...) and of
        every baseline beside it ("1-NN Euclidean accuracy", ...); ``.agg(["mean", "std"])``
        summarises.
    """
    from rnnkit.options import check_value

    check_value("folds", folds, "int>=2")
    if not isinstance(estimator, SequenceClassifier | SequenceRegressor):
        raise InputError(f"estimator is a {type(estimator).__name__}; cross_validate scores "
                         "a SequenceClassifier or a SequenceRegressor (one answer per "
                         "sequence) beside its baselines. Pass one of those, or split the "
                         "data and score the model by hand (model.score).")
    from sklearn.base import clone
    from sklearn.model_selection import KFold, StratifiedKFold

    classify = isinstance(estimator, SequenceClassifier)
    y = np.asarray(y)
    if len(y) < folds:
        raise InputError(f"folds={folds} needs at least {folds} sequences; y holds {len(y)}. "
                         f"Pass folds <= {len(y)}.")
    if classify:  # stratified folds: refused where no class fills them (a rarer class
        # than the folds is only warned about, by scikit-learn)
        labels, counts = np.unique(y.astype(str) if y.dtype == object else y,
                                   return_counts=True)
        if counts.max() < folds:
            raise InputError(f"folds={folds}: no class has that many sequences (the largest, "
                             f"{plain_value(labels[counts.argmax()])!r}, has "
                             f"{int(counts.max())}), and stratified folds spread each class "
                             f"over them. Pass folds <= {max(int(counts.max()), 2)}, or give "
                             "more sequences.")
    splitter = (StratifiedKFold if classify else KFold)(folds, shuffle=True, random_state=seed)
    items = X if isinstance(X, np.ndarray) else list(X)

    def part(idx: np.ndarray):
        return items[idx] if isinstance(items, np.ndarray) else [items[i] for i in idx]

    rows = []
    for train, test in splitter.split(np.zeros(len(y)), y):
        st = (None, None) if static is None else (np.asarray(static)[train],
                                                  np.asarray(static)[test])
        model = clone(estimator).fit(part(train), y[train], static=st[0])
        scores, _, _, _ = score_model(model, part(test), y[test], st[1])
        row = {f"model {k}": v for k, v in scores["model"].items()}
        baselines = classification_baselines(part(train), y[train], part(test), y[test],
                                             model.inputs_.kind) if classify else \
            regression_baselines(part(train), y[train], part(test), y[test], *st,
                                 model.inputs_.kind)
        for name, values in baselines.items():
            row |= {f"{name} {k}": v for k, v in values.items()}
        rows.append(row)
    return pd.DataFrame(rows, index=pd.RangeIndex(1, folds + 1, name="fold"))


def _split(index: np.ndarray, test_size: float, seed: int, labels: Any = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """The sequences to train on and to test on (stratified by ``labels`` when given), or
    one line saying why ``test_size`` cannot split them."""
    from sklearn.model_selection import train_test_split

    if labels is not None:
        counts = pd.Series(labels).value_counts()
        numbers = pd.api.types.is_numeric_dtype(counts.index) and \
            not pd.api.types.is_bool_dtype(counts.index)
        fractional = numbers and bool(np.any(np.mod(counts.index.to_numpy(float), 1) != 0))
        if numbers and len(counts) > 10 and (fractional or (counts == 1).mean() > 0.5):
            raise InputError(f"the labels hold {len(counts)} different numbers over "
                             f"{len(index)} sequences, most of them once: numbers to regress "
                             "on, not classes. Use rnnkit regress (SequenceRegressor), or "
                             "bin the numbers into classes.")
        if (counts < 2).any():
            raise InputError(f"class {plain_value(counts.index[-1])!r} has {int(counts.iloc[-1])} "
                             f"sequence; a split keeps every class in both parts, so each "
                             f"needs 2 or more ({int((counts < 2).sum())} class(es) have 1). "
                             "Give more sequences of it, or drop it.")
    try:
        return train_test_split(index, test_size=test_size, random_state=seed, stratify=labels)
    except ValueError as e:
        raise InputError(
            f"test_size={test_size} cannot split {len(index)} sequence(s) into a training and a "
            f"test part ({str(e).split('. ')[0]}). Give more sequences, or a test size that "
            "leaves a few in each part (for classes: at least 2 of each).") from e
