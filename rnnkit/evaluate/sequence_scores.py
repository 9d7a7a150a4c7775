"""Scores for sequence classification and regression, and the baselines printed beside them:
the majority class / the mean; 1-nearest-neighbour with Euclidean distance on z-normalised
sequences (the time-series classification archive's reference); a logistic / ridge regression
on per-sequence summary features (mean, std, min, max, last value and slope of every channel);
for texts, TF-IDF of words and word pairs with a logistic regression. If the recurrent model
cannot beat those, the user must see it."""

from __future__ import annotations

import numpy as np

from rnnkit.data.sequences import pad_sequences, resample, step_mask

NEIGHBOUR = "1-NN Euclidean"


def summary_features(X: object) -> np.ndarray:
    """Six numbers per channel over each sequence's real steps: mean, std, min, max, last,
    least-squares slope.

    Shapes:
        X: ``[N, T, F]`` or a list of ``[T_i, F]`` -> ``[N, 6F]``.
    """
    x, lengths = pad_sequences(X)
    mask = (np.arange(x.shape[1]) < lengths[:, None])[..., None]  # [N, T, 1]
    n = lengths[:, None].astype(float)
    mean = (x * mask).sum(1) / n
    std = np.sqrt((((x - mean[:, None]) ** 2) * mask).sum(1) / n)
    low = np.where(mask, x, np.inf).min(1)
    high = np.where(mask, x, -np.inf).max(1)
    last = x[np.arange(len(x)), lengths - 1]
    t = np.arange(x.shape[1])[None, :, None] - (lengths[:, None, None] - 1) / 2  # centred time
    slope = ((t * (x - mean[:, None])) * mask).sum(1) / np.maximum((t**2 * mask).sum(1), 1e-12)
    return np.concatenate([mean, std, low, high, last, slope], axis=1)


def classification_scores(y_true: np.ndarray, y_pred: np.ndarray,
                          proba: np.ndarray | None = None,
                          classes: np.ndarray | None = None) -> dict[str, float]:
    """Accuracy, balanced accuracy, macro F1, and with probabilities log loss and (binary)
    ROC-AUC."""
    from sklearn import metrics

    out = {"accuracy": metrics.accuracy_score(y_true, y_pred),
           "balanced accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
           "macro F1": metrics.f1_score(y_true, y_pred, average="macro")}
    if proba is not None and classes is not None and not np.isin(y_true, classes).all():
        # a class the model never saw in training (a small cross-validation fold): it has no
        # probability, so neither score is defined
        out["log loss"] = float("nan")
        if len(classes) == 2:
            out["ROC-AUC"] = float("nan")
    elif proba is not None and classes is not None:
        out["log loss"] = metrics.log_loss(y_true, np.clip(proba, 1e-15, 1), labels=classes)
        if len(classes) == 2:
            out["ROC-AUC"] = metrics.roc_auc_score(np.asarray(y_true) == classes[1],
                                                     proba[:, 1])
    return {k: float(v) for k, v in out.items()}


def regression_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """RMSE, MAE, R² and Pearson correlation; with several outputs (``[N, K]``), each
    output's score, averaged (as scikit-learn's "uniform_average"): outputs in different
    units are not pooled."""
    t = np.asarray(y_true, float)
    p = np.asarray(y_pred, float)
    t, p = t.reshape(len(t), -1), p.reshape(len(p), -1)
    per_output = [_regression_scores(t[:, k], p[:, k]) for k in range(t.shape[1])]
    return {k: float(np.mean([s[k] for s in per_output])) for k in per_output[0]}


def _regression_scores(t: np.ndarray, p: np.ndarray) -> dict[str, float]:
    ss_tot = ((t - t.mean()) ** 2).sum()
    return {"RMSE": float(np.sqrt(np.mean((t - p) ** 2))), "MAE": float(np.mean(np.abs(t - p))),
            "R2": float(1 - ((t - p) ** 2).sum() / ss_tot) if ss_tot > 0 else float("nan"),
            "Pearson r": float(np.corrcoef(t, p)[0, 1]) if t.std() and p.std() else float("nan")}


def znormalised(X: object, steps: int | None = None) -> np.ndarray:
    """Every sequence z-normalised per channel over its real steps, resampled to ``steps``
    (default: the longest) and flattened: the vectors 1-NN Euclidean compares.

    Shapes:
        X: ``[N, T, F]`` or a list of ``[T_i, F]`` -> ``[N, steps * F]``.
    """
    x, lengths = pad_sequences(X)
    mask = step_mask(lengths, x.shape[1])[..., None]
    n = lengths[:, None].astype(float)
    mean = (x * mask).sum(1) / n
    std = np.sqrt((((x - mean[:, None]) * mask) ** 2).sum(1) / n)
    z = (x - mean[:, None]) / np.where(std > 0, std, 1.0)[:, None] * mask
    return resample(z, lengths, steps or x.shape[1]).reshape(len(x), -1)


def nearest_neighbour(X_train: object, X_test: object) -> np.ndarray:
    """For each test sequence, the row of its nearest training sequence (Euclidean distance
    between z-normalised sequences, resampled to the training sequences' longest length).

    Shapes:
        X_train ``[N, T, F]`` (or a list), X_test ``[M, T', F]`` -> ``[M]`` row numbers.
    """
    train = znormalised(X_train)
    steps = train.shape[1] // pad_sequences(X_train)[0].shape[2]
    test = znormalised(X_test, steps)
    best = np.empty(len(test), dtype=np.int64)
    squared = (train**2).sum(1)
    for start in range(0, len(test), 1024):  # blocks bound the [block, N] distance matrix
        block = test[start : start + 1024]
        distance = squared[None, :] - 2 * block @ train.T  # + |test|^2: same for every row
        best[start : start + 1024] = distance.argmin(1)
    return best


def text_baseline(task: str = "classification", min_df: int = 2, tokenizer=None):
    """TF-IDF of words and word pairs (sublinear counts, words seen twice or more) with a
    logistic regression (a ridge for ``task="regression"``): the standard strong baseline
    for short texts. ``tokenizer``: how a text splits (rnnkit's words by default)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.pipeline import make_pipeline

    from rnnkit.data.text import tokenize

    head = LogisticRegression(max_iter=2000) if task == "classification" else \
        RidgeCV(alphas=np.logspace(-3, 3, 13))
    return make_pipeline(TfidfVectorizer(tokenizer=tokenizer or tokenize, token_pattern=None,
                                         lowercase=False, ngram_range=(1, 2), min_df=min_df,
                                         sublinear_tf=True), head)


def _fit_text_baseline(X_train, y_train, kind: str, task: str):
    """:func:`text_baseline` fitted on texts, or on token ids read as words (sequences of
    ids, padding 0 left out); words seen once are kept where too few are seen twice; None
    when the texts hold no word at all."""
    texts = list(X_train) if kind == "text" else _id_texts(X_train)
    tokenizer = None if kind == "text" else str.split
    for min_df in (2, 1):
        try:
            return text_baseline(task, min_df, tokenizer).fit(texts, y_train)
        except ValueError:  # "After pruning, no terms remain" / "empty vocabulary"
            continue
    return None


def _id_texts(X) -> list[str]:
    return [" ".join(str(int(i)) for i in np.asarray(x).reshape(-1) if i != 0) for x in X]


def _texts(X, kind: str) -> list[str]:
    return list(X) if kind == "text" else _id_texts(X)


def input_kind(X) -> str:
    """"text" for strings or token lists, else "numeric" (token ids are told by the model:
    pass its ``inputs_.kind``)."""
    from rnnkit.data.text import is_text

    return "text" if is_text(X) else "numeric"


def classification_baselines(X_train, y_train, X_test, y_test,
                             kind: str | None = None) -> dict[str, dict[str, float]]:
    """Majority class; for numeric sequences 1-NN Euclidean and a logistic regression on
    :func:`summary_features`; for texts and token ids (``kind`` "text" or "ids"; None:
    told from X) TF-IDF + logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    kind = kind or input_kind(X_train)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    values, counts = np.unique(y_train, return_counts=True)
    majority = np.full(len(y_test), values[np.argmax(counts)])
    out = {"majority class": classification_scores(y_test, majority)}
    if kind in ("text", "ids"):
        tfidf = _fit_text_baseline(X_train, y_train, kind, "classification")
        if tfidf is not None:
            test = _texts(X_test, kind)
            out["TF-IDF + logistic"] = classification_scores(
                y_test, tfidf.predict(test), tfidf.predict_proba(test), tfidf.classes_)
        return out
    out[NEIGHBOUR] = classification_scores(y_test, y_train[nearest_neighbour(X_train, X_test)])
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    train_in, test_in = summary_features(X_train), summary_features(X_test)
    logistic.fit(train_in, y_train)
    out["logistic on summaries"] = classification_scores(
        y_test, logistic.predict(test_in), logistic.predict_proba(test_in), logistic.classes_)
    return out


def regression_baselines(X_train, y_train, X_test, y_test, static_train=None,
                         static_test=None, kind: str | None = None
                         ) -> dict[str, dict[str, float]]:
    """The training mean (of each output), 1-NN Euclidean (the nearest training sequence's
    target) and a ridge regression on :func:`summary_features` (+ static); for texts and
    token ids (``kind``, as in :func:`classification_baselines`) TF-IDF + ridge."""
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def features(X, static):
        f = summary_features(X)
        return f if static is None else np.hstack([f, np.asarray(static, float)])

    kind = kind or input_kind(X_train)
    y_train = np.asarray(y_train, float)
    mean = np.broadcast_to(y_train.mean(axis=0), (len(y_test), *y_train.shape[1:]))
    if kind in ("text", "ids"):
        out = {"mean": regression_scores(y_test, mean)}
        tfidf = _fit_text_baseline(X_train, y_train, kind, "regression")
        if tfidf is not None:
            out["TF-IDF + ridge"] = regression_scores(y_test, tfidf.predict(_texts(X_test,
                                                                                   kind)))
        return out
    ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
    ridge.fit(features(X_train, static_train), y_train)
    return {"mean": regression_scores(y_test, mean),
            NEIGHBOUR: regression_scores(y_test, y_train[nearest_neighbour(X_train, X_test)]),
            "ridge on summaries": regression_scores(
                y_test, ridge.predict(features(X_test, static_test)))}


def tagging_baselines(X_train, y_train, X_test, y_test,
                      task: str = "classification") -> dict[str, dict[str, float]]:
    """Per-step baselines of a tagger, scored over every real step: the majority tag (or the
    training mean), and a logistic (or ridge) regression that reads each step's features
    alone. The second is the question a tagger must answer: does the context help?

    Shapes:
        X_*: lists of ``[T_i, F]``; y_*: lists of ``[T_i]``.
    """
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    steps_train, steps_test = np.concatenate(X_train), np.concatenate(X_test)
    tags_train, tags_test = np.concatenate(y_train), np.concatenate(y_test)
    if task == "regression":
        ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
        ridge.fit(steps_train, tags_train.astype(float))
        mean = np.full(len(tags_test), tags_train.astype(float).mean())
        return {"mean": regression_scores(tags_test, mean),
                "ridge per step (no context)": regression_scores(
                    tags_test, ridge.predict(steps_test))}
    values, counts = np.unique(tags_train, return_counts=True)
    majority = np.full(len(tags_test), values[np.argmax(counts)])
    out = {"majority tag": classification_scores(tags_test, majority)}
    if len(values) > 1:
        logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        logistic.fit(steps_train, tags_train)
        out["logistic per step (no context)"] = classification_scores(
            tags_test, logistic.predict(steps_test))
    return out
