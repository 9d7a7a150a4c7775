"""Per-series, per-feature scaling fitted on the training part only, with an exact inverse."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnnkit.errors import InputError, NotFittedError

KINDS = ("standard", "minmax", "none")


class Scaler:
    """``x_scaled = (x - offset) / scale`` with one offset and scale per series and feature.

    Args:
        kind: "standard" (mean, standard deviation), "minmax" (maps the training range to
            [0, 1]) or "none".

    Example:
        >>> s = Scaler("minmax").fit([np.array([[0.0], [10.0]])])
        >>> s.transform(np.array([[5.0]]), series=0)
        array([[0.5]])
    """

    def __init__(self, kind: str = "standard") -> None:
        if kind not in KINDS:
            raise InputError(
                f"scaler={kind!r} is not known; expected one of {list(KINDS)}. "
                "Pass scaler='standard'."
            )
        self.kind = kind

    def fit(self, values: np.ndarray | Sequence[np.ndarray]) -> Scaler:
        """Fit on one series ``[T, F]`` or a list of series ``[T_i, F]`` (training rows only)."""
        arrays = [values] if isinstance(values, np.ndarray) else list(values)
        arrays = [np.asarray(a, dtype=np.float64).reshape(len(a), -1) for a in arrays]
        if any(len(a) == 0 for a in arrays):
            raise InputError("Scaler.fit got a series with no rows; each needs at least one.")
        if self.kind == "standard":
            offset = np.stack([a.mean(axis=0) for a in arrays])
            scale = np.stack([a.std(axis=0) for a in arrays])
        elif self.kind == "minmax":
            offset = np.stack([a.min(axis=0) for a in arrays])
            scale = np.stack([a.max(axis=0) for a in arrays]) - offset
        else:
            offset = np.zeros((len(arrays), arrays[0].shape[1]))
            scale = np.ones_like(offset)
        # a constant feature has no spread to divide by: leave it centred, unscaled
        scale[~(scale > 0)] = 1.0
        self.offset_, self.scale_ = offset, scale  # [S, F]
        return self

    def _params(self, x: np.ndarray, series: int | np.ndarray,
                cols: Sequence[int] | None) -> tuple[np.ndarray, np.ndarray]:
        if not hasattr(self, "offset_"):
            raise NotFittedError(
                "This Scaler is not fitted yet. Call Scaler.fit(training_values) first."
            )
        cols = slice(None) if cols is None else list(cols)
        offset, scale = self.offset_[:, cols], self.scale_[:, cols]  # [S, F']
        if np.ndim(series) == 0:
            return offset[int(series)], scale[int(series)]
        series = np.asarray(series)
        shape = (len(series),) + (1,) * (x.ndim - 2) + (offset.shape[1],)
        return offset[series].reshape(shape), scale[series].reshape(shape)

    def transform(self, x: np.ndarray, series: int | np.ndarray = 0,
                  cols: Sequence[int] | None = None) -> np.ndarray:
        """Scale ``x``.

        Args:
            x: values whose last axis holds the features (or the ``cols`` chosen).
            series: the series of all of x (int), or of each row of x's first axis (``[n]``).
            cols: which fitted features the last axis holds; None: all.

        Shapes:
            x: ``[..., F']``; with an array ``series`` ``[n, ..., F']``.
        """
        offset, scale = self._params(np.asarray(x), series, cols)
        return (np.asarray(x, dtype=np.float64) - offset) / scale

    def inverse_transform(self, x: np.ndarray, series: int | np.ndarray = 0,
                          cols: Sequence[int] | None = None) -> np.ndarray:
        """Undo :meth:`transform` (same arguments)."""
        offset, scale = self._params(np.asarray(x), series, cols)
        return np.asarray(x, dtype=np.float64) * scale + offset

    def to_dict(self) -> dict:
        """Plain numbers for model.json (floats round-trip exactly through JSON)."""
        if not hasattr(self, "offset_"):
            return {"kind": self.kind}
        return {"kind": self.kind, "offset": self.offset_.tolist(), "scale": self.scale_.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> Scaler:
        scaler = cls(d["kind"])
        if "offset" in d:
            scaler.offset_ = np.asarray(d["offset"], dtype=np.float64)
            scaler.scale_ = np.asarray(d["scale"], dtype=np.float64)
        return scaler


class Scaling:
    """What a forecast applies to the values it reads and undoes on what it forecasts: an
    optional log of the target column, then per-series scaling; forecasts of data that was
    never negative are clipped at zero.

    Same interface as :class:`Scaler` (``transform`` / ``inverse_transform`` with ``series``
    and ``cols``), so every path that scales goes through one object.

    Args:
        scaler: the fitted per-series, per-feature scaler (of the logged values when
            ``log_target``).
        log_target: the target (column 0) enters as its natural log (multiplicative series:
            the season's swing grows with the level, and a log makes it constant).
        nonnegative: the training target was never negative: forecasts are clipped at 0.
    """

    def __init__(self, scaler: Scaler, log_target: bool = False,
                 nonnegative: bool = False) -> None:
        self.scaler, self.log_target, self.nonnegative = scaler, log_target, nonnegative

    @property
    def kind(self) -> str:
        return self.scaler.kind

    def _target_at(self, x: np.ndarray, cols: Sequence[int] | None) -> np.ndarray | None:
        """Which positions of the last axis hold the target: ``cols`` names the columns
        there; one column given for a wider axis is that column at every position (the
        quantile levels of a forecast are all the target)."""
        columns = list(range(x.shape[-1])) if cols is None else list(cols)
        if len(columns) == 1 and x.shape[-1] != 1:
            columns = columns * x.shape[-1]
        mask = np.array([c == 0 for c in columns])
        return mask if mask.any() else None

    def transform(self, x: np.ndarray, series: int | np.ndarray = 0,
                  cols: Sequence[int] | None = None) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        at = self._target_at(x, cols)
        if self.log_target and at is not None:
            x = x.copy()
            target = x[..., at]
            if (target <= 0).any():  # new rows (update, predict(data=...)) like the training
                raise InputError(
                    f"transform='log' reads the target's logarithm, but the data gives "
                    f"{float(target[target <= 0][0])!r}; every value must be > 0, as in "
                    "training. Check the new rows, or refit with transform='none'.")
            x[..., at] = np.log(target)
        return self.scaler.transform(x, series, cols)

    def inverse_transform(self, x: np.ndarray, series: int | np.ndarray = 0,
                          cols: Sequence[int] | None = None) -> np.ndarray:
        y = self.scaler.inverse_transform(x, series, cols)
        at = self._target_at(y, cols)
        if at is not None:
            if self.log_target:
                y[..., at] = np.exp(np.minimum(y[..., at], 700.0))
            if self.nonnegative:
                y[..., at] = np.maximum(y[..., at], 0.0)
            if self.nonnegative and not self.log_target and self.scaler.kind != "none":
                # a zero forecast comes back from float32 as a rounding error (1e-9 at night
                # on solar data: sMAPE counts 200% for it against a true 0): below a
                # millionth of the series' scale (in the data's units) it is 0
                offset, scale = self.scaler._params(np.asarray(x), series, cols)
                tiny = 1e-6 * np.broadcast_to(np.abs(offset) + scale, y.shape)[..., at]
                y[..., at] = np.where(y[..., at] < tiny, 0.0, y[..., at])
        return y

    @property
    def offset_(self) -> np.ndarray:
        return self.scaler.offset_

    @property
    def scale_(self) -> np.ndarray:
        return self.scaler.scale_

    def to_dict(self) -> dict:
        return {"scaler": self.scaler.to_dict(), "log_target": self.log_target,
                "nonnegative": self.nonnegative}

    @classmethod
    def from_dict(cls, d: dict) -> Scaling:
        """From ``to_dict``, or from a plain scaler's dict (model files of rnnkit 0.1)."""
        if "scaler" not in d:
            return cls(Scaler.from_dict(d))
        return cls(Scaler.from_dict(d["scaler"]), bool(d["log_target"]), bool(d["nonnegative"]))


def multiplicative(series: Sequence[np.ndarray], season: int | None) -> bool:
    """Whether positive series swing more where they are higher (a multiplicative season or
    noise): over consecutive blocks of one season (or an eighth of the series), the blocks'
    spread grows with their level (correlation above 0.5) and the level at least doubles.
    Decided by the majority of the series; False if any value is not positive."""
    votes = []
    for values in series:
        values = np.asarray(values, dtype=np.float64)
        if len(values) == 0 or (values <= 0).any():
            return False
        block = season if season and season > 1 else max(4, len(values) // 8)
        n = len(values) // block
        if n < 3:
            votes.append(False)
            continue
        blocks = values[len(values) - n * block:].reshape(n, block)
        level, spread = blocks.mean(1), blocks.std(1)
        if spread.std() == 0 or level.std() == 0:
            votes.append(False)
            continue
        votes.append(bool(np.corrcoef(level, spread)[0, 1] > 0.5
                          and level.max() > 2 * level.min()))
    return bool(votes) and sum(votes) * 2 > len(votes)


def standardisation(values: np.ndarray, what: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """The mean and spread (1 where there is none) of ``values`` along the first axis, by
    which a regressor's targets are standardised; targets so large that their square
    overflows float64 (their spread would be inf, every prediction NaN) are refused."""
    with np.errstate(over="ignore", invalid="ignore"):
        mean, std = values.mean(0), values.std(0)
    if not (np.isfinite(mean).all() and np.isfinite(std).all()):
        raise InputError(f"{what} holds values up to {float(np.abs(values).max()):.3g}, too large "
                         "to standardise (their spread overflows). Scale the targets down "
                         "(divide them by a power of ten) before fitting.")
    return mean, np.where(std > 0, std, 1.0)

