"""Per-sequence normalisation: each sequence's channels z-normalised over its own steps, with
the level and spread it had kept as per-sequence numbers beside it.

Why per sequence: on real problems (UCR/UEA, spectra, counts per country) what tells classes
apart is mostly the shape; levels differ between recordings for reasons unrelated to the
label, and a per-channel scaler over the training set leaves those differences in every step
(Covid3Month_disc: 0.28 accuracy with per-channel scaling, 0.62 per sequence; see
bench/RESULTS.md). Where the level does matter (Tecator's fat content), it is not lost: the
mean and log standard deviation of every channel go to the head as two numbers per channel.
"""

from __future__ import annotations

import numpy as np

from rnnkit.data.sequences import step_mask

_TINY = 1e-6  # relative floor of a spread: below it a number is treated as constant


class SequenceNorm:
    """Fitted on the training sequences: the floor of each channel's spread and the
    standardisation of the per-sequence levels.

    Shapes:
        x: ``[N, T, F]`` padded (zeros after each length); lengths ``[N]``.
        transform -> (normalised ``[N, T, F]`` with zeros on padding, levels ``[N, 2F]``:
        every channel's mean, then every channel's log standard deviation, standardised).
    """

    def fit(self, x: np.ndarray, lengths: np.ndarray) -> SequenceNorm:
        mean, std = _moments(x, lengths)
        spread = np.median(std, axis=0)  # [F] a typical sequence's spread
        typical = np.maximum(spread, np.abs(mean).max(axis=0) * _TINY) + 1e-300
        self.floor_ = typical * 1e-3  # [F] added to a spread before its log: a constant
        levels = _levels(mean, std, self.floor_)  # sequence sits a few units below typical
        reference = np.concatenate([typical, np.ones_like(typical)])  # units of each level
        self.level_mean_ = levels.mean(axis=0)
        self.level_scale_ = np.maximum(levels.std(axis=0), reference * _TINY)
        return self

    def transform(self, x: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean, std = _moments(x, lengths)
        mask = step_mask(lengths, x.shape[1])[..., None]
        scale = np.where(std > self.floor_, std, 1.0)  # a constant channel stays 0
        normalised = (x - mean[:, None]) / scale[:, None] * mask
        levels = (_levels(mean, std, self.floor_) - self.level_mean_) / self.level_scale_
        return normalised, levels

    def to_dict(self) -> dict:
        return {"floor": self.floor_.tolist(), "level_mean": self.level_mean_.tolist(),
                "level_scale": self.level_scale_.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> SequenceNorm:
        norm = cls()
        norm.floor_ = np.asarray(d["floor"], dtype=np.float64)
        norm.level_mean_ = np.asarray(d["level_mean"], dtype=np.float64)
        norm.level_scale_ = np.asarray(d["level_scale"], dtype=np.float64)
        return norm


def _moments(x: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of every sequence and channel over its real steps."""
    mask = step_mask(lengths, x.shape[1])[..., None]  # [N, T, 1]
    n = np.asarray(lengths, dtype=np.float64)[:, None]
    mean = (x * mask).sum(axis=1) / n  # [N, F]
    var = (((x - mean[:, None]) * mask) ** 2).sum(axis=1) / n
    return mean, np.sqrt(var)


def _levels(mean: np.ndarray, std: np.ndarray, floor: np.ndarray) -> np.ndarray:
    return np.concatenate([mean, np.log(std + floor)], axis=1)  # [N, 2F]
