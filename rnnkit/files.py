"""Atomic writes: a temporary name beside the target, then one rename (or one exchange of two
directories) into place, so that a kill at any instruction leaves the old version or the new,
never a mix and never nothing.

Temporary names are ``.NAME.tmp-PID-XXXX``; a later write to the same target removes those
whose process is gone. Files and directories get the permissions the umask gives, as any
``open`` or ``mkdir`` would (not the 0600 / 0700 of the temporary-file functions).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

_RENAME_EXCHANGE = 2  # renameat2 flag (Linux >= 3.15)
_AT_FDCWD = -100


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` so that readers see the old file or the new, never half."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    path = Path(path)
    if path.is_dir():
        from rnnkit.errors import InputError

        raise InputError(f"{str(path)!r} is a directory; a file name was expected there. Pass "
                         "a file's name (a new file inside that directory will do).")
    make_parent(path)
    remove_stale(path)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~umask())
        _rename(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def make_parent(path: Path) -> None:
    """Create the directories above ``path``; one of them being a file is an InputError
    naming it (not a FileExistsError about a directory the user never named)."""
    _check_above(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def check_out_dir(out: str | os.PathLike, model: bool = False) -> None:
    """Before a long job: refuse an output directory that a file stands in the way of (the
    directory itself, one above it, or with ``model`` (a job that saves one in ``model/``) a
    file named ``model`` in it), so that the job does not fail after it ran."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        from rnnkit.errors import InputError

        raise InputError(f"--out {str(out)!r} is a file; the outputs go in a directory. Pass a "
                         "directory name.")
    if model and (out / "model").exists() and not (out / "model").is_dir():
        from rnnkit.errors import InputError

        raise InputError(f"--out {str(out)!r} holds a file named 'model', where the model's "
                         "directory goes. Move that file, or pass another --out.")
    _check_above(out)


def check_out_file(out: str | os.PathLike, argument: str, writes: str,
                   suffixes: tuple[str, ...]) -> None:
    """Before writing one file (``writes``: what goes there): refuse a directory, a model's
    own file, what is not a regular file, and an existing file with a suffix of another kind
    than ``suffixes`` (a training CSV replaced by a graph), so that nothing the user had is
    lost; a file of the same kind, or without a suffix (a name the user chose, written
    before), is replaced (atomically), as the user asked."""
    from rnnkit.errors import InputError

    out = Path(out)
    named = f"{argument}{str(out)!r}" if argument.endswith("=") else f"{argument} {str(out)!r}"
    if out.is_dir():
        raise InputError(f"{named} is a directory; {writes} goes in a file. "
                         f"Pass a file's name ending in {suffixes[0]}.")
    if out.name in ("model.json", "weights.safetensors") and \
            (out.parent / "model.json").is_file():
        raise InputError(f"{named} is a file of the model in "
                         f"{str(out.parent)!r}; {writes} would replace it and break the model. "
                         f"Pass a new name ending in {suffixes[0]}, outside the model's folder.")
    if out.exists() and not out.is_file():  # /dev/null, a pipe: a rename would replace it
        raise InputError(f"{named} is not a regular file; {writes} is written to a file (a "
                         f"new one replaces it in one step). Pass a file's name ending in "
                         f"{suffixes[0]}.")
    if out.is_file() and out.suffix and out.suffix.lower() not in suffixes:
        kind = f"{out.suffix} file"
        raise InputError(f"{named} is an existing {kind}; {writes} would "
                         f"replace it. Pass a new name ending in {suffixes[0]}.")
    _check_above(out)


def _check_above(path: Path) -> None:
    for above in path.parents:
        if above.exists():
            if not above.is_dir():
                from rnnkit.errors import InputError

                raise InputError(f"{str(path)!r} goes under {str(above)!r}, which is a file, "
                                 "not a directory. Pass a path under a directory.")
            return


def temp_dir(target: Path) -> Path:
    """A new empty directory beside ``target``, with the umask's permissions."""
    make_parent(target)
    remove_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(target), dir=target.parent))
    os.chmod(tmp, 0o777 & ~umask())
    return tmp


def replace_dir(new: Path, target: Path) -> None:
    """Put directory ``new`` at ``target`` in one step: a rename when ``target`` is absent,
    else an atomic exchange of the two (then the old one, now at ``new``, is removed). Where
    the system has no exchange, the old one is moved aside first (a kill between the two
    renames then leaves the old version at ``.NAME.tmp-PID-old``)."""
    if not target.exists():
        _rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)
        return
    old = target.with_name(f"{temp_prefix(target)}old")
    _rename(target, old)
    try:
        _rename(new, target)
    except BaseException:
        _rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


OUTPUTS = ".rnnkit-outputs.json"  # in an output directory: what each command wrote there last


@contextlib.contextmanager
def staged_dir(target: str | os.PathLike, writer: str | None = None) -> Iterator[Path]:
    """Write a run's outputs: yields an empty directory; when the block ends without an
    error, what it holds moves to ``target``; on an error nothing at ``target`` changes.

    A new ``target`` appears whole, in one rename. An existing one is never moved or
    replaced as a whole (the user's other files there, links to them, files open for
    writing and a shell inside it stay as they are): each output moves in by one rename, a
    directory (``model/``) by one exchange that carries the user's other files in it over,
    directories first. So a kill leaves every output whole, old or new. A file at an
    output's name that no rnnkit run is recorded to have written (the user's data, say) is
    kept beside it as ``NAME.~1~`` (said on stderr), never overwritten. ``writer`` (the
    command, "rnnkit backtest") records its outputs in ``.rnnkit-outputs.json``, with their
    sizes and times; those of its last run that this one did not write (a figure of a
    strategy no longer run) are removed if unchanged since. Another command's outputs of
    the same names are replaced (they are rnnkit's, and now this command's); of other names
    they stay, as does anything else."""
    from rnnkit.errors import InputError

    target = Path(target).resolve()  # "." and ".." get a name; a link is written through
    if target.exists() and not target.is_dir():
        raise InputError(f"--out {str(target)!r} is a file; the outputs go in a directory. "
                         "Pass a directory name.")
    fresh = not target.exists()
    if fresh:
        stage = temp_dir(target)
    else:
        remove_stale(target / ".rnnkit-stage")
        stage = Path(tempfile.mkdtemp(prefix=temp_prefix(target / ".rnnkit-stage"),
                                      dir=target))
        os.chmod(stage, 0o777 & ~umask())
    try:
        yield stage
        outputs = {} if fresh else _outputs(target)
        if writer is not None:
            import json

            written = {p.relative_to(stage).as_posix(): _stat(p) for p in stage.rglob("*")
                       if not p.is_dir() or p.is_symlink()}
            others = {w: {n: st for n, st in files.items() if n not in written}
                      for w, files in outputs.items() if w != writer}  # now this one's
            (stage / OUTPUTS).write_text(json.dumps(others | {writer: written}, indent=1),
                                         encoding="utf-8")
        if fresh and not target.exists():
            _rename(stage, target)
            return
        _check_kinds(stage, target)  # every clash before any output moves
        ours: dict[str, list[list[int]]] = {}  # name -> each command's record of it
        for files in outputs.values():
            for name, stat in files.items():
                ours.setdefault(name, []).append(stat)
        _move_in(stage, target, ours)
        if writer is not None:
            _remove_stale(target, outputs.get(writer, {}), written)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _stat(path: Path) -> list[int]:
    st = path.lstat()
    return [st.st_size, st.st_mtime_ns]


def _outputs(target: Path) -> dict[str, dict[str, list[int]]]:
    """What each command wrote into ``target`` last: name -> [size, mtime_ns] (entries of
    another shape, a hand-edited file, are ignored)."""
    import json

    try:
        outputs = json.loads((target / OUTPUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(outputs, dict):
        return {}
    return {writer: {name: stat for name, stat in files.items()
                     if isinstance(name, str) and isinstance(stat, list) and len(stat) == 2
                     and all(isinstance(v, int) for v in stat)}
            for writer, files in outputs.items() if isinstance(files, dict)}


def _check_kinds(stage: Path, target: Path) -> None:
    from rnnkit.errors import InputError

    for entry in stage.iterdir():
        there = target / entry.name
        new_dir = entry.is_dir() and not entry.is_symlink()
        if there.is_symlink() or not there.exists():
            continue  # a link is replaced (what it points to stays)
        if new_dir != there.is_dir():
            kind = "directory" if new_dir else "file"
            raise InputError(f"--out {str(target)!r} holds {entry.name!r}, where this run "
                             f"writes a {kind} of that name. Move it, or pass another --out.")


def _move_in(stage: Path, target: Path, ours: dict[str, list[list[int]]]) -> None:
    """Each entry of ``stage`` into ``target`` in one step (directories first, the list of
    outputs last). What stands at an output's name and is not recorded in ``ours`` (by any
    command) as an output unchanged since (its size and time) is the user's: kept as
    ``NAME.~N~``."""
    entries = sorted(stage.iterdir(), key=lambda p: (p.name == OUTPUTS,
                                                     not p.is_dir() or p.is_symlink(), p.name))
    for entry in entries:
        there = target / entry.name
        new_dir = entry.is_dir() and not entry.is_symlink()
        if there.is_symlink() and new_dir:
            there.unlink()  # a rename cannot put a directory over a link
        if new_dir and there.is_dir():
            if _recorded(there, entry, target, ours):
                carry_over(there, entry)
                replace_dir(entry, there)
                continue
            kept = _backup_name(there)
            _rename(there, kept)  # the user's folder (a model of theirs), whole
            _say_kept(there, kept)
        elif entry.name != OUTPUTS and there.is_file() and not there.is_symlink() and \
                _stat(there) not in ours.get(entry.name, []):
            kept = _backup_name(there)
            try:
                os.link(there, kept)  # the user's file stays whole under its new name
            except OSError:
                shutil.copy2(there, kept)
            _say_kept(there, kept)
        _rename(entry, there)


def _recorded(old: Path, new: Path, target: Path, ours: dict[str, list[list[int]]]) -> bool:
    """Whether every file of ``old`` that ``new`` rewrites is an output recorded unchanged
    (a model folder of an earlier run: exchanged, the user's other files carried over)."""
    for path in new.rglob("*"):
        there = old / path.relative_to(new)
        if there.is_file() and \
                _stat(there) not in ours.get(there.relative_to(target).as_posix(), []):
            return False
    return True


def _say_kept(there: Path, kept: Path) -> None:
    print(f"rnnkit: {str(there)!r} has no record of being an unchanged rnnkit output; kept "
          f"as {kept.name!r} beside the new one", file=sys.stderr)


def _backup_name(path: Path) -> Path:
    n = 1
    while os.path.lexists(path.with_name(f"{path.name}.~{n}~")):  # a dangling link too
        n += 1
    return path.with_name(f"{path.name}.~{n}~")


def _remove_stale(target: Path, before: dict[str, list[int]], written: dict) -> None:
    """The files of the writer's last run that this one did not write, where unchanged
    since (same size and time: not edited, not replaced by the user); then the folders
    that left empty."""
    folders = set()
    for name, stat in before.items():
        if name in written or name == OUTPUTS or ".." in Path(name).parts or \
                Path(name).is_absolute():
            continue
        path = target / name
        inside = all(not p.is_symlink() for p in [path, *path.parents]
                     if p != target and target in p.parents)  # never through a link
        if inside and path.is_file() and _stat(path) == stat:
            path.unlink(missing_ok=True)
            folders.update(p for p in path.parents if p != target and target in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only where it is empty


def carry_over(old: Path, new: Path) -> None:
    """Copy into ``new`` the entries of ``old`` it does not hold, directory by directory (a
    user's notes in a model directory that ``new`` rewrites stay). An entry of ``new`` that
    stands where ``old`` has one of another kind (a file for a directory) wins."""
    for entry in old.iterdir():
        if ".tmp-" in entry.name:
            continue
        there = new / entry.name
        if not there.exists() and not there.is_symlink():
            copy_entry(entry, there)
        elif entry.is_dir() and not entry.is_symlink() and there.is_dir() \
                and not there.is_symlink():
            carry_over(entry, there)


def temp_prefix(target: Path) -> str:
    return f".{target.name}.tmp-{os.getpid()}-"


def remove_stale(target: Path) -> None:
    """Remove temporary files and directories of ``target`` left by killed processes."""
    prefix = f".{target.name}.tmp-"
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def copy_entry(src: Path, dst: Path) -> None:
    """Copy a file (a hard link where possible) or a directory tree, links kept as links."""
    if src.is_dir() and not src.is_symlink():
        shutil.copytree(src, dst, symlinks=True)
    else:
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:
            shutil.copy2(src, dst, follow_symlinks=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _rename(a: str | os.PathLike, b: str | os.PathLike) -> None:
    os.replace(a, b)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    return False  # e.g. a file system without exchange: the caller falls back


_LIBC: list = []


def _renameat2():
    if not _LIBC:
        fn = None
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(None, use_errno=True)  # the process's own libc
                fn = libc.renameat2
                fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                               ctypes.c_uint]
                fn.restype = ctypes.c_int
            except (OSError, AttributeError):
                fn = None
        _LIBC.append(fn)
    return _LIBC[0]
