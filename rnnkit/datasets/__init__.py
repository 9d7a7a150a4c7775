"""Bundled datasets, usable by name wherever a data path is accepted; and :func:`load`, the
real datasets of the tutorials in their published formats, from a path or downloaded once
into a cache with a checksum (:mod:`rnnkit.datasets.formats`, :mod:`.download`)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING

from rnnkit.errors import InputError

if TYPE_CHECKING:  # numpy and pandas load with the first dataset, not with this registry
    import numpy as np
    import pandas as pd

AXES = tuple(f"{kind}_{a}" for kind in ("body_acc", "gyro", "total_acc") for a in "xyz")


def _airline() -> pd.DataFrame:
    import pandas as pd

    with resources.files("rnnkit.datasets").joinpath("airline.csv").open() as f:
        return pd.read_csv(f)


def _long(X: np.ndarray, columns: list[str], **per_sequence: np.ndarray) -> pd.DataFrame:
    """Arrays ``[N, T, F]`` (+ one value per sequence) -> one row per sequence and step."""
    import numpy as np
    import pandas as pd

    n, t, _ = X.shape
    frame = pd.DataFrame(X.reshape(n * t, -1), columns=columns)
    frame.insert(0, "step", np.tile(np.arange(t), n))
    frame.insert(0, "id", np.repeat(np.arange(n), t))
    for name, values in per_sequence.items():
        frame[name] = np.repeat(values, t)
    return frame


def _activity() -> pd.DataFrame:
    from rnnkit.datasets.sequences import activity

    X, y = activity(600, seed=0)
    return _long(X, list(AXES), activity=y)


def _bmi() -> pd.DataFrame:
    import numpy as np

    from rnnkit.datasets.sequences import sequence_and_static

    X, static, y = sequence_and_static(600, seed=0)
    return _long(X, ["counts"], age=static[:, 0], sex=static[:, 1], height=static[:, 2],
                 bmi=np.round(y, 3))


def _counting() -> pd.DataFrame:
    from rnnkit.datasets.teaching import counting

    X, y = counting(n=600, seed=0)
    frame = _long(X, ["a", "marker", "blank"])
    frame["tag"] = y.reshape(-1)
    return frame


def _reviews() -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from rnnkit.datasets.sequences import sentiment

    texts, labels = sentiment(2000, seed=0)
    return pd.DataFrame({"id": np.arange(len(texts)), "text": texts, "sentiment": labels})


# name -> (description, loader returning a DataFrame)
DATASETS: dict[str, tuple[str, Callable[[], pd.DataFrame]]] = {
    "airline": (
        "Monthly international airline passengers, 1949-1960, 144 observations "
        "(Box & Jenkins), columns ds, y",
        _airline,
    ),
    "activity": (
        "Generated activity windows: 600 sequences x 128 steps x 9 sensor channels, 4 "
        "activities told by axis and cadence under a random device tilt; long frame id, "
        "step, body_acc_x..total_acc_z, activity",
        _activity,
    ),
    "reviews": (
        "Generated movie reviews, 2,000 rows of about 200 words of vocabulary: id, text, "
        "sentiment (cues negated, intensified, or turned by 'but')",
        _reviews,
    ),
    "bmi": (
        "Generated day of activity counts (96 steps) + age, sex, height -> bmi; long frame "
        "id, step, counts, age, sex, height, bmi",
        _bmi,
    ),
    "counting": (
        "Generated tagging task: N a's, a marker, then tag the next N steps 'b' (else '-'); "
        "600 sequences x 18 steps, long frame id, step, a, marker, blank, tag",
        _counting,
    ),
}


# name -> its columns, known without loading it: a misspelt column fails before pandas loads
COLUMNS: dict[str, tuple[str, ...]] = {
    "airline": ("ds", "y"),
    "activity": ("id", "step", *AXES, "activity"),
    "reviews": ("id", "text", "sentiment"),
    "bmi": ("id", "step", "counts", "age", "sex", "height", "bmi"),
    "counting": ("id", "step", "a", "marker", "blank", "tag"),
}


def list_datasets() -> dict[str, str]:
    """Bundled dataset names and one-line descriptions."""
    return {name: description for name, (description, _) in DATASETS.items()}


def load_dataset(name: str) -> pd.DataFrame:
    """A bundled dataset as a DataFrame."""
    if name not in DATASETS:
        raise InputError(f"dataset {name!r} is not bundled; known: {sorted(DATASETS)}.")
    return DATASETS[name][1]()


def load(source, sha256: str | None = None, cache_dir=None):
    """A dataset in its published format from a path, a URL, a known name ("uci_har",
    "imdb") or ``"ucr:<Name>"``: see :func:`rnnkit.datasets.download.load`."""
    from rnnkit.datasets.download import load as load_source

    return load_source(source, sha256, cache_dir)
