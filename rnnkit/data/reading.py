"""Data into a pandas frame: a DataFrame of pandas, polars or pyarrow, a Series indexed by
time, a CSV (its separator read off the header, decimal commas read as such) or Parquet
file, a bundled dataset's name, a numpy series; and a column of numbers written as text,
read as numbers or refused with the reason (thousands separators, decimal commas)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from rnnkit.data.columns import Columns
from rnnkit.data.header import separator
from rnnkit.data.native import to_pandas
from rnnkit.errors import InputError


def read_data(data: object, columns: Columns = Columns(), what: str = "DATA") -> pd.DataFrame:
    """A pandas DataFrame from a DataFrame (pandas, polars eager or lazy, pyarrow), a pandas
    Series indexed by time, a CSV/Parquet path, a bundled dataset name or a numpy series;
    ``what`` names the argument in messages (DATA, future)."""
    data = to_pandas(data, columns.time_col, columns.target_col)
    if isinstance(data, pd.DataFrame):
        return data
    if type(data).__name__ == "Dataset" and type(data).__module__.startswith("rnnkit."):
        if isinstance(getattr(data, "frame", None), pd.DataFrame):  # a forecasting archive
            return data.frame
        raise InputError(f"data is the dataset {data.name!r} of sequences (X_train, y_train), "
                         "not series to forecast. Fit a SequenceClassifier or "
                         "SequenceRegressor on its X_train and y_train.")
    if isinstance(data, np.ndarray):
        return _from_array(data, columns)
    if isinstance(data, str | os.PathLike):
        return _from_path(Path(data), str(data), columns.id_col, what)
    raise InputError(
        f"data of type {type(data).__name__} is not readable; expected a DataFrame (pandas, "
        "polars or pyarrow), a pandas Series indexed by time, a CSV or Parquet path, a bundled "
        "dataset name or a numpy array. Convert it to one of those."
    )


def _from_array(a: np.ndarray, columns: Columns) -> pd.DataFrame:
    if a.ndim == 3:
        raise InputError(
            f"data is a 3-D array {a.shape}: a forecaster expects one series, [T] or [T, F]. "
            "An array [samples, timesteps, features] belongs to SequenceRegressor or "
            "SequenceClassifier; for forecasting pass the raw series."
        )
    if a.ndim not in (1, 2):
        raise InputError(f"data has shape {a.shape}; expected a series [T] or [T, F].")
    a = a.reshape(len(a), -1)
    cols = {columns.time_col: np.arange(len(a)), columns.target_col: a[:, 0]}
    cols.update({f"x{j}": a[:, j] for j in range(1, a.shape[1])})  # extra columns: x1, x2, ...
    return pd.DataFrame(cols)


def check_array(a: np.ndarray, columns: Columns) -> None:
    """A 2-D array is [T, columns], the target first; every other column (x1, x2, ...) must
    be named as a covariate, or it would be read and never used."""
    if a.ndim != 2 or a.shape[1] < 2:
        return
    named = {*columns.feature_cols, *columns.future_cols, *columns.static_cols}
    extra = [f"x{j}" for j in range(1, a.shape[1])]
    unused = [x for x in extra if x not in named]
    if not unused:
        return
    if a.shape[0] == 1:
        raise InputError(
            f"data is a row vector of shape {a.shape}; a series is read as [T] or [T, columns] "
            "with time down the rows. Pass a 1-D array (a.ravel()) or transpose it to [T, 1] "
            "(a.T)."
        )
    names = ", ".join(unused if len(unused) <= 3 else [*unused[:2], "...", unused[-1]])
    raise InputError(
        f"data is a 2-D array of shape {a.shape}, read as [T, columns] with column 0 the target; "
        f"column(s) {names} are not named as covariates and would be ignored. Name them "
        f"(feature_cols={tuple(unused[:3])!r}{'...' if len(unused) > 3 else ''}), pass a frame "
        "with named columns, or pass only the target (a[:, 0])."
    )


def _from_path(path: Path, text: str, id_col: str | None = None,
               what: str = "DATA") -> pd.DataFrame:
    from rnnkit.datasets import DATASETS, load_dataset

    if not path.exists():
        if text in DATASETS:
            return load_dataset(text)
        datasets = f", or a bundled dataset name: {', '.join(DATASETS)}" if what == "DATA" \
            else ""
        raise InputError(f"{what}={text!r}: no such file. Give a CSV or Parquet path{datasets}.")
    if path.is_dir():
        raise InputError(f"{what}={text!r} is a directory; a CSV or Parquet file was expected. "
                         "Pass a file inside it.")
    if path.stat().st_size == 0:
        raise InputError(f"{what}={text!r} is empty. Give a CSV or Parquet file with rows.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            try:
                frame = pd.read_parquet(path)
            except ImportError as e:
                raise InputError(
                    f"{what}={text!r} is Parquet, which needs pyarrow. Install it with "
                    "pip install 'rnnkit[parquet]', or give a CSV."
                ) from e
        elif suffix in (".csv", ".tsv", ".txt", ".gz", ""):
            # series ids stay text: "001" and "1" are two series, and keep their zeros
            sep = separator(path)
            frame = pd.read_csv(path, sep=sep, dtype={id_col: str} if id_col else None)
            if sep != ",":  # a spreadsheet's export where the comma is the decimal mark
                frame = _decimal_commas(frame, exclude=id_col)
        elif suffix == ".tsf":  # a forecasting archive (Monash): its long frame
            from rnnkit.datasets.formats import read

            frame = read(path).frame
        elif suffix in (".npz", ".npy"):
            raise InputError(
                f"{what}={text!r} is a NumPy {suffix} file, not a table (.csv, .tsv or "
                ".parquet). Load it with numpy.load and pass its arrays in Python, or write "
                "them as a CSV in the long layout (one row per step).")
        else:
            raise InputError(
                f"{what}={text!r} has extension {suffix!r}; expected .csv, .tsv, .parquet or "
                ".tsf. "
                "Convert the file, or rename it if it is a CSV."
            )
    except (pd.errors.EmptyDataError, pd.errors.ParserError, ValueError, OSError) as e:
        if isinstance(e, InputError):
            raise
        if isinstance(e, UnicodeDecodeError):  # a CSV saved in Latin-1, cp1252, ...
            raise InputError(
                f"{what}={text!r} is not UTF-8 text (it holds the byte "
                f"{e.object[e.start:e.start + 1]!r}): saved in another encoding (Latin-1, "
                "Windows-1252). "
                "Save it again as UTF-8 (in pandas: pd.read_csv(path, encoding='latin-1')"
                ".to_csv(new_path, index=False)).") from e
        raise InputError(
            f"{what}={text!r} could not be read ({type(e).__name__}: {str(e).splitlines()[0]}). "
            "Check that it is a valid CSV or Parquet file."
        ) from e
    if frame.empty:
        raise InputError(f"{what}={text!r} has no rows. Give a file with observations.")
    return frame


_DECIMAL_COMMA = r"^\s*[-+]?\d+,\d+\s*$"  # 10,06: a number with a decimal comma


_THOUSANDS = r"^\s*[-+]?\d{1,3}(,\d{3})+(\.\d*)?\s*$"  # 9,007 or 1,234,567.5: thousands


def _decimal_commas(frame: pd.DataFrame, exclude: str | None = None) -> pd.DataFrame:
    """Text columns whose every value is a number written with a decimal comma (a
    spreadsheet's export in many locales, beside ';' as the separator), as numbers."""
    for col in frame.columns:
        if col == exclude or not pd.api.types.is_object_dtype(frame[col]) and \
                not pd.api.types.is_string_dtype(frame[col]):
            continue
        text = frame[col].dropna().astype(str)
        if len(text) and text.str.match(_DECIMAL_COMMA).all():
            frame[col] = pd.to_numeric(frame[col].str.replace(",", ".", regex=False))
    return frame


def numeric_column(frame: pd.DataFrame, col: str) -> np.ndarray:
    series = frame[col]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        converted = pd.to_numeric(series, errors="coerce")
        bad = converted.isna() & series.notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            value = str(series.iloc[row])
            if re.match(_THOUSANDS, value):  # 9,007: nine thousand, or nine with decimals?
                fix = (f"If the commas separate thousands (9,007 for 9007), remove them "
                       f"(frame[{col!r}].str.replace(',', '').astype(float), or read the CSV "
                       "with pandas.read_csv(..., thousands=',')); if they are decimal "
                       "commas, save the CSV with ';' as the separator, which rnnkit reads "
                       "with decimal commas.")
            elif re.match(_DECIMAL_COMMA, value):
                fix = (f"Its numbers have decimal commas: convert them (frame[{col!r}].str."
                       "replace(',', '.').astype(float)), or save the CSV with ';' as the "
                       "separator, which rnnkit reads with decimal commas.")
            else:
                fix = "Fix or drop the non-numeric values."
            raise InputError(
                f"column {col!r} must be numeric; row {row} holds {series.iloc[row]!r}. {fix}"
            )
        series = converted
    return series.to_numpy(dtype=np.float64)
