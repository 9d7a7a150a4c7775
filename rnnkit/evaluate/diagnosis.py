"""Reading learning curves the way the tutorials do: underfit, overfit or a good fit."""

from __future__ import annotations

import numpy as np

RISE = 0.10  # a validation loss 10% above its minimum at the end counts as overfitting


def diagnose(train_losses: list[list[float]], val_losses: list[list[float]],
             stopped_by_time: list[bool] | None = None,
             initial: list[float | None] | None = None, counted: bool = True) -> str:
    """One sentence per verdict, over one or several runs, and one more where the time
    budget (``max_time``) cut runs short: their weights then depend on the machine's speed,
    not on the seed alone.

    - untrained kept: no epoch validated better than the untrained network (``initial``:
      each run's epoch-0 validation loss, where it was a candidate): its forecast is kept;
    - underfit: the validation loss was still falling at the last epoch (the run stopped
      before it stopped improving): train longer or use a larger model;
    - overfit: the validation loss reached its minimum at epoch k and then rose by x%;
    - good fit: the validation minimum came before the end and the loss stayed near it.
    """
    return _curves(train_losses, val_losses, initial or [None] * len(val_losses)) + \
        time_note(stopped_by_time or [], counted)


def time_note(stopped: list[bool], counted: bool = True) -> str:
    """A sentence (with a leading space) when the time budget stopped any of the runs;
    ``counted``: whether the budget was first a count of epochs (window training on CPU:
    then only a machine slower than the reference one is stopped by the clock)."""
    cut = sum(stopped)
    if not cut:
        return ""
    share = f"{cut} of {len(stopped)} runs" if len(stopped) > 1 else "the run"
    why = "this machine trained slower than the 2 CPU cores its epochs are sized on, so " \
        if counted else ""
    return (f" The time budget (max_time) stopped {share} before early stopping decided: "
            f"{why}the weights depend on this machine's speed and load, not on the seed "
            "alone; pass max_time=None (or a larger one) for weights that the seed and data "
            "decide.")


def _curves(train_losses: list[list[float]], val_losses: list[list[float]],
            initial: list[float | None]) -> str:
    if not any(val_losses):
        return ("no validation curve: pass val_size > 0 to see whether the model under- or "
                "overfits.")
    verdicts = []
    for train, val, start in zip(train_losses, val_losses, initial, strict=True):
        best = int(np.argmin(val))
        rise = (val[-1] - val[best]) / max(abs(val[best]), 1e-12)
        if start is not None and start <= val[best]:
            verdicts.append(("untrained", 0, (val[best] - start) / max(abs(start), 1e-12)))
        elif best == len(val) - 1:  # still improving; how much training fell tells how far
            verdicts.append(("underfit", best + 1, 1 - train[-1] / max(train[0], 1e-12)))
        elif rise > RISE:
            verdicts.append(("overfit", best + 1, rise))
        else:
            verdicts.append(("good fit", best + 1, rise))
    kinds = [v[0] for v in verdicts]
    kind = max(set(kinds), key=kinds.count)
    runs = [v for v in verdicts if v[0] == kind]
    share = f"{len(runs)} of {len(verdicts)} runs" if len(verdicts) > 1 else "the run"
    epoch = int(np.median([v[1] for v in runs]))
    if kind == "untrained":
        worse = 100 * float(np.median([v[2] for v in runs]))
        return (f"no trained epoch beat the untrained network ({share}): the best epoch "
                f"validated {worse:.0f}% worse than epoch 0, so early stopping kept epoch 0, "
                "whose forecast is the window norm's base (with window_norm='season', seasonal "
                "naive, or the last value on daily, hourly or weekly data that do not repeat "
                "their season; on seasonal monthly and quarterly data, the seasonal profile of the "
                "last years; on session data, that of the last week of open days; on weekly "
                "data (direct strategy), the value a year before; on yearly data, the naive "
                "forecast with drift). The network found nothing the base misses on these "
                "validation windows.")
    if kind == "underfit":
        fell = 100 * float(np.median([v[2] for v in runs]))
        return (f"underfit ({share}): the validation loss was still falling at the last epoch "
                f"({epoch}) and the training loss fell {fell:.0f}% in all; train longer (more "
                "epochs, or a larger max_time: a forecaster's max_time caps its epochs) or give "
                "the model more capacity.")
    if kind == "overfit":
        rise = 100 * float(np.median([v[2] for v in runs]))
        return (f"overfit ({share}): the validation loss reached its minimum at epoch {epoch}, "
                f"then rose by {rise:.0f}%; early stopping kept epoch {epoch}'s weights. More "
                "data, dropout or a smaller model would help.")
    return (f"good fit ({share}): the validation loss levelled off around epoch {epoch} and "
            "stayed near its minimum.")
