"""The one training loop: readable, in a fixed order, over in-memory tensors."""

from __future__ import annotations

import contextlib
import contextvars
import copy
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from rnnkit.errors import InputError, TrainingError, warn
from rnnkit.runtime import flushing_denormals, tune_malloc
from rnnkit.train import distributed
from rnnkit.train.adam import Adam
from rnnkit.train.batches import Batches
from rnnkit.train.checkpoint import Checkpoint
from rnnkit.train.config import TrainConfig
from rnnkit.train.device import autocast, resolve_device
from rnnkit.train.schedule import learning_rate

tune_malloc()

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class History:
    """What happened in training, epoch by epoch."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = 0  # 1-based epoch whose weights were kept
    stopped_early: bool = False
    seconds: float = 0.0
    samples_per_second: float = 0.0
    first_batch_at: float = 0.0  # wall-clock time (time.time()) when the first batch finished
    stopped_by_time: bool = False  # max_time ran out before the budget or early stopping
    initial_val_loss: float | None = None  # the untrained network's, when it was a candidate
    fault: str | None = None  # why training stopped early on a fault (a NaN loss), if it did

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss)

    @classmethod
    def from_dict(cls, d: dict) -> History:
        return cls(d["train_loss"], d["val_loss"], d["best_epoch"], d["stopped_early"],
                   d["seconds"], d["samples_per_second"], d.get("first_batch_at", 0.0),
                   d.get("stopped_by_time", False), d.get("initial_val_loss"), d.get("fault"))

    def to_dict(self) -> dict:
        return {
            "train_loss": self.train_loss,
            "val_loss": self.val_loss,
            "best_epoch": self.best_epoch,
            "stopped_early": self.stopped_early,
            "epochs_run": self.epochs_run,
            "seconds": self.seconds,
            "samples_per_second": self.samples_per_second,
            "first_batch_at": self.first_batch_at,
            "stopped_by_time": self.stopped_by_time,
            "initial_val_loss": self.initial_val_loss,
            "fault": self.fault,
        }


def regression_loss(name: str) -> LossFn:
    """The loss function for a name in ``TrainConfig.loss``."""
    return {"mse": nn.functional.mse_loss, "mae": nn.functional.l1_loss,
            "huber": nn.functional.huber_loss}[name]


def pinball_loss(levels: tuple[float, ...]) -> LossFn:
    """The quantile (pinball) loss averaged over levels, steps and samples.

    Shapes:
        prediction: ``[B, H, Q]``; target: ``[B, H, 1]``.
    """
    tau = torch.tensor(levels)

    def loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        error = target - prediction  # [B, H, Q]: positive when the quantile is too low
        # the levels in float32 whatever the prediction's precision (0.9 in bf16 is 0.898)
        t = tau.to(prediction.device, torch.float32)
        return torch.maximum(t * error, (t - 1) * error).mean()

    return loss


@torch.inference_mode()
def mean_loss(module: nn.Module, data: Batches, loss_fn: LossFn, batch_size: int = 4096,
              precision: str = "float32") -> float:
    """The mean loss over all samples of ``data``, in eval mode, without gradients."""
    was_training = module.training
    module.eval()
    device = next(module.parameters()).device
    total, n = torch.zeros((), dtype=torch.float64, device=device), len(data)
    for start in range(0, n, batch_size):
        index = torch.arange(start, min(start + batch_size, n))
        inputs, target = data.get(index)
        with autocast(device, precision):
            loss = loss_fn(module(*inputs), target)
        total += loss.double() * len(index)
    module.train(was_training)
    return (total / n).item()


@flushing_denormals()
def train_model(
    module: nn.Module,
    train: Batches,
    config: TrainConfig,
    val: Batches | None = None,
    loss_fn: LossFn | None = None,
) -> History:
    """Train ``module`` in place and return its history; the best weights are restored.

    Order of one epoch: shuffle the training indices, then per batch gather, forward, loss,
    zero grads, backward, clip, step; then validate once. The loss is read back from the
    tensor once per epoch (not per batch) so no batch waits on a host synchronisation.

    Under torchrun (see :mod:`rnnkit.train.distributed`) every rank draws the same shuffle,
    trains on its own shard of each global batch of ``batch_size`` samples, and DDP averages
    the gradients; validation and early stopping are identical on every rank.

    Args:
        module: the network; called as ``module(*inputs)`` on each batch.
        train: training samples.
        config: epochs, batch size, optimiser, early stopping, seed.
        val: validation samples for early stopping; None trains all epochs on ``train``.
        loss_fn: ``loss(prediction, target)``; defaults to ``config.loss``.
    """
    loss_fn = loss_fn or regression_loss(config.loss)
    device, train, val = place(module, train, val, config)
    where = distributed.current()
    net = module
    if where.active:
        ids = [device.index] if device.type == "cuda" else None
        net = nn.parallel.DistributedDataParallel(module, device_ids=ids)
    generator = torch.Generator().manual_seed(config.seed)
    torch.manual_seed(config.seed)  # dropout draws from the global generator
    optimizer = Adam(module.parameters(), lr=config.learning_rate,
                     weight_decay=config.weight_decay, decoupled=True)
    history = History()
    stopping = EarlyStopping(config, val is not None and len(val) > 0)
    n, bs = len(train), config.batch_size
    if config.epoch_size is not None and getattr(train, "batch_order", None) is not None:
        raise InputError(
            f"epoch_size={config.epoch_size} draws windows per epoch; these batches are drawn "
            "by length, every sequence once an epoch. Pass epoch_size=None, and max_steps= or "
            "epochs= for the budget.")
    drawn = min(n, config.epoch_size or n)  # samples per epoch
    total, epochs = budget(config, drawn)
    checkpoint = Checkpoint(config.checkpoint, config.checkpoint_every) \
        if config.checkpoint else None
    loaded = checkpoint.load() if checkpoint is not None else None
    first, done = 1, 0  # the first epoch to run, optimiser steps taken
    if loaded is not None:
        last, done, finished = checkpoint.restore(loaded, module, optimizer, generator,
                                                  stopping, history)
        if finished:  # the run had ended: its final weights are back
            module.eval()
            return history
        first = last + 1
    elif stopping.has_val and config.keep_initial:
        stopping.start(module, history, mean_loss(module, val, loss_fn,
                                                  precision=config.precision))
    progress = Progress(config.verbose if where.is_main else 0, epochs)
    started = time.perf_counter()
    epoch = first - 1
    for epoch in range(first, epochs + 1):
        module.train()
        summed = torch.zeros((), device=device)
        seen = 0
        for index in batch_order(train, bs, generator, drawn):
            if done == total:
                break
            local = distributed.shard(index, where)
            share = len(local)
            if share == 0:  # fewer samples than ranks: this rank still takes part in the
                local = index[:1]  # step (DDP's collectives), with a sample weighted 0
            optimizer.lr = learning_rate(done, total, config.learning_rate, config.schedule)
            inputs, target = train.get(local)
            with autocast(device, config.precision):
                loss = loss_fn(net(*inputs), target)
            # weight by this shard's share so DDP's mean over ranks is the global batch's mean
            scaled = loss * (share * where.world_size / len(index)) if where.active else loss
            step(module, optimizer, scaled, config)
            summed += loss.detach() * share
            seen += len(index)
            done += 1
            if not history.first_batch_at:
                history.first_batch_at = time.time()
        train_loss = (distributed.all_sum(summed, where) / max(seen, 1)).item()
        val_loss = None
        if stopping.has_val:
            val_loss = mean_loss(module, val, loss_fn, precision=config.precision)
        for listener in _LISTENERS.get():  # e.g. a search pruning a bad trial
            listener(epoch, train_loss, val_loss)
        if stopping.end_epoch(module, history, epoch, train_loss, val_loss, progress):
            break
        if epoch == first and where.is_main:
            progress.estimate(time.perf_counter() - started, epochs - first + 1,
                              config.max_time)
        # after the budget's last epoch there is no next epoch for the time to cut short
        if epoch < epochs and done < total and \
                out_of_time(config, started, epoch - first + 1, where):
            history.stopped_by_time = True
            break
        if checkpoint is not None and where.is_main and checkpoint.due(epoch):
            checkpoint.save(module, optimizer, generator, stopping, history, epoch, done)
    history = finish(module, history, stopping, progress, started, drawn)
    if checkpoint is not None and where.is_main:
        checkpoint.save(module, optimizer, generator, stopping, history, epoch, done,
                        finished=True)
    return history


_LISTENERS: contextvars.ContextVar[tuple[Callable, ...]] = contextvars.ContextVar(
    "rnnkit_epoch_listeners", default=())


@contextlib.contextmanager
def listening(listener: Callable[[int, float, float | None], None]):
    """Within the block, every epoch of every training calls ``listener(epoch, train_loss,
    val_loss)`` after validating; an exception it raises ends that training (how a search
    prunes a trial whose learning curve is worse than its peers')."""
    token = _LISTENERS.set(_LISTENERS.get() + (listener,))
    try:
        yield
    finally:
        _LISTENERS.reset(token)


def out_of_time(config: TrainConfig, started: float, epochs_done: int,
                where: distributed.Dist | None = None) -> bool:
    """Whether one more epoch (at the mean pace so far) would overrun ``max_time``. Under
    torchrun the ranks decide together (any rank out of time stops them all): a rank that
    stopped alone would leave the others waiting in the next step's collectives."""
    if config.max_time is None:
        return False
    elapsed = time.perf_counter() - started
    late = elapsed + elapsed / epochs_done > config.max_time
    if where is not None and where.active:
        late = bool(distributed.all_sum(torch.tensor(float(late)), where).item() > 0)
    return late


def budget(config: TrainConfig, n: int) -> tuple[int, int]:
    """(optimiser steps, epochs) of a run over ``n`` samples: ``max_steps`` when set, else
    ``epochs`` full passes."""
    per_epoch = max(1, math.ceil(n / config.batch_size))
    if config.max_steps is None:
        return config.epochs * per_epoch, config.epochs
    return config.max_steps, math.ceil(config.max_steps / per_epoch)


def batch_order(data: Batches, batch_size: int, generator: torch.Generator,
                drawn: int | None = None):
    """The batches of one epoch: the data's own order when it has one (e.g. grouped by
    length), else a shuffle cut into ``batch_size`` pieces; with ``drawn`` below the data's
    size, only the first ``drawn`` samples of the shuffle (a fresh draw every epoch)."""
    own = getattr(data, "batch_order", None)
    if own is not None:
        return own(batch_size, generator)
    order = torch.randperm(len(data), generator=generator)[:drawn]
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def place(module: nn.Module, train, val, config: TrainConfig):
    """Threads set, and the module and the data on the configured device (copied once)."""
    if config.threads:
        torch.set_num_threads(config.threads)
    device = resolve_device(config.device)
    module.to(device)
    return device, train.to(device), (val.to(device) if val is not None else None)


def finish(module: nn.Module, history: History, stopping: EarlyStopping, progress: Progress,
           started: float, n: int) -> History:
    """The best weights back, eval mode, and the run's time and throughput recorded."""
    progress.close()
    stopping.restore(module)
    module.eval()
    history.seconds = time.perf_counter() - started
    history.samples_per_second = n * history.epochs_run / max(history.seconds, 1e-9)
    return history


def step(module: nn.Module, optimizer: Adam, loss: torch.Tensor, config: TrainConfig) -> None:
    """One update: clear the gradients, backward, clip, step."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if config.clip_norm > 0:
        clip_gradients(optimizer.params, config.clip_norm)
    optimizer.step()


def clip_gradients(params: list[torch.Tensor], max_norm: float) -> None:
    """Scale the gradients so their global norm is at most ``max_norm``, as torch's
    ``clip_grad_norm_``, sparse gradients (an embedding's) included."""
    grads = [p.grad for p in params if p.grad is not None]
    if not any(g.is_sparse for g in grads):
        nn.utils.clip_grad_norm_(params, max_norm)
        return
    for p in params:
        if p.grad is not None and p.grad.is_sparse:
            p.grad = p.grad.coalesce()  # repeated rows summed before their norm counts
    grads = [p.grad for p in params if p.grad is not None]
    dense = [g for g in grads if not g.is_sparse]
    squares = [g._values().pow(2).sum() for g in grads if g.is_sparse]
    squares += [n.pow(2) for n in torch._foreach_norm(dense)] if dense else []
    total = torch.stack(squares).sum().sqrt()
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)


class EarlyStopping:
    """Keeps the weights of the best epoch (validation loss, else training loss) and says
    when ``patience`` epochs have passed without improvement."""

    def __init__(self, config: TrainConfig, has_val: bool) -> None:
        self.config, self.has_val = config, has_val
        self.best_loss, self.best_state, self.stale = math.inf, None, 0

    def start(self, module: nn.Module, history: History, val_loss: float) -> None:
        """The untrained network as the first candidate (epoch 0)."""
        self.best_loss, self.best_state = val_loss, copy.deepcopy(module.state_dict())
        history.initial_val_loss = val_loss

    def end_epoch(self, module: nn.Module, history: History, epoch: int, train_loss: float,
                  val_loss: float | None, progress: Progress) -> bool:
        """Record the epoch; True when training should stop."""
        if not math.isfinite(train_loss) or (val_loss is not None
                                             and not math.isfinite(val_loss)):
            return self.fault(history, epoch, train_loss if not math.isfinite(train_loss)
                              else val_loss, progress)
        history.train_loss.append(train_loss)
        monitored = train_loss if val_loss is None else val_loss
        if val_loss is not None:
            history.val_loss.append(val_loss)
        if monitored < self.best_loss - self.config.min_delta:
            self.best_loss, self.stale, history.best_epoch = monitored, 0, epoch
            self.best_state = copy.deepcopy(module.state_dict())
        else:
            self.stale += 1
        progress.update(epoch, train_loss, val_loss)
        if self.has_val and self.config.patience and self.stale >= self.config.patience:
            history.stopped_early = True
            return True
        return False

    def fault(self, history: History, epoch: int, loss: float, progress: Progress) -> bool:
        """A loss that became NaN or infinite: stop with the best weights so far (warned),
        or raise TrainingError when no epoch was good."""
        fix = (f"Lower learning_rate (now {self.config.learning_rate}), keep clip_norm > 0, "
               "or check the data for extreme values.")
        if self.best_state is None:
            progress.close()
            raise TrainingError(f"the training loss became {loss} at epoch {epoch}, before "
                                f"any epoch finished with a finite loss. {fix}")
        history.fault = (f"the loss became {loss} at epoch {epoch}; training stopped and kept "
                         f"epoch {history.best_epoch}'s weights. {fix}")
        warn(history.fault, RuntimeWarning)
        return True

    def restore(self, module: nn.Module) -> None:
        if self.best_state is not None:
            module.load_state_dict(self.best_state)


class Progress:
    """A rich progress bar on a terminal (verbose=1; elsewhere a line every 10 s), a line per
    epoch (verbose=2), or nothing."""

    every = 10.0  # seconds between progress lines when stderr is not a terminal

    def __init__(self, verbose: int, epochs: int) -> None:
        self.verbose, self.bar, self.task = verbose, None, None
        self.epochs, self.printed = epochs, time.monotonic()
        if verbose == 1 and sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("epoch {task.completed}/{task.total}"),
                BarColumn(),
                TextColumn("{task.fields[losses]}"),
                TimeElapsedColumn(),
                transient=True,
            )
            self.task = self.bar.add_task("train", total=epochs, losses="")
            self.bar.start()

    def update(self, epoch: int, train_loss: float, val_loss: float | None) -> None:
        text = f"train {train_loss:.4g}" + ("" if val_loss is None else f"  val {val_loss:.4g}")
        if self.bar is not None:
            self.bar.update(self.task, completed=epoch, losses=text)
        elif self.verbose >= 2:
            print(f"epoch {epoch}: {text}", file=sys.stderr)
        elif self.verbose == 1 and time.monotonic() - self.printed >= self.every:
            # not a terminal (a log, a pipe, CI): one line every ``every`` seconds, as pip does
            self.printed = time.monotonic()
            print(f"epoch {epoch}/{self.epochs}: {text}", file=sys.stderr, flush=True)

    def estimate(self, first_epoch: float, epochs: int, max_time: float | None) -> None:
        """After the first epoch, the longest the run can take, when that is long (> 30 s)."""
        longest = first_epoch * epochs
        if self.verbose and longest > 30:
            cap = f"; max_time stops it at {max_time:.0f} s" if max_time and \
                max_time < longest else ""
            print(f"training: {first_epoch:.1f} s per epoch, up to {epochs} epochs: at most "
                  f"about {longest:.0f} s (early stopping usually ends sooner){cap}",
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
