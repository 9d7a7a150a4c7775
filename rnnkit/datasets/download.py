"""Datasets from the network: downloaded once into a cache, checked by SHA-256, unpacked
safely, then read by :mod:`rnnkit.datasets.formats`.

``load(source)`` takes a local path, a URL, or the name of a known dataset (:data:`KNOWN`:
the real datasets of the classic tutorials). A download goes to a temporary file and is
renamed into the cache only when complete and, where a checksum is given (``sha256=``, or
the one :data:`KNOWN` pins), only when it matches; a mismatch leaves nothing behind and says
both digests. Where no checksum is known, the digest of what arrived is written beside it
(``.sha256``) and later loads check the cached file against it (trust on first use), and
``load(..., sha256=...)`` pins it. Archives (``.zip``, ``.tar.gz``, ``.tgz``, ``.tar``) are
unpacked beside the download, refusing members that would land outside it. The cache is
``cache_dir``, else ``$RNNKIT_CACHE``, else ``~/.cache/rnnkit``.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from rnnkit.datasets.formats import Dataset, read
from rnnkit.errors import InputError

# name: (url, sha256 or None, what it is). The digests of these archives were not reachable
# from the machine this was written on, so none is pinned: the first download's is recorded.
KNOWN: dict[str, tuple[str, str | None, str]] = {
    "uci_har": ("https://archive.ics.uci.edu/static/public/240/"
                "human+activity+recognition+using+smartphones.zip", None,
                "UCI HAR: 10,299 windows of 128 steps x 9 inertial channels, 6 activities"),
    "imdb": ("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz", None,
             "IMDB reviews (aclImdb): 25,000 train and 25,000 test texts, pos/neg"),
}
UCR_URL = "https://timeseriesclassification.com/aeon-toolkit/{name}.zip"
CHUNK = 1 << 20


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """Where downloads are kept."""
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get("RNNKIT_CACHE") or Path.home() / ".cache" / "rnnkit")


def load(source: str | os.PathLike, sha256: str | None = None,
         cache_dir: str | os.PathLike | None = None) -> Dataset:
    """A dataset from a local path, a URL, a known name (:data:`KNOWN`), or ``ucr:<Name>``
    (a problem of the UCR/UEA archive, as aeon publishes it).

    Example:
        >>> har = rnnkit.datasets.load("uci_har")   # downloaded once, then from the cache
        >>> har.X_train.shape                       # (7352, 128, 9)
    """
    text = str(source)
    if text in KNOWN:
        url, pinned, _ = KNOWN[text]
        return read(_unpacked(fetch(url, sha256 or pinned, cache_dir)))
    if text.startswith("ucr:"):
        return read(_unpacked(fetch(UCR_URL.format(name=text[4:]), sha256, cache_dir)))
    if urllib.parse.urlparse(text).scheme in ("http", "https", "file"):
        return read(_unpacked(fetch(text, sha256, cache_dir)))
    if not Path(text).exists():
        known = ", ".join([*KNOWN, "ucr:<Name>"])
        raise InputError(f"source={text!r} is neither a path that exists, a URL nor a known "
                         f"dataset ({known}). Pass one of those.")
    return read(_unpacked(Path(text)) if _archive(Path(text)) else Path(text))


def fetch(url: str, sha256: str | None = None,
          cache_dir: str | os.PathLike | None = None) -> Path:
    """The file at ``url``, from the cache or downloaded into it (see the module docstring).
    Returns its path in the cache."""
    name = Path(urllib.parse.urlparse(url).path).name or "download"
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    folder = cache_root(cache_dir) / key
    target = folder / name
    recorded = target.with_name(name + ".sha256")
    expected = (sha256 or "").lower() or None
    if target.exists():
        known = expected or (recorded.read_text().strip() if recorded.exists() else None)
        if known is None or _digest(target) == known:
            return target
        target.unlink()  # a cached file that no longer matches is downloaded again,
        shutil.rmtree(target.with_name(name + ".d"), ignore_errors=True)  # unpacked anew
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.{os.getpid()}.part"
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out, CHUNK)
            announced = response.headers.get("Content-Length") if hasattr(
                response, "headers") else None
        if announced is not None and partial.stat().st_size != int(announced):
            raise OSError(f"the connection closed after {partial.stat().st_size} of "
                          f"{announced} bytes")
    except (OSError, http.client.HTTPException) as e:  # a cut-off transfer included
        partial.unlink(missing_ok=True)
        raise InputError(f"could not download {url} ({type(e).__name__}: {e}). Check the "
                         "address and the network, or download it yourself and pass the "
                         "path.") from e
    got = _digest(partial)
    if expected is not None and got != expected:
        partial.unlink()
        raise InputError(f"{url} arrived with SHA-256 {got}, expected {expected}: the file "
                         "changed or the download was corrupted; nothing was kept. Pass the "
                         "right sha256=, or check the source.")
    os.replace(partial, target)
    recorded.write_text(got + "\n")
    return target


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _archive(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".zip", ".tar.gz", ".tgz", ".tar"))


def _unpacked(path: Path) -> Path:
    """``path`` itself, or for an archive the folder it unpacks into (once; archives inside
    the archive are unpacked too, as UCI nests its zip)."""
    if not _archive(path):
        return path
    folder = path.with_name(path.name + ".d")
    done = folder / ".complete"
    stamp = f"{path.stat().st_size} {path.stat().st_mtime_ns}"  # of the archive unpacked
    if not done.exists() or done.read_text() != stamp:
        shutil.rmtree(folder, ignore_errors=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}.d")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            _extract(path, staging)
            for inner in list(staging.rglob("*")):
                if inner.is_file() and _archive(inner) and not _apple_double(inner, staging):
                    _extract(inner, inner.parent)
                    inner.unlink()
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as e:
            shutil.rmtree(staging, ignore_errors=True)
            _forget(path)
            raise InputError(f"{path.name} is not a readable archive ({type(e).__name__}: "
                             f"{str(e).splitlines()[0] if str(e) else 'damaged'}); a damaged "
                             "download is not kept. Load it again, or check the file.") from e
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        (staging / ".complete").write_text(stamp)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    return folder


def _apple_double(path: Path, root: Path) -> bool:
    """A macOS resource file a zip carries beside the real one (``__MACOSX/._x.zip``)."""
    parts = path.relative_to(root).parts
    return "__MACOSX" in parts or path.name.startswith("._")


def _forget(path: Path) -> None:
    """Drop a cached download that proved damaged (with the digest recorded for it), so the
    next load fetches it again; a file of the user's own is left alone."""
    recorded = path.with_name(path.name + ".sha256")
    if recorded.exists():
        recorded.unlink()
        path.unlink(missing_ok=True)


def _extract(archive: Path, into: Path) -> None:
    """Unpack ``archive`` into ``into``, refusing any member that would land outside it."""
    into.mkdir(parents=True, exist_ok=True)
    root = into.resolve()
    if archive.name.lower().endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            for member in z.namelist():
                _inside(root, member, archive)
            z.extractall(into)
        return
    with tarfile.open(archive) as t:
        for member in t.getmembers():
            _inside(root, member.name, archive)
            if member.issym() or member.islnk():
                raise InputError(f"{archive} holds a link ({member.name!r}); rnnkit does not "
                                 "unpack links from downloads. Unpack it yourself and pass "
                                 "the folder.")
        t.extractall(into, filter="data")


def _inside(root: Path, member: str, archive: Path) -> None:
    if Path(member).is_absolute() or not (root / member).resolve().is_relative_to(root):
        raise InputError(f"{archive} holds {member!r}, which would be written outside the "
                         "folder it unpacks into; refused. Check the source of the archive.")
