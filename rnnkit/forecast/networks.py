"""Which network a forecast trains: the recurrent window model, the encoder-decoder, the
stateful one, or the window MLP of the baselines (the same fit with another network)."""

from __future__ import annotations

import math

import torch
from torch import nn

from rnnkit.forecast.options import ForecastOptions
from rnnkit.forecast.spec import ForecastSpec
from rnnkit.nn import ForecastNetConfig, RecurrentConfig, RecurrentForecastNet, WindowMLP
from rnnkit.nn.ensemble import Ensemble

KINDS = ("recurrent", "mlp")


def net_config(options: ForecastOptions, spec: ForecastSpec) -> ForecastNetConfig:
    recurrent = RecurrentConfig(
        cell=options.cell, input_size=spec.n_features, hidden_size=options.hidden_size,
        num_layers=options.num_layers, dropout=options.dropout,
        bidirectional=options.bidirectional)
    return ForecastNetConfig(recurrent, spec.steps, (0,), window_norm(options, spec),
                             tuple(options.quantiles or ()), spec.n_series, options.id_embedding,
                             spec.n_static, spec.n_future, base_season(spec), spec.profile,
                             spec.reads, spec.year)


def window_norm(options: ForecastOptions, spec: ForecastSpec) -> str:
    """What the network's window norm is: the option, or "drift" (the last value, going on
    at the pace of the window) where ``spec.drift`` says "season" starts there (yearly
    data: see :func:`rnnkit.forecast.spec.resolve`)."""
    return "drift" if spec.drift else options.window_norm


def base_season(spec: ForecastSpec) -> int:
    """The season the "season" window norm repeats: 0 (the last value) where the series do
    not repeat theirs (``spec.seasonless``)."""
    return 0 if spec.seasonless else spec.season or 0


def build_network(options: ForecastOptions, spec: ForecastSpec, kind: str | None = None
                  ) -> nn.Module:
    """One untrained run's network.

    Args:
        kind: "recurrent" (what ``strategy`` and ``training`` ask for) or "mlp" (the
            tutorials' window MLP on the same windows: the baseline).
    """
    if (kind or options.network) == "mlp":
        return WindowMLP(spec.lookback, spec.n_features, spec.steps, (0,), options.hidden_size,
                         window_norm(options, spec), spec.n_future, base_season(spec),
                         spec.profile, spec.reads, spec.year)
    config = net_config(options, spec)
    if options.strategy == "seq2seq":
        from rnnkit.nn.seq2seq import Seq2SeqNet

        return Seq2SeqNet(config, options.attention)
    if options.training == "sequence":
        from rnnkit.nn.stateful import StatefulForecastNet

        return StatefulForecastNet(config)
    return RecurrentForecastNet(config)


def start_at_base(network: nn.Module) -> nn.Module:
    """The last layer at zero: a new network forecasts its base (the last season, or the last
    value) exactly, and training moves it only as far as the data asks. A quantile head's
    levels are the lowest plus softplus increments, each ln 2 at zero: its lowest level starts
    that far below, so that the median (the point forecast) is the base."""
    head = getattr(network, "head", None)
    last = head.linear if head is not None else network.net[-1]
    nn.init.zeros_(last.weight)
    nn.init.zeros_(last.bias)
    if head is not None and getattr(head, "quantiles", False):
        levels = list(network.config.quantiles)
        below = levels.index(0.5) if 0.5 in levels else len(levels) // 2
        with torch.no_grad():
            last.bias.view(head.horizon, head.outputs)[:, 0] = -below * math.log(2)
    return network


def assemble(members: list[nn.Module], reduce: str) -> nn.Module:
    """One run as it is; several as an ensemble."""
    return members[0] if len(members) == 1 else Ensemble(members, reduce)
