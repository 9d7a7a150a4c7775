"""Model files: a directory (or a zip of it) with ``weights.safetensors`` and ``model.json``.

No pickle anywhere. Writes go to a temporary name beside the target and are renamed into
place, so a crash never leaves half a model and never damages the model that was there.
This module imports no torch: weights travel as numpy arrays.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load as load_safetensors
from safetensors.numpy import save as save_safetensors

from rnnkit._version import __version__
from rnnkit.errors import ArtifactError

FORMAT = "rnnkit-model"
FORMAT_VERSION = 1
WEIGHTS = "weights.safetensors"
META = "model.json"


def write_model(
    path: str | os.PathLike, kind: str, meta: dict[str, Any], tensors: dict[str, np.ndarray]
) -> Path:
    """Write a model to ``path`` (a directory, or a ``.zip`` file) atomically.

    Args:
        path: target directory, or a file name ending in ``.zip``.
        kind: the estimator class name, used by ``rnnkit.load`` to rebuild it.
        meta: JSON-able constructor arguments and fitted state (scalers, schema, ...).
        tensors: name -> array (the module's state dict, unwrapped).
    """
    path = Path(path)
    blob = save_safetensors({k: np.ascontiguousarray(v) for k, v in tensors.items()})
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "rnnkit_version": __version__,
        "kind": kind,
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
        **meta,
    }
    text = json.dumps(document, indent=2, sort_keys=False, allow_nan=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".zip":
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as z:
                z.writestr(META, text)
                z.writestr(WEIGHTS, blob)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path
    if path.exists() and not path.is_dir():
        raise ArtifactError(
            f"path={str(path)!r} is a file, but a model directory is written there. "
            "Pass a new directory name, or a name ending in .zip."
        )
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        (tmp / WEIGHTS).write_bytes(blob)
        (tmp / META).write_text(text)
        _replace_dir(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _replace_dir(new: Path, target: Path) -> None:
    """Rename ``new`` onto ``target``; an existing target is moved aside first, then removed."""
    if not target.exists():
        os.rename(new, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_model(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read and check a model file. Returns ``(meta, tensors)``.

    Raises:
        ArtifactError: missing, not an rnnkit model, corrupt, truncated or of a future format.
    """
    path = Path(path)
    if not path.exists():
        raise ArtifactError(f"model path {str(path)!r} does not exist. Pass the directory or .zip "
                            "that Forecaster.save / `rnnkit forecast --out` wrote.")
    text, blob = _read_parts(path)
    try:
        meta = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ArtifactError(
            f"{path}: {META} is corrupt or truncated ({e}). Save the model again."
        ) from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ArtifactError(
            f"{path} is not an rnnkit model ({META} has no format={FORMAT!r}). "
            "Pass a directory written by rnnkit's save()."
        )
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ArtifactError(
            f"{path} has model format version {version!r}, written by rnnkit "
            f"{meta.get('rnnkit_version')}; this rnnkit {__version__} reads format versions up to "
            f"{FORMAT_VERSION}. Upgrade rnnkit (pip install -U rnnkit) to load it."
        )
    if hashlib.sha256(blob).hexdigest() != meta.get("weights_sha256"):
        raise ArtifactError(
            f"{path}: {WEIGHTS} does not match the checksum in {META} (truncated or altered). "
            "Save the model again, or restore the file from a backup."
        )
    try:
        tensors = load_safetensors(blob)
    except Exception as e:  # safetensors raises its own error types on bad headers
        raise ArtifactError(f"{path}: {WEIGHTS} is corrupt ({e}). Save the model again.") from e
    return meta, tensors


def _read_parts(path: Path) -> tuple[bytes, bytes]:
    if path.is_dir():
        missing = [n for n in (META, WEIGHTS) if not (path / n).is_file()]
        if missing:
            raise ArtifactError(
                f"{path} is not an rnnkit model: {', '.join(missing)} missing. Pass a directory "
                "written by rnnkit's save()."
            )
        return (path / META).read_bytes(), (path / WEIGHTS).read_bytes()
    try:
        with zipfile.ZipFile(path) as z:
            return z.read(META), z.read(WEIGHTS)
    except (zipfile.BadZipFile, KeyError, OSError) as e:
        raise ArtifactError(
            f"{path} is not an rnnkit model (expected a model directory or a .zip of one: {e}). "
            "Pass what rnnkit's save() wrote."
        ) from e


# Parameter names that changed after format version 1 was first written (rnnkit 0.1.0 before
# covariates): the forecast head became a module with its own ``linear`` layer and the series-id
# embedding moved into ``series_inputs``. Files from then still load: the weights are the same.
_LEGACY_KEY_SUFFIXES = (
    ("head.weight", "head.linear.weight"),
    ("head.bias", "head.linear.bias"),
    ("ids.weight", "series_inputs.ids.weight"),
)


def renamed_legacy_keys(state: dict, expected: dict) -> dict:
    """``state`` with legacy parameter names renamed where the model expects the new name."""
    renamed = {}
    for key, value in state.items():
        if key not in expected:
            for old, new in _LEGACY_KEY_SUFFIXES:
                candidate = key[: -len(old)] + new if key.endswith(old) else None
                if candidate in expected and candidate not in state:
                    key = candidate
                    break
        renamed[key] = value
    return renamed
