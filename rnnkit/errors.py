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
