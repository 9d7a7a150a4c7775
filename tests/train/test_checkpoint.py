"""Checkpoint and resume: a fit (Forecaster, SequenceClassifier) killed with SIGKILL
mid-training and resumed ends with the weights of the uninterrupted fit, on CPU."""

from __future__ import annotations

import pathlib
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from conftest import one_series

import rnnkit
from rnnkit.errors import InputError

ARGS = dict(epochs=12, patience=0, repeats=2, refit_all=True, max_time=None, hidden_size=8,
            epoch_size=64, verbose=0, lookback=24, horizon=6)


def data():
    return one_series(150, "MS", seasons=((12, 3.0),), trend=0.05, noise=0.5, seed=3)


def forecast(where=None, resume=False, every=30.0):
    return rnnkit.Forecaster(**ARGS).fit(data(), checkpoint=where, resume=resume,
                                         checkpoint_every=every)


def classify(where=None, resume=False):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 16, 2))
    y = (X[:, :, 0].mean(1) > 0).astype(int)
    model = rnnkit.SequenceClassifier(epochs=8, hidden_size=8, verbose=0, repeats=2)
    return model.fit(X, y, checkpoint=where, resume=resume)


KILLED = textwrap.dedent("""
    import os, signal, sys
    import torch
    torch.set_num_threads({threads})  # as this process: sums in the same order, bit for bit
    sys.path.insert(0, {tests!r})
    from rnnkit.train import checkpoint
    import train.test_checkpoint as t
    saves = [0]
    real = checkpoint.Checkpoint.save
    def save(self, *args, **kwargs):
        real(self, *args, **kwargs)
        saves[0] += 1
        if saves[0] == {kill_after}:
            os.kill(os.getpid(), signal.SIGKILL)
    checkpoint.Checkpoint.save = save
    {call}
""")


def kill_during(call: str, kill_after: int) -> None:
    """Run ``call`` in a fresh process, SIGKILLed right after its ``kill_after``-th save."""
    tests = str(pathlib.Path(__file__).resolve().parents[1])
    script = KILLED.format(tests=tests, kill_after=kill_after, call=call,
                           threads=torch.get_num_threads())
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr


def assert_same_weights(a: torch.nn.Module, b: torch.nn.Module) -> None:
    expected, got = a.state_dict(), b.state_dict()
    assert expected.keys() == got.keys()
    for k in expected:
        torch.testing.assert_close(got[k], expected[k], rtol=0, atol=0)


# a save after every epoch: run 0 writes 13 (12 epochs + done), run 1 13 more, then the refit
@pytest.mark.parametrize("kill_after", [17, 29])  # in run 1; in the refit phase
def test_a_fit_killed_and_resumed_ends_with_the_uninterrupted_weights(tmp_path, kill_after):
    whole = forecast()
    kill_during(f"t.forecast({str(tmp_path)!r}, every=0.0)", kill_after)
    resumed = forecast(tmp_path, resume=True)
    assert_same_weights(whole.fitted_.network, resumed.fitted_.network)
    assert [h.best_epoch for h in resumed.histories_] == [h.best_epoch for h in whole.histories_]


def test_a_sequence_fit_killed_and_resumed_ends_with_the_uninterrupted_weights(tmp_path):
    whole = classify()
    kill_during(f"t.classify({str(tmp_path)!r})", 3)  # run 0 done; run 1 after one epoch
    assert_same_weights(whole.model_, classify(tmp_path, resume=True).model_)


def test_resume_refuses_another_fit_or_no_checkpoint(tmp_path):
    with pytest.raises(InputError, match="holds no checkpoint"):
        rnnkit.Forecaster(**ARGS).fit(data(), checkpoint=tmp_path / "none", resume=True)
    rnnkit.Forecaster(**(ARGS | {"epochs": 1})).fit(data(), checkpoint=tmp_path / "c")
    with pytest.raises(InputError, match="other arguments or data"):
        rnnkit.Forecaster(**ARGS).fit(data(), checkpoint=tmp_path / "c", resume=True)
    with pytest.raises(InputError, match="needs checkpoint"):
        rnnkit.Forecaster(**ARGS).fit(data(), resume=True)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="'.*notes.txt' is a file; the checkpoints go in a"):
        rnnkit.Forecaster(**ARGS).fit(data(), checkpoint=tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_resume_refuses_a_checkpoint_of_another_resolved_shape(tmp_path, monkeypatch):
    """The same arguments and data, resolved to another lookback (as by a version whose
    defaults differ): the weights would not fit the new shape, so resuming is refused."""
    import rnnkit.forecast.spec as spec_module

    rnnkit.Forecaster(**(ARGS | {"epochs": 1})).fit(data(), checkpoint=tmp_path / "c")
    resolve = spec_module.resolve

    def other_lookback(options, panel=None, horizon=None):
        spec = resolve(options, panel, horizon)
        return spec.__class__(**(vars(spec) | {"lookback": spec.lookback + 1}))

    monkeypatch.setattr(spec_module, "resolve", other_lookback)
    with pytest.raises(InputError, match="other arguments or data"):
        rnnkit.Forecaster(**(ARGS | {"epochs": 1})).fit(data(), checkpoint=tmp_path / "c",
                                                         resume=True)


def test_a_sequence_resume_with_other_static_covariates_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 6, 2)), rng.normal(size=20)
    static = rng.normal(size=(20, 2))
    args = dict(epochs=1, hidden_size=4, verbose=0)
    rnnkit.SequenceRegressor(**args).fit(X, y, static=static, checkpoint=tmp_path / "c")
    with pytest.raises(InputError, match="other arguments or data"):
        rnnkit.SequenceRegressor(**args).fit(X, y, static=static[::-1], checkpoint=tmp_path / "c",
                                             resume=True)


def test_a_checkpoint_folder_keeps_the_users_files_and_a_damaged_marker_is_one_line(tmp_path):
    """A fit removed every *.safetensors file of its checkpoint folder, the user's too."""
    where = tmp_path / "models"
    where.mkdir()
    (where / "pretrained.safetensors").write_bytes(b"mine")
    rnnkit.Forecaster(**(ARGS | {"epochs": 1})).fit(data(), checkpoint=where)
    rnnkit.Forecaster(**(ARGS | {"epochs": 1})).fit(data(), checkpoint=where)  # again: cleans
    assert (where / "pretrained.safetensors").read_bytes() == b"mine"
    (where / "fit.json").write_text("{bad")
    with pytest.raises(InputError, match="damaged fit.json"):
        rnnkit.Forecaster(**ARGS).fit(data(), checkpoint=where, resume=True)


def test_sequence_training_refuses_a_checkpoint_it_would_not_write(tmp_path):
    with pytest.raises(InputError, match="training='sequence': sequence training writes no"):
        rnnkit.Forecaster(**(ARGS | {"training": "sequence", "repeats": 1})).fit(
            data(), checkpoint=tmp_path / "c")
