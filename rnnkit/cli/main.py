"""The entry point: every command registered, rnnkit's errors turned into one line.

Errors rnnkit raises on purpose are caught here, at the boundary, and printed as one line on
stderr with exit status 2; torch is imported only by the commands that train or predict.
"""

from __future__ import annotations

import re
import shlex
import sys

from rnnkit.cli import forecast, sequence, tools, tune  # noqa: F401  (their commands join)
from rnnkit.cli.app import app
from rnnkit.errors import RnnkitError


def main(argv: list[str] | None = None) -> None:
    """Run the app; turn rnnkit's errors and the command line's usage errors into one line on
    stderr and exit 2 (no traceback, no usage box)."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    try:
        code = app(args=argv, prog_name="rnnkit", standalone_mode=False)
    except NoArgsIsHelpError:  # bare `rnnkit`: typer printed the help before raising
        sys.exit(2)
    except UsageError as e:
        where = e.ctx.command_path if e.ctx is not None else "rnnkit"
        message = " ".join(e.format_message().split())
        given = _given(e, sys.argv[1:] if argv is None else argv)
        if given is not None:
            message = f"{message.rstrip('.')} (got {given!r})"
        message = message.rstrip(".")
        fail(f"{message}{' ' if message.endswith(('?', '!')) else '. '}See '{where} --help'.",
             2)
    except ClickException as e:
        fail(" ".join(e.format_message().split()), e.exit_code)
    except RnnkitError as e:
        fail(as_flags(str(e), sys.argv[1:] if argv is None else argv), 2)
    except (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError,
            FileExistsError) as e:
        fail(f"{e.strerror}: {e.filename!r}. Check the path.", 2)
    except OSError as e:  # a name too long, a read-only or full disk, ...: the system's say
        if e.errno is None:
            raise
        where = f": {e.filename!r}" if e.filename else ""
        fail(f"{e.strerror or e}{where}. Check the path, the permissions and the free "
             "space.", 2)
    except KeyboardInterrupt:
        code = 130
    if code == 130:  # typer turns Ctrl-C into exit status 130
        fail("interrupted; nothing was written for this run (its outputs appear together "
             "at the end, and a model already saved is untouched).", 130)
    sys.exit(code or 0)


def _given(error: Exception, argv: list[str]) -> str | None:
    """The value the user typed for the option a usage error is about, if any."""
    param = getattr(error, "param", None)
    for opt in getattr(param, "opts", ()) or ():
        for i, arg in enumerate(argv):
            if arg == opt and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(opt + "="):
                return arg[len(opt) + 1:]
    return None


def as_flags(message: str, argv: list[str]) -> str:
    """A message written for the Python API, in the words of the command line: every
    ``name=value`` whose name is an option of the command run, at the start of a word,
    becomes ``--name value`` (``hidden_size=0`` -> ``--hidden-size 0``, ``cell='gru'`` ->
    ``--cell gru``, ``max_time=None`` -> ``--max-time none``, ``bidirectional=False`` ->
    ``--no-bidirectional``), and so does an option named alone, where its name has an
    underscore (``Drop it from sequence_cols`` -> ``--sequence-cols``); paths and quoted
    text are left alone, and so is a message that already gives both spellings."""
    flags = _flags(argv)
    if not flags or "(Python:" in message or "(CLI:" in message:
        return message
    given = message

    def flag(match: re.Match) -> str:
        name, value = match.group(1), match.group(2)
        if name not in flags or value.startswith("["):
            return match.group(0)
        on, off = flags[name]
        if value.startswith("("):  # a tuple of numbers: the flag's comma-separated list
            items = [v.strip() for v in value[1:-1].split(",") if v.strip()]
            if not items or not all(re.fullmatch(r"[-+]?[\d.]+(e[-+]?\d+)?", v)
                                    for v in items):
                return match.group(0)
            return f"{on} {','.join(items)}"
        if value.startswith("<="):  # a bound: 'Pass test_size <= 71'
            return f"{on} {value}"
        if value in ("True", "False") and off is not None:
            return on if value == "True" else off
        if value[:1] in "'\"" and value[-1:] == value[:1] and len(value) >= 2:
            value = shlex.quote(value[1:-1])
        value = {"None": "none", "True": "true", "False": "false"}.get(value, value)
        return f"{on} {value}"

    # a name at the start of a word (not inside a path such as runs/seed=1); a value quoted,
    # or up to a space, comma, semicolon, bracket or a sentence's last dot
    message = re.sub(r"(?<![^\s(])([a-z][a-z0-9_]*)=(\([^()]*\))", flag, message)  # tuples
    message = re.sub(r"(?<![^\s(])([a-z][a-z0-9_]*) (<= [\d.]+)", flag, message)  # bounds
    message = re.sub(r"(?<![^\s(])([a-z][a-z0-9_]*)=('[^']*'|\"[^\"]*\"|[^\s,;()]+?)"
                     r"(?=[\s,;)]|\.(?:\s|$)|$)", flag, message)
    # an option named without a value ("Drop it from sequence_cols"): a name with an
    # underscore, not quoted nor inside a path, a URL or code, and not where the message
    # gives the flag beside it ("time_col / --time-col")
    return re.sub(r"(?<![\w/.'\"`=\\#-])([a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9])"
                  r"(?![\w=/'\"`(\\-])(?!\.\w)",
                  lambda m: flags[m.group(1)][0] if m.group(1) in flags and
                  flags[m.group(1)][0] not in given else m.group(0), message)


def _flags(argv: list[str]) -> dict[str, tuple[str, str | None]]:
    """The options of the command ``argv`` runs: parameter name -> (its long flag, the
    flag that turns it off for an on/off option, else None)."""
    import typer.main

    command = typer.main.get_command(app)
    for word in argv:
        commands = getattr(command, "commands", None)
        if not commands or word not in commands:
            break
        command = commands[word]
    out = {}
    for p in getattr(command, "params", ()):
        longs = [o for o in p.opts if o.startswith("--")]
        if p.name and longs:
            off = [o for o in getattr(p, "secondary_opts", ()) if o.startswith("--")]
            out[p.name] = (longs[0], off[0] if off else None)
    return out


def fail(message: str, code: int) -> None:
    print(f"rnnkit: error: {message}", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
