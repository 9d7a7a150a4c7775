"""Typed configuration of the recurrent core; maps one-to-one onto CLI flags and model.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rnnkit.errors import InputError

CELLS = ("rnn", "lstm", "gru")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


@dataclass(frozen=True)
class RecurrentConfig:
    """The recurrent stack: which cell, how wide, how deep.

    Args:
        cell: "rnn" (tanh), "lstm" or "gru".
        input_size: features per time step fed to the first layer.
        hidden_size: units per layer and direction.
        num_layers: stacked recurrent layers.
        dropout: dropout between stacked layers (torch applies none after the last one).
        bidirectional: run a second layer backwards in time and concatenate.
    """

    cell: str = "lstm"
    input_size: int = 1
    hidden_size: int = 64
    num_layers: int = 1
    dropout: float = 0.0
    bidirectional: bool = False

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise InputError(
                f"cell={self.cell!r} is not a recurrent cell; expected one of {list(CELLS)}. "
                "Pass cell='lstm', 'gru' or 'rnn'."
            )
        for name in ("input_size", "hidden_size", "num_layers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(
                    f"{name}={value!r} must be a positive integer. Pass an integer >= 1."
                )
        if not 0.0 <= float(self.dropout) < 1.0:
            raise InputError(
                f"dropout={self.dropout!r} must be in [0, 1). Pass e.g. dropout=0.2, or 0 for none."
            )

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def output_size(self) -> int:
        """Width of the per-step output: hidden_size times the number of directions."""
        return self.hidden_size * self.directions

    def to_dict(self) -> dict:
        return asdict(self)
