"""Checkpoints of one training run: everything the loop needs to continue exactly where it
stopped — the weights, the optimiser's moments and step count, the epoch and step reached,
the shuffling generator and the global RNG (dropout), early stopping's best weights, loss and
patience, the history — in one safetensors file (tensors, and JSON in its metadata; no
pickle), written atomically. A run resumed from its checkpoint ends with the weights an
uninterrupted run would have (on CPU, unless the clock stopped it: ``TrainConfig.max_time``
depends on the clock).
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from rnnkit.errors import ArtifactError
from rnnkit.files import write_bytes_atomic


class Checkpoint:
    """Where one run's checkpoint lives, and when to write it.

    Args:
        path: the file (``.safetensors``); its directory is created.
        every: seconds between writes (the end of an epoch after that much time; the first
            epoch and the finished run are always written).
    """

    def __init__(self, path: str | os.PathLike, every: float = 30.0) -> None:
        self.path, self.every, self.last = Path(path), every, -math.inf

    def due(self, epoch: int) -> bool:
        return epoch == 1 or time.monotonic() - self.last >= self.every

    def save(self, module, optimizer, generator: torch.Generator, stopping, history,
             epoch: int, done: int, finished: bool = False) -> None:
        tensors = {f"model.{k}": v.detach().cpu().contiguous()
                   for k, v in module.state_dict().items()}
        if stopping.best_state is not None:
            tensors.update({f"best.{k}": v.detach().cpu().contiguous()
                            for k, v in stopping.best_state.items()})
        for i, (m, v) in enumerate(zip(optimizer.exp_avgs, optimizer.exp_avg_sqs, strict=True)):
            tensors[f"adam.m.{i}"] = _dense(m)
            tensors[f"adam.v.{i}"] = _dense(v)
        tensors["rng.generator"] = generator.get_state()
        tensors["rng.global"] = torch.get_rng_state()
        state = {"epoch": epoch, "done": done, "finished": finished,
                 "adam_steps": optimizer.steps, "best_loss": _finite(stopping.best_loss),
                 "stale": stopping.stale, "has_best": stopping.best_state is not None,
                 "history": asdict(history)}
        blob = save_tensors(tensors, metadata={"rnnkit_checkpoint": json.dumps(state)})
        write_bytes_atomic(self.path, blob)
        self.last = time.monotonic()

    def load(self) -> tuple[dict, dict[str, torch.Tensor]] | None:
        """``(state, tensors)``, or None when there is no checkpoint yet."""
        if not self.path.is_file():
            return None
        data = self.path.read_bytes()
        try:
            tensors = load_tensors(data)
            header = json.loads(data[8:8 + int.from_bytes(data[:8], "little")])
            state = json.loads(header["__metadata__"]["rnnkit_checkpoint"])
        except Exception as e:  # noqa: BLE001 - any damage is the same answer
            raise ArtifactError(f"checkpoint {self.path} is damaged ({type(e).__name__}). "
                                "Delete it to start the run again.") from e
        return state, tensors

    def restore(self, loaded, module, optimizer, generator: torch.Generator, stopping,
                history) -> tuple[int, int, bool]:
        """Put a loaded checkpoint back; returns ``(epoch, done, finished)``."""
        state, tensors = loaded
        module.load_state_dict(_part(tensors, "model."))
        if state["has_best"]:
            stopping.best_state = _part(tensors, "best.")
        stopping.best_loss = math.inf if state["best_loss"] is None else state["best_loss"]
        stopping.stale = state["stale"]
        for i in range(len(optimizer.exp_avgs)):
            optimizer.exp_avgs[i].copy_(tensors[f"adam.m.{i}"])
            optimizer.exp_avg_sqs[i].copy_(tensors[f"adam.v.{i}"])
        optimizer.steps = state["adam_steps"]
        generator.set_state(tensors["rng.generator"])
        torch.set_rng_state(tensors["rng.global"])
        for key, value in state["history"].items():
            setattr(history, key, value)
        return state["epoch"], state["done"], state["finished"]


def _part(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}


def _dense(t: torch.Tensor) -> torch.Tensor:
    return (t.to_dense() if t.is_sparse else t).detach().cpu().contiguous()


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


CHECKPOINT_NAME = re.compile(r"(fit|refit)-\d+\.safetensors")


@dataclass(frozen=True)
class CheckpointDir:
    """Where the runs of one fit checkpoint, and how often."""

    path: Path
    every: float = 30.0

    def file(self, phase: str, run: int) -> str:
        return str(self.path / f"{phase}-{run}.safetensors")


def prepare(directory: str | os.PathLike, fingerprint: str, resume: bool) -> Path:
    """The checkpoint directory of a fit: with ``resume``, it must hold a checkpoint of the
    same fit (same arguments and data, as ``fingerprint`` says); without, any old checkpoint
    there is removed and this fit's fingerprint written."""
    from rnnkit.errors import InputError

    directory = Path(directory)
    marker = directory / "fit.json"
    if directory.exists() and not directory.is_dir():
        raise InputError(f"checkpoint={str(directory)!r} is a file; the checkpoints go in a "
                         "directory. Pass a directory name (a new one is made).")
    if resume:
        if not marker.is_file():
            raise InputError(f"checkpoint={str(directory)!r} holds no checkpoint to resume. "
                             "Pass the directory a killed fit wrote, or fit without resume.")
        try:
            found = json.loads(marker.read_text()).get("fingerprint")
        except (ValueError, AttributeError, OSError) as e:
            raise InputError(f"checkpoint={str(directory)!r} has a damaged fit.json ({e}). "
                             "Delete that directory, or fit without resume.") from e
        if found != fingerprint:
            raise InputError(f"checkpoint={str(directory)!r} holds a fit of other arguments "
                             "or data. Pass the same ones to resume, or use a new directory.")
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.safetensors"):  # rnnkit's own checkpoints only
        if CHECKPOINT_NAME.fullmatch(old.name):
            old.unlink()
    write_bytes_atomic(marker, json.dumps({"fingerprint": fingerprint}).encode())
    return directory
