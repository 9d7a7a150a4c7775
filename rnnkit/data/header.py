"""The columns of DATA known before anything heavy is imported: a bundled dataset's declared
columns, or a CSV file's header line read with the csv module. The command line checks the
columns it was told about here, so a misspelt column is one line in a fraction of a second
(pandas, torch and the data itself are loaded only after)."""

from __future__ import annotations

import csv
import difflib
import gzip
from pathlib import Path

from rnnkit.errors import InputError


def column_names(data: object) -> list[str] | None:
    """The columns of ``data`` (a bundled name or a CSV path), or None where they cannot be
    known without reading it (Parquet, an unreadable file: the full read says why)."""
    if not isinstance(data, str | Path):
        return None
    from rnnkit.datasets import COLUMNS

    path = Path(data)
    if not path.exists():
        return list(COLUMNS[str(data)]) if str(data) in COLUMNS else None
    suffix = path.suffix.lower()
    if path.is_dir() or suffix not in (".csv", ".tsv", ".txt", ".gz", ""):
        return None
    try:
        opener = gzip.open if suffix == ".gz" else open
        with opener(path, "rt", newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f, delimiter=separator(path)), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return [c.strip() for c in header] if header else None


def separator(path: Path) -> str:
    """A CSV's separator, read off its header line: a comma, or a semicolon, tab or bar
    where the header holds one of those and no comma (European exports write "ds;y")."""
    try:
        opener = gzip.open if Path(path).suffix.lower() == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as f:
            header = f.readline()
    except OSError:
        return ","
    if "," in header:
        return ","
    found = [s for s in (";", "\t", "|") if s in header]
    return found[0] if found else ","


def check_columns(data: object, wanted: list[tuple[str, str]], layout: str = "") -> None:
    """Each ``(column, argument)`` must be a column of ``data`` where its columns are known
    cheaply; the first that is not is an InputError naming the argument, the columns there
    (the first few of many) and the closest one. ``layout``: said where a missing id or
    step column suggests a file of another layout."""
    names = column_names(data)
    if names is None:
        return
    for column, arg in wanted:
        if column and column not in names:
            close = difflib.get_close_matches(column, names, n=1)
            hint = f" Did you mean {close[0]!r}? Pass --{arg.replace('_', '-')} {close[0]}." \
                if close else f" Pass --{arg.replace('_', '-')} with one of them."
            if layout and not close and arg in ("id_col", "time_col"):
                hint += f" {layout}"
            taken = {c for c, a in wanted if a != arg}
            if arg == "time_col" and not close and not set(names) - taken:
                # nothing else to name: the file has no time column at all
                hint = (f" The file has no time column: add a column {column!r} of "
                        "timestamps, or of integer steps 0, 1, 2, ... if the rows are in time "
                        "order.")
            shown = str(names) if len(names) <= 12 else \
                f"{str(names[:8])[:-1]}, ... ({len(names)} columns)]"
            raise InputError(f"{arg}={column!r} is not a column; columns are {shown}.{hint}")
