from __future__ import annotations

import pandas as pd
import pytest
import torch
from conftest import one_series

import rnnkit
from rnnkit.errors import InputError

FAST = dict(max_time=None, hidden_size=8, epochs=5, batch_size=16, verbose=0, lookback=12,
            horizon=4,
            repeats=1)


def _series(n=90):
    return one_series(n, seasons=((12, 1.0),), trend=0.02)


@pytest.mark.parametrize("attention", [False, True])
def test_free_running_decoder_equals_teacher_forcing_on_its_own_outputs(attention, tmp_path):
    f = rnnkit.Forecaster(strategy="seq2seq", attention=attention, **FAST).fit(_series())
    x = torch.randn(5, 12, 1)
    with torch.no_grad():
        free = f.model_(x)  # feeds its own outputs back
        forced = f.model_(x, None, None, free)  # teacher forcing with those same outputs, one pass
    torch.testing.assert_close(forced, free, rtol=1e-5, atol=1e-5)
    f.save(tmp_path / "m")
    pd.testing.assert_frame_equal(rnnkit.load(tmp_path / "m").predict(), f.predict(),
                                  check_exact=True)


def test_seq2seq_limits():
    f = rnnkit.Forecaster(strategy="seq2seq", **FAST).fit(_series())
    with pytest.raises(InputError, match="h=6 is longer than the horizon=4"):
        f.predict(h=6)
    with pytest.raises(InputError, match="training='sequence' forecasts the horizon"):
        rnnkit.Forecaster(strategy="seq2seq", training="sequence", **FAST).fit(_series())


def test_a_shorter_forecast_with_future_covariates_reads_only_its_steps():
    """A seq2seq decoder given the future covariates of h < horizon steps decodes h steps,
    the first h of the full forecast (it read past the covariates and failed)."""
    from rnnkit.datasets.synthetic import generate_series

    full = generate_series(1, 64, "D", noise=0.3, seed=1, promo=3.0).drop(columns="unique_id")
    f = rnnkit.Forecaster(strategy="seq2seq", future_cols=("promo",),
                          **(FAST | {"lookback": 8, "epochs": 2})).fit(full.iloc[:60])
    future = full.iloc[60:][["ds", "promo"]]
    whole = f.predict(future=future)["y"].to_numpy()
    two = f.predict(h=2, future=future.iloc[:2])["y"].to_numpy()
    assert len(two) == 2
    assert two == pytest.approx(whole[:2], rel=1e-6)
    evaluation = f.evaluate(full, test_size=2)  # the holdout reads two steps of covariates
    assert evaluation.test_size == 2
