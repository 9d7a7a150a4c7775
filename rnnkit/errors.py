"""The error types of rnnkit.

Every message names the argument, what was expected, what was received and the fix.
The CLI catches :class:`RnnkitError` at its boundary, prints one line and exits 2.
"""

from __future__ import annotations

__all__ = ["RnnkitError", "InputError", "NotFittedError", "ArtifactError", "TrainingError"]


class RnnkitError(Exception):
    """Base class of every error rnnkit raises on purpose."""


class InputError(RnnkitError, ValueError):
    """The user's data or arguments are not what rnnkit can work with."""


class NotFittedError(RnnkitError, ValueError, AttributeError):
    """An estimator was used before `fit`."""


class ArtifactError(RnnkitError):
    """A model file is missing, corrupt, of a future format, or not an rnnkit model."""


class TrainingError(RnnkitError):
    """Training cannot go on: the loss became NaN or infinite."""


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn at the user's line: the first caller outside rnnkit, however deep inside rnnkit
    the warning is found (a fixed ``stacklevel`` points at whichever rnnkit function happens
    to call the one that warns)."""
    import os
    import sys
    import warnings

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame, level = sys._getframe(1), 2  # stacklevel 2: warn's caller
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
