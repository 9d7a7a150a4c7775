"""Mutated model files, seeded: what the suite's fuzz test and bench/fuzz_models.py run.

Each mutation changes one thing in a saved model — a value in model.json (to another type,
an extreme number, a huge size, a removed key), a byte anywhere, a truncation, a symlink, a
zip bomb — and writes it either as is (its checksums now stale) or self-consistent (the
checksums recomputed, as an attacker or a careless tool would). The verdict per mutation:

- ``refused``: ``ArtifactError`` (the only acceptable exception);
- ``same``: loads and predicts exactly what the original did;
- ``consistent``: a self-consistent file that loads and predicts finite numbers;
- ``escaped``: any other exception type; ``failed``: loaded, then predict raised or gave
  non-finite numbers; ``slow``: took more than 2 seconds.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import shutil
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np

import rnnkit
from rnnkit.artifacts import META, WEIGHTS, meta_checksum
from rnnkit.errors import ArtifactError

EXTREMES = [None, True, -1, 0, 1, 2, 3, 10 ** 6, 10 ** 12, -10 ** 12, 1e308, -1e308, 1e-320,
            0.5, "", "x", "lstm", "gru", "direct", [], {}, [1, 2], {"a": 1}, "NaN"]


def leaves(doc, path=()):
    """Every (path, value) in a JSON document, containers included."""
    yield path, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from leaves(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:50]):
            yield from leaves(v, path + (i,))


def set_at(doc, path, value, delete=False):
    target = doc
    for p in path[:-1]:
        target = target[p]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value


def mutate_meta(doc: dict, rng: random.Random) -> dict:
    doc = copy.deepcopy(doc)
    paths = [p for p, _ in leaves(doc) if p and p[0] not in ("meta_sha256",)]
    path = rng.choice(paths)
    roll = rng.random()
    if roll < 0.1 and isinstance(path[-1], str):
        set_at(doc, path, None, delete=True)
    elif roll < 0.2:
        value = _get(doc, path)
        if isinstance(value, int | float) and not isinstance(value, bool):
            set_at(doc, path, value * rng.choice([-1, 10, 1000, 0.5]) + rng.choice([0, 1]))
        else:
            set_at(doc, path, rng.choice(EXTREMES))
    elif roll < 0.25:
        value = _get(doc, path)
        if isinstance(value, list) and value:
            set_at(doc, path, value * rng.choice([2, 1000]) if len(value) < 100 else value[:1])
        else:
            set_at(doc, path, rng.choice(EXTREMES))
    else:
        set_at(doc, path, copy.deepcopy(rng.choice(EXTREMES)))
    return doc


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


def write_mutant(original: Path, out: Path, rng: random.Random) -> str:
    """A mutated copy of the model directory ``original`` at ``out``; returns what changed."""
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    shutil.copytree(original, out)
    text = (original / META).read_text()
    doc = json.loads(text)
    roll = rng.random()
    if roll < 0.45:  # a value in model.json, checksums recomputed
        new = mutate_meta(doc, rng)
        new["meta_sha256"] = meta_checksum(new)
        (out / META).write_text(_dumps(new))
        return "consistent json"
    if roll < 0.65:  # a value in model.json, checksum left stale
        (out / META).write_text(_dumps(mutate_meta(doc, rng)))
        return "stale json"
    if roll < 0.8:  # a byte of either file
        name = rng.choice([META, WEIGHTS])
        data = bytearray((out / name).read_bytes())
        i = rng.randrange(len(data))
        data[i] = rng.randrange(256)
        (out / name).write_bytes(bytes(data))
        return f"byte of {name}"
    if roll < 0.88:  # truncated
        name = rng.choice([META, WEIGHTS])
        data = (out / name).read_bytes()
        (out / name).write_bytes(data[: rng.randrange(len(data))])
        return f"truncated {name}"
    if roll < 0.92:  # weights altered and their checksum recomputed
        from safetensors.numpy import load, save

        tensors = load((out / WEIGHTS).read_bytes())
        key = rng.choice(sorted(tensors))
        t = tensors[key].copy()
        if t.size and t.dtype.kind == "f":
            t.flat[rng.randrange(t.size)] = rng.choice([np.nan, np.inf, 1e30, 0.0])
        elif t.size:
            t = t[:0]
        tensors[key] = t
        blob = save(tensors)
        (out / WEIGHTS).write_bytes(blob)
        doc["weights_sha256"] = hashlib.sha256(blob).hexdigest()
        doc["meta_sha256"] = meta_checksum(doc)
        (out / META).write_text(_dumps(doc))
        return "consistent weights"
    if roll < 0.95:  # a symlink out of the model
        outside = out.parent / f"{out.name}-outside.json"
        shutil.copy(out / META, outside)
        (out / META).unlink()
        os.symlink(outside, out / META)
        return "symlink"
    # a zip, perhaps a bomb
    zip_path = out.parent / f"{out.name}.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        if rng.random() < 0.5:
            z.writestr(META, text + " " * (80 << 20))  # inflates past the limit
        else:
            z.writestr(META, text)
            z.writestr("../escape.txt", "x")
        z.writestr(WEIGHTS, (out / WEIGHTS).read_bytes())
    shutil.rmtree(out)
    zip_path.rename(out)
    return "zip"


def _dumps(doc) -> str:
    return json.dumps(doc, indent=2)


def verdict(path: Path, expected: np.ndarray, predict) -> str:
    started = time.perf_counter()
    try:
        model = rnnkit.load(path)
    except ArtifactError:
        outcome = "refused"
    except Exception as e:  # noqa: BLE001 - the point is to count what escapes
        outcome = f"escaped {type(e).__name__}: {str(e)[:120]}"
    else:
        try:
            got = predict(model)
        except ArtifactError:
            outcome = "refused"
        except Exception as e:  # noqa: BLE001
            outcome = f"failed {type(e).__name__}: {str(e)[:120]}"
        else:
            if got.shape == expected.shape and np.array_equal(got, expected):
                outcome = "same"
            elif np.isfinite(got).all():
                outcome = "consistent"
            else:
                outcome = "failed non-finite"
    if time.perf_counter() - started > 2.0:
        outcome = f"slow {outcome}"
    return outcome


def fuzz(models: dict[str, tuple[Path, object]], n: int, seed: int, work: Path) -> Counter:
    """``n`` mutations spread over ``models`` (name -> (saved dir, predict function))."""
    rng = random.Random(seed)
    counts: Counter = Counter()
    expected = {name: predict(rnnkit.load(path)) for name, (path, predict) in models.items()}
    names = sorted(models)
    for k in range(n):
        name = names[k % len(names)]
        path, predict = models[name]
        mutant = work / f"mutant-{name}"
        how = write_mutant(path, mutant, rng)
        outcome = verdict(mutant, expected[name], predict)
        counts[outcome.split(":")[0] if outcome.startswith(("refused", "same", "consistent"))
               else f"{outcome} [{name}, {how}]"] += 1
    return counts


def small_models(work: Path) -> dict[str, tuple[Path, object]]:
    """One small saved model of each kind (forecaster, numeric and text classifier,
    regressor) in ``work``, each with a function of a model giving its predictions."""
    from conftest import one_series

    data = one_series(120, "MS", seasons=((12, 2.0),), seed=0)
    rnnkit.Forecaster(epochs=1, repeats=1, verbose=0, hidden_size=8).fit(data).save(
        work / "forecaster")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 12, 2))
    y = (X[:, :, 0].mean(1) > 0).astype(int)
    small = dict(max_steps=3, verbose=0, hidden_size=8)
    rnnkit.SequenceClassifier(**small).fit(X, y).save(work / "classifier")
    rnnkit.SequenceRegressor(**small).fit(X, X[:, :, 1].sum(1)).save(work / "regressor")
    texts = ["good movie", "bad movie", "great fun", "awful plot"] * 10
    rnnkit.SequenceClassifier(**small).fit(texts, [1, 0, 1, 0] * 10).save(work / "text")
    return {
        "forecaster": (work / "forecaster", lambda m: m.predict()["y"].to_numpy()),
        "classifier": (work / "classifier", lambda m: np.asarray(m.predict_proba(X[:5]))),
        "regressor": (work / "regressor", lambda m: np.asarray(m.predict(X[:5]), float)),
        "text": (work / "text", lambda m: np.asarray(m.predict_proba(texts[:4]))),
    }
