"""Process-level tuning that rnnkit applies once, when its torch layers are imported.

glibc's malloc serves the large buffers of recurrent kernels (tens of MB per batch) with
``mmap`` and unmaps them on free, so every batch faults its pages in again: about 40% of a
CPU training run is spent in the kernel on minor page faults. Telling the allocator to keep
its memory (``M_MMAP_MAX=0`` and a very large ``M_TRIM_THRESHOLD``) removes that storm at
the cost of a few hundred MB of peak memory that the process keeps until it exits.

Set ``RNNKIT_TUNE_MALLOC=0`` to opt out. On anything but Linux with glibc this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

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
