"""The default sequence estimators, untuned, on every classification, regression and text
problem of the dev suite (../shared/data/dev), each beside its baselines, with fit seconds.

Official train/test splits for the .npz problems; the tweets corpus is split 80/20, stratified,
seed 0. MiniRocket (aeon) is printed beside where aeon is importable (a bench-only extra:
``pip install aeon``). Run from the project root:

    python bench/sequence_accuracy.py                 # everything, markdown table on stdout
    python bench/sequence_accuracy.py --only GunPoint,Tecator --params '{"repeats": 3}'
    python bench/sequence_accuracy.py --unseen        # aeon's bundled UCR/UEA problems

``--unseen`` runs the defaults on the UCR/UEA problems that aeon ships with its package (not
in the dev suite, never tuned on: a check that the defaults carry over), official splits.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import rnnkit
from rnnkit.evaluate.sequence_scores import (
    NEIGHBOUR,
    classification_baselines,
    regression_baselines,
    text_baseline,
)

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev"


def problems() -> list[tuple[str, str, Path]]:
    found = [("classification", p.stem, p) for p in sorted((DEV / "classification").glob("*.npz"))]
    found += [("regression", p.stem, p) for p in sorted((DEV / "regression").glob("*.npz"))]
    found += [("text", p.stem, p) for p in sorted((DEV / "text").glob("*.csv"))]
    return found


UNSEEN = ("ArrowHead", "BasicMotions", "JapaneseVowels", "OSULeaf", "PickupGestureWiimoteZ",
          "ACSF1")  # classification problems bundled with aeon 1.6.0


def unseen_problems() -> list[tuple[str, str, str]]:
    return [("classification", name, f"aeon:{name}") for name in UNSEEN]


def from_aeon(name: str):
    """An aeon-bundled problem's official splits as [N, T, C] (or a list of [T_i, C])."""
    from aeon.datasets import load_classification

    out = []
    for split in ("train", "test"):
        X, y = load_classification(name, split=split)
        out += [[np.asarray(x, float).T for x in X], np.asarray(y)]
    if len({x.shape for x in out[0] + out[2]}) == 1:
        out[0], out[2] = np.stack(out[0]), np.stack(out[2])
    return tuple(out)


def numeric(path):
    if str(path).startswith("aeon:"):
        return from_aeon(str(path)[5:])
    d = np.load(path, allow_pickle=False)
    # [n, channels, length] NaN-padded -> lists of [T_i, channels] cut to their true lengths
    def cut(X, lengths):
        return [x.T[:n] for x, n in zip(X, lengths, strict=True)]

    X_train, X_test = cut(d["X_train"], d["len_train"]), cut(d["X_test"], d["len_test"])
    if len(set(d["len_train"])) == 1 and len(set(d["len_test"])) == 1:
        X_train, X_test = np.stack(X_train), np.stack(X_test)
    return X_train, d["y_train"], X_test, d["y_test"]


def texts(path: Path):
    import pandas as pd
    from sklearn.model_selection import train_test_split

    frame = pd.read_csv(path)
    train, test = train_test_split(np.arange(len(frame)), test_size=0.2, random_state=0,
                                   stratify=frame["label"])
    t, y = frame["text"].astype(str).to_numpy(), frame["label"].to_numpy()
    return list(t[train]), y[train], list(t[test]), y[test]


def minirocket(task: str, X_train, y_train, X_test) -> tuple[np.ndarray, float] | None:
    try:
        from aeon.classification.convolution_based import MiniRocketClassifier
        from aeon.regression.convolution_based import MiniRocketRegressor
    except ImportError:
        return None
    def aeon(X):
        return np.asarray(X).transpose(0, 2, 1) if isinstance(X, np.ndarray) else \
            [np.asarray(x).T for x in X]
    model = (MiniRocketClassifier if task == "classification" else MiniRocketRegressor)(
        random_state=0)
    started = time.perf_counter()
    try:
        model.fit(aeon(X_train), np.asarray(y_train))
    except ValueError:  # unequal lengths: MiniRocket takes equal-length collections only
        return None
    seconds = time.perf_counter() - started
    return model.predict(aeon(X_test)), seconds


def run(task: str, name: str, path: Path, params: dict) -> dict:
    if task == "text":
        X_train, y_train, X_test, y_test = texts(path)
    else:
        X_train, y_train, X_test, y_test = numeric(path)
    estimator = rnnkit.SequenceRegressor if task == "regression" else rnnkit.SequenceClassifier
    started = time.perf_counter()
    model = estimator(**({"seed": 0, "verbose": 0} | params)).fit(X_train, y_train)
    seconds = time.perf_counter() - started
    row = {"task": task, "problem": name, "train": len(y_train), "test": len(y_test),
           "fit_s": seconds, "holdout": model.holdout_}
    if task == "regression":
        predicted = model.predict(X_test)
        row["model"] = float(np.sqrt(np.mean((predicted - y_test) ** 2)))
        base = regression_baselines(X_train, y_train, X_test, y_test)
        row |= {k: v["RMSE"] for k, v in base.items()}
        runs = [float(np.sqrt(np.mean((p - y_test) ** 2))) for p in model.predict_runs(X_test)]
    else:
        predicted = model.predict(X_test)
        row["model"] = float(np.mean(predicted == y_test))
        if task == "text":
            started = time.perf_counter()
            tfidf = text_baseline().fit(X_train, y_train)
            row["baseline_s"] = time.perf_counter() - started
            row["TF-IDF + logistic"] = float(tfidf.score(X_test, y_test))
            values, counts = np.unique(y_train, return_counts=True)
            row["majority class"] = float(np.mean(y_test == values[np.argmax(counts)]))
        else:
            base = classification_baselines(X_train, y_train, X_test, y_test)
            row |= {k: v["accuracy"] for k, v in base.items()}
        runs = [float(np.mean(model.classes_[p.argmax(1)] == y_test))
                for p in model.predict_runs(X_test)]
        row["one_class"] = len(set(predicted.tolist())) == 1
    if len(runs) > 1:
        row["runs"] = runs
    if task != "text":
        rocket = minirocket(task, X_train, y_train, X_test)
        if rocket is not None:
            pred, row["minirocket_s"] = rocket
            row["MiniRocket"] = float(np.sqrt(np.mean((pred - y_test) ** 2))) \
                if task == "regression" else float(np.mean(pred == y_test))
    return row


def table(rows: list[dict]) -> str:
    lines = ["| problem | task | train / test | rnnkit | majority / mean | 1-NN Euclidean | "
             "summary linear | TF-IDF + LR | MiniRocket | rnnkit fit s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        metric = "RMSE" if r["task"] == "regression" else "acc"
        base = r.get("mean", r.get("majority class"))
        linear = r.get("ridge on summaries", r.get("logistic on summaries"))

        def cell(v):
            return "–" if v is None else f"{v:.3f}"

        model = cell(r["model"])
        if "runs" in r:
            model += f" ({np.mean(r['runs']):.3f} ± {np.std(r['runs'], ddof=1):.3f} per run)"
        lines.append(
            f"| {r['problem']} | {r['task']} ({metric}) | {r['train']} / {r['test']} | {model} | "
            f"{cell(base)} | {cell(r.get(NEIGHBOUR))} | {cell(linear)} | "
            f"{cell(r.get('TF-IDF + logistic'))} | {cell(r.get('MiniRocket'))} | "
            f"{r['fit_s']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated problem names")
    parser.add_argument("--params", default="{}", help="estimator arguments as JSON")
    parser.add_argument("--json", default="", help="also write the rows to this file")
    parser.add_argument("--unseen", action="store_true",
                        help="aeon's bundled UCR/UEA problems instead of the dev suite")
    args = parser.parse_args()
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    rows = []
    for task, name, path in unseen_problems() if args.unseen else problems():
        if only and name not in only:
            continue
        row = run(task, name, path, json.loads(args.params))
        rows.append(row)
        print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v)
                          for k, v in row.items()}), flush=True)
    print()
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
