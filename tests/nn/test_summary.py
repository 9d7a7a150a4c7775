from __future__ import annotations

import pytest
from torch import nn

from rnnkit.nn import ForecastNetConfig, RecurrentConfig, RecurrentForecastNet
from rnnkit.nn.summary import dense_count, format_summary, recurrent_layer_counts

TORCH = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def test_lstm_closed_form_matches_the_textbook_number():
    # 4 gates x (4 x (1 + 4) + 4 + 4) = 112 for an LSTM with 1 input and 4 units
    (row,) = recurrent_layer_counts(RecurrentConfig("lstm", 1, 4))
    assert row.count == 112
    assert row.formula == "4 x (4 x (1 + 4) + 4 + 4) = 112"


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_counts_match_torch_modules(cell, num_layers, bidirectional):
    config = RecurrentConfig(cell, 5, 7, num_layers, 0.0, bidirectional)
    module = TORCH[cell](5, 7, num_layers=num_layers, bidirectional=bidirectional)
    rows = recurrent_layer_counts(config)
    assert len(rows) == num_layers * (2 if bidirectional else 1)
    assert sum(r.count for r in rows) == sum(p.numel() for p in module.parameters())


def test_forecast_net_counts_include_the_head():
    config = ForecastNetConfig(RecurrentConfig("gru", 3, 8, 2, 0.1, True), horizon=6)
    net = RecurrentForecastNet(config)
    rows = net.layer_counts()
    assert rows[-1] == dense_count("dense head", 16, 6)
    assert sum(r.count for r in rows) == sum(p.numel() for p in net.parameters())
    text = format_summary(rows)
    assert "total" in text and "b_ih and b_hh" in text
