"""The columns of a long frame and the part each plays: the target, the times, the ids,
the inputs (:class:`Columns`); one column plays one part, the forecaster's and the sequence
commands' columns checked alike (:func:`check_roles`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rnnkit.errors import InputError


@dataclass(frozen=True)
class Columns:
    """The column schema of a long frame."""

    time_col: str = "ds"
    target_col: str = "y"
    id_col: str = "unique_id"
    feature_cols: tuple[str, ...] = ()  # past covariates: observed up to the forecast origin
    future_cols: tuple[str, ...] = ()  # future covariates: known over the horizon too
    static_cols: tuple[str, ...] = ()  # one value per series

    @property
    def value_cols(self) -> tuple[str, ...]:
        """The columns of ``Panel.values``: target, past covariates, future covariates."""
        return (self.target_col, *self.feature_cols, *self.future_cols)



def check_roles(roles: Sequence[tuple[str | None, str]], answer: bool = True) -> None:
    """``roles``: (column, argument) pairs, the target's first; arguments ending in ``_cols``
    name several columns. A column named twice (the target read as an input, a static column
    also a sequence column, the times in the target's column) is refused naming both
    arguments and the fix. ``answer``: the target is the answer an input would give away (a
    sequence's label; not a forecaster's target, whose past it reads anyway)."""
    seen: dict[str, str] = {}
    for column, arg in roles:
        if not column:
            continue
        if column in seen:
            several = arg.endswith("_cols")
            why = ": read as an input, the target gives the answer away" \
                if answer and several and seen[column] == roles[0][1] else ""
            fix = f"Drop it from {arg}, or name another column" if several else \
                f"Name another column as {arg}"
            raise InputError(f"{arg}={column!r} is already {seen[column]}; a column plays one "
                             f"part{why}. {fix}.")
        seen[column] = arg
