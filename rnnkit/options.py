"""Arguments declared once: a dataclass field per argument with its help, what it accepts,
and how the command line spells it. Estimators are such dataclasses; ``validate`` checks
every argument at the entry point (before any data is read or torch imported), and the CLI
builds its flags from the same fields, so the API and the CLI cannot drift apart."""

from __future__ import annotations

import difflib
from dataclasses import MISSING, field, fields
from typing import Any

from rnnkit.errors import InputError

CHECKS = ("int>=0", "int>=1", "float>0", "float>=0", "fraction", "rate", "bool", "str",
          "columns", "levels", "size", "")
MAX_RATE = 10.0  # no optimiser here trains with a step size above this


def option(default: Any, help: str, check: str = "", choices: tuple = (), cli: bool = True,
           group: str = "model", flags: tuple[str, ...] = ()) -> Any:
    """A dataclass field with what the CLI and ``validate`` need.

    Args:
        default: the default value. help: one line for ``--help``.
        check: what a value must be: "int>=0", "int>=1", "float>0", "float>=0",
            "fraction" ([0, 1)), "rate" (a step size in (0, 10]), "bool", "str", "columns" (a
            tuple of names; the CLI takes "a,b"), "levels" (increasing numbers in (0, 1);
            the CLI takes "0.1,0.9"),
            "size" (a fraction in [0, 1) or a count); "|None" allows None.
        choices: the values allowed. cli: whether the command line has a flag for it.
        group: the heading ``--help`` lists it under. flags: the command line's names
            (default: ``--name-with-dashes``).
    """
    assert check.removesuffix("|None") in CHECKS, check  # a declaration error, not user input
    meta = {"help": help, "check": check, "choices": choices, "cli": cli, "group": group,
            "flags": flags}
    return field(default=default, metadata=meta)


def validate_fields(obj: Any, cls: type) -> None:
    """Every declared argument of ``cls`` on ``obj`` against its declaration."""
    for f in fields(cls):
        if f.metadata:
            value = getattr(obj, f.name)
            if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
                value = value.item()  # np.int64(4) from a grid: the number it holds
                setattr(obj, f.name, value)
            check_value(f.name, value, f.metadata["check"], f.metadata["choices"], f.default)


def check_value(name: str, value: Any, check: str, choices: tuple = (),
                default: Any = MISSING) -> None:
    """One argument against its declaration (see :func:`option`); an InputError naming the
    argument, what it accepts, what it got, and the fix."""
    if value is None and check.endswith("|None"):
        return
    kind = check.removesuffix("|None")
    example = "" if default is MISSING else " (left out, it is set from the data)" \
        if default is None else f" (the default is {default!r})"
    if choices and value not in choices:
        same_letters = [str(c) for c in choices if str(c).lower() == str(value).lower()]
        close = same_letters or difflib.get_close_matches(str(value), [str(c) for c in choices],
                                                          n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        fix = close[0] if close else (default if default not in (MISSING, None)
                                      else choices[0])
        raise InputError(f"{name}={value!r} is not one of {list(choices)}.{hint} Pass e.g. "
                         f"{name}={fix!r}.")
    number = isinstance(value, int | float) and not isinstance(value, bool) and value == value
    integer = isinstance(value, int) and not isinstance(value, bool)
    if kind.startswith("int>=") and kind[5:].isdigit():
        low = int(kind[5:])
        if not integer or value < low:
            raise InputError(f"{name}={value!r} must be an integer >= {low}{example}. Pass e.g. "
                             f"{name}={max(low, 1)}.")
    elif kind == "float>0" and not (number and value > 0 and value != float("inf")):
        raise InputError(f"{name}={value!r} must be a finite number > 0{example}. Pass e.g. "
                         f"{name}={_example(default, 1.0)}.")
    elif kind == "rate" and not (number and 0 < value <= MAX_RATE):
        raise InputError(f"{name}={value!r} must be a step size in (0, {MAX_RATE:g}]{example}; "
                         "larger steps diverge. Pass e.g. "
                         f"{name}={_example(default, 1e-3)}.")
    elif kind == "float>=0" and not (number and 0 <= value < float("inf")):
        raise InputError(f"{name}={value!r} must be a finite number >= 0{example}; 0 turns it "
                         f"off. Pass e.g. {name}={_example(default, 1.0)}.")
    elif kind == "fraction" and not (number and 0 <= value < 1):
        raise InputError(f"{name}={value!r} must be a fraction in [0, 1){example}. Pass e.g. "
                         f"{name}={_example(default, 0.1)}.")
    elif kind == "bool" and not isinstance(value, bool):
        raise InputError(f"{name}={value!r} must be True or False{example}. Pass "
                         f"{name}=True or {name}=False.")
    elif kind == "str" and not isinstance(value, str):
        raise InputError(f"{name}={value!r} must be a string{example}. Pass e.g. "
                         f"{name}={_example(default, 'name')!r}.")
    elif kind == "columns" and (not isinstance(value, tuple | list)
                                or not all(isinstance(c, str) for c in value)):
        raise InputError(f"{name}={value!r} must be a tuple of column names, e.g. "
                         f"{name}=('price', 'promo').")
    elif kind == "levels":
        levels = list(value) if isinstance(value, tuple | list) else None
        if (not levels or sorted(set(levels)) != levels
                or not all(isinstance(q, float) and 0 < q < 1 for q in levels)):
            raise InputError(f"{name}={value!r} must be increasing levels in (0, 1). Pass e.g. "
                             f"{name}=(0.1, 0.5, 0.9).")
    elif kind == "size":
        fraction = isinstance(value, float) and 0 <= value < 1
        count = integer and value >= 0
        if not (fraction or count):
            raise InputError(f"{name}={value!r} must be a fraction in [0, 1) or a row count"
                             f"{example}. Pass e.g. {name}=0.1, or 0 for none.")


def _example(default: Any, fallback: Any) -> Any:
    return default if default is not MISSING and default is not None else fallback
