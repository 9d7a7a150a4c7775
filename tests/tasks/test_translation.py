"""SequenceToSequence: learns a transduction, decodes greedily exactly as its teacher-forced
forward pass scores, round-trips through a model file, refuses bad input in one line."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnkit
from rnnkit.errors import InputError
from rnnkit.nn.encoder_decoder import START

FAST = dict(hidden_size=32, max_steps=500, verbose=0, seed=0)


def reversals(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    X = ["".join(rng.choice(list("abcde"), size=rng.integers(3, 7))) for _ in range(n)]
    return X, [x[::-1] for x in X]


@pytest.fixture(scope="module")
def reverser():
    X, y = reversals(1500, seed=0)
    return rnnkit.SequenceToSequence(**FAST).fit(X, y)


def test_it_learns_to_reverse_unseen_sequences(reverser):
    X_test, y_test = reversals(200, seed=1)
    assert reverser.score(X_test, y_test) > 0.9  # exact match of the whole output
    assert all(isinstance(p, str) for p in reverser.predict(X_test[:3]))


def test_greedy_decoding_is_the_argmax_of_the_teacher_forced_pass(reverser):
    """Fed its own outputs as the true previous symbols, the batched forward pass picks,
    at every step, the symbol greedy decoding picked: the loop and the fused pass agree."""
    X_test, _ = reversals(20, seed=2)
    src, lengths = reverser._source_ids([list(x) for x in X_test])
    net = reverser.model_
    greedy = net.greedy(torch.from_numpy(src), torch.from_numpy(lengths), 12)
    fed = torch.cat([torch.full((len(src), 1), START), greedy[:, :-1]], dim=1)
    with torch.no_grad():
        logits = net(torch.from_numpy(src), torch.from_numpy(lengths), fed)
    real = greedy != 0  # up to and including each end
    assert torch.equal(logits.argmax(-1)[real], greedy[real])


def test_a_saved_model_decodes_the_same_and_lists_stay_lists(reverser, tmp_path):
    X_test, _ = reversals(10, seed=3)
    reverser.save(tmp_path / "m")
    assert rnnkit.load(tmp_path / "m").predict(X_test) == reverser.predict(X_test)
    X = [[1, 2, 3], [3, 1], [2, 2, 1, 3]] * 30
    model = rnnkit.SequenceToSequence(**FAST | {"max_steps": 30}).fit(X, [s[::-1] for s in X])
    out = model.predict([[3, 2, 1], [7, 1]])  # 7: never seen, read as unknown
    assert all(isinstance(o, list) for o in out)


def test_bad_input_is_one_clear_line():
    with pytest.raises(InputError, match=r"y has 1 sequences but X has 2"):
        rnnkit.SequenceToSequence(**FAST).fit(["ab", "cd"], ["ba"])
    with pytest.raises(InputError, match=r"X\[1\] is empty"):
        rnnkit.SequenceToSequence(**FAST).fit(["ab", ""], ["ba", "x"])
    with pytest.raises(InputError, match="bidirectional=True: the decoder starts"):
        rnnkit.SequenceToSequence(bidirectional=True).fit(["ab"], ["ba"])
    with pytest.raises(rnnkit.NotFittedError):
        rnnkit.SequenceToSequence().predict(["ab"])


def test_numpy_symbols_save_and_symbols_a_file_cannot_hold_are_refused(tmp_path):
    """numpy ints failed at save (not JSON); tuples saved but the file did not load."""
    X = [list(np.array([1, 2])), [2], [1, 1, 2]]
    y = [[2, 1], [2], [2, 1, 1]]
    model = rnnkit.SequenceToSequence(hidden_size=4, max_steps=3, verbose=0).fit(X, y)
    model.save(tmp_path / "m")
    assert rnnkit.load(tmp_path / "m").predict(X) == model.predict(X)
    with pytest.raises(InputError, match=r"X\[0\] holds the symbol \('a', 1\) \(tuple\)"):
        rnnkit.SequenceToSequence(max_steps=2).fit([[("a", 1)], [("b", 2)]], ["a", "b"])
    with pytest.raises(InputError, match="y has 2 sequences but X has 3"):
        model.score(X, y[:2])
