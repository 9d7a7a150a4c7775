"""Explain in words and numbers how series become ``[samples, timesteps, features]``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnnkit.data.windows import make_windows, seasonal_windows


@dataclass(frozen=True)
class WindowPlan:
    """The shapes that a windowing produces, with :meth:`__str__` telling the story."""

    n_observations: tuple[int, ...]
    lookback: int
    horizon: int
    stride: int
    n_features: int
    n_targets: int
    samples: int
    samples_per_series: tuple[int, ...]
    input_shape: tuple[int, int, int]
    target_shape: tuple[int, int, int]
    period: int | None = None
    n_seasons: int | None = None

    def __str__(self) -> str:
        n, L, H, s = self.n_observations, self.lookback, self.horizon, self.stride
        span = (self.period or 1) * (self.n_seasons or 0) if self.period else L
        settings = (f"period={self.period}, n_seasons={self.n_seasons}" if self.period
                    else f"lookback={L}") + f", horizon={H}, stride={s}"
        if len(n) == 1:
            head = (f"A series of {n[0]} observations with {settings} becomes\n"
                    f"  samples = ({n[0]} - {span} - {H}) // {s} + 1 = {self.samples} windows")
        else:
            head = (f"{len(n)} series of {list(n)} observations with {settings} "
                    f"become\n  samples = sum over series of (n - {span} - {H}) // {s}"
                    f" + 1 = {' + '.join(map(str, self.samples_per_series))} = {self.samples} "
                    "windows (no window crosses from one series into the next)")
        what = (f"the values at the same position in each of the previous {self.n_seasons} "
                f"seasons of {self.period} steps" if self.period else f"{L} past values")
        lines = [
            head,
            f"  X: [samples, timesteps, features] = {list(self.input_shape)}   "
            f"(each sample: {what} of {self.n_features} feature(s))",
            f"  y: [samples, horizon, targets]    = {list(self.target_shape)}",
        ]
        if len(n) == 1 and self.samples:
            last = n[0] - H  # first target row of the last window
            first = last - (self.samples - 1) * s
            if self.period:
                inputs = list(range(first - span, first, self.period))  # one row a season
                shown = ", ".join(map(str, inputs)) if len(inputs) <= 3 else \
                    f"{inputs[0]}, {inputs[1]}, ..., {inputs[-1]}"
                lines.append(
                    f"First window: inputs rows {shown} -> target row {first}"
                    + (f"..{first + H - 1}" if H > 1 else "") + ".")
            else:
                rows = "rows" if H > 1 else "row"
                first_t = f"{first}..{first + H - 1}" if H > 1 else f"{first}"
                last_t = f"{last}..{n[0] - 1}" if H > 1 else f"{last}"
                lines.append(
                    f"First window: inputs rows {first - L}..{first - 1} -> target {rows} "
                    f"{first_t}. Last window: inputs rows {last - L}..{last - 1} -> target "
                    f"{rows} {last_t}.")
        lines.append("Keras and torch (batch_first=True) both expect X in this order.")
        return "\n".join(lines)


def explain_windows(
    n: int | Sequence[int],
    lookback: int = 1,
    horizon: int = 1,
    stride: int = 1,
    n_features: int = 1,
    n_targets: int = 1,
    period: int | None = None,
    n_seasons: int | None = None,
) -> WindowPlan:
    """How series of these lengths become windows, computed by the windowing code itself.

    Args:
        n: a series length, or the lengths of many series.
        lookback, horizon, stride: the window settings (see :func:`make_windows`).
        n_features, n_targets: features per step and target columns.
        period, n_seasons: for seasonal-lag windows instead of sliding ones.

    Example:
        >>> print(explain_windows(144, lookback=12))
    """
    lengths = [int(n)] if np.ndim(n) == 0 else [int(x) for x in n]
    n_seasons = (n_seasons or 1) if period else n_seasons  # one season unless told
    # windows built on zero-byte stand-ins: the plan is the windowing's own arithmetic
    dummies = [np.lib.stride_tricks.as_strided(np.zeros(1), (x, n_features), (0, 0))
               for x in lengths]
    if period:
        w = seasonal_windows(dummies, period, n_seasons or 1, horizon, stride)
    else:
        w = make_windows(dummies, lookback, horizon, stride)
    per_series = tuple(int(c) for c in np.bincount(w.series, minlength=len(lengths)))
    steps = n_seasons if period else lookback
    return WindowPlan(tuple(lengths), steps, horizon, stride, n_features, n_targets, len(w),
                      per_series, (len(w), steps, n_features), (len(w), horizon, n_targets),
                      period, n_seasons)
