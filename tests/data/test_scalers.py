from __future__ import annotations

import json

import numpy as np
import pytest

from rnnkit.data.scalers import Scaler
from rnnkit.errors import InputError, NotFittedError


def test_standard_numbers_by_hand():
    s = Scaler("standard").fit(np.array([[1.0, 10.0], [3.0, 10.0]]))
    assert s.offset_.tolist() == [[2.0, 10.0]]
    assert s.scale_.tolist() == [[1.0, 1.0]]  # std of [1, 3] is 1; a constant column keeps 1
    np.testing.assert_array_equal(s.transform(np.array([[5.0, 12.0]])), [[3.0, 2.0]])


def test_minmax_maps_train_to_unit_interval_and_ignores_the_test_part():
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(50, 2)), 1000 + rng.normal(size=(10, 2))
    s = Scaler("minmax").fit(train)
    scaled = s.transform(train)
    np.testing.assert_allclose(scaled.min(axis=0), 0)
    np.testing.assert_allclose(scaled.max(axis=0), 1)
    assert (s.transform(test) > 1).all()  # the test part never moved the fitted numbers


def test_per_series_and_exact_inverse():
    a, b = np.array([[0.0], [2.0]]), np.array([[100.0], [300.0]])
    s = Scaler("standard").fit([a, b])
    assert s.offset_[:, 0].tolist() == [1.0, 200.0]
    x = np.array([[[0.0], [2.0]], [[100.0], [300.0]]])  # [2 series, 2 steps, 1]
    scaled = s.transform(x, series=np.array([0, 1]))
    np.testing.assert_array_equal(scaled[:, :, 0], [[-1, 1], [-1, 1]])
    np.testing.assert_allclose(s.inverse_transform(scaled, series=np.array([0, 1])), x,
                               rtol=0, atol=1e-12)
    # target-only arrays: cols selects the fitted column
    np.testing.assert_array_equal(s.inverse_transform(np.zeros((1, 3, 1)), series=1, cols=(0,)),
                                  np.full((1, 3, 1), 200.0))


def test_json_round_trip_is_exact():
    s = Scaler("standard").fit(np.random.default_rng(3).normal(size=(30, 3)) * np.pi)
    back = Scaler.from_dict(json.loads(json.dumps(s.to_dict())))
    assert np.array_equal(back.offset_, s.offset_) and np.array_equal(back.scale_, s.scale_)


def test_none_and_errors():
    x = np.array([[3.0]])
    assert Scaler("none").fit(x).transform(x).tolist() == [[3.0]]
    with pytest.raises(NotFittedError, match="Scaler.fit"):
        Scaler().transform(x)
    with pytest.raises(InputError, match="standard"):
        Scaler("robust")


def test_a_zero_forecast_of_never_negative_data_comes_back_as_zero_not_a_rounding_error():
    from rnnkit.data.scalers import Scaling

    history = np.r_[np.zeros(24), np.linspace(0, 3000.0, 24)][:, None]  # night, then day
    scaling = Scaling(Scaler().fit([history]), nonnegative=True)
    zero = scaling.transform(np.zeros((4, 1))).astype(np.float32)  # the network's float32
    assert (Scaler().fit([history]).inverse_transform(zero) != 0).any()  # rounding shows
    np.testing.assert_array_equal(scaling.inverse_transform(zero), 0.0)  # sMAPE: 0%, not 200
    small = scaling.transform(np.full((1, 1), 0.05))  # a real value stays itself
    np.testing.assert_allclose(scaling.inverse_transform(small), 0.05)
    tiny = np.linspace(9e-6, 1.1e-5, 24)[:, None]  # a positive series in small units, logged
    logged = Scaling(Scaler().fit([np.log(tiny)]), log_target=True, nonnegative=True)
    np.testing.assert_allclose(logged.inverse_transform(logged.transform(tiny)), tiny)
    raw = Scaling(Scaler("none").fit([tiny]), nonnegative=True)  # no scale to measure by
    np.testing.assert_allclose(raw.inverse_transform(tiny), tiny)
    np.testing.assert_array_equal(raw.inverse_transform(-tiny), 0.0)  # still floored at 0

