"""What the tests share: the library's seeded series generator, in the shapes tests use."""

from __future__ import annotations

import pandas as pd

from rnnkit.datasets.synthetic import generate_series


def one_series(length: int = 90, freq: str | None = None, **kwargs) -> pd.DataFrame:
    """One series without an id column (``ds``, ``y``): what a single-series user passes."""
    return generate_series(1, length, freq, **kwargs).drop(columns="unique_id")


def panel(lengths=(60, 45), freq: str | None = "D", **kwargs) -> pd.DataFrame:
    """Several series in the long format (``unique_id``, ``ds``, ``y``)."""
    return generate_series(len(lengths), lengths, freq, **kwargs)


def untrained_fits(monkeypatch, on_fit=None) -> None:
    """Every fit of ``rnnkit.forecast.evaluate`` (holdouts and backtests) forecasts its start
    (its last layer at zero): the report row of that start must then match the model. With
    ``on_fit(options, fitted)`` called after each."""
    import rnnkit.forecast.evaluate as evaluate_module
    from rnnkit.forecast.networks import start_at_base

    real_fit = evaluate_module.fit

    def untrained_fit(options, train, network=None, horizon=None, checkpoint=None,
                      baseline=False):
        fitted = real_fit(options, train, network, horizon, checkpoint, baseline)
        for member in fitted.members:
            start_at_base(member)
        if on_fit is not None:
            on_fit(options, fitted)
        return fitted

    monkeypatch.setattr(evaluate_module, "fit", untrained_fit)


def pytest_configure(config) -> None:
    """Under pytest-xdist (``make test`` runs two workers on two cores), each worker trains
    with one thread: two workers of two threads each would fight over the cores."""
    import os

    if os.environ.get("PYTEST_XDIST_WORKER"):
        import torch

        torch.set_num_threads(1)
