"""The entry point: every command registered, rnnkit's errors turned into one line.

Errors rnnkit raises on purpose are caught here, at the boundary, and printed as one line on
stderr with exit status 2; torch is imported only by the commands that train or predict.
"""

from __future__ import annotations

import sys

from rnnkit.cli import forecast, sequence, tools  # noqa: F401  (their commands join the app)
from rnnkit.cli.app import app
from rnnkit.errors import RnnkitError


def main(argv: list[str] | None = None) -> None:
    """Run the app; turn rnnkit's errors into one line on stderr and exit 2."""
    try:
        app(args=argv, standalone_mode=True)
    except RnnkitError as e:
        print(f"rnnkit: error: {e}", file=sys.stderr)
        sys.exit(2)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as e:
        print(f"rnnkit: error: {e.strerror}: {e.filename!r}. Check the path.", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("rnnkit: interrupted; files already written are complete.", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
