"""``python -m rnnkit`` (and ``torchrun -m rnnkit``) runs the CLI."""

from rnnkit.cli import main

main()
