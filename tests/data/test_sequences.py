from __future__ import annotations

import warnings

import numpy as np
import pytest

from rnnkit.data.sequence_norm import SequenceNorm
from rnnkit.data.sequences import pad_sequences, resample
from rnnkit.errors import InputError


def test_nan_tails_are_padding_and_give_the_true_lengths():
    x = np.arange(24, dtype=float).reshape(2, 4, 3)
    x[1, 2:] = np.nan  # UCR/UEA style: the second sequence has 2 steps
    padded, lengths = pad_sequences(x)
    assert lengths.tolist() == [4, 2]
    assert (padded[1, 2:] == 0).all() and np.isfinite(padded).all()
    x[0, 1, 0] = np.nan  # one channel missing inside a sequence: not padding
    with pytest.raises(InputError, match="sample 0, step 1, feature 0.*list of arrays cut"):
        pad_sequences(x)


def test_the_aeon_layout_is_named_with_its_transpose():
    with pytest.warns(UserWarning, match=r"transpose\(0, 2, 1\)"):
        pad_sequences(np.zeros((5, 1, 150)))  # [N, channels=1, length=150] passed as is
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pad_sequences(np.zeros((5, 150, 1)))  # the right layout: silent
        pad_sequences(np.zeros((5, 128, 9)))


def test_sequence_norm_by_hand():
    x = np.array([[[1.0], [3.0], [0.0]], [[10.0], [20.0], [30.0]]])
    lengths = np.array([2, 3])
    norm = SequenceNorm().fit(x, lengths)
    z, levels = norm.transform(x, lengths)
    np.testing.assert_allclose(z[0, :, 0], [-1, 1, 0])  # padding stays 0
    np.testing.assert_allclose(z[1, :, 0], np.array([-1, 0, 1]) * np.sqrt(1.5))
    # the levels (mean, log spread) of the two sequences, standardised over the training set
    np.testing.assert_allclose(levels.mean(0), 0, atol=1e-12)
    assert levels[0, 0] < levels[1, 0] and levels[0, 1] < levels[1, 1]
    constant = norm.transform(np.full((1, 3, 1), 5.0), np.array([3]))[0]
    assert np.all(constant == 0)


def test_resample_keeps_the_ends_and_interpolates_between():
    x = np.array([[[0.0], [2.0], [0.0]], [[0.0], [4.0], [8.0]]])
    out = resample(x, np.array([2, 3]), 5)
    np.testing.assert_allclose(out[0, :, 0], [0, 0.5, 1, 1.5, 2])
    np.testing.assert_allclose(out[1, :, 0], [0, 2, 4, 6, 8])
