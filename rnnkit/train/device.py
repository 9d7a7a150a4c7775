"""Where training runs: CPU or CUDA, and in which precision."""

from __future__ import annotations

import contextlib
import functools
import os

import torch

from rnnkit.errors import InputError

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("float32", "bf16")


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks the GPU when torch sees one, else the CPU.

    Under torchrun each process takes the GPU of its ``LOCAL_RANK``.
    """
    if name not in DEVICES and not str(name).startswith("cuda:"):
        raise InputError(
            f"device={name!r} is not known; expected one of {list(DEVICES)} (or 'cuda:N'). "
            "Pass device='auto'."
        )
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if str(name).startswith("cuda"):
        if not torch.cuda.is_available():
            raise InputError(
                f"device={name!r} was asked for, but torch sees no CUDA GPU (this torch is "
                f"{torch.__version__}). Pass device='cpu' or 'auto'."
            )
        if name == "cuda" and "LOCAL_RANK" in os.environ:
            return torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    return torch.device(name)


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager:
    """bf16 autocast for ``precision='bf16'``; a no-op context for float32."""
    if precision not in PRECISIONS:
        raise InputError(
            f"precision={precision!r} is not known; expected one of {list(PRECISIONS)}. "
            "Pass precision='float32' (default) or 'bf16'."
        )
    if precision == "float32":
        return contextlib.nullcontext()
    if device.type == "cpu" and not cpu_has_bf16():
        raise InputError(
            "precision='bf16' needs a CPU with native bfloat16 (AVX-512 BF16 or AMX) or a CUDA "
            f"GPU; this CPU offers {torch.backends.cpu.get_cpu_capability()} only, and torch's "
            "LSTM cannot run in bf16 on it. Pass precision='float32'."
        )
    return torch.autocast(device.type, dtype=torch.bfloat16)


@functools.cache
def cpu_has_bf16() -> bool:
    """Whether oneDNN runs bfloat16 kernels natively on this CPU."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Copy to ``device`` once; through pinned memory when the target is a GPU."""
    if device.type == "cuda" and tensor.device.type == "cpu":
        return tensor.pin_memory().to(device, non_blocking=True)
    return tensor.to(device)
