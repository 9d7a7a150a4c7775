"""training="sequence": streams, carried state, and update() equal to a full recompute."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import panel

import rnnkit
from rnnkit.errors import InputError
from rnnkit.nn import ForecastNetConfig, RecurrentConfig
from rnnkit.train import TrainConfig
from rnnkit.train.stateful import SequenceStreams, rows_ahead, train_stateful

FAST = dict(max_time=None, lookback=24, horizon=6, epochs=5, verbose=0, batch_size=4,
            training="sequence")


def _panel_frame(n: int = 400) -> pd.DataFrame:
    return panel((n, n), "h", seasons=((24, 1.0),), trend=0.01, level=1)


@pytest.mark.parametrize("training", ["sequence", "window"])
def test_update_equals_a_full_recompute_and_survives_save(training, tmp_path):
    data = _panel_frame()
    head = data.groupby("unique_id").head(300)
    tail = data.groupby("unique_id").tail(100)
    # two runs: an ensemble updates as one (five, the small-data default, cost 2.5x more)
    f = rnnkit.Forecaster(**(FAST | dict(training=training, repeats=2))).fit(head)
    f.update(tail.iloc[:30]).update(tail.iloc[30:])  # in two parts, one series then both
    recomputed = f.predict(data=data)
    streamed = f.predict()
    pd.testing.assert_frame_equal(streamed, recomputed, rtol=1e-5, atol=1e-5)
    assert streamed["ds"].iloc[0] == data["ds"].iloc[-1] + pd.Timedelta("1h")
    f.save(tmp_path / "m")
    pd.testing.assert_frame_equal(rnnkit.load(tmp_path / "m").predict(), streamed)


def test_update_refuses_rows_that_do_not_continue_the_series():
    data = _panel_frame()
    f = rnnkit.Forecaster(**FAST).fit(data.groupby("unique_id").head(300))
    tail = data.groupby("unique_id").tail(100)
    with pytest.raises(InputError, match=r"series 's0' ends at 2024-01-13 11:00:00, so new "
                                         r"observations must start at 2024-01-13 12:00:00; "
                                         r"they start at 2024-01-13 13:00:00"):
        f.update(tail.iloc[1:])
    with pytest.raises(InputError, match="start at 2024-01-13 11:00:00"):  # a repeat
        f.update(data.iloc[299:310])
    with pytest.raises(InputError, match=r"series \['c'\] that the model was not trained on"):
        f.update(tail.iloc[:100].assign(unique_id="c"))
    with pytest.raises(InputError, match="fitted without fill: give those values"):
        f.update(tail.iloc[:1].assign(y=np.nan))  # one missing value, not another frequency


def test_a_series_state_never_depends_on_another_series():
    data = _panel_frame()
    f = rnnkit.Forecaster(**FAST).fit(data)
    changed = data.assign(y=np.where(data["unique_id"] == "s0", data["y"] * 3 + 1, data["y"]))
    before, after = f.predict(data=data), f.predict(data=changed)
    b = before["unique_id"] == "s1"
    pd.testing.assert_frame_equal(before[b], after[b])
    assert not np.allclose(before.loc[~b, "y"], after.loc[~b, "y"])


def test_streams_never_cross_series_and_any_length_works():
    lengths, n_streams, burn_in, horizon = [1000, 37], 7, 5, 3
    series = [np.column_stack([np.full(n, 100.0 * s) + np.arange(n)]) for s, n in
              enumerate(lengths)]
    streams = SequenceStreams.from_series(series, np.array(lengths), horizon, n_streams,
                                          burn_in)
    x, mask = streams.x[..., 0].numpy(), streams.mask.numpy()
    assert 6 <= len(x) <= 8
    for row, s in zip(x, streams.series.tolist(), strict=True):
        used = row[row != 0] if s else row[1:][row[1:] != 0]
        assert ((used >= 100 * s) & (used < 100 * s + lengths[s])).all()  # one series only
        assert np.all(np.diff(used) == 1)  # consecutive steps
    # scored: every step past the burn-in whose horizon lies inside its series
    expected = 0
    for s, n in enumerate(lengths):
        ends = np.flatnonzero(streams.series.numpy() == s)
        for k in ends:
            first = x[k][0] - 100 * s
            length = int((x[k] != 0).sum() + (1 if s == 0 and first == 0 else 0))
            steps = np.arange(first, first + length)[burn_in:]
            expected += int((steps + horizon < n).sum())
    assert mask.sum() == expected
    np.testing.assert_array_equal(streams.target[0, 10, :, 0].numpy(),
                                  rows_ahead(series[0], horizon)[10, :, 0])


class _StateSpy(torch.nn.Module):
    """Wraps a stateful net and records the state each chunk starts from."""

    def __init__(self, net):
        super().__init__()
        self.net, self.starts = net, []

    def forward(self, x, series=None, future=None, state=None, level=None):
        self.starts.append(None if state is None else state[0].detach().clone())
        return self.net(x, series, future, state, level)


def test_state_is_carried_between_chunks_detached_and_reset_every_epoch():
    from rnnkit.nn.stateful import StatefulForecastNet

    net = StatefulForecastNet(ForecastNetConfig(RecurrentConfig("lstm", 1, 8), horizon=6))
    series = [np.sin(np.arange(300.0) / 4)[:, None]]
    streams = SequenceStreams.from_series(series, np.array([300]), 6, 2, 3)
    spy = _StateSpy(net)
    chunks = -(-streams.x.shape[1] // 24)
    train_stateful(spy, streams, TrainConfig(epochs=3, verbose=0), chunk=24)
    starts = spy.starts
    assert len(starts) == 3 * chunks
    for epoch in range(3):
        first, rest = starts[epoch * chunks], starts[epoch * chunks + 1 : (epoch + 1) * chunks]
        assert first is None  # a fresh state every epoch
        assert all(s is not None and s.abs().sum() > 0 for s in rest)


def test_validation_pieces_score_every_origin_after_the_cut_once():
    n, cut, horizon = 500, 300, 6
    values = [np.arange(n, dtype=float)[:, None]]
    val = SequenceStreams.validation(values, np.array([cut]), horizon, warmup=40)
    assert len(val.x) > 1  # read in parallel pieces
    # each piece starts `warmup` rows before its origins; scored rows are the origins
    x, mask = val.x[..., 0].numpy(), val.mask.numpy()
    origins = np.sort(x[mask])
    np.testing.assert_array_equal(origins, np.arange(cut - 1, n - horizon))
    for row, m in zip(x, mask, strict=True):
        first = row[m][0]
        assert row[0] == max(0, first - 40)  # its warm-up rows come first


def test_repeated_sequence_runs_keep_one_state_each_and_round_trip(tmp_path):
    data = _panel_frame(300)
    f = rnnkit.Forecaster(**(FAST | dict(repeats=2, val_size=0))).fit(data)
    assert len(f.state_) == 2 and not np.allclose(f.state_[0][0], f.state_[1][0])
    again = rnnkit.Forecaster(**(FAST | dict(repeats=2, val_size=0))).fit(data)
    pd.testing.assert_frame_equal(again.predict(), f.predict(), check_exact=True)
    f.save(tmp_path / "m")
    pd.testing.assert_frame_equal(rnnkit.load(tmp_path / "m").predict(), f.predict())
    seen = f.inspect()  # the last lookback steps, as the network reads them: target changes
    np.testing.assert_allclose(seen.network_inputs[1:, 0] * f.scaler_.scale_[0, 0],
                               np.diff(seen.inputs[:, 0]), rtol=1e-4, atol=1e-5)


def test_backtest_and_predict_windows_of_a_sequence_model_match_predict():
    data = _panel_frame(300)
    bt = rnnkit.Forecaster(**FAST).backtest(data, n_windows=3, step=6)
    f = bt.estimator
    assert np.isfinite(bt.scores.to_numpy()).all()
    last = bt.forecasts[bt.forecasts["cutoff"] == bt.forecasts["cutoff"].max()]
    history = data[data["ds"] <= last["cutoff"].iloc[0]]
    direct = f.predict(data=history)  # f was fitted before the first origin
    np.testing.assert_allclose(last["LSTM"], direct["y"], rtol=1e-5)
    windows = f.predict_windows(history, stride=1)
    final = windows[windows["cutoff"] == windows["cutoff"].max()]
    before = f.predict(data=history[history["ds"] <= final["cutoff"].iloc[0]])
    np.testing.assert_allclose(final["y"], before["y"], rtol=1e-5)
