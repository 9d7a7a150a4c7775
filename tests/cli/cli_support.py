"""Running the CLI in-process as a user would, and checking its one-line errors."""

from __future__ import annotations

import pytest

from rnnkit.cli import main


def run(argv, capsys):
    """Run ``rnnkit ARGV``; returns (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def one_line_error(code, err):
    """Assert exit status 2 and a single 'rnnkit: error:' line without a traceback."""
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rnnkit: error:"), err
    assert "Traceback" not in err
    return lines[0]
