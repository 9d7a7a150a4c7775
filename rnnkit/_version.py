"""The version of rnnkit: read by the package and written into every model file."""

__version__ = "0.2.0"
