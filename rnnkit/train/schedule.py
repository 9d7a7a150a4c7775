"""Learning-rate schedules: pure functions of the step (as nanoGPT's ``get_lr``)."""

from __future__ import annotations

import math

SCHEDULES = ("constant", "onecycle")
WARMUP = 0.1  # share of the steps spent warming up in "onecycle"


def learning_rate(step: int, total: int, peak: float, schedule: str) -> float:
    """The learning rate of optimiser step ``step`` (0-based) of ``total``.

    "constant": ``peak`` throughout. "onecycle" (Smith & Topin's one-cycle policy, as
    fastai and ``torch.optim.lr_scheduler.OneCycleLR`` anneal it): a linear warm-up from
    ``peak / 25`` over the first tenth of the steps, then a cosine decay to ``peak / 1e4``.
    A budget counted in steps ends with a small learning rate whatever the data size, which
    is what lets a fixed budget replace early stopping on small problems.
    """
    if schedule == "constant" or total <= 1:
        return peak
    warm = min(max(1, int(WARMUP * total)), total - 1)  # the last step always decays
    start, end = peak / 25, peak / 1e4
    if step < warm:
        return start + (peak - start) * step / warm
    decay = total - 1 - warm
    progress = 1.0 if decay <= 0 else min(1.0, (step - warm) / decay)
    return end + (peak - end) * 0.5 * (1 + math.cos(math.pi * progress))
