"""Bundled datasets, usable by name wherever a data path is accepted. No downloads."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import pandas as pd

from rnnkit.errors import InputError


def _airline() -> pd.DataFrame:
    with resources.files("rnnkit.datasets").joinpath("airline.csv").open() as f:
        return pd.read_csv(f)


# name -> (description, loader returning a DataFrame)
DATASETS: dict[str, tuple[str, Callable[[], pd.DataFrame]]] = {
    "airline": (
        "Monthly international airline passengers, 1949-1960, 144 observations "
        "(Box & Jenkins), columns ds, y",
        _airline,
    ),
}


def list_datasets() -> dict[str, str]:
    """Bundled dataset names and one-line descriptions."""
    return {name: description for name, (description, _) in DATASETS.items()}


def load_dataset(name: str) -> pd.DataFrame:
    """A bundled dataset as a DataFrame."""
    if name not in DATASETS:
        raise InputError(f"dataset {name!r} is not bundled; known: {sorted(DATASETS)}.")
    return DATASETS[name][1]()
