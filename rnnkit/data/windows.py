"""Sliding windows and seasonal-lag windows as views: an index, never a loop over samples.

The series are kept as one contiguous ``[total_T, F]`` array (all series concatenated along
time) plus the row where each window starts. Inputs and targets of any set of windows are
gathered with one vectorised indexing operation; for a single series without an index they
are views of the series itself (no copy at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from rnnkit.errors import InputError

Index = np.ndarray | slice | None


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InputError(f"{name}={value!r} must be a positive integer. Pass e.g. {name}=1.")
    return int(value)


def _as_series_list(values: np.ndarray | Sequence[np.ndarray]) -> list[np.ndarray]:
    arrays = [values] if isinstance(values, np.ndarray) else list(values)
    out = []
    for a in arrays:
        a = np.asarray(a)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise InputError(
                f"values has a series of shape {a.shape}, but each series must be [T] or "
                "[T, features]. A 3-D [samples, timesteps, features] array is already windowed: "
                "pass the raw series instead."
            )
        out.append(a)
    if not out:
        raise InputError("values is empty; expected one series [T, F] or a list of them.")
    if len({a.shape[1] for a in out}) > 1:
        raise InputError(
            "values: every series needs the same number of features; got "
            f"{[a.shape[1] for a in out]}. Pass series with the same columns."
        )
    return out


@dataclass(frozen=True)
class Windows:
    """Windows over one or many series: inputs ``[N, lookback, F]`` -> targets ``[N, horizon, nt]``.

    Attributes:
        values: ``[total_T, F]`` all series concatenated along time.
        starts: ``[N]`` row in ``values`` of each window's first input step.
        series: ``[N]`` series number of each window.
        lookback, horizon: input and target steps per window.
        target_cols: columns of ``values`` that are targets.
        offsets: ``[S + 1]``: series s occupies rows ``offsets[s]:offsets[s + 1]``.
        lags: ``[lookback]`` row offsets of the input steps relative to ``starts``
            (``0..lookback-1`` for sliding windows; multiples of a period for seasonal lags).
        target_lag: row offset of the first target step relative to ``starts``.
    """

    values: np.ndarray
    starts: np.ndarray
    series: np.ndarray
    lookback: int
    horizon: int
    target_cols: tuple[int, ...]
    offsets: np.ndarray
    lags: np.ndarray
    target_lag: int

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    @property
    def contiguous(self) -> bool:
        """Whether the input steps are consecutive rows (plain sliding windows)."""
        return bool(np.array_equal(self.lags, np.arange(self.lookback)))

    def _stride_view(self, span: int, step: int) -> np.ndarray:
        """A ``[rows, span, F]`` view: entry r holds rows r, r+step, ..., r+(span-1)*step."""
        v = self.values
        rows = v.shape[0] - (span - 1) * step
        return as_strided(v, shape=(max(rows, 0), span, v.shape[1]),
                          strides=(v.strides[0], v.strides[0] * step, v.strides[1]),
                          writeable=False)

    def _single_strided(self) -> slice | None:
        """The windows' starts as one slice when they are evenly spaced (one series)."""
        s = self.starts
        if len(s) == 0:
            return None
        step = int(s[1] - s[0]) if len(s) > 1 else 1
        if step < 1 or not np.array_equal(s, s[0] + step * np.arange(len(s))):
            return None
        return slice(int(s[0]), int(s[-1]) + 1, step)

    def inputs(self, index: Index = None) -> np.ndarray:
        """Inputs ``[n, lookback, F]``: a view for evenly spaced windows, else one gather."""
        if self.contiguous:
            view = sliding_window_view(self.values, self.lookback, axis=0).swapaxes(1, 2)
        else:
            period = int(self.lags[1] - self.lags[0]) if self.lookback > 1 else 1
            view = self._stride_view(self.lookback, period)
        return self._select(view, index)

    def targets(self, index: Index = None) -> np.ndarray:
        """Targets ``[n, horizon, n_targets]``."""
        cols = list(self.target_cols)
        view = sliding_window_view(self.values, self.horizon, axis=0).swapaxes(1, 2)
        if cols == list(range(cols[0], cols[0] + len(cols))):  # a slice keeps it a view
            view = view[:, :, cols[0] : cols[0] + len(cols)]
        else:
            view = view[:, :, cols]
        return self._select(view, index, shift=self.target_lag)

    def _select(self, view: np.ndarray, index: Index, shift: int = 0) -> np.ndarray:
        if index is None:
            whole = self._single_strided()
            if whole is not None:
                return view[slice(whole.start + shift, whole.stop + shift, whole.step)]
            return view[self.starts + shift]
        return view[self.starts[index] + shift]

    def target_times(self) -> np.ndarray:
        """``[N]`` row of each window's first target step within its own series."""
        return self.starts + self.target_lag - self.offsets[self.series]


def _build(
    values: np.ndarray | Sequence[np.ndarray],
    lags: np.ndarray,
    target_lag: int,
    horizon: int,
    stride: int,
    target_cols: Sequence[int],
    series_names: Sequence[str] | None,
    need_text: str,
) -> Windows:
    arrays = _as_series_list(values)
    n_features = arrays[0].shape[1]
    bad = [c for c in target_cols if not -n_features <= c < n_features]
    if bad or not target_cols:
        raise InputError(
            f"target_cols={tuple(target_cols)} must name columns 0..{n_features - 1} of the "
            "values. Pass e.g. target_cols=(0,)."
        )
    span = target_lag + horizon  # rows a window covers, from its start
    lengths = np.array([len(a) for a in arrays])
    short = np.flatnonzero(lengths < span)
    if short.size:
        i = int(short[0])
        name = repr(series_names[i]) if series_names is not None else str(i)
        raise InputError(
            f"{need_text} need at least {span} observations per series; series {name} has "
            f"{lengths[i]}. Lower them, or drop short series."
        )
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    joined = arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=0)
    joined = np.ascontiguousarray(joined)
    counts = (lengths - span) // stride + 1
    series = np.repeat(np.arange(len(arrays), dtype=np.int64), counts)
    # within each series the windows are aligned to end at its last row, stepping back by stride
    before = np.cumsum(counts) - counts  # windows of earlier series
    position = np.arange(counts.sum(), dtype=np.int64) - np.repeat(before, counts)
    first = offsets[:-1] + (lengths - span) - (counts - 1) * stride
    starts = first[series] + position * stride
    return Windows(joined, starts, series, len(lags), horizon,
                   tuple(int(c) % n_features for c in target_cols), offsets,
                   lags.astype(np.int64), int(target_lag))


def make_windows(
    values: np.ndarray | Sequence[np.ndarray],
    lookback: int,
    horizon: int = 1,
    stride: int = 1,
    target_cols: Sequence[int] = (0,),
    series_names: Sequence[str] | None = None,
) -> Windows:
    """Sliding windows: rows t..t+lookback-1 in, rows t+lookback..t+lookback+horizon-1 out.

    Windows never cross a series boundary and end at each series' last row (when ``stride``
    does not divide, the oldest rows are the ones left out).

    Args:
        values: one series ``[T]`` / ``[T, F]`` or a list of them (same F).
        lookback: input steps per window. horizon: target steps. stride: steps between origins.
        target_cols: columns of the values that are targets.
        series_names: names used in error messages.

    Shapes:
        values: ``[T, F]`` or list of ``[T_i, F]``.

    Example:
        >>> w = make_windows(np.arange(10.0), lookback=3, horizon=2)
        >>> w.inputs().shape, w.targets().shape
        ((6, 3, 1), (6, 2, 1))
    """
    lookback = _positive_int(lookback, "lookback")
    horizon = _positive_int(horizon, "horizon")
    stride = _positive_int(stride, "stride")
    return _build(values, np.arange(lookback), lookback, horizon, stride, target_cols,
                  series_names, f"lookback={lookback} and horizon={horizon}")


def seasonal_windows(
    values: np.ndarray | Sequence[np.ndarray],
    period: int,
    n_seasons: int,
    horizon: int = 1,
    stride: int = 1,
    target_cols: Sequence[int] = (0,),
    series_names: Sequence[str] | None = None,
) -> Windows:
    """Seasonal-lag windows: the input for the target at row t is the value at the same
    position in each of the previous ``n_seasons`` seasons: rows t - n_seasons*period, ...,
    t - period (oldest first). E.g. the same minute of each of the previous 14 weeks of
    1-minute data: ``period=10080, n_seasons=14``.

    Shapes:
        values: ``[T, F]`` or list of ``[T_i, F]``; inputs ``[N, n_seasons, F]``.
    """
    period = _positive_int(period, "period")
    n_seasons = _positive_int(n_seasons, "n_seasons")
    horizon = _positive_int(horizon, "horizon")
    stride = _positive_int(stride, "stride")
    lags = np.arange(n_seasons) * period
    return _build(values, lags, n_seasons * period, horizon, stride, target_cols, series_names,
                  f"period={period} x n_seasons={n_seasons} and horizon={horizon}")


def front_padded(values: np.ndarray, rows: int) -> np.ndarray:
    """``values`` with its first row repeated in front until it has ``rows`` rows: a series
    shorter than the lookback still gives a window (and a forecast)."""
    missing = rows - len(values)
    return values if missing <= 0 else np.concatenate([np.repeat(values[:1], missing, 0), values])


def origin_windows(values: np.ndarray, offsets: np.ndarray, series: np.ndarray, at: np.ndarray,
                   lookback: int, future_steps: int = 0, future_cols: Sequence[int] = ()
                   ) -> tuple[np.ndarray, np.ndarray | None]:
    """The inputs around forecast origins of grouped series (one array, cut by ``offsets``):
    the ``lookback`` rows before row ``at[n]`` of series ``series[n]`` and, when
    ``future_cols`` are given, those columns over the ``future_steps`` rows from it (past a
    series' end its last row repeats). One gather for all origins.

    Shapes:
        values: ``[total, F]``; offsets ``[S + 1]``; series, at: ``[N]`` -> contexts
        ``[N, lookback, F]``, future ``[N, future_steps, len(future_cols)]`` or None.
    """
    start = offsets[series] + at  # [N] the first forecast row of each origin in `values`
    first = offsets[series][:, None]  # before a series' start its first row repeats
    context = values[np.maximum((start - lookback)[:, None] + np.arange(lookback), first)]
    if not len(future_cols):
        return context, None
    last = offsets[series + 1] - 1
    rows = np.minimum(start[:, None] + np.arange(future_steps), last[:, None])
    return context, values[rows][..., list(future_cols)]
