from __future__ import annotations

import numpy as np
import pytest

from rnnkit.data.text import UNK, Vocabulary, is_text, tokenize
from rnnkit.errors import InputError


def test_tokenize_is_lower_case_words_and_punctuation():
    assert tokenize("Not GREAT, isn't it?!") == ["not", "great", ",", "isn't", "it", "?", "!"]


def test_vocabulary_is_built_on_training_texts_only_and_deterministic():
    train = ["b a a", "c a b", "d"]
    vocab = Vocabulary.build(train, min_count=1)
    assert vocab.tokens == ["a", "b", "c", "d"]  # by count, ties alphabetical
    assert Vocabulary.build(list(reversed(train))).tokens == vocab.tokens
    ids = vocab.encode(["a zebra d"])[0]
    np.testing.assert_array_equal(ids, [2, UNK, 5])  # unseen words are unknown, not learned
    assert Vocabulary.build(train, min_count=2).tokens == ["a", "b"]
    assert Vocabulary.build(train, max_vocab=1).size == 3


def test_truncation_sides_and_round_trip():
    text = ["a b c d e"]
    post = Vocabulary.build(text, max_length=2, truncation="post")
    pre = Vocabulary.build(text, max_length=2, truncation="pre")
    np.testing.assert_array_equal(post.encode(text)[0], [2, 3])
    np.testing.assert_array_equal(pre.encode(text)[0], [5, 6])
    assert Vocabulary.from_dict(post.to_dict()) == post


def test_empty_text_and_detection():
    with pytest.raises(InputError, match="text 1 is empty"):
        Vocabulary.build(["fine", "  "])
    assert is_text(["a b"]) and is_text([["a", "b"]]) and not is_text(np.zeros((2, 3, 1)))


def test_words_of_any_script_are_whole_and_old_vocabularies_read_as_before():
    """Accented words were cut at every non-ASCII letter ("café" -> "caf", "é"); files of
    rnnkit 0.2.0 (no tokenizer named) keep reading texts that way."""
    assert tokenize("Très bon café, Straße!") == ["très", "bon", "café", ",", "straße", "!"]
    assert tokenize("très", "ascii") == ["tr", "è", "s"]
    vocab = Vocabulary.build(["un café", "le café"])
    assert "café" in vocab.tokens and Vocabulary.from_dict(vocab.to_dict()) == vocab
    old = {k: v for k, v in vocab.to_dict().items() if k != "tokenizer"}
    assert Vocabulary.from_dict(old).tokenizer == "ascii"
    with pytest.raises(InputError, match="min_count=5 keeps no token.*Pass min_count=2"):
        Vocabulary.build(["un café", "le café"], min_count=5)


def test_arrays_of_strings_are_texts_or_token_lists_and_3d_ones_are_numbers():
    from rnnkit.data.text import is_text

    assert is_text(np.array(["good film", "bad film"]))
    assert is_text(np.array([["good", "film"], ["bad", "film"]]))  # pre-tokenised
    assert not is_text(np.zeros((2, 3, 1)).astype(str))  # numbers kept as text
