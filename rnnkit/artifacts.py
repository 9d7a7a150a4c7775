"""Model files: a directory (or a zip of it) with ``weights.safetensors`` and ``model.json``.

No pickle anywhere. Writes go to a temporary name beside the target and are renamed into
place, so a crash never leaves half a model and never damages the model that was there.
This module imports no torch: weights travel as numpy arrays.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load as load_safetensors
from safetensors.numpy import save as save_safetensors

from rnnkit._version import __version__
from rnnkit.errors import ArtifactError
from rnnkit.files import copy_entry, replace_dir, temp_dir, umask, write_bytes_atomic

FORMAT = "rnnkit-model"
FORMAT_VERSION = 2  # 2: model.json carries its own checksum (meta_sha256)
WEIGHTS = "weights.safetensors"
META = "model.json"
MAX_META_BYTES = 64 << 20  # model.json: vocabularies and ids included, far below this
MAX_WEIGHTS_BYTES = 16 << 30
MAX_ZIP_ENTRIES = 16


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
    if path.is_symlink():  # a link to the model ("latest"): the model it points to is saved
        path = path.resolve()
    blob = save_safetensors({k: np.ascontiguousarray(v) for k, v in tensors.items()})
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "rnnkit_version": __version__,
        "kind": kind,
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
        **meta,
    }
    document["meta_sha256"] = meta_checksum(document)
    text = json.dumps(document, indent=2, sort_keys=False, allow_nan=False)
    if path.suffix == ".zip":
        folder, kept = _check_zip_target(path)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
            z.writestr(folder + META, text)
            z.writestr(folder + WEIGHTS, blob)
            for info, data in kept:  # what the user keeps beside a model (a README) stays
                z.writestr(info, data)
        return write_bytes_atomic(path, buffer.getvalue())
    if path.exists() and not path.is_dir():
        raise ArtifactError(
            f"path={str(path)!r} is a file, but a model directory is written there. "
            "Pass a new directory name, or a name ending in .zip."
        )
    others = _others(path)
    tmp = temp_dir(path)
    try:
        for name, data in ((WEIGHTS, blob), (META, text.encode())):
            (tmp / name).write_bytes(data)
            os.chmod(tmp / name, 0o666 & ~umask())
        for entry in others:  # what the user keeps beside a model (a README) stays
            copy_entry(entry, tmp / entry.name)
        replace_dir(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _check_zip_target(path: Path) -> tuple[str, list[tuple[zipfile.ZipInfo, bytes]]]:
    """Where an existing ``.zip`` holds its model ("" at its top, or its one folder) and the
    other entries to keep beside the new one; "" and none for a new file. A zip that holds
    no model, or a file that is no zip, is refused (saving would replace what it holds)."""
    if path.is_dir():
        raise ArtifactError(f"path={str(path)!r} is a directory, but a zipped model is written "
                            "there. Pass a new name ending in .zip, or a directory name.")
    if not path.exists():
        return "", []
    try:
        with zipfile.ZipFile(path) as z:
            entries = z.infolist()
            names = [e.filename for e in entries]
            folder = _zip_folder(names)
            own = {folder + META, folder + WEIGHTS}
            if folder + META in names and len(entries) <= MAX_ZIP_ENTRIES:
                return folder, [(e, z.read(e)) for e in entries if e.filename not in own]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError):
        names = None
    others = sorted(n for n in names or () if not n.endswith("/"))
    what = "not a zip" if names is None else \
        f"a zip of other files ({', '.join(others[:3]) or 'no model'})"
    raise ArtifactError(
        f"path={str(path)!r} is {what}, not a model; saving there would replace it. "
        "Pass a new name ending in .zip, or a zipped model's own name to overwrite it.")


def _others(path: Path) -> list[Path]:
    """The entries of an existing model directory other than the model's own files; an
    existing directory that holds no model is refused (saving replaces the directory whole,
    so its files would be lost)."""
    if not path.is_dir():
        return []
    entries = [e for e in path.iterdir() if ".tmp-" not in e.name]
    if entries and not (path / META).exists():
        names = ", ".join(sorted(e.name for e in entries)[:3])
        raise ArtifactError(
            f"path={str(path)!r} is a directory of other files ({names}"
            f"{', ...' if len(entries) > 3 else ''}), not a model; saving there would replace "
            "them. Pass a new directory name (or a name ending in .zip), or a model's own "
            "directory to overwrite it.")
    return [e for e in entries if e.name not in (META, WEIGHTS)]


def meta_checksum(document: dict) -> str:
    """SHA-256 of ``model.json``'s content (but this checksum), in a canonical form: any change
    to a value, a key or the layout of the numbers is detected."""
    body = {k: v for k, v in document.items() if k != "meta_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def read_model(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read and check a model file. Returns ``(meta, tensors)``.

    Raises:
        ArtifactError: missing, not an rnnkit model, corrupt, truncated or of a future format.
    """
    if not str(path):
        raise ArtifactError("model path is empty. Pass the directory or .zip that save() "
                            "wrote.")
    path = Path(path)
    if not path.exists():
        raise ArtifactError(f"model path {str(path)!r} does not exist. Pass the directory or .zip "
                            "that save() wrote, or the model/ folder inside the --out "
                            "folder of a CLI run (rnnkit forecast, classify, regress, tag, "
                            "tune).")
    text, blob = _read_parts(path)
    try:
        meta = json.loads(text, parse_constant=_no_constant)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ArtifactError(
            f"{path}: {META} is corrupt or truncated ({str(e)[:200]}). Save the model again."
        ) from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ArtifactError(
            f"{path} is not an rnnkit model ({META} has no format={FORMAT!r}). "
            "Pass a directory written by rnnkit's save()."
        )
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or not \
            1 <= version <= FORMAT_VERSION:
        raise ArtifactError(
            f"{path} has model format version {version!r}, written by rnnkit "
            f"{meta.get('rnnkit_version')}; this rnnkit {__version__} reads format versions up to "
            f"{FORMAT_VERSION}. Upgrade rnnkit (pip install -U rnnkit) to load it."
        )
    if version >= 2 and meta.get("meta_sha256") != meta_checksum(meta):
        raise ArtifactError(
            f"{path}: {META} does not match its checksum (meta_sha256): it was altered or "
            "damaged after it was saved. Save the model again, or restore it from a backup."
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


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


def _read_parts(path: Path) -> tuple[bytes, bytes]:
    """model.json and the weights, each bounded in size before it is read; no entry outside
    the model (a symlink, a path in a zip) is followed."""
    if path.is_dir():
        missing = [n for n in (META, WEIGHTS) if not (path / n).is_file()]
        if missing:
            inside = f" The model of this run is {path / 'model'}: pass that." \
                if (path / "model" / META).is_file() else ""
            raise ArtifactError(
                f"{path} is not an rnnkit model: {', '.join(missing)} missing. Pass a directory "
                f"written by rnnkit's save().{inside}"
            )
        for name, limit in ((META, MAX_META_BYTES), (WEIGHTS, MAX_WEIGHTS_BYTES)):
            entry = path / name
            if entry.is_symlink():
                raise ArtifactError(f"{entry} is a symbolic link; a model directory holds its "
                                    "own files. Copy the file in place of the link.")
            if entry.stat().st_size > limit:
                raise ArtifactError(f"{entry} is {entry.stat().st_size} bytes, more than a "
                                    f"model's {limit}. Pass a model rnnkit saved.")
        return _read_dir(path)
    if path.name in (META, WEIGHTS) and (path.parent / META).is_file():
        raise ArtifactError(f"{path} is one file of the model in {path.parent}; a model is "
                            f"the folder that holds both. Pass {path.parent}.")
    try:
        with zipfile.ZipFile(path) as z:
            entries = z.infolist()
            if any(e.filename.endswith(("/data.pkl", "/constants.pkl")) for e in entries):
                raise ArtifactError(
                    f"{path} is a TorchScript graph (what export writes), not a model file. "
                    "Run it with torch.jit.load, or load the model it was exported from.")
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ArtifactError(f"{path} holds {len(entries)} entries; a model zip holds "
                                    f"{META} and {WEIGHTS}. Pass a zip rnnkit saved.")
            folder = _zip_folder([e.filename for e in entries])
            return (_zip_entry(z, path, folder + META, MAX_META_BYTES),
                    _zip_entry(z, path, folder + WEIGHTS, MAX_WEIGHTS_BYTES))
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError) as e:
        if path.suffix.lower() == ".onnx":
            raise ArtifactError(
                f"{path} is an ONNX graph (what export writes), not a model file. Run it with "
                "onnxruntime, or load the model it was exported from.") from e
        if isinstance(e, zipfile.BadZipFile | EOFError) and _starts_as_zip(path):
            raise ArtifactError(
                f"{path} is a damaged zip ({str(e)[:200]}): cut short or altered. Copy it "
                "again from where it was saved, or save the model again.") from e
        raise ArtifactError(
            f"{path} is not an rnnkit model (expected a model directory or a .zip of one: "
            f"{str(e)[:200]}). Pass what rnnkit's save() wrote."
        ) from e


def _starts_as_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _read_dir(path: Path, tries: int = 5) -> tuple[bytes, bytes]:
    """Both files from one version of the directory: opened through one directory handle, so
    a save that swaps in a new version meanwhile cannot mix the two (when the old version is
    removed under the reader, it reads again)."""
    for attempt in range(tries):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            return tuple(_read_at(fd, name) for name in (META, WEIGHTS))  # type: ignore
        except FileNotFoundError:
            if attempt == tries - 1:
                raise
        finally:
            os.close(fd)
    raise AssertionError("unreachable")


def _read_at(dir_fd: int, name: str) -> bytes:
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=dir_fd)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _zip_folder(names: list[str]) -> str:
    """Where a zip holds the model: at its top (what save() writes), or in its one folder
    (``zip -r model.zip model/``)."""
    if META in names:
        return ""
    folders = [n[: -len(META)] for n in names if n.endswith("/" + META) and n.count("/") == 1]
    return folders[0] if len(folders) == 1 else ""


def _zip_entry(z: zipfile.ZipFile, path: Path, name: str, limit: int) -> bytes:
    info = z.getinfo(name)
    if info.file_size > limit:
        raise ArtifactError(f"{path}: {name} inflates to {info.file_size} bytes, more than a "
                            f"model's {limit}. Pass a zip rnnkit saved.")
    with z.open(info) as f:
        data = f.read(limit + 1)  # the header's size may lie: never read past the limit
    if len(data) > limit:
        raise ArtifactError(f"{path}: {name} inflates past {limit} bytes. Pass a zip rnnkit "
                            "saved.")
    return data


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
