"""Typed configuration of the networks (torch-free): the recurrent core and the whole-sequence
network; maps one-to-one onto the estimators' arguments and model.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rnnkit.errors import InputError

CELLS = ("rnn", "lstm", "gru")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


MAX_LAYERS = 1000


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
        if self.num_layers > MAX_LAYERS:  # a typo's depth would exhaust memory building it
            raise InputError(f"num_layers={self.num_layers} is far deeper than a recurrent "
                             f"stack trains (at most {MAX_LAYERS}). Pass e.g. num_layers=2.")
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


SUMMARIES = ("last", "mean", "max", "attention")
FRONT_ENDS = ("fcn", "conv", "none")


@dataclass(frozen=True)
class SequenceNetConfig:
    """The whole-sequence network; maps one-to-one onto the estimator's arguments.

    Args:
        recurrent: the recurrent core (its ``input_size`` is what the front end hands it).
        n_outputs: classes, or regression outputs.
        summary: how the core's outputs become one vector: "last", "mean", "max", "attention".
        static_size: numbers per sequence joined to the summary (static covariates, then
            per-sequence levels).
        input_features: numeric features per step (0 for token ids).
        vocab_size, embedding_dim: the token embedding (0: numeric input).
        front_end: "fcn" (convolutional blocks whose average over time joins the summary,
            the core reading their output), "conv" (one convolution + ReLU) or "none".
        conv_channels, conv_kernel: the single convolution of ``front_end="conv"``.
        conv_pool: steps max-pooled between the front end and the core.
        fcn_channels, fcn_kernels, stride: the blocks of ``front_end="fcn"``; the first
            block strides by ``stride`` steps.
        input_dropout: dropout on what the core reads at every step.
        dropout: dropout on the summary before the head.
    """

    recurrent: RecurrentConfig
    n_outputs: int
    summary: str = "last"
    static_size: int = 0
    input_features: int = 0
    vocab_size: int = 0
    embedding_dim: int = 0
    front_end: str = "none"
    conv_channels: int = 0
    conv_kernel: int = 3
    conv_pool: int = 1
    fcn_channels: tuple[int, ...] = (64, 128, 64)
    fcn_kernels: tuple[int, ...] = (7, 5, 3)
    stride: int = 1
    input_dropout: float = 0.0
    dropout: float = 0.0

    def __post_init__(self) -> None:
        if self.summary not in SUMMARIES:
            raise InputError(f"pooling={self.summary!r} is not one of {list(SUMMARIES)}.")
        if self.front_end not in FRONT_ENDS:
            raise InputError(f"front_end={self.front_end!r} is not one of {list(FRONT_ENDS)}. "
                             "Pass 'fcn' (convolutional blocks), 'conv' or 'none'.")
        if self.front_end == "conv" and self.conv_kernel % 2 == 0:
            raise InputError(f"conv_kernel={self.conv_kernel} must be odd (the convolution keeps "
                             "each step centred). Pass e.g. conv_kernel=3 or 5.")
        if self.front_end == "conv" and self.conv_channels < 1:
            raise InputError("front_end='conv' needs conv_channels >= 1. Pass e.g. "
                             "conv_channels=32.")

    @property
    def front_width(self) -> int:
        """Features per step that the recurrent core reads."""
        if self.front_end == "fcn":
            return self.fcn_channels[-1]
        if self.front_end == "conv":
            return self.conv_channels
        return self.embedding_dim if self.vocab_size else self.input_features

    @property
    def summary_width(self) -> int:
        pooled = self.fcn_channels[-1] if self.front_end == "fcn" else 0
        return self.recurrent.output_size + pooled + self.static_size

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> SequenceNetConfig:
        d = dict(d)
        d["recurrent"] = RecurrentConfig(**d["recurrent"])
        for key in ("fcn_channels", "fcn_kernels"):
            d[key] = tuple(d[key])
        return cls(**d)
