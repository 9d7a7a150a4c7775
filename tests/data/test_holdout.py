from __future__ import annotations

import numpy as np
import pytest

from rnnkit.data.holdout import MIN_ROWS, split_holdout
from rnnkit.errors import InputError


def test_no_holdout_below_the_floor_and_the_reason_says_so():
    small = split_holdout(50, 0.1, seed=0)
    assert not small.used and len(small.train) == 50
    assert "5 sequences" in small.reason and "whole budget" in small.reason
    assert not split_holdout(1000, 0.0, seed=0).used


def test_stratified_holdout_keeps_every_class_and_its_share():
    labels = np.repeat([0, 1, 2], [300, 200, 100])
    h = split_holdout(len(labels), 0.1, seed=3, labels=labels)
    assert h.used and len(h.val) >= MIN_ROWS
    np.testing.assert_array_equal(np.bincount(labels[h.val]), [30, 20, 10])
    assert set(h.train).isdisjoint(h.val) and len(h.train) + len(h.val) == len(labels)
    again = split_holdout(len(labels), 0.1, seed=3, labels=labels)
    np.testing.assert_array_equal(h.val, again.val)  # seeded


def test_a_rare_class_means_no_holdout_rather_than_a_hold_out_without_it():
    labels = np.array([0] * 400 + [1] * 5)
    h = split_holdout(len(labels), 0.1, seed=0, labels=labels)
    assert not h.used and "class #1" in h.reason


def test_chronological_holdout_is_the_last_rows():
    h = split_holdout(400, 0.1, seed=0, order="chronological")
    np.testing.assert_array_equal(h.val, np.arange(360, 400))


@pytest.mark.parametrize("kwargs, match", [({"val_size": 1.5}, "val_size=1.5"),
                                           ({"val_size": 0.1, "order": "sorted"}, "holdout")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        split_holdout(100, seed=0, **kwargs)
