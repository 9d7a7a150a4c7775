"""Readers of the published formats of the tutorials' real datasets, from a local path:

- UCR/UEA time-series classification and regression archives: ``.ts`` (sktime/aeon) and
  ``.arff`` (univariate rows, or the multivariate relational layout), a ``_TRAIN`` / ``_TEST``
  pair read together;
- Monash forecasting archive: ``.tsf`` -> a long frame ``unique_id, ds, y``;
- the UCI HAR folder (``train/Inertial Signals/*_train.txt``, ``y_train.txt``, the 128-step
  windows of 9 sensor channels) -> ``[N, 128, 9]``, labels by activity name;
- the IMDB ``aclImdb`` folder (``train/pos/*.txt`` ...) -> texts and labels.

Every reader returns a :class:`Dataset`; a file that does not follow its format is one
:class:`InputError` naming the file, the line and what was expected. No network here (see
:mod:`rnnkit.datasets.download`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnkit.errors import InputError

HAR_CHANNELS = ("total_acc_x", "total_acc_y", "total_acc_z", "body_acc_x", "body_acc_y",
                "body_acc_z", "body_gyro_x", "body_gyro_y", "body_gyro_z")


@dataclass
class Dataset:
    """A dataset read from its published format.

    Attributes:
        X_train, y_train, X_test, y_test: sequences (an array ``[N, T, F]`` when every
            sequence has the same length, else a list of ``[T_i, F]``; texts for IMDB) and
            their labels or targets, split as published (the test part None when the
            source has one part).
        frame: a forecasting archive's long frame (``unique_id, ds, y``), else None.
        info: what the header said (problem name, class labels, frequency, horizon, ...).
    """

    name: str
    X_train: Any = None
    y_train: np.ndarray | None = None
    X_test: Any = None
    y_test: np.ndarray | None = None
    frame: pd.DataFrame | None = None
    info: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        """One line: what the dataset holds, not every value of it."""
        def shape(x: Any) -> str:
            if x is None:
                return "None"
            if hasattr(x, "shape"):
                return "[" + ", ".join(str(d) for d in x.shape) + "]"
            return f"{len(x)} items"

        if self.frame is not None:
            series = self.frame["unique_id"].nunique() if "unique_id" in self.frame else 1
            held = f"frame: {len(self.frame)} rows of {series} series"
        else:
            held = (f"X_train {shape(self.X_train)}, y_train {shape(self.y_train)}, "
                    f"X_test {shape(self.X_test)}, y_test {shape(self.y_test)}")
        return f"Dataset({self.name!r}: {held})"


def read(path: str | Path) -> Dataset:
    """Read a dataset from ``path`` by its format: a ``.ts``, ``.arff`` or ``.tsf`` file (a
    ``_TRAIN`` file brings its ``_TEST`` twin), or a UCI HAR / aclImdb folder (or a folder
    holding exactly one of these)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"path={str(path)!r} does not exist. Pass a .ts, .arff or .tsf file, "
                         "or a UCI HAR or aclImdb folder.")
    if path.is_dir():
        return _read_folder(path)
    suffix = path.suffix.lower()
    if suffix == ".tsf":
        frame, info = read_tsf(path)
        return Dataset(info.get("relation", path.stem), frame=frame, info=info)
    if suffix not in (".ts", ".arff"):
        raise InputError(f"path={str(path)!r} has suffix {suffix!r}; expected .ts, .arff, .tsf "
                         "or a folder. Pass a file of one of those formats.")
    reader = read_ts if suffix == ".ts" else read_arff
    name = re.sub(r"_(TRAIN|TEST)$", "", path.stem, flags=re.IGNORECASE)
    twins = {part: path.with_name(f"{name}_{part}{path.suffix}") for part in ("TRAIN", "TEST")}
    if all(p.exists() for p in twins.values()):
        X_train, y_train, info = reader(twins["TRAIN"])
        X_test, y_test, _ = reader(twins["TEST"])
        return Dataset(name, X_train, y_train, X_test, y_test, info=info)
    X, y, info = reader(path)
    return Dataset(name, X, y, info=info)


# --- UCR/UEA .ts -----------------------------------------------------------------------------
def read_ts(path: str | Path) -> tuple[Any, np.ndarray | None, dict]:
    """A ``.ts`` file: sequences ``[N, T, F]`` (or a list when lengths differ) and labels
    (class labels as strings, regression targets as floats; None without a target)."""
    path = Path(path)
    info: dict = {}
    rows: list[list[np.ndarray]] = []
    labels: list[str] = []
    in_data = False
    for number, line in _lines(path, "#"):
        if not in_data:
            if not line.startswith("@"):
                raise _bad(path, number, "a @ header line or @data", line)
            key, _, value = line[1:].replace("\t", " ").partition(" ")
            key = key.lower()
            if key == "data":
                in_data = True
            elif key in ("classlabel", "targetlabel"):
                parts = value.split()
                info[key] = parts[0].lower() == "true"
                if key == "classlabel" and len(parts) > 1:
                    info["classes"] = parts[1:]
            else:
                info[key] = value.strip()
            continue
        if info.get("timestamps", "false").lower() == "true":
            raise _bad(path, number, "values without timestamps (@timeStamps true is not "
                       "read)", line[:40])
        fields = line.split(":")
        has_target = info.get("classlabel") or info.get("targetlabel")
        if has_target:
            labels.append(fields[-1].strip())
            fields = fields[:-1]
        try:
            rows.append([np.array([np.nan if v.strip() == "?" else float(v)
                                   for v in d.split(",")]) for d in fields])
        except ValueError:
            raise _bad(path, number, "comma-separated numbers per dimension, dimensions "
                       "separated by ':'", line[:60]) from None
    if not in_data:
        raise _bad(path, 0, "an @data line", "the end of the file")
    info["problem"] = info.get("problemname", path.stem)
    return _stack(path, rows), _targets(labels, info.get("targetlabel", False), path), info


# --- .arff -----------------------------------------------------------------------------------
def read_arff(path: str | Path) -> tuple[Any, np.ndarray | None, dict]:
    """An ``.arff`` file of the UCR/UEA archives: one numeric attribute per step and a class
    attribute last (univariate), or a relational attribute holding every channel
    (multivariate: each row ``'c1 values\\nc2 values',label``)."""
    path = Path(path)
    info: dict = {}
    rows: list[list[np.ndarray]] = []
    labels: list[str] = []
    in_data, relational, numeric_target = False, False, False
    for number, line in _lines(path, "%"):
        lower = line.lower()
        if not in_data:
            if lower.startswith("@relation"):
                info["problem"] = line.split(None, 1)[1].strip("'\"") if " " in line else ""
            elif lower.startswith("@attribute"):
                kind = line.split(None, 2)[2].strip() if len(line.split()) > 2 else ""
                relational = relational or kind.lower().startswith("relational")
                if "{" in kind:
                    info["classes"] = [c.strip().strip("'\"")
                                       for c in kind.strip("{}").split(",")]
                    numeric_target = False
                else:
                    numeric_target = kind.lower() in ("numeric", "real")
            elif lower.startswith("@data"):
                in_data = True
            continue
        if relational:
            match = re.fullmatch(r"""(['"])(.*)\1\s*,\s*(.+)""", line)
            if not match:
                raise _bad(path, number, "'channel values\\n...',label", line[:60])
            channels = match.group(2).replace("\\n", "\n").split("\n")
            labels.append(match.group(3).strip().strip("'\""))
            rows.append([_numbers(path, number, c.split(",")) for c in channels])
        else:
            fields = [v.strip() for v in line.split(",")]
            labels.append(fields[-1].strip("'\""))
            rows.append([_numbers(path, number, fields[:-1])])
    if not in_data:
        raise _bad(path, 0, "an @data line", "the end of the file")
    regression = numeric_target and "classes" not in info
    return _stack(path, rows), _targets(labels, regression, path), info


# --- Monash .tsf -----------------------------------------------------------------------------
# calendar steps from the start timestamp itself: an anchored pandas frequency ("W", "MS")
# would move the first date to the next anchor (a Monday start to Sunday, the 15th to the 1st)
FREQUENCIES = {"yearly": pd.DateOffset(years=1), "quarterly": pd.DateOffset(months=3),
               "monthly": pd.DateOffset(months=1), "weekly": pd.DateOffset(weeks=1),
               "daily": "D", "hourly": "h", "half_hourly": "30min", "minutely": "min",
               "10_minutes": "10min", "4_seconds": "4s"}


def _stamps(start: pd.Timestamp, n: int, freq) -> pd.DatetimeIndex:
    """``n`` timestamps from ``start``. Calendar steps count from the start, not from the
    step before: a series from 31 January is on 31 March, not on the 29th that stepping
    through February would carry on (a month end stays a month end)."""
    if isinstance(freq, pd.DateOffset) and start.day > 28:
        if start.is_month_end:
            months = freq.kwds.get("months", 0) + 12 * freq.kwds.get("years", 0)
            return pd.date_range(start, periods=n, freq=pd.offsets.MonthEnd(months)) \
                + (start - start.normalize())
        return pd.DatetimeIndex([start + freq * k for k in range(n)])  # rare: day 29 or 30
    return pd.date_range(start, periods=n, freq=freq)


def read_tsf(path: str | Path) -> tuple[pd.DataFrame, dict]:
    """A Monash ``.tsf`` file -> a long frame ``unique_id, ds, y`` (``ds`` from each series'
    start timestamp and the frequency, else integer steps) and its header."""
    path = Path(path)
    info: dict = {"attributes": []}
    frames = []
    in_data = False
    for number, line in _lines(path, "#"):
        if not in_data:
            key, _, value = line[1:].replace("\t", " ").partition(" ")
            key = key.lower()
            if key == "attribute":
                if not value.split():
                    raise _bad(path, number, "@attribute NAME TYPE", line)
                info["attributes"].append(value.split()[0])
            elif key == "data":
                in_data = True
            else:
                info[key] = value.strip()
            continue
        fields = line.split(":")
        attributes = info["attributes"]
        if len(fields) != len(attributes) + 1:
            raise _bad(path, number, f"{len(attributes)} attributes then the values, "
                       "separated by ':'", line[:60])
        values = _numbers(path, number, fields[-1].split(","))
        meta = dict(zip(attributes, fields[:-1], strict=True))
        sid = meta.get("series_name", f"T{len(frames) + 1}")
        freq = FREQUENCIES.get(info.get("frequency", "").lower())
        if "start_timestamp" in meta and freq is not None:
            ds = _stamps(_monash_time(meta["start_timestamp"]), len(values), freq)
        else:
            ds = np.arange(len(values))
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": values}))
    if not frames:
        raise _bad(path, 0, "series after @data", "none")
    if "horizon" in info:
        info["horizon"] = int(info["horizon"])
    return pd.concat(frames, ignore_index=True), info


def _monash_time(text: str) -> pd.Timestamp:
    """Monash writes ``1979-01-01 00-00-00``: dashes in the clock too."""
    date, _, clock = text.strip().partition(" ")
    return pd.Timestamp(f"{date} {clock.replace('-', ':')}" if clock else date)


# --- folders ---------------------------------------------------------------------------------
def read_uci_har(folder: str | Path) -> Dataset:
    """The UCI HAR Dataset folder: the raw inertial windows ``[N, 128, 9]`` (channels in
    :data:`HAR_CHANNELS` order, as the tutorial stacks them) and activity names."""
    folder = Path(folder)
    names = dict(_label_names(folder / "activity_labels.txt"))
    parts = {}
    for part in ("train", "test"):
        signals = folder / part / "Inertial Signals"
        channels = []
        for channel in HAR_CHANNELS:
            file = signals / f"{channel}_{part}.txt"
            if not file.exists():
                raise InputError(f"{file} is missing: a UCI HAR folder holds "
                                 f"{part}/Inertial Signals/<channel>_{part}.txt for the 9 "
                                 "channels. Pass the 'UCI HAR Dataset' folder.")
            channels.append(np.loadtxt(file, dtype=np.float64, ndmin=2))
        if not (folder / part / f"y_{part}.txt").exists():
            raise InputError(f"{folder / part / f'y_{part}.txt'} is missing: a UCI HAR folder "
                             f"holds the activity of every {part} window there. Pass the 'UCI "
                             "HAR Dataset' folder as published.")
        codes = np.loadtxt(folder / part / f"y_{part}.txt", dtype=np.int64, ndmin=1)
        labels = np.array([names.get(int(c), str(c)) for c in codes])
        parts[part] = (np.stack(channels, axis=-1), labels)
    return Dataset("uci_har", parts["train"][0], parts["train"][1], parts["test"][0],
                   parts["test"][1], info={"channels": list(HAR_CHANNELS),
                                           "classes": list(names.values())})


def read_aclimdb(folder: str | Path) -> Dataset:
    """The IMDB ``aclImdb`` folder: reviews of ``train/{pos,neg}`` and ``test/{pos,neg}``
    (labels "pos" / "neg"; the unlabelled ``unsup`` part is left out)."""
    folder = Path(folder)
    parts = {}
    for part in ("train", "test"):
        texts, labels = [], []
        for label in ("neg", "pos"):
            files = sorted((folder / part / label).glob("*.txt"))
            texts += [p.read_text(encoding="utf-8", errors="replace") for p in files]
            labels += [label] * len(files)
        if not texts:
            raise InputError(f"{folder / part} holds no pos/*.txt or neg/*.txt reviews. Pass "
                             "the aclImdb folder.")
        parts[part] = (texts, np.array(labels))
    return Dataset("imdb", parts["train"][0], parts["train"][1], parts["test"][0],
                   parts["test"][1], info={"classes": ["neg", "pos"]})


def _read_folder(folder: Path) -> Dataset:
    if (folder / "train" / "Inertial Signals").is_dir():
        return read_uci_har(folder)
    if (folder / "train" / "pos").is_dir():
        return read_aclimdb(folder)
    files = [p for p in folder.iterdir() if p.suffix.lower() in (".ts", ".arff", ".tsf")]
    inner = [p for p in folder.iterdir()  # archives made on a Mac carry __MACOSX
             if p.is_dir() and not p.name.startswith(("__MACOSX", "."))]
    if files:
        train = [p for p in files if re.search(r"_TRAIN$", p.stem, re.IGNORECASE)]
        return read((train or files)[0])
    if len(inner) == 1:
        return _read_folder(inner[0])
    raise InputError(f"folder {str(folder)!r} is not a dataset rnnkit reads: expected a UCI HAR "
                     "folder (train/Inertial Signals), an aclImdb folder (train/pos) or .ts, "
                     ".arff or .tsf files. Pass one of those.")


def _lines(path: Path, comment: str):
    """``(line number, text)`` of every line that is not blank or a comment."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for number, raw in enumerate(f, 1):
            line = raw.strip()
            if line and not line.startswith(comment):
                yield number, line


def _numbers(path: Path, line: int, texts: list[str]) -> np.ndarray:
    """Numbers of one line ("?" missing), or one InputError naming the file and the line."""
    try:
        return np.array([np.nan if v.strip() == "?" else float(v) for v in texts])
    except ValueError:
        bad = next(v for v in texts if v.strip() != "?" and not _is_number(v))
        raise _bad(path, line, "numbers ('?' for a missing one)", bad.strip()) from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _label_names(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    pairs = []
    for line in path.read_text().splitlines():
        if line.strip():
            code, name = line.split(None, 1)
            pairs.append((int(code), name.strip()))
    return pairs


def _stack(path: Path, rows: list[list[np.ndarray]]) -> Any:
    """``[N, T, F]`` when every sequence has the same length and channel count, else a list
    of ``[T_i, F]`` (channels of one sequence must agree)."""
    if not rows:
        raise _bad(path, 0, "at least one sequence", "none")
    seqs = []
    for i, dims in enumerate(rows):
        if len({len(d) for d in dims}) != 1:
            raise InputError(f"{path}: sequence {i} has channels of different lengths "
                             f"{[len(d) for d in dims]}; each channel of a sequence needs the "
                             "same number of steps. Fix the file.")
        seqs.append(np.stack(dims, axis=1))
    if len({s.shape for s in seqs}) == 1:
        return np.stack(seqs)
    return seqs


def _targets(labels: list[str], regression: bool, path: Path | None = None
             ) -> np.ndarray | None:
    if not labels:
        return None
    if not regression:
        return np.array(labels)
    values = pd.to_numeric(pd.Series(labels), errors="coerce")
    if values.isna().any():
        i = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise InputError(f"{path}: sequence {i} has the target {labels[i]!r}, not a number "
                         "(a regression file's targets are numbers; '?' marks a missing one). "
                         "Drop that sequence or give its target.")
    return values.to_numpy(float)


def _bad(path: Path, line: int, expected: str, found: str) -> InputError:
    where = f"{path}, line {line}" if line else str(path)
    return InputError(f"{where}: expected {expected}, found {found!r}. Check that the file "
                      "follows its format (or pass the file it came with).")
