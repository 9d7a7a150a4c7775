"""rnnkit: recurrent neural networks on sequences."""
__version__ = "0.1.0"
