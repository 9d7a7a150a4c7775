"""One call from a long frame to a scored sequence model: what `rnnkit classify` and
`rnnkit regress` run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rnnkit.data.frames import read_data
from rnnkit.data.sequences import sequences_from_frame
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
    """A fitted model, its scores on a held-out split beside the baselines, the predictions."""

    task: str
    model: SequenceEstimator
    scores: dict[str, dict[str, float]]
    predictions: pd.DataFrame
    classes: np.ndarray | None = None
    confusion: np.ndarray | None = None

    def table(self) -> str:
        metrics = list(next(iter(self.scores.values())))
        width = max(len(n) for n in self.scores) + 2
        lines = [" " * width + "".join(f"{m:>18}" for m in metrics)]
        for name, row in self.scores.items():
            lines.append(f"{name:<{width}}" + "".join(f"{row.get(m, float('nan')):>18.3f}"
                                                       for m in metrics))
        return "\n".join(lines)


def _read(data: Any, schema: dict, with_target: bool = True):
    """Sequences (numeric from a long frame, or texts from a text column), targets, static,
    ids — as the schema says."""
    frame = read_data(data)
    if schema.get("text_col"):
        for col in [schema["text_col"]] + ([schema["target_col"]] if with_target else []):
            if col not in frame.columns:
                raise InputError(f"column {col!r} is not in the data; columns are "
                                 f"{[str(c) for c in frame.columns]}.")
        ids = (frame[schema["id_col"]].to_numpy() if schema["id_col"] in frame.columns
               else np.arange(len(frame)))
        y = frame[schema["target_col"]].to_numpy() if with_target else None
        return frame[schema["text_col"]].astype(str).tolist(), y, None, ids
    if not with_target:
        frame = frame.assign(**{schema["target_col"]: 0})
    return sequences_from_frame(frame, schema["id_col"], schema["time_col"],
                                schema["sequence_cols"], schema["target_col"],
                                schema["static_cols"])


def predict_frame(model: SequenceEstimator, data: Any) -> pd.DataFrame:
    """Predictions of a model fitted by :func:`run_sequence_job` on new data of the same
    schema: one row per sequence (id, prediction, and class probabilities)."""
    schema = getattr(model, "schema_", None)
    if not schema:
        raise InputError("this model does not know which columns to read (it was fitted in "
                         "Python, not by rnnkit classify/regress). Call model.predict(X).")
    X, _, static, ids = _read(data, schema, with_target=False)
    frame = pd.DataFrame({schema["id_col"]: ids, "predicted": model.predict(X, static=static)})
    if isinstance(model, SequenceClassifier):
        for k, c in enumerate(model.classes_):
            frame[f"p({c})"] = model.predict_proba(X, static=static)[:, k]
    return frame


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
    from sklearn.model_selection import train_test_split

    schema = {"target_col": target_col, "sequence_cols": list(sequence_cols), "id_col": id_col,
              "time_col": time_col, "static_cols": list(static_cols or ()), "text_col": text_col}
    X, y, static, ids = _read(data, schema)
    index = np.arange(len(X))
    train, test = train_test_split(index, test_size=test_size, random_state=seed,
                                   stratify=y if task == "classification" else None)

    def pick(a, i):
        return None if a is None else a[i]

    X_train, X_test = [X[i] for i in train], [X[i] for i in test]
    estimator = SequenceClassifier if task == "classification" else SequenceRegressor
    model = estimator(seed=seed, **params)
    model.schema_ = schema  # so `rnnkit predict MODEL DATA` can read new data the same way
    if task == "classification":
        model.fit(X_train, y[train], static=pick(static, train))
        proba = model.predict_proba(X_test, static=pick(static, test))
        predicted = model.classes_[proba.argmax(1)]
        scores = {"model": classification_scores(y[test], predicted, proba, model.classes_)}
        scores |= classification_baselines(X_train, y[train], X_test, y[test])
        from sklearn.metrics import confusion_matrix

        confusion = confusion_matrix(y[test], predicted, labels=model.classes_)
        frame = pd.DataFrame({id_col: ids[test], "true": y[test], "predicted": predicted})
        for k, c in enumerate(model.classes_):
            frame[f"p({c})"] = proba[:, k]
        return SequenceRun(task, model, scores, frame, model.classes_, confusion)
    y = y.astype(float)
    model.fit(X_train, y[train], static=pick(static, train))
    predicted = model.predict(X_test, static=pick(static, test))
    scores = {"model": regression_scores(y[test], predicted)}
    scores |= regression_baselines(X_train, y[train], X_test, y[test], pick(static, train),
                                   pick(static, test))
    frame = pd.DataFrame({id_col: ids[test], "true": y[test], "predicted": predicted})
    return SequenceRun(task, model, scores, frame)


def cross_validate(estimator: SequenceEstimator, X: Any, y: Any, static: Any = None,
                   folds: int = 5, seed: int = 0) -> pd.DataFrame:
    """K-fold cross-validation (stratified for a classifier), a fresh clone per fold, so each
    fold's scalers, vocabulary and early stopping see that fold's training part only.

    Returns:
        One row per fold, one column per score; ``.agg(["mean", "std"])`` summarises.
    """
    from sklearn.base import clone
    from sklearn.model_selection import KFold, StratifiedKFold

    classify = isinstance(estimator, SequenceClassifier)
    y = np.asarray(y)
    splitter = (StratifiedKFold if classify else KFold)(folds, shuffle=True, random_state=seed)
    items = X if isinstance(X, np.ndarray) else list(X)

    def part(idx: np.ndarray):
        return items[idx] if isinstance(items, np.ndarray) else [items[i] for i in idx]

    rows = []
    for train, test in splitter.split(np.zeros(len(y)), y):
        st = (None, None) if static is None else (np.asarray(static)[train],
                                                  np.asarray(static)[test])
        model = clone(estimator).fit(part(train), y[train], static=st[0])
        if classify:
            proba = model.predict_proba(part(test), static=st[1])
            rows.append(classification_scores(y[test], model.classes_[proba.argmax(1)], proba,
                                              model.classes_))
        else:
            rows.append(regression_scores(y[test], model.predict(part(test), static=st[1])))
    return pd.DataFrame(rows, index=pd.RangeIndex(1, folds + 1, name="fold"))
