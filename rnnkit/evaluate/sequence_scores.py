"""Scores for sequence classification and regression, and the baselines printed beside them:
the majority class / the mean, and a logistic / ridge regression on per-sequence summary
features (mean, std, min, max, last value and slope of every channel). If the recurrent model
cannot beat those, the user must see it."""

from __future__ import annotations

import numpy as np

from rnnkit.data.sequences import pad_sequences


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
    if proba is not None and classes is not None:
        out["log loss"] = metrics.log_loss(y_true, np.clip(proba, 1e-15, 1), labels=classes)
        if len(classes) == 2:
            out["ROC-AUC"] = metrics.roc_auc_score(y_true == classes[1], proba[:, 1])
    return {k: float(v) for k, v in out.items()}


def regression_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """RMSE, MAE, R² and Pearson correlation."""
    t = np.asarray(y_true, float).reshape(-1)
    p = np.asarray(y_pred, float).reshape(-1)
    ss_tot = ((t - t.mean()) ** 2).sum()
    return {"RMSE": float(np.sqrt(np.mean((t - p) ** 2))), "MAE": float(np.mean(np.abs(t - p))),
            "R2": float(1 - ((t - p) ** 2).sum() / ss_tot) if ss_tot > 0 else float("nan"),
            "Pearson r": float(np.corrcoef(t, p)[0, 1]) if t.std() and p.std() else float("nan")}


def classification_baselines(X_train, y_train, X_test, y_test) -> dict[str, dict[str, float]]:
    """Majority class, and a logistic regression on :func:`summary_features` (numeric
    sequences) or on word counts (texts: the classic bag-of-words baseline)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from rnnkit.data.text import is_text, tokenize

    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    values, counts = np.unique(y_train, return_counts=True)
    majority = np.full(len(y_test), values[np.argmax(counts)])
    if is_text(X_train):
        from sklearn.feature_extraction.text import CountVectorizer

        name = "logistic on word counts"
        logistic = make_pipeline(CountVectorizer(tokenizer=tokenize, token_pattern=None,
                                                 lowercase=False),
                                 LogisticRegression(max_iter=2000))
        train_in, test_in = list(X_train), list(X_test)
    else:
        name = "logistic on summaries"
        logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        train_in, test_in = summary_features(X_train), summary_features(X_test)
    logistic.fit(train_in, y_train)
    return {"majority class": classification_scores(y_test, majority),
            name: classification_scores(y_test, logistic.predict(test_in),
                                        logistic.predict_proba(test_in), logistic.classes_)}


def regression_baselines(X_train, y_train, X_test, y_test, static_train=None,
                         static_test=None) -> dict[str, dict[str, float]]:
    """The training mean and a ridge regression on :func:`summary_features` (+ static)."""
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def features(X, static):
        f = summary_features(X)
        return f if static is None else np.hstack([f, np.asarray(static, float)])

    ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
    ridge.fit(features(X_train, static_train), y_train)
    mean = np.full(len(y_test), np.mean(y_train))
    return {"mean": regression_scores(y_test, mean),
            "ridge on summaries": regression_scores(
                y_test, ridge.predict(features(X_test, static_test)))}
