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


def test_a_long_frame_keeps_ids_as_written_orders_dates_and_refuses_repeats(tmp_path):
    """'007' and '7' were one sequence (ids read as numbers), date strings were ordered as
    text, a repeated step was read as one more step, a blank id broke the count."""
    import pandas as pd

    from rnnkit.data.sequences import sequences_from_frame
    from rnnkit.errors import InputError
    from rnnkit.tasks.sequence_jobs import _read

    (tmp_path / "ids.csv").write_text("id,step,x,label\n007,0,1,a\n007,1,2,a\n7,0,3,b\n7,1,4,b\n")
    schema = {"target_col": "label", "sequence_cols": ["x"], "id_col": "id",
              "time_col": "step", "static_cols": [], "text_col": None}
    X, y, _, ids = _read(tmp_path / "ids.csv", schema)
    assert ids.tolist() == ["007", "7"] and y.tolist() == ["a", "b"] and len(X) == 2
    dates = pd.DataFrame({"id": ["A"] * 3, "t": ["9/1/2021", "10/1/2021", "11/1/2021"],
                          "x": [9.0, 10.0, 11.0], "label": ["a"] * 3})
    assert sequences_from_frame(dates, "id", "t", ["x"], "label")[0][0][:, 0].tolist() == \
        [9.0, 10.0, 11.0]
    repeated = dates.assign(t=[0, 1, 1])
    with pytest.raises(InputError, match="sequence 'A' has 1 repeated 't' value.*first: 1"):
        sequences_from_frame(repeated, "id", "t", ["x"], "label")
    blank = dates.assign(id=["A", None, "A"], t=[0, 1, 2])
    with pytest.raises(InputError, match="id_col='id' is empty in 1 row"):
        sequences_from_frame(blank, "id", "t", ["x"], "label")
    mixed = dates.assign(id=[1, 1, "b"], t=[0, 1, 0])
    assert sequences_from_frame(mixed, "id", "t", ["x"], "label")[3].tolist() == ["1", "b"]


def test_sequences_keep_the_order_their_ids_first_appear_in_and_each_reads_by_step():
    """Ids were sorted ("s10" before "s2"), so predictions and inspect --sequence N did not
    follow the file; rows of a sequence may be interleaved with others' and out of step."""
    import pandas as pd

    from rnnkit.data.sequences import sequences_from_frame

    frame = pd.DataFrame({"id": ["s2", "s10", "s2", "s1", "s10"], "t": [1, 0, 0, 0, 1],
                          "x": [2.0, 10.0, 1.0, 100.0, 20.0], "label": [0, 1, 0, 2, 1]},
                         index=[7, 7, 3, 1, 0])  # an index that is neither unique nor sorted
    X, y, _, ids = sequences_from_frame(frame, "id", "t", ["x"], "label")
    assert ids.tolist() == ["s2", "s10", "s1"] and y.tolist() == [0, 1, 2]
    assert [x[:, 0].tolist() for x in X] == [[1.0, 2.0], [10.0, 20.0], [100.0]]
    X, _, _, ids = sequences_from_frame(frame, "id", None, ["x"], "label")  # rows as written
    assert ids.tolist() == ["s2", "s10", "s1"]
    assert [x[:, 0].tolist() for x in X] == [[2.0, 1.0], [10.0, 20.0], [100.0]]


def test_auto_normalisation_is_per_sequence_for_one_channel_and_both_for_several():
    from rnnkit.data.sequence_inputs import InputEncoder

    x = np.array([[[1.0, 100.0], [3.0, 300.0], [0.0, 0.0]],
                  [[10.0, 5.0], [20.0, 5.0], [30.0, 8.0]]])
    lengths = [2, 3]
    seqs = [x[0, :2], x[1]]
    one = InputEncoder()
    z = one.fit_transform([s[:, :1] for s in seqs], None).x
    assert one.normalize == "sequence" and one.input_width == 1
    np.testing.assert_allclose(z[0, :, 0], [-1, 1, 0], atol=1e-6)
    two = InputEncoder()
    enc = two.fit_transform(seqs, None)
    assert two.normalize == "both" and two.input_width == 4 and enc.x.shape == (2, 3, 4)
    # the first two columns are each sequence's own z-scores, the last two the training
    # steps' per-channel standardisation: how loud channel 1 is against channel 0 survives
    steps = np.concatenate(seqs)
    by_hand = (x - steps.mean(0)) / steps.std(0)
    for i, n in enumerate(lengths):
        own = (seqs[i] - seqs[i].mean(0)) / np.where(seqs[i].std(0) > 0, seqs[i].std(0), 1)
        np.testing.assert_allclose(enc.x[i, :n, :2], own, atol=1e-5)
        np.testing.assert_allclose(enc.x[i, :n, 2:], by_hand[i, :n], atol=1e-5)
    assert np.all(enc.x[0, 2:] == 0)  # padding stays 0 in both halves
    assert enc.static.shape == (2, 4)  # the levels (mean, log spread of each channel) too
    again = InputEncoder.from_dict(two.to_dict())
    np.testing.assert_array_equal(again.transform(seqs).x, enc.x)


def test_a_value_that_is_not_a_number_is_named_not_called_nan():
    import pandas as pd

    from rnnkit.data.sequences import sequences_from_frame
    from rnnkit.errors import InputError

    f = pd.DataFrame({"id": np.repeat([1, 2, 3], 4), "t": np.tile(range(4), 3),
                      "value": np.arange(12.0).astype(object), "label": np.repeat([0, 1, 0], 4)})
    f.loc[7, "value"] = "abc"
    with pytest.raises(InputError, match="column 'value' must be numeric; sequence 2 holds "
                                         "'abc' \\(row 7 of the data\\)"):
        sequences_from_frame(f, "id", "t", ["value"], "label")
    f.loc[7, "value"] = np.nan  # a missing value stays the NaN check's (padding or an error)
    X, *_ = sequences_from_frame(f, "id", "t", ["value"], "label")
    assert np.isnan(X[1][3, 0])



def test_a_static_value_on_the_first_row_only_is_the_sequences_and_none_at_all_is_refused():
    import pandas as pd

    from rnnkit.data.sequences import sequences_from_frame
    from rnnkit.errors import InputError

    frame = pd.DataFrame({"id": ["a", "a", "b", "b"], "t": [0, 1, 0, 1], "x": [1.0, 2, 3, 4],
                          "y": [0, 0, 1, 1], "age": [30, None, 40, None]})
    assert sequences_from_frame(frame, "id", "t", ["x"], "y", ["age"])[2].tolist() == \
        [[30.0], [40.0]]
    with pytest.raises(InputError, match="column 'age' is empty for sequence 'b'. Give each"):
        sequences_from_frame(frame.assign(age=[30, None, None, None]), "id", "t", ["x"], "y",
                             ["age"])
    with pytest.raises(InputError, match="column 'age' changes within sequence 'a'"):
        sequences_from_frame(frame.assign(age=[30, 31, 40, None]), "id", "t", ["x"], "y",
                             ["age"])
