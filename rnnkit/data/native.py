"""Frames of other libraries at the one entry point, and results handed back in their type.

rnnkit works on pandas inside. A polars DataFrame or LazyFrame, a pyarrow Table, or a pandas
Series with a DatetimeIndex (or any index) is converted here, once, where data enters
(:func:`rnnkit.data.reading.read_data`); what the estimator returns as a frame is converted back
to the type the caller gave (:func:`to_native`). The libraries are recognised by their module
name, so none of them is imported unless the caller already uses it: the base import stays as
it is, and without polars nothing here costs anything.

Why a thin converter rather than narwhals: rnnkit reads a frame once into numpy arrays, so a
frame-agnostic layer over every operation would buy nothing; three conversions cover pandas,
polars (eager and lazy) and pyarrow, and the round trip is tested.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pandas as pd

from rnnkit.errors import InputError

KINDS = ("pandas", "polars", "pyarrow")


def frame_kind(data: Any) -> str | None:
    """Which library's frame ``data`` is ("pandas", "polars", "pyarrow"), or None if none of
    them (a path, a numpy array, a bundled name)."""
    module = type(data).__module__.split(".")[0]
    if isinstance(data, pd.DataFrame | pd.Series):
        return "pandas"
    if module == "polars" and type(data).__name__ in ("DataFrame", "LazyFrame", "Series"):
        return "polars"
    if module == "pyarrow" and type(data).__name__ in ("Table", "RecordBatch"):
        return "pyarrow"
    return None


def to_pandas(data: Any, time_col: str = "ds", target_col: str = "y") -> Any:
    """``data`` as a pandas DataFrame when it is a frame of a known library; anything else is
    returned unchanged. A Series becomes two columns: its index (a DatetimeIndex, periods,
    date strings or integer steps; read like any time column) as ``time_col`` and its values
    as ``target_col``."""
    kind = frame_kind(data)
    if kind is None:
        return data
    if kind == "polars":
        if type(data).__name__ == "LazyFrame":
            data = data.collect()
        data = _needs_pyarrow(lambda: data.to_pandas(), "polars")
    elif kind == "pyarrow":
        data = data.to_pandas()
    if isinstance(data, pd.Series):
        return _from_series(data, time_col, target_col)
    return data


def to_native(frame: pd.DataFrame, kind: str | None,
              times: tuple[str, str | None] | None = None) -> Any:
    """A result frame in the library the caller's data came from (pandas when unknown).
    ``times``: the time column and the type it had in the caller's data
    (:func:`time_type`), which the answer's time column is given back in where its values
    fit that type exactly (a polars ``Datetime('us')`` history concatenates with its
    forecast; forecasts at 12:00 of a ``Date`` history stay datetimes)."""
    column, kind_of_time = times if times is not None else (None, None)
    if not kind_of_time or column not in frame.columns or \
            not pd.api.types.is_datetime64_any_dtype(frame[column].dtype) or \
            not _fits(frame[column], kind_of_time):
        kind_of_time = None
    unit = re.search(r"datetime64\[(\w+)|time_unit='(\w+)'|timestamp\[(\w+)",
                     kind_of_time or "")
    unit = next((u for u in unit.groups() if u), None) if unit else None
    if kind_of_time and unit and kind_of_time.startswith("datetime64"):  # the unit, not the zone
        frame = frame.assign(**{column: frame[column].dt.as_unit(unit)})
    if kind == "polars":
        import polars as pl

        out = _needs_pyarrow(lambda: pl.from_pandas(frame), "polars")
        with contextlib.suppress(pl.exceptions.PolarsError):
            if kind_of_time == "Date":
                out = out.with_columns(pl.col(column).cast(pl.Date))
            elif kind_of_time and unit:
                out = out.with_columns(pl.col(column).dt.cast_time_unit(unit))
        return out
    if kind == "pyarrow":
        import pyarrow as pa

        table = pa.Table.from_pandas(frame, preserve_index=False)
        target = _arrow_type(kind_of_time) if kind_of_time else None
        if target is not None:
            with contextlib.suppress(pa.ArrowException):
                table = table.set_column(table.column_names.index(column), column,
                                         table[column].cast(target))
        return table
    return frame


def _fits(times: pd.Series, kind_of_time: str) -> bool:
    """Whether ``times`` are exact in ``kind_of_time``: whole days for a date type, whole
    units of a coarser time unit (nothing is cut off by the cast)."""
    if kind_of_time == "Date" or kind_of_time.startswith(("date32", "date64")):
        return bool((times == times.dt.normalize()).all())
    unit = re.search(r"datetime64\[(\w+)|time_unit='(\w+)'|timestamp\[(\w+)", kind_of_time)
    unit = next((u for u in unit.groups() if u), None) if unit else None
    if unit not in ("s", "ms", "us", "ns"):
        return False
    step = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[unit]
    nanos = times.dt.as_unit("ns").astype("int64")
    return bool((nanos % step == 0).all())


def time_type(data: Any, column: str) -> str | None:
    """The type of ``data``'s time column as its library names it (``datetime64[us]``,
    polars ``Date`` or ``Datetime(time_unit='us', ...)``, arrow ``timestamp[ms]``); None
    where ``data`` is no frame or the column holds no dates."""
    kind = frame_kind(data)
    try:
        if kind == "pandas":
            dtype = data.index.dtype if isinstance(data, pd.Series) else data[column].dtype
            return str(dtype) if pd.api.types.is_datetime64_any_dtype(dtype) else None
        if kind == "polars":
            schema = data.collect_schema() if type(data).__name__ == "LazyFrame" else \
                data.schema
            dtype = str(schema[column])
            return dtype if dtype == "Date" or dtype.startswith("Datetime") else None
        if kind == "pyarrow":
            dtype = str(data.schema.field(column).type)
            return dtype if dtype.startswith(("timestamp", "date")) else None
    except (KeyError, AttributeError, TypeError, ValueError):
        return None
    return None


def _arrow_type(name: str):
    import pyarrow as pa

    if name.startswith("date32"):
        return pa.date32()
    if name.startswith("date64"):
        return pa.date64()
    found = re.fullmatch(r"timestamp\[(\w+)(?:, tz=(.+))?\]", name)
    return pa.timestamp(found.group(1), tz=found.group(2)) if found else None


def _from_series(series: pd.Series, time_col: str, target_col: str) -> pd.DataFrame:
    if series.index.nlevels > 1:
        raise InputError(
            f"data is a pandas Series with a {series.index.nlevels}-level index; expected one "
            "series indexed by time. Pass a long frame with columns unique_id, ds, y instead "
            "(series.reset_index()).")
    index = series.index.to_timestamp() if isinstance(series.index, pd.PeriodIndex) \
        else series.index
    return pd.DataFrame({time_col: index.to_numpy(), target_col: series.to_numpy()})


def _needs_pyarrow(convert, library: str):
    try:
        return convert()
    except ModuleNotFoundError as e:
        raise InputError(f"converting a {library} frame needs pyarrow ({e}). Install it with "
                         f"pip install 'rnnkit[{library}]'.") from e
