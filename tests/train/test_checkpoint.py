"""Checkpoint and resume: a fit (Forecaster, SequenceClassifier) killed with SIGKILL
mid-training and resumed ends with the weights of the uninterrupted fit, on CPU."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest
import torch
from conftest import one_series

import rnnkit
from rnnkit.errors import InputError

ARGS = dict(epochs=12, patience=0, repeats=2, refit_all=True, max_time=None, hidden_size=8,
            epoch_size=64, verbose=0, lookback=24, horizon=6)


def data():
    return one_series(150, "MS", seasons=((12, 3.0),), trend=0.05, noise=0.5, seed=3)


KILLED_FIT = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    import rnnkit
    from rnnkit.train import checkpoint
    from train.test_checkpoint import ARGS, data
    saves = [0]
    real = checkpoint.Checkpoint.save
    def save(self, *args, **kwargs):
        real(self, *args, **kwargs)
        saves[0] += 1
        if saves[0] == {kill_after}:
            os.kill(os.getpid(), signal.SIGKILL)
    checkpoint.Checkpoint.save = save
    rnnkit.Forecaster(**ARGS).fit(data(), checkpoint={where!r}, checkpoint_every=0.0)
""")


def weights(model):
    return {k: v.clone() for k, v in model.fitted_.network.state_dict().items()}


@pytest.mark.parametrize("kill_after", [17, 29])  # in run 1; in the refit phase
def test_a_fit_killed_and_resumed_ends_with_the_uninterrupted_weights(tmp_path, kill_after):
    import pathlib

    tests = str(pathlib.Path(__file__).resolve().parents[1])
    whole = rnnkit.Forecaster(**ARGS).fit(data())
    where = tmp_path / "ckpt"
    script = KILLED_FIT.format(tests=tests, kill_after=kill_after, where=str(where))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    resumed = rnnkit.Forecaster(**ARGS).fit(data(), checkpoint=where, resume=True)
    expected, got = weights(whole), weights(resumed)
    assert expected.keys() == got.keys()
    for k in expected:
        torch.testing.assert_close(got[k], expected[k], rtol=0, atol=0)
    assert [h.best_epoch for h in resumed.histories_] == [h.best_epoch for h in whole.histories_]


def test_resume_refuses_another_fit_or_no_checkpoint(tmp_path):
    with pytest.raises(InputError, match="holds no checkpoint"):
        rnnkit.Forecaster(**ARGS).fit(data(), checkpoint=tmp_path / "none", resume=True)
    rnnkit.Forecaster(**(ARGS | {"epochs": 1})).fit(data(), checkpoint=tmp_path / "c")
    with pytest.raises(InputError, match="other arguments or data"):
        rnnkit.Forecaster(**ARGS).fit(data(), checkpoint=tmp_path / "c", resume=True)
    with pytest.raises(InputError, match="needs checkpoint"):
        rnnkit.Forecaster(**ARGS).fit(data(), resume=True)


KILLED_CLASSIFIER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from rnnkit.train import checkpoint
    from train.test_checkpoint import classify
    saves = [0]
    real = checkpoint.Checkpoint.save
    def save(self, *args, **kwargs):
        real(self, *args, **kwargs)
        saves[0] += 1
        if saves[0] == 3:  # run 0 finished; run 1 saved after its first epoch
            os.kill(os.getpid(), signal.SIGKILL)
    checkpoint.Checkpoint.save = save
    classify({where!r})
""")


def classify(where=None, resume=False):
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 16, 2))
    y = (X[:, :, 0].mean(1) > 0).astype(int)
    model = rnnkit.SequenceClassifier(epochs=8, hidden_size=8, verbose=0, repeats=2)
    return model.fit(X, y, checkpoint=where, resume=resume)


def test_a_sequence_fit_killed_and_resumed_ends_with_the_uninterrupted_weights(tmp_path):
    import pathlib

    tests = str(pathlib.Path(__file__).resolve().parents[1])
    whole = classify()
    where = tmp_path / "ckpt"
    script = KILLED_CLASSIFIER.format(tests=tests, where=str(where))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    resumed = classify(where, resume=True)
    for k, v in whole.model_.state_dict().items():
        torch.testing.assert_close(resumed.model_.state_dict()[k], v, rtol=0, atol=0)
