"""Exported serving graphs compute what predict computes: every forecasting strategy, an
ensemble, quantiles, a panel with a log transform, future covariates, the sequence models on
numbers and texts (ragged batches), the tagger; in ONNX (run by onnxruntime) and TorchScript.

Every fit here is tiny; its weights are then stirred with seeded noise, because a new network
starts at its base forecast (a zero head) and after a few steps would hardly contribute: the
graphs are compared where the network's numbers matter."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import one_series

import rnnkit
from rnnkit.data.calendar import calendar_features
from rnnkit.datasets.synthetic import generate_series
from rnnkit.errors import InputError, NotFittedError
from rnnkit.export import describe_export

pytest.importorskip("onnx", reason="exporting to ONNX needs the onnx package")
ort = pytest.importorskip("onnxruntime", reason="running the exported graphs needs onnxruntime")

SMALL_FORECAST = dict(epochs=2, verbose=0, hidden_size=8, max_time=None, repeats=1)
SMALL_SEQUENCE = dict(max_steps=3, verbose=0, hidden_size=8)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny networks: one thread is as fast, and does not stall on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def stir(model: torch.nn.Module, seed: int = 0) -> None:
    """Seeded noise on every weight, so that the network's part of a prediction is large."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.1)


def run_onnx(path, feeds: dict) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


def load_torchscript(path) -> tuple[torch.jit.ScriptModule, dict]:
    """The module and its description (torch.jit.load's deprecation note silenced)."""
    extra = {"rnnkit_io.json": ""}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        module = torch.jit.load(str(path), _extra_files=extra)
    return module, json.loads(extra["rnnkit_io.json"])


def assert_close(got: np.ndarray, want: np.ndarray) -> None:
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


def padded(seqs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of different lengths, padded with zeros, and their lengths."""
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    out = np.zeros((len(seqs), lengths.max(), *np.shape(seqs[0])[1:]),
                   dtype=np.asarray(seqs[0]).dtype)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out, lengths


# --- forecasters -----------------------------------------------------------------------------
def _season() -> pd.DataFrame:
    return one_series(120, "MS", seasons=((12, 2.0),), seed=0)


def _panel() -> pd.DataFrame:
    df = generate_series(3, [80, 70, 90], "D", seasons=((7, 3.0),), trend=0.3, seed=1)
    return df.assign(size=df["unique_id"].map({"s0": 1.0, "s1": 2.0, "s2": 5.0}))


def _weekly() -> pd.DataFrame:
    return one_series(130, "W-SUN", seasons=((52, 2.0),), seed=3)


def _promo() -> pd.DataFrame:
    return generate_series(2, 100, "D", seasons=((7, 2.0),), promo=3.0, seed=2)


FORECASTERS = {  # horizons kept short: the recursive and seq2seq graphs unroll every step
    "direct-median": (_season, dict(strategy="direct", repeats=2, ensemble="median")),
    "recursive": (_season, dict(strategy="recursive", horizon=6)),
    "seq2seq-attention": (_season, dict(strategy="seq2seq", attention=True, horizon=6)),
    "quantiles": (_season, dict(quantiles=(0.1, 0.5, 0.9), horizon=6)),
    "panel-log-ids-static": (_panel, dict(transform="log", id_embedding=2, horizon=7,
                                          static_cols=("size",), repeats=2)),
    "future-direct": (_promo, dict(future_cols=("promo",), calendar=True, horizon=5)),
    "future-recursive": (_promo, dict(strategy="recursive", future_cols=("promo",),
                                      calendar=True, horizon=5)),
    "future-seq2seq": (_promo, dict(strategy="seq2seq", future_cols=("promo",),
                                    calendar=True, horizon=5)),
    # each cell: the ones above are LSTMs
    "rnn-direct": (_season, dict(cell="rnn", horizon=6)),
    # a window of 3 seasons for the profile, of which the network reads the last 12 steps
    "profile-reads": (_season, dict(base_seasons=3, lookback=12, horizon=6)),
    # weekly data: the base a year (52.18 weeks) before, between the weeks around it
    "weekly-year-ago": (_weekly, dict(lookback=60, horizon=6)),
    "gru-recursive": (_season, dict(cell="gru", strategy="recursive", horizon=6)),
    "rnn-seq2seq": (_season, dict(cell="rnn", strategy="seq2seq", horizon=6)),
    # the naive forecast with drift as the base (yearly data's default)
    "drift-direct-quantiles": (_season, dict(window_norm="drift", horizon=6,
                                             quantiles=(0.1, 0.5, 0.9))),
    "drift-recursive": (_season, dict(window_norm="drift", strategy="recursive", horizon=4)),
}


@pytest.fixture(scope="module")
def forecasters() -> dict:
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            make, kwargs = FORECASTERS[name]
            data = make()
            f = rnnkit.Forecaster(**(SMALL_FORECAST | kwargs)).fit(data)
            stir(f.model_)
            cache[name] = (f, data)
        return cache[name]

    return get


def training_context(f, data: pd.DataFrame) -> np.ndarray:
    """The last lookback rows of each training series, built from the frame itself: the
    value columns in the model's order, then the calendar features of their timestamps."""
    cols = [f.target_col, *f.feature_cols, *f.future_cols]
    windows = []
    for sid in f.ids_:
        rows = data[data["unique_id"] == sid] if "unique_id" in data else data
        rows = rows.tail(f.lookback_)
        values = rows[cols].to_numpy(dtype=np.float64)
        if f.calendar:
            values = np.column_stack([values, calendar_features(
                rows["ds"].to_numpy(), f.fitted_.spec.calendar)])
        windows.append(values)
    return np.stack(windows)


def future_frame(f, seed: int = 0) -> pd.DataFrame:
    """Known-ahead promo flags for the horizon after each series' last time."""
    rng = np.random.default_rng(seed)
    rows = [{"unique_id": sid, "ds": pd.Timestamp(t) + pd.Timedelta(days=k),
             "promo": float(rng.random() < 0.5)}
            for sid, t in zip(f.ids_, f.last_times_, strict=True)
            for k in range(1, f.horizon_ + 1)]
    return pd.DataFrame(rows)


def future_input(f, frame: pd.DataFrame, ids: list[str]) -> np.ndarray:
    """The ``future`` input from the description's columns: promo from the frame, then the
    calendar features of each step's timestamp."""
    columns = [d for d in describe_export(f)["inputs"] if d["name"] == "future"][0]["columns"]
    assert columns[0] == "promo"
    blocks = []
    for sid in ids:
        rows = frame[frame["unique_id"] == sid]
        blocks.append(np.column_stack([rows["promo"].to_numpy(dtype=np.float64),
                                       calendar_features(rows["ds"].to_numpy(),
                                                         f.fitted_.spec.calendar)]))
    return np.stack(blocks)


@pytest.mark.parametrize("name", list(FORECASTERS))
def test_forecaster_onnx_is_predict(forecasters, name, tmp_path):
    f, data = forecasters(name)
    context = training_context(f, data)
    np.testing.assert_array_equal(context, f.context_)  # context_ holds exactly those rows
    order = list(range(len(f.ids_)))[::-1]  # the series in another order than training's
    ids = [f.ids_[k] for k in order]
    feeds = {"context": context[order], "series": np.array(order, dtype=np.int64)}
    future = None
    if f.future_cols:
        future = future_frame(f)
        feeds["future"] = future_input(f, future, ids)
    want = f.predict(ids=ids, future=future)
    if name.startswith("panel-log"):  # the graph must take the log and exponentiate back
        assert describe_export(f)["log_target"] and describe_export(f)["nonnegative"]
    path = f.export(tmp_path / "model.onnx")
    assert path == tmp_path / "model.onnx"
    got = run_onnx(path, feeds)  # [N, horizon, Q]
    levels = f.quantiles or ()
    assert got.shape == (len(ids), f.horizon_, len(levels) or 1)
    point = describe_export(f)["point_index"]
    assert_close(got[..., point].reshape(-1), want[f.target_col].to_numpy())
    for k, q in enumerate(levels):
        assert_close(got[..., k].reshape(-1), want[f"{f.target_col}_q{q:g}"].to_numpy())


def test_forecaster_description_and_metadata(forecasters, tmp_path):
    import onnx

    f, _ = forecasters("quantiles")
    d = describe_export(f)
    assert d["kind"] == "Forecaster" and d["quantiles"] == [0.1, 0.5, 0.9]
    assert [i["name"] for i in d["inputs"]] == ["context", "series"]
    context = d["inputs"][0]
    assert context["shape"] == ["batch", "lookback", "feature"]
    assert context["dims"] == [None, f.lookback_, 1] and context["columns"] == ["y"]
    assert d["inputs"][1]["series_ids"] == f.ids_ == d["series_ids"]
    out = d["outputs"][0]
    assert out["name"] == "forecast" and out["dims"] == [None, f.horizon_, 3]
    assert out["columns"] == ["y_q0.1", "y_q0.5", "y_q0.9"]
    model = onnx.load(str(f.export(tmp_path / "q.onnx")))
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["kind"] == "Forecaster" and meta["rnnkit_version"] == rnnkit.__version__
    assert json.loads(meta["rnnkit_io"]) == json.loads(json.dumps(d))
    assert [i.name for i in model.graph.input] == ["context", "series"]
    assert [o.name for o in model.graph.output] == ["forecast"]

    panel, _ = forecasters("future-direct")
    inputs = {i["name"]: i for i in describe_export(panel)["inputs"]}
    assert inputs["future"]["shape"] == ["batch", "horizon", "future_feature"]
    assert inputs["context"]["columns"][:2] == ["y", "promo"]
    assert inputs["future"]["columns"] == inputs["context"]["columns"][1:]


def test_forecaster_torchscript_is_predict(forecasters, tmp_path):
    f, _ = forecasters("panel-log-ids-static")
    module, d = load_torchscript(f.export(tmp_path / "panel.pt"))
    assert d["series_ids"] == f.ids_ and d == json.loads(json.dumps(describe_export(f)))
    got = module(torch.from_numpy(f.context_), torch.arange(len(f.ids_))).numpy()
    assert_close(got[..., 0].reshape(-1), f.predict()["y"].to_numpy())


def test_stateful_forecaster_is_refused(tmp_path):
    f = rnnkit.Forecaster(**SMALL_FORECAST, training="sequence").fit(_season())
    with pytest.raises(InputError, match="state") as info:
        f.export(tmp_path / "stateful.onnx")
    assert "training='window'" in str(info.value) and "\n" not in str(info.value)
    assert "(CLI: rnnkit forecast --training window)" in str(info.value)  # rnnkit export's
    # own options hold no --training, so the message names the command that fits
    assert not (tmp_path / "stateful.onnx").exists()


# --- sequence models ---------------------------------------------------------------------------
RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 12, 2)) + 3.0
Y = (X[:, :, 0].mean(1) > 3.0).astype(int)
STATIC = RNG.normal(size=(40, 3))
NEW = [RNG.normal(size=(n, 2)) + 3.0 for n in (12, 5, 1, 9, 20)]  # lengths differ, one past 12
NEW_STATIC = RNG.normal(size=(5, 3))
TEXTS = ["good movie", "bad movie", "great fun", "awful plot!", "good fun, not bad"] * 8
LABELS = ["pos", "neg", "pos", "neg", "pos"] * 8
NEW_TEXTS = ["Good plot", "awful awful movie, bad fun", "unknown words here", "fun", "it's bad"]

SEQUENCES = {
    "classifier-fcn-repeats": lambda: rnnkit.SequenceClassifier(
        **SMALL_SEQUENCE, repeats=2).fit(X, Y),
    "classifier-channel-bidirectional-last": lambda: rnnkit.SequenceClassifier(
        **SMALL_SEQUENCE, normalize="channel", pooling="last", bidirectional=True,
        front_end="none", cell="gru").fit(X, Y),
    "classifier-conv-attention": lambda: rnnkit.SequenceClassifier(
        **SMALL_SEQUENCE, front_end="conv", conv_channels=4, conv_pool=2,
        pooling="attention", bidirectional=True).fit(X, Y),
    "classifier-rnn-mean": lambda: rnnkit.SequenceClassifier(
        **SMALL_SEQUENCE, cell="rnn", pooling="mean", num_layers=2).fit(X, Y),
    # two channels: "auto" reads them both ways; this one per sequence only
    "regressor": lambda: rnnkit.SequenceRegressor(**SMALL_SEQUENCE, normalize="sequence").fit(
        X, X[:, :, 1].sum(1)),
    "regressor-gru-max": lambda: rnnkit.SequenceRegressor(
        **SMALL_SEQUENCE, cell="gru", pooling="max").fit(X, X[:, :, 1].sum(1)),
    "regressor-static-two-outputs": lambda: rnnkit.SequenceRegressor(
        **SMALL_SEQUENCE, repeats=2).fit(X, X.sum(1), static=STATIC),
}


@pytest.fixture(scope="module")
def sequences() -> dict:
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            model = SEQUENCES[name]()
            stir(model.model_)
            cache[name] = model
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_sequence_onnx_is_predict(sequences, name, tmp_path):
    model = sequences(name)
    static = NEW_STATIC if model.inputs_.static_size else None
    x, lengths = padded(NEW)
    feeds = {"x": x, "lengths": lengths} | ({"static": static} if static is not None else {})
    got = run_onnx(model.export(tmp_path / "seq.onnx"), feeds)
    if name.startswith("classifier"):
        assert_close(got, model.predict_proba(NEW, static))
        assert np.array_equal(np.asarray(describe_export(model)["classes"])[got.argmax(1)],
                              model.predict(NEW, static))
    else:
        assert_close(got, model.predict(NEW, static))
    one = run_onnx(tmp_path / "seq.onnx", {k: v[2:3] for k, v in feeds.items()})
    assert_close(one, got[2:3])  # a batch of one sequence, alone
    full = {k: v[:1] for k, v in feeds.items()} | {"x": x[:1, : lengths[0]]}
    assert_close(run_onnx(tmp_path / "seq.onnx", full), got[:1])  # nothing padded


def test_text_classifier_onnx_is_predict(tmp_path):
    clf = rnnkit.SequenceClassifier(**SMALL_SEQUENCE).fit(TEXTS, LABELS)
    stir(clf.model_)
    d = describe_export(clf)
    assert [i["name"] for i in d["inputs"]] == ["ids", "lengths"]
    assert d["classes"] == ["neg", "pos"] == d["outputs"][0]["columns"]
    vocab = d["vocabulary"]
    assert vocab["tokens"][:2] == ["<pad>", "<unk>"] and "movie" in vocab["tokens"]
    # tokenise from the description alone, as a server without rnnkit would
    index = {t: i for i, t in enumerate(vocab["tokens"])}
    encoded = [np.array([index.get(t, 1) for t in re.findall(vocab["token_pattern"], s.lower())],
                        np.int64)
               for s in NEW_TEXTS]
    assert all(np.array_equal(a, b) for a, b in
               zip(encoded, clf.vocabulary_.encode(NEW_TEXTS), strict=True))
    ids, lengths = padded(encoded)
    got = run_onnx(clf.export(tmp_path / "text.onnx"), {"ids": ids, "lengths": lengths})
    assert_close(got, clf.predict_proba(NEW_TEXTS))


def test_token_id_classifier_onnx_is_predict(tmp_path):
    seqs = [RNG.integers(1, 30, size=n) for n in RNG.integers(2, 15, size=40)]
    y = [int(s[0] > 15) for s in seqs]
    clf = rnnkit.SequenceClassifier(**SMALL_SEQUENCE, vocab_size=30).fit(seqs, y)
    stir(clf.model_)
    d = describe_export(clf)
    assert d["input_kind"] == "ids" and d["vocabulary"] is None
    new = [np.array([3, 29, 1]), np.array([7]), np.array([2, 2, 2, 2, 2, 2, 2, 2, 9])]
    ids, lengths = padded(new)
    got = run_onnx(clf.export(tmp_path / "ids.onnx"), {"ids": ids, "lengths": lengths})
    assert_close(got, clf.predict_proba(new))


def test_sequence_torchscript_is_predict(sequences, tmp_path):
    model = sequences("regressor-static-two-outputs")
    module, d = load_torchscript(model.export(tmp_path / "reg.pt"))
    assert [i["name"] for i in d["inputs"]] == ["x", "lengths", "static"]
    assert d["outputs"][0]["dims"] == [None, 2]
    x, lengths = padded(NEW)
    got = module(torch.from_numpy(x), torch.from_numpy(lengths), torch.from_numpy(NEW_STATIC))
    assert_close(got.numpy(), model.predict(NEW, NEW_STATIC))


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_tagger_onnx_is_predict(task, tmp_path):
    Xt = RNG.normal(size=(20, 10, 2))
    y = (Xt[..., 0] > 0).astype(int) if task == "classification" else Xt[..., 1].cumsum(1)
    tagger = rnnkit.SequenceTagger(hidden_size=8, epochs=2, verbose=0, task=task,
                                   bidirectional=True).fit(Xt, y)
    stir(tagger.model_)
    new = RNG.normal(size=(3, 10, 2))
    got = run_onnx(tagger.export(tmp_path / "tagger.onnx"),
                   {"x": new, "lengths": np.full(3, 10, dtype=np.int64)})
    assert_close(got, tagger.predict_proba(new) if task == "classification"
                 else tagger.predict(new))


# --- errors --------------------------------------------------------------------------------
def test_bad_format_names_the_argument(sequences, tmp_path):
    model = sequences("regressor")
    with pytest.raises(InputError, match=r"format='tflite' is not one of \['onnx', "
                                         r"'torchscript'\]") as info:
        model.export(tmp_path / "m.onnx", format="tflite")
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match=r"path=.*'\.bin'.*\.onnx.*\.pt"):
        model.export(tmp_path / "m.bin")
    assert not list(tmp_path.iterdir())


def test_not_fitted(tmp_path):
    with pytest.raises(NotFittedError, match="cannot export"):
        rnnkit.SequenceClassifier().export(tmp_path / "m.onnx")
    with pytest.raises(NotFittedError, match="cannot export"):
        describe_export(rnnkit.Forecaster())


def test_without_onnx_says_how_to_install(sequences, tmp_path, monkeypatch):
    model = sequences("regressor")
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(InputError) as info:
        model.export(tmp_path / "m.onnx")
    assert str(info.value) == ("exporting to ONNX needs the onnx package: pip install "
                               "'rnnkit[onnx]'")
    assert model.export(tmp_path / "m.pt").exists()  # TorchScript needs only torch


def test_an_export_never_replaces_a_file_of_another_kind(sequences, tmp_path):
    """format='onnx' over a training CSV replaced the CSV with a graph."""
    model = sequences("regressor")
    (tmp_path / "train.csv").write_text("id,step,x\n")
    with pytest.raises(InputError, match=r"path='.*train.csv' is an existing .csv file; the "
                                         r"ONNX graph would replace it. Pass a new name ending "
                                         r"in .onnx"):
        model.export(tmp_path / "train.csv", format="onnx")
    assert (tmp_path / "train.csv").read_text() == "id,step,x\n"
    model.export(tmp_path / "m.pt")
    assert model.export(tmp_path / "m.pt").exists()  # a graph over a graph: replaced
    # a graph of the other format behind a suffix that names one (torch.jit.load failed)
    for path, fmt, said in (("a.pt", "onnx", "names a .pt file (TorchScript) but "
                                             "format='onnx'. Pass format='torchscript'"),
                            ("a.onnx", "torchscript", "names a .onnx file (ONNX) but "
                                                      "format='torchscript'")):
        with pytest.raises(InputError, match=re.escape(said)):
            model.export(tmp_path / path, format=fmt)
        assert not (tmp_path / path).exists()


def test_import_stays_light():
    code = ("import sys, rnnkit, rnnkit.tasks.base; "
            "print('onnx' in sys.modules, 'rnnkit.export' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_cli_exports_a_saved_model_and_prints_its_inputs(tmp_path, capsys):
    from cli.cli_support import one_line_error, run

    f = rnnkit.Forecaster(**SMALL_FORECAST, horizon=6).fit("airline")
    f.save(tmp_path / "model")
    code, out, err = run(["export", tmp_path / "model"], capsys)
    assert code == 0, err
    assert "input context [batch, lookback=" in out and "output forecast" in out
    context = f.context_[:, :, :].astype(np.float64)
    got = run_onnx(tmp_path / "model.onnx", {"context": context,
                                             "series": np.zeros(1, dtype=np.int64)})
    np.testing.assert_allclose(got[0, :, 0], f.predict()["y"].to_numpy(), rtol=1e-5)
    f.save(tmp_path / "zipped.zip")  # beside a zipped model: zipped.onnx, not zipped.zip.onnx
    code, out, err = run(["export", tmp_path / "zipped.zip"], capsys)
    assert code == 0 and (tmp_path / "zipped.onnx").is_file(), err
    code, out, err = run(["export", tmp_path / "model", "--format", "pt"], capsys)
    assert "--format='pt' is not one of" in one_line_error(code, err)
