"""Every bad input gets one clear line: a table of over 100 cases across the estimators,
``load`` and every CLI command. Each case names the error type and words its message must
hold (the argument, the value, the fix); the CLI must print one line and exit 2, with no
traceback and no usage box. Every case fails before training starts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cli.cli_support import one_line_error, run
from conftest import one_series

import rnnkit
from rnnkit.errors import ArtifactError, InputError, NotFittedError

FIX = ("Pass", "pass", "Use", "use", "Give", "give", "Drop", "drop", "Fill", "fill", "Lower",
       "lower", "Call", "call", "Save", "save", "Check", "check", "Resample", "Rename", "Sort",
       "Convert", "convert", "Load", "load", "Remove", "remove", "Train", "train", "See", "Add",
       "Upgrade", "Refit", "refit", "Scale", "scale", "Set", "set", "Choose", "Keep", "keep",
       "Restore", "restore", "Copy", "Leave", "Change", "change", "Shorten", "Reshape",
       "reshape", "Fix", "fix", "Name", "name", "Raise", "Give")


def series(n: int = 60) -> pd.DataFrame:
    return one_series(n, "D", seasons=((7, 1.0),), level=5.0, noise=0.1)


def frame_with(**changes) -> pd.DataFrame:
    f = series()
    for col, (rows, value) in changes.items():
        f[col] = f[col].astype(object) if not isinstance(value, int | float) else f[col]
        f.loc[rows, col] = value
    return f


def two_series() -> pd.DataFrame:
    a, b = series(), series()
    return pd.concat([a.assign(unique_id="a"), b.assign(unique_id="b")], ignore_index=True)


def missing_ids() -> pd.DataFrame:
    f = two_series()
    f["unique_id"] = f["unique_id"].astype(object)
    f.loc[[3, 70], "unique_id"] = np.nan
    return f


def mixed_zones() -> pd.DataFrame:
    f = series(10)
    ds = [str(t) + ("+00:00" if i % 2 else "+05:00") for i, t in enumerate(f["ds"])]
    return f.assign(ds=ds)


FAST = dict(epochs=1, verbose=0, repeats=1)

# (id, callable, error type, words the message holds)
FORECASTER = [
    ("lookback 0", lambda: rnnkit.Forecaster(lookback=0).fit(series()), InputError,
     ["lookback", "0"]),
    ("lookback -3", lambda: rnnkit.Forecaster(lookback=-3).fit(series()), InputError,
     ["lookback", "-3"]),
    ("horizon 0", lambda: rnnkit.Forecaster(horizon=0).fit(series()), InputError,
     ["horizon", "0"]),
    ("horizon str", lambda: rnnkit.Forecaster(horizon="7").fit(series()), InputError,
     ["horizon", "'7'"]),
    ("horizon float", lambda: rnnkit.Forecaster(horizon=2.5).fit(series()), InputError,
     ["horizon", "2.5"]),
    ("horizon bool", lambda: rnnkit.Forecaster(horizon=True).fit(series()), InputError,
     ["horizon", "True"]),
    ("hidden 0", lambda: rnnkit.Forecaster(hidden_size=0).fit(series()), InputError,
     ["hidden_size", "0"]),
    ("layers 0", lambda: rnnkit.Forecaster(num_layers=0).fit(series()), InputError,
     ["num_layers", "0"]),
    ("dropout 1.5", lambda: rnnkit.Forecaster(dropout=1.5).fit(series()), InputError,
     ["dropout", "1.5"]),
    ("dropout -0.1", lambda: rnnkit.Forecaster(dropout=-0.1).fit(series()), InputError,
     ["dropout", "-0.1"]),
    ("epochs 0", lambda: rnnkit.Forecaster(epochs=0).fit(series()), InputError,
     ["epochs", "0"]),
    ("epochs -1", lambda: rnnkit.Forecaster(epochs=-1).fit(series()), InputError,
     ["epochs", "-1"]),
    ("batch 0", lambda: rnnkit.Forecaster(batch_size=0).fit(series()), InputError,
     ["batch_size", "0"]),
    ("lr 0", lambda: rnnkit.Forecaster(learning_rate=0).fit(series()), InputError,
     ["learning_rate", "0"]),
    ("lr -1", lambda: rnnkit.Forecaster(learning_rate=-1.0).fit(series()), InputError,
     ["learning_rate", "-1"]),
    ("lr nan", lambda: rnnkit.Forecaster(learning_rate=float("nan")).fit(series()), InputError,
     ["learning_rate", "nan"]),
    ("lr huge", lambda: rnnkit.Forecaster(learning_rate=1e12).fit(series()), InputError,
     ["learning_rate", "1000000000000.0", "diverge"]),
    ("cell", lambda: rnnkit.Forecaster(cell="lsmt").fit(series()), InputError,
     ["cell", "lsmt", "lstm"]),
    ("strategy", lambda: rnnkit.Forecaster(strategy="dircet").fit(series()), InputError,
     ["strategy", "dircet", "direct"]),
    ("scaler", lambda: rnnkit.Forecaster(scaler="robust").fit(series()), InputError,
     ["scaler", "robust"]),
    ("window_norm", lambda: rnnkit.Forecaster(window_norm="max").fit(series()), InputError,
     ["window_norm", "max"]),
    ("transform", lambda: rnnkit.Forecaster(transform="sqrt").fit(series()), InputError,
     ["transform", "sqrt"]),
    ("loss", lambda: rnnkit.Forecaster(loss="l3").fit(series()), InputError, ["loss", "l3"]),
    ("patience -1", lambda: rnnkit.Forecaster(patience=-1).fit(series()), InputError,
     ["patience", "-1"]),
    ("clip -1", lambda: rnnkit.Forecaster(clip_norm=-1.0).fit(series()), InputError,
     ["clip_norm", "-1"]),
    ("seed -1", lambda: rnnkit.Forecaster(seed=-1).fit(series()), InputError, ["seed", "-1"]),
    ("repeats 0", lambda: rnnkit.Forecaster(repeats=0).fit(series()), InputError,
     ["repeats", "0"]),
    ("attention without seq2seq", lambda: rnnkit.Forecaster(attention=True, **FAST).fit(
        series()), InputError, ["attention=True", "strategy='direct'", "seq2seq"]),
    ("future file missing", lambda: rnnkit.Forecaster(future_cols=("promo",), **FAST).fit(
        series().assign(promo=1.0)).predict(future="no_such_future.csv"), InputError,
     ["future='no_such_future.csv'", "no such file"]),
    ("threads -2", lambda: rnnkit.Forecaster(threads=-2).fit(series()), InputError,
     ["threads", "-2"]),
    ("max_time 0", lambda: rnnkit.Forecaster(max_time=0).fit(series()), InputError,
     ["max_time", "0"]),
    ("epoch_size 0", lambda: rnnkit.Forecaster(epoch_size=0).fit(series()), InputError,
     ["epoch_size", "0"]),
    ("val_size -1", lambda: rnnkit.Forecaster(val_size=-1).fit(series()), InputError,
     ["val_size", "-1"]),
    ("val_size 1.5", lambda: rnnkit.Forecaster(val_size=1.5).fit(series()), InputError,
     ["val_size", "1.5"]),
    ("quantiles 1.5", lambda: rnnkit.Forecaster(quantiles=(0.1, 1.5)).fit(series()),
     InputError, ["quantiles", "1.5"]),
    ("quantiles recursive", lambda: rnnkit.Forecaster(quantiles=(0.1, 0.9),
                                                      strategy="recursive").fit(series()),
     InputError, ["quantiles", "direct"]),
    ("seq2seq bidirectional", lambda: rnnkit.Forecaster(strategy="seq2seq",
                                                        bidirectional=True).fit(series()),
     InputError, ["bidirectional", "seq2seq"]),
    ("recursive past covariates", lambda: rnnkit.Forecaster(
        strategy="recursive", feature_cols=("x",)).fit(series().assign(x=1.0)), InputError,
     ["feature_cols", "recursive"]),
    ("fill", lambda: rnnkit.Forecaster(fill="mean").fit(series()), InputError,
     ["fill", "mean"]),
    ("device", lambda: rnnkit.Forecaster(device="tpu").fit(series()), InputError,
     ["device", "tpu"]),
    ("unknown param", lambda: rnnkit.Forecaster(hiden_size=3), TypeError, ["hiden_size"]),
    ("set_params unknown", lambda: rnnkit.Forecaster().set_params(hiden_size=3), InputError,
     ["hiden_size", "valid"]),
    # dirty frames
    ("missing target column", lambda: rnnkit.Forecaster(**FAST).fit(
        series().rename(columns={"y": "value"})), InputError, ["target_col", "'y'", "value"]),
    ("missing time column", lambda: rnnkit.Forecaster(**FAST, time_col="date").fit(series()),
     InputError, ["time_col", "'date'"]),
    ("missing feature column", lambda: rnnkit.Forecaster(**FAST, feature_cols=("temp",)).fit(
        series()), InputError, ["feature_cols", "'temp'"]),
    ("missing ids", lambda: rnnkit.Forecaster(**FAST).fit(missing_ids()), InputError,
     ["unique_id", "2", "empty"]),
    ("mixed time zones", lambda: rnnkit.Forecaster(**FAST).fit(mixed_zones()), InputError,
     ["irregular"]),
    ("constant target", lambda: rnnkit.Forecaster(**FAST).fit(series().assign(y=3.0)),
     InputError, ["constant", "3"]),
    ("near overflow", lambda: rnnkit.Forecaster(**FAST).fit(
        series().assign(y=lambda f: f["y"] * 1e300)), InputError, ["y", "float32", "log"]),
    ("inf target", lambda: rnnkit.Forecaster(**FAST).fit(frame_with(y=([4], np.inf))),
     InputError, ["y", "inf"]),
    ("nan target", lambda: rnnkit.Forecaster(**FAST).fit(frame_with(y=([4], np.nan))),
     InputError, ["y", "fill"]),
    ("text target", lambda: rnnkit.Forecaster(**FAST).fit(frame_with(y=([4], "abc")))
     , InputError, ["y", "abc"]),
    ("bad dates", lambda: rnnkit.Forecaster(**FAST).fit(frame_with(ds=([4], "not a date"))),
     InputError, ["ds", "not a date"]),
    ("duplicated rows", lambda: rnnkit.Forecaster(**FAST).fit(
        pd.concat([series(), series().iloc[[5]]])), InputError, ["uplicate"]),
    ("empty frame", lambda: rnnkit.Forecaster(**FAST).fit(series().iloc[:0]), InputError,
     ["no rows"]),
    ("one row", lambda: rnnkit.Forecaster(**FAST).fit(series().iloc[:1]), InputError,
     ["1 observation"]),
    ("horizon too long", lambda: rnnkit.Forecaster(**FAST, horizon=80).fit(series()),
     InputError, ["horizon=80", "observations"]),
    ("data not a frame", lambda: rnnkit.Forecaster(**FAST).fit(42), InputError, ["data", "int"]),
    ("unknown dataset", lambda: rnnkit.Forecaster(**FAST).fit("airlines"), InputError,
     ["airlines", "airline"]),
    ("missing file", lambda: rnnkit.Forecaster(**FAST).fit("/nonexistent/x.csv"), InputError,
     ["x.csv"]),
    ("calendar on integers", lambda: rnnkit.Forecaster(**FAST, calendar=True).fit(
        series().assign(ds=range(60))), InputError, ["calendar", "integer"]),
    ("static varies", lambda: rnnkit.Forecaster(**FAST, static_cols=("s",)).fit(
        two_series().assign(s=range(120))), InputError, ["static", "'s'"]),
    ("role twice", lambda: rnnkit.Forecaster(**FAST, feature_cols=("x",), future_cols=("x",)
                                             ).fit(series().assign(x=1.0)), InputError,
     ["'x'"]),
    # after fitting
    ("predict unfitted", lambda: rnnkit.Forecaster().predict(), NotFittedError,
     ["not fitted", "fit"]),
    ("save unfitted", lambda: rnnkit.Forecaster().save("/tmp/never"), NotFittedError,
     ["not fitted"]),
    ("h 0", lambda: fitted_forecaster().predict(h=0), InputError, ["h=0"]),
    ("h too long", lambda: fitted_forecaster().predict(h=99), InputError, ["h=99", "horizon"]),
    ("h str", lambda: fitted_forecaster().predict(h="3"), InputError, ["h='3'"]),
    ("evaluate test_size 0", lambda: rnnkit.Forecaster(**FAST).evaluate(series(), test_size=0),
     InputError, ["test_size", "0"]),
    ("evaluate test_size huge", lambda: rnnkit.Forecaster(**FAST).evaluate(
        series(), test_size=500), InputError, ["test_size", "500"]),
    ("backtest n_windows 0", lambda: rnnkit.Forecaster(**FAST).backtest(series(), n_windows=0),
     InputError, ["n_windows", "0"]),
    ("backtest step -1", lambda: rnnkit.Forecaster(**FAST).backtest(series(), step=-1),
     InputError, ["step", "-1"]),
    ("predict unknown series", lambda: fitted_forecaster().predict(
        data=series().assign(unique_id="zz")), InputError, ["zz"]),
]


_FITTED: dict = {}


def fitted_forecaster() -> rnnkit.Forecaster:
    if "f" not in _FITTED:
        _FITTED["f"] = rnnkit.Forecaster(**FAST, horizon=7).fit(series())
    return _FITTED["f"]


def fitted_classifier() -> rnnkit.SequenceClassifier:
    if "c" not in _FITTED:
        X = np.random.default_rng(0).normal(size=(30, 10, 2))
        _FITTED["c"] = rnnkit.SequenceClassifier(max_steps=2, verbose=0).fit(X, [0, 1] * 15)
    return _FITTED["c"]


X3 = np.random.default_rng(0).normal(size=(30, 10, 2))
Y2 = np.array([0, 1] * 15)
SMALL = dict(max_steps=2, verbose=0)

SEQUENCE = [
    ("X 2-D", lambda: rnnkit.SequenceClassifier(**SMALL).fit(X3[:, :, 0], Y2), InputError,
     ["X", "(30, 10)", "reshape"]),
    ("X 4-D", lambda: rnnkit.SequenceClassifier(**SMALL).fit(X3[..., None], Y2), InputError,
     ["X", "4"]),
    ("y length", lambda: rnnkit.SequenceClassifier(**SMALL).fit(X3, Y2[:10]), InputError,
     ["y", "10", "30"]),
    ("y nan regression", lambda: rnnkit.SequenceRegressor(**SMALL).fit(
        X3, np.where(Y2 == 1, np.nan, 1.0)), InputError, ["y", "NaN"]),
    ("y text regression", lambda: rnnkit.SequenceRegressor(**SMALL).fit(
        X3, ["a"] * 30), InputError, ["y", "'a'", "number"]),
    ("y huge regression", lambda: rnnkit.SequenceRegressor(**SMALL).fit(
        X3, np.linspace(1, 2, 30) * 1e300), InputError, ["y", "2e+300", "Scale"]),
    ("tagger y huge", lambda: rnnkit.SequenceTagger(task="regression", epochs=1, verbose=0)
     .fit(X3, X3[..., 0] * 1e300), InputError, ["y", "too large"]),
    ("y empty", lambda: rnnkit.SequenceRegressor(**SMALL).fit(X3[:0], Y2[:0]), InputError,
     ["y", "empty"]),
    ("labels empty", lambda: rnnkit.SequenceClassifier(**SMALL).fit(X3[:0], Y2[:0]),
     InputError, ["y", "empty"]),
    ("X no steps", lambda: rnnkit.SequenceClassifier(**SMALL).fit(X3[:, :0], Y2), InputError,
     ["X", "(30, 0, 2)", "no timesteps"]),
    ("X no features", lambda: rnnkit.SequenceClassifier(**SMALL).fit(X3[:, :, :0], Y2),
     InputError, ["X", "(30, 10, 0)", "no features"]),
    ("X text", lambda: rnnkit.SequenceClassifier(**SMALL).fit(
        np.where(X3 > 2, "n/a", X3.astype(str)), Y2), InputError, ["X", "text", "n/a"]),
    ("tagger unseen label in score", lambda: rnnkit.SequenceTagger(epochs=1, verbose=0).fit(
        X3, np.tile([0, 1], (30, 5))).score(X3, np.full((30, 10), 7)), InputError,
     ["7", "not in training"]),
    ("labels of another type", lambda: fitted_classifier().score(X3, [str(v) for v in Y2]),
     InputError, ["'0'", "another type", "int"]),
    ("one class", lambda: rnnkit.SequenceClassifier(**SMALL).fit(X3, [1] * 30), InputError,
     ["single class", "[1]"]),
    ("X nan inside", lambda: rnnkit.SequenceClassifier(**SMALL).fit(
        np.where(np.arange(10)[None, :, None] == 3, np.nan, X3), Y2), InputError,
     ["NaN"]),
    ("texts with None", lambda: rnnkit.SequenceClassifier(**SMALL).fit(
        ["good", None, "bad"] * 10, [1, 0, 0] * 10), InputError, ["text", "None"]),
    ("empty text", lambda: rnnkit.SequenceClassifier(**SMALL).fit(
        ["good", "", "bad"] * 10, [1, 0, 0] * 10), InputError, ["text", "empty"]),
    ("hidden 0", lambda: rnnkit.SequenceClassifier(hidden_size=0).fit(X3, Y2), InputError,
     ["hidden_size", "0"]),
    ("layers -1", lambda: rnnkit.SequenceClassifier(num_layers=-1).fit(X3, Y2), InputError,
     ["num_layers", "-1"]),
    ("dropout 1", lambda: rnnkit.SequenceClassifier(dropout=1.0).fit(X3, Y2), InputError,
     ["dropout", "1.0"]),
    ("lr 0", lambda: rnnkit.SequenceClassifier(learning_rate=0).fit(X3, Y2), InputError,
     ["learning_rate", "0"]),
    ("batch 0", lambda: rnnkit.SequenceClassifier(batch_size=0).fit(X3, Y2), InputError,
     ["batch_size", "0"]),
    ("max_steps 0", lambda: rnnkit.SequenceClassifier(max_steps=0).fit(X3, Y2), InputError,
     ["max_steps", "0"]),
    ("val_size 1.5", lambda: rnnkit.SequenceClassifier(val_size=1.5).fit(X3, Y2), InputError,
     ["val_size", "1.5"]),
    ("cell", lambda: rnnkit.SequenceClassifier(cell="transformer").fit(X3, Y2), InputError,
     ["cell", "transformer"]),
    ("front_end", lambda: rnnkit.SequenceClassifier(front_end="resnet").fit(X3, Y2),
     InputError, ["front_end", "resnet"]),
    ("pooling", lambda: rnnkit.SequenceClassifier(pooling="sum").fit(X3, Y2), InputError,
     ["pooling", "sum"]),
    ("normalize", lambda: rnnkit.SequenceClassifier(normalize="zscore").fit(X3, Y2),
     InputError, ["normalize", "zscore"]),
    ("repeats 0", lambda: rnnkit.SequenceClassifier(repeats=0).fit(X3, Y2), InputError,
     ["repeats", "0"]),
    ("embedding 0", lambda: rnnkit.SequenceClassifier(embedding_dim=0).fit(X3, Y2),
     InputError, ["embedding_dim", "0"]),
    ("label smoothing 1", lambda: rnnkit.SequenceClassifier(label_smoothing=1.0).fit(X3, Y2),
     InputError, ["label_smoothing", "1.0"]),
    ("class_weight", lambda: rnnkit.SequenceClassifier(class_weight="auto").fit(X3, Y2),
     InputError, ["class_weight", "auto"]),
    ("predict unfitted", lambda: rnnkit.SequenceClassifier().predict(X3), NotFittedError,
     ["not fitted", "fit"]),
    ("predict_proba unfitted", lambda: rnnkit.SequenceClassifier().predict_proba(X3),
     NotFittedError, ["not fitted"]),
    ("regressor predict unfitted", lambda: rnnkit.SequenceRegressor().predict(X3),
     NotFittedError, ["not fitted"]),
    ("tagger predict unfitted", lambda: rnnkit.SequenceTagger().predict(X3), NotFittedError,
     ["not fitted"]),
    ("wrong channels", lambda: fitted_classifier().predict(X3[:, :, :1]), InputError,
     ["1", "2"]),
    ("texts into numeric", lambda: fitted_classifier().predict(["a b"]), InputError,
     ["text", "numeric"]),
    ("unseen label in score", lambda: fitted_classifier().score(X3, [5] * 30), InputError,
     ["5"]),
    ("tagger float labels", lambda: rnnkit.SequenceTagger(epochs=1, verbose=0).fit(
        X3, np.random.default_rng(0).normal(size=(30, 10))), InputError,
     ["y", "fractional", "regression"]),
    ("tagger task", lambda: rnnkit.SequenceTagger(task="ranking").fit(
        X3, np.zeros((30, 10), int)), InputError, ["task", "ranking"]),
    ("tagger y shape", lambda: rnnkit.SequenceTagger(epochs=1, verbose=0).fit(
        X3, np.zeros((30, 9), int)), InputError, ["9", "10"]),
    ("cross_validate folds 1", lambda: rnnkit.cross_validate(
        rnnkit.SequenceClassifier(**SMALL), X3, Y2, folds=1), InputError, ["folds", "1"]),
    ("y one-hot", lambda: rnnkit.SequenceClassifier(**SMALL).fit(X3, np.eye(2)[Y2]),
     InputError, ["(30, 2)", "one-hot", "y.argmax(1)"]),
    ("padded token ids without vocab_size", lambda: rnnkit.SequenceClassifier(**SMALL).fit(
        np.pad(np.arange(1, 91).reshape(30, 3), ((0, 0), (2, 0))), Y2), InputError,
     ["token ids", "vocab_size=91"]),
    ("one string to predict", lambda: rnnkit.SequenceClassifier(**SMALL).fit(
        ["good film", "bad film"] * 15, Y2).predict("good film"), InputError,
     ["one string", "[text]"]),
    ("two budgets", lambda: rnnkit.SequenceClassifier(epochs=1, max_steps=30).fit(X3, Y2),
     InputError, ["epochs=1 and max_steps=30 are two budgets", "Pass one"]),
    ("a missing text among texts", lambda: rnnkit.SequenceClassifier(**SMALL).fit(
        ["good film", "bad film"] * 15, Y2).predict([None, "good film"]), InputError,
     ["text 0 is None", "Fill or drop"]),
    ("tagger given texts", lambda: rnnkit.SequenceTagger(**SMALL).fit(
        ["a b c", "d e"], [["x", "y", "z"], ["x", "y"]]), InputError,
     ["X holds texts", "numeric sequences", "one-hot"]),
    ("translator given numbers", lambda: rnnkit.SequenceToSequence(**SMALL).fit(
        [85, 12], ["a", "b"]), InputError, ["X[0] is 85, one symbol", "[[85, 12], [7]]"]),
    ("a frame as sequences", lambda: rnnkit.SequenceClassifier(**SMALL).fit(
        pd.DataFrame({"text": ["a b", "c"] * 15}), Y2), InputError,
     ["got DataFrame", "frame['text']"]),
    ("translator one-hot arrays", lambda: rnnkit.SequenceToSequence(**SMALL).fit(
        np.eye(3)[np.zeros((4, 5), int)], ["ab"] * 4), InputError,
     ["X[0] holds vectors", "argmax(-1)"]),
    ("aeon layout at predict", lambda: fitted_classifier().predict(X3.transpose(0, 2, 1)),
     InputError, ["10 features", "trained on 2", "transpose(0, 2, 1)"]),
]


def _translator(d):
    path = d / "s2s"
    rnnkit.SequenceToSequence(hidden_size=4, max_steps=2, verbose=0).fit(
        ["ab", "ba"], ["ba", "ab"]).save(path)
    return path


def _saved(tmp_path_factory=None):
    import tempfile
    from pathlib import Path

    if "saved" not in _FITTED:
        path = Path(tempfile.mkdtemp()) / "model"
        fitted_forecaster().save(path)
        _FITTED["saved"] = path
    return _FITTED["saved"]


def _not_a_model():
    import tempfile
    from pathlib import Path

    d = Path(tempfile.mkdtemp())
    (d / "model.json").write_text("{}")
    (d / "weights.safetensors").write_bytes(b"")
    return d


def _a_text_file():
    import tempfile
    from pathlib import Path

    p = Path(tempfile.mkdtemp()) / "notes.txt"
    p.write_text("hello")
    return p


LOAD = [
    ("load missing", lambda: rnnkit.load("/nonexistent/model"), ArtifactError,
     ["does not exist"]),
    ("load not a model", lambda: rnnkit.load(_not_a_model()), ArtifactError,
     ["not an rnnkit model"]),
    ("load a text file", lambda: rnnkit.load(_a_text_file()), ArtifactError,
     ["not an rnnkit model"]),
    ("load wrong kind", lambda: rnnkit.SequenceClassifier.load(_saved()), ArtifactError,
     ["Forecaster", "SequenceClassifier", "rnnkit.load"]),
    ("Forecaster.load", lambda: rnnkit.Forecaster.load(_not_a_model()), ArtifactError,
     ["not an rnnkit model"]),
    ("save over a file", lambda: fitted_forecaster().save(_a_text_file()), ArtifactError,
     ["zip"]),
]

CASES = FORECASTER + SEQUENCE + LOAD


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_one_clear_error(case):
    _, call, kind, words = case
    with pytest.raises(kind) as info:
        call()
    message = str(info.value)
    if kind is not TypeError:
        assert "\n" not in message.strip(), message
        assert any(w in message for w in FIX), f"no fix in: {message}"
    for w in words:
        assert w in message, f"{w!r} not in: {message}"


def _csv(tmp_path, frame, name):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _seq_csv(tmp_path):
    rows = [{"id": i, "step": t, "x": float(np.sin(i + t)), "label": i % 2}
            for i in range(20) for t in range(8)]
    return _csv(tmp_path, pd.DataFrame(rows), "seq.csv")


def SEQ(d, target="label"):  # noqa: N802 - a command line, spelt as one
    return ["classify", _seq_csv(d), "--label-col", target, "--sequence-cols", "x",
            "--id-col", "id", "--time-col", "step"]


# (id, argv builder, words in the line)
CLI = [
    ("forecast missing file", lambda d: ["forecast", d / "nope.csv"], ["nope.csv"]),
    ("forecast bad column", lambda d: ["forecast", "airline", "--target-col", "value"],
     ["--target-col value is not a column"]),
    ("forecast values only", lambda d: ["forecast", _csv(d, pd.DataFrame({"y": np.arange(
        30.0)}), "values.csv")], ["no time column: add a column 'ds' of timestamps, or of "
                                  "integer steps"]),  # it offered --time-col y, the target
    ("forecast horizon -3", lambda d: ["forecast", "airline", "--horizon", "-3"],
     ["horizon", "-3"]),
    ("forecast test-size 0", lambda d: ["forecast", "airline", "--test-size", "0"],
     ["test-size", "0"]),
    ("forecast threads -2", lambda d: ["forecast", "airline", "--threads", "-2"],
     ["threads", "-2"]),
    ("forecast epochs abc", lambda d: ["forecast", "airline", "--epochs", "abc"],
     ["--epochs", "abc"]),
    ("forecast unknown option", lambda d: ["forecast", "airline", "--hiden-size", "3"],
     ["--hiden-size"]),
    ("forecast no data", lambda d: ["forecast"], ["data"]),
    ("forecast cell", lambda d: ["forecast", "airline", "--cell", "lsmt"], ["cell", "lsmt"]),
    ("forecast quantiles", lambda d: ["forecast", "airline", "--quantiles", "a,b"],
     ["quantiles", "a,b"]),
    ("forecast constant", lambda d: ["forecast", _csv(d, series().assign(y=1.0), "c.csv")],
     ["constant"]),
    ("forecast mixed zones", lambda d: ["forecast", _csv(d, mixed_zones(), "z.csv")],
     ["irregular"]),
    ("forecast missing ids", lambda d: ["forecast", _csv(d, missing_ids(), "i.csv")],
     ["unique_id", "empty"]),
    ("forecast out is a file", lambda d: ["forecast", "airline", "--epochs", "1", "--out",
                                          _csv(d, series(), "f.csv")], ["--out", "file"]),
    ("backtest n-windows 0", lambda d: ["backtest", "airline", "--n-windows", "0"],
     ["--n-windows 0", "Pass e.g. --n-windows 5."]),
    ("backtest strategy", lambda d: ["backtest", "airline", "--strategies", "direct,magic"],
     ["magic"]),
    ("classify test-size 1.5", lambda d: [*SEQ(d), "--test-size", "1.5"],
     ["test-size", "1.5"]),
    ("classify test-size 0", lambda d: [*SEQ(d), "--test-size", "0"], ["test-size", "0"]),
    ("classify missing label", lambda d: [*SEQ(d, "klass")], ["klass"]),
    ("classify hidden 0", lambda d: [*SEQ(d), "--hidden-size", "0"],
     ["--hidden-size 0", "Pass e.g. --hidden-size 1."]),
    ("classify no sequence cols", lambda d: ["classify", _seq_csv(d)], ["sequence"]),
    ("regress missing file", lambda d: ["regress", d / "none.csv"], ["none.csv"]),
    ("regress epochs 0", lambda d: ["regress", _seq_csv(d), "--target-col", "label",
                                    "--sequence-cols", "x", "--epochs", "0"], ["epochs", "0"]),
    ("predict missing model", lambda d: ["predict", d / "nomodel", "airline"],
     ["does not exist"]),
    ("predict h 0", lambda d: ["predict", _saved(), _csv(d, series(), "s.csv"), "--h", "0"],
     ["--h 0"]),
    ("inspect missing model", lambda d: ["inspect", d / "nomodel"], ["does not exist"]),
    ("summary cell", lambda d: ["summary", "--cell", "lsmt", "--input-size", "1"],
     ["cell", "lsmt"]),
    ("summary hidden 0", lambda d: ["summary", "--hidden-size", "0", "--input-size", "1"],
     ["hidden", "0"]),
    ("tag regression on labels", lambda d: ["tag", "counting", "--sequence-cols",
                                            "a,marker,blank", "--task", "regression"],
     ["--task regression", "numbers", "'-'"]),
    ("forecast epoch-size abc", lambda d: ["forecast", "airline", "--epoch-size", "abc"],
     ["--epoch-size 'abc'", "whole number or none"]),
    ("forecast future-cols without future", lambda d: [
        "forecast", _csv(d, series().assign(promo=1.0), "p.csv"), "--future-cols", "promo"],
     ["--future-cols promo", "needs --future"]),
    ("forecast future without future-cols", lambda d: [
        "forecast", "airline", "--future", _csv(d, series(), "f.csv")],
     ["--future", "no --future-cols"]),
    ("summary horizon -3", lambda d: ["summary", "--horizon", "-3"], ["--horizon", "-3"]),
    ("inspect units 0", lambda d: ["inspect", _saved(), "--units", "0"], ["--units", "0"]),
    ("inspect a translator", lambda d: ["inspect", _translator(d), "abc"],
     ["SequenceToSequence", "no inspect"]),
    ("shapes lookback 0", lambda d: ["shapes", "100", "--lookback", "0"], ["lookback", "0"]),
    ("shapes n-seasons without period", lambda d: ["shapes", "144", "--n-seasons", "3"],
     ["--n-seasons 3", "--period"]),
    ("shapes features 0", lambda d: ["shapes", "144", "--features", "0"], ["--features", "0"]),
    ("shapes length abc", lambda d: ["shapes", "abc"], ["abc"]),
    ("unknown command", lambda d: ["forcast", "airline"], ["forcast"]),
    # sizes that numpy cannot allocate, or a depth that would exhaust memory: one line
    ("summary absurd depth", lambda d: ["summary", "--num-layers", "99999999999"],
     ["--num-layers 99999999999", "at most 1000"]),
    ("shapes absurd length", lambda d: ["shapes", "10000000000"], ["too large to plan"]),
    ("shapes superscript", lambda d: ["shapes", "\u00b2"], ["\u00b2"]),
    ("export suffix against format", lambda d: ["export", _saved(), "--format", "torchscript",
                                                "--out", str(d / "m.onnx")],
     ["m.onnx", "--format is torchscript"]),
    ("inspect a forecaster's sequence", lambda d: ["inspect", _saved(), "airline",
                                                    "--sequence", "5"], ["--sequence 5"]),
    ("forecast lookback abc", lambda d: ["forecast", "airline", "--lookback", "abc"],
     ["--lookback 'abc' must be a whole number or none", "as in --lookback 24"]),
    ("forecast latin-1 csv", lambda d: ["forecast", _bytes(d, "latin.csv",
                                                           b"ds,y\n2020-01-01,caf\xe9\n")],
     ["is not UTF-8 text", "Save it again as UTF-8"]),  # was: "Check that it is a valid CSV"
    ("predict over a text file", lambda d: ["predict", _saved(), "airline", "--out",
                                            _bytes(d, "notes.txt", b"mine")],
     ["notes.txt", "is an existing .txt file", "Pass a new name ending in .csv"]),
    ("tag numeric labels of many values", lambda d: ["tag", _csv(d, pd.DataFrame(
        {"id": np.repeat(np.arange(20), 8), "step": np.tile(np.arange(8), 20),
         "f": np.arange(160.0), "k": np.arange(160)}), "tags.csv"), "--sequence-cols", "f",
                                                     "--label-col", "k"],
     ["--label-col 'k' holds 160 different numbers over 160 steps", "--task regression"]),
    ("classify no sequence columns", lambda d: ["classify", _seq_csv(d), "--label-col",
                                                "label", "--id-col", "id", "--time-col",
                                                "step"], ["columns left: ['x']",
                                                          "Pass --sequence-cols x."]),
]


def _bytes(d, name, data):
    (d / name).write_bytes(data)
    return d / name


@pytest.mark.parametrize("case", CLI, ids=[c[0] for c in CLI])
def test_cli_bad_input_is_one_line_and_exit_2(case, tmp_path, capsys):
    _, argv, words = case
    code, out, err = run(argv(tmp_path), capsys)
    line = one_line_error(code, err)
    assert "Usage:" not in err and "╭" not in err
    for w in words:
        assert w in line, f"{w!r} not in: {line}"


def test_the_table_has_over_100_cases():
    assert len(CASES) + len(CLI) >= 100


def test_cli_errors_name_the_flags_not_the_python_arguments():
    from rnnkit.cli.main import as_flags

    said = ("cell='lsmt' is not known; max_time=None or lookback=12 would do. Pass e.g. "
            "hidden_size=1. Pass static= with the columns, x=3 (not a flag), dropout=0.5.")
    assert as_flags(said, ["forecast", "airline"]) == (
        "--cell lsmt is not known; --max-time none or --lookback 12 would do. Pass e.g. "
        "--hidden-size 1. Pass static= with the columns, x=3 (not a flag), --dropout 0.5.")
    # the flag of the command run: predict's horizon is --h; an unknown command keeps the text
    assert as_flags("h=0 must be positive", ["predict", "m", "f.csv"]) == "--h 0 must be positive"
    assert as_flags("h=0 must be positive", ["nosuch"]) == "h=0 must be positive"
    # paths, messages that give both spellings, on/off options and quoted values with spaces
    assert as_flags("--out 'runs/seed=1' is a file", ["forecast"]) == \
        "--out 'runs/seed=1' is a file"
    both = "Pass time_col='date' (Python: time_col='date')."
    assert as_flags(both, ["forecast"]) == both
    assert as_flags("Pass bidirectional=False, or strategy='direct'.", ["forecast"]) == \
        "Pass --no-bidirectional, or --strategy direct."
    assert as_flags("target_col='sales (units)' is not a column", ["forecast"]) == \
        "--target-col 'sales (units)' is not a column"
    assert as_flags("feature_cols=['y'] overlaps", ["forecast"]) == "feature_cols=['y'] overlaps"
    # a tuple of numbers is the flag's list; a bound keeps its sign; other brackets stay
    assert as_flags("quantiles=(0.1, 2.0) must be in (0, 1). Pass e.g. quantiles=(0.1, 0.5).",
                    ["forecast"]) == \
        "--quantiles 0.1,2.0 must be in (0, 1). Pass e.g. --quantiles 0.1,0.5."
    assert as_flags("Pass test_size <= 71, or n_windows <= 5.", ["backtest"]) == \
        "Pass test_size <= 71, or --n-windows <= 5."  # backtest has no --test-size
    assert as_flags("static_cols=('a', 'b') overlaps", ["forecast"]) == \
        "static_cols=('a', 'b') overlaps"
    # an option named alone, where its name has an underscore; not in quotes or paths
    assert as_flags("sequence_cols='y' is already label_col. Drop it from sequence_cols.",
                    ["classify"]) == \
        "--sequence-cols y is already --label-col. Drop it from --sequence-cols."
    assert as_flags("Try more steps (max_steps), or 'max_steps' in runs/max_steps.csv, "
                    "max_steps.x, f(max_steps) and time_zone.", ["classify"]) == \
        "Try more steps (--max-steps), or 'max_steps' in runs/max_steps.csv, max_steps.x, " \
        "f(--max-steps) and time_zone."
    for untouched in ("name the right column (time_col / --time-col).",  # gives both already
                      r"C:\data\max_steps\x.csv", "docs#max_steps", "`max_steps`",
                      "max_steps; CLI: --max-steps"):
        assert as_flags(untouched, ["classify", "--time-col", "t"]) == untouched
