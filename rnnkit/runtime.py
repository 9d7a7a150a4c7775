"""Process-level tuning: the allocator settings rnnkit applies once, when its torch layers are
imported, and the flushing of denormal floats while it trains.

glibc's malloc serves the large buffers of recurrent kernels (tens of MB per batch) with
``mmap`` and unmaps them on free, so every batch faults its pages in again: about 40% of a
CPU training run is spent in the kernel on minor page faults. Telling the allocator to keep
its memory (``M_MMAP_MAX=0`` and a very large ``M_TRIM_THRESHOLD``) removes that storm at
the cost of a few hundred MB of peak memory that the process keeps until it exits.

Set ``RNNKIT_TUNE_MALLOC=0`` to opt out. On anything but Linux with glibc this is a no-op.

Denormal floats (below about 1e-38) reach a network's gradients and optimiser state as it
converges; on x86 every operation on one takes a slow microcode path. Training flushes
them to zero: the 200-step windows of the dev suite's 5-minute call data trained 1.3x to
3.5x faster per epoch (bench/RESULTS.md), and results stay the same for the same seed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
from collections.abc import Iterator

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_TRIM_THRESHOLD = 1 << 30  # 1 GiB: freed memory below this stays with the process

_state = {"applied": False}


def tune_malloc() -> bool:
    """Apply the allocator settings once. Returns True if glibc accepted them."""
    if _state["applied"]:
        return True
    if os.environ.get("RNNKIT_TUNE_MALLOC", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other libcs have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
    _state["applied"] = ok
    return ok


def malloc_tuned() -> bool:
    """Whether :func:`tune_malloc` has been applied in this process."""
    return _state["applied"]


@contextlib.contextmanager
def flushing_denormals() -> Iterator[None]:
    """Within the block, torch flushes denormal floats to zero (on CPUs that can: x86 with
    SSE3); afterwards the setting is what it was (flushing stays on where the caller had
    turned it on). Like torch's setting, it holds for the calling thread: the threads of an
    intra-op pool started before keep their own."""
    import torch

    before = flushing()
    switched = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if switched and not before:
            torch.set_flush_denormal(False)


def flushing() -> bool:
    """Whether this thread flushes denormal floats now (torch has no getter: a denormal
    times one reads back as zero when it does)."""
    import torch

    return float((torch.tensor([1e-39]) * 1.0)[0]) == 0.0
