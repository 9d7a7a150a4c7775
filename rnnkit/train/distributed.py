"""Data-parallel training on ``torchrun``: one process per rank, gradients averaged by DDP.

``torchrun --nproc-per-node N -m rnnkit forecast ...`` sets ``RANK``, ``WORLD_SIZE``,
``MASTER_ADDR`` and ``MASTER_PORT``; :func:`setup` joins the process group (gloo on CPU, NCCL
on CUDA). Each global batch is cut into disjoint, equal-as-possible shards, one per rank, and
each rank's loss is weighted by its share so that DDP's average equals the loss of the whole
global batch: N processes train the same model as one process on the same batches.
"""

from __future__ import annotations

import atexit
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Dist:
    """Where this process stands in a data-parallel job."""

    rank: int = 0
    world_size: int = 1

    @property
    def active(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def setup(backend: str | None = None) -> Dist:
    """Join the process group that torchrun describes in the environment; a no-op without one."""
    if dist.is_available() and dist.is_initialized():
        return Dist(dist.get_rank(), dist.get_world_size())
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1 or not dist.is_available():
        return Dist()
    backend = backend or ("nccl" if torch.cuda.is_available() else "gloo")
    dist.init_process_group(backend=backend)
    atexit.register(_leave)  # a group left standing can abort the process at its exit
    return Dist(dist.get_rank(), dist.get_world_size())


def _leave() -> None:
    """Tear the process group down before the interpreter exits, once every rank has come
    this far: a rank that finished first (rank 1, while rank 0 still saves) could die in its
    communication threads' destructors ("terminate called without an active exception",
    exit -6), failing a run that had succeeded. (A rank that failed is stopped by torchrun,
    which ends the others: the barrier never waits for a dead rank.)"""
    if dist.is_available() and dist.is_initialized():
        try:
            dist.barrier()
        finally:
            dist.destroy_process_group()


def current() -> Dist:
    """The data-parallel position of this process (rank 0 of 1 when not distributed)."""
    if dist.is_available() and dist.is_initialized():
        return Dist(dist.get_rank(), dist.get_world_size())
    return Dist()


def is_main_process() -> bool:
    """True on rank 0 (and when not distributed): the only rank that writes files or prints."""
    return current().is_main


def shard(index: torch.Tensor, where: Dist) -> torch.Tensor:
    """This rank's disjoint part of a global batch of indices."""
    return index[where.rank :: where.world_size]


def all_sum(value: torch.Tensor, where: Dist) -> torch.Tensor:
    """Sum a tensor over ranks (identity when not distributed)."""
    if where.active:
        value = value.clone()
        dist.all_reduce(value, op=dist.ReduceOp.SUM)
    return value
