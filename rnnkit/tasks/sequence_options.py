"""The arguments of the sequence estimators, declared once (see :mod:`rnnkit.options`):
the recurrent core, the training recipe, and the inputs of whole-sequence models."""

from __future__ import annotations

from dataclasses import dataclass

from rnnkit.data.holdout import ORDERS
from rnnkit.data.sequence_inputs import NORMALISATIONS
from rnnkit.errors import InputError
from rnnkit.nn.config import CELLS, FRONT_ENDS, SUMMARIES
from rnnkit.options import option, validate_fields
from rnnkit.tracking import TrackingOptions
from rnnkit.train.config import LOSSES
from rnnkit.train.schedule import SCHEDULES


@dataclass(kw_only=True, eq=False, repr=False)
class RecurrentOptions:
    """The recurrent core."""

    cell: str = option("lstm", "Recurrent cell: lstm, gru or rnn.", "str", CELLS)
    hidden_size: int = option(64, "Units per recurrent layer (and direction).", "int>=1")
    num_layers: int = option(1, "Stacked recurrent layers.", "int>=1")
    dropout: float = option(0.2, "Dropout between stacked layers and before the head.",
                            "fraction")
    bidirectional: bool | None = option(None, "Read each sequence both ways (default: texts "
                                        "and numeric classification).", "bool|None")


@dataclass(kw_only=True, eq=False, repr=False)
class TrainingOptions(TrackingOptions):
    """How a sequence model trains: a budget in optimiser steps on a one-cycle schedule."""

    max_steps: int | None = option(None, "Budget in optimiser steps (default: 1,000 for "
                                   "numbers, 3,000 for texts).", "int>=1|None", group="training")
    epochs: int | None = option(None, "Budget in passes over the data instead of steps.",
                                "int>=1|None", group="training")
    batch_size: int | None = option(None, "Sequences per step (default: 16, or 64 from 2,000 "
                                    "training sequences).", "int>=1|None", group="training")
    learning_rate: float = option(3e-3, "Peak learning rate (AdamW).", "rate",
                                  group="training")
    weight_decay: float = option(1e-2, "AdamW's decoupled weight decay.", "float>=0",
                                 group="training")
    schedule: str = option("onecycle", "Learning-rate schedule: onecycle or constant.", "str",
                           SCHEDULES, group="training")
    patience: int = option(20, "Epochs without a better hold-out loss before stopping.",
                           "int>=0", group="training")
    clip_norm: float = option(1.0, "Clip the gradient norm (0: off).", "float>=0",
                              group="training")
    val_size: float = option(0.1, "Share held out for early stopping (drawn only where it "
                             "can decide).", "fraction", group="training")
    holdout: str = option("random", "Hold-out order: random (stratified) or chronological.",
                          "str", ORDERS, group="training")
    repeats: int = option(1, "Runs with seeds seed, seed+1, ...; they predict as an ensemble.",
                          "int>=1", group="training")
    seed: int = option(0, "Random seed (same seed, same weights on CPU).", "int>=0",
                       group="training")
    verbose: int = option(1, "0 silent, 1 progress bar, 2 (or more) a line per epoch.", "int>=0",
                          group="training")
    device: str = option("auto", "auto, cpu or cuda.", "str", ("auto", "cpu", "cuda"),
                         group="training")


@dataclass(kw_only=True, eq=False, repr=False)
class SequenceOptions(RecurrentOptions, TrainingOptions):
    """The arguments of the whole-sequence estimators (classifier and regressor)."""

    hidden_size: int | None = option(None, "Units per recurrent layer and direction "
                                     "(default: numbers 64 one way, 32 a direction both ways; "
                                     "texts 64).", "int>=1|None")

    pooling: str = option("auto", "Sequence summary: auto, last, mean, max or attention.",
                          "str", ("auto", *SUMMARIES))
    front_end: str = option("auto", "auto, fcn (convolutional blocks), conv or none.", "str",
                            ("auto", *FRONT_ENDS))
    input_dropout: float | None = option(None, "Dropout on every step's input (default: 0.3 "
                                         "for texts, 0 for numbers).", "fraction|None")
    normalize: str = option("auto", "Numeric steps: per sequence, per channel, both side by "
                            "side, or auto (sequence for one channel, both for several).",
                            "str", NORMALISATIONS, group="data")
    scaler: str = option("standard", "With normalize=channel or both: standard, minmax or "
                         "none.",
                         "str", ("standard", "minmax", "none"), group="data")
    max_vocab: int = option(20000, "Texts: words kept, most frequent first.", "int>=1",
                            group="data")
    min_count: int = option(2, "Texts: a word must appear this often in training.", "int>=1",
                            group="data")
    max_length: int | None = option(None, "Texts: tokens kept per text.", "int>=1|None",
                                    group="data")
    truncation: str = option("post", "Texts: post keeps the start, pre the end.", "str",
                             ("pre", "post"), group="data")
    vocab_size: int | None = option(None, "Token-id inputs: the number of ids (0 pads).",
                                    "int>=1|None", group="data")
    embedding_dim: int = option(128, "Width of the token embedding.", "int>=1")
    conv_channels: int = option(0, "front_end=conv: channels of its convolution.", "int>=0")
    conv_kernel: int = option(3, "front_end=conv: kernel width (odd).", "int>=1")
    conv_pool: int | None = option(None, "Steps max-pooled before the core (default: 4 after "
                                   "fcn, 1 after conv).", "int>=1|None")

    def validate(self) -> SequenceOptions:
        """Check every argument against its declaration (an InputError naming the first bad
        one, what it accepts and the fix)."""
        validate_fields(self, type(self))
        return self

    def check_budget(self) -> None:
        """Before a new fit (a saved model that holds both still loads): one budget."""
        if self.epochs is not None and self.max_steps is not None:
            raise InputError(f"epochs={self.epochs} and max_steps={self.max_steps} are two "
                             "budgets for one training; only one would be used. Pass one of "
                             "them.")


@dataclass(kw_only=True, eq=False, repr=False)
class ClassifierOptions(SequenceOptions):
    """The arguments of :class:`rnnkit.SequenceClassifier`."""

    class_weight: str | None = option(None, "balanced: weight classes by their rarity.",
                                      "str|None", ("balanced",), group="training")
    label_smoothing: float = option(0.0, "Share of each target spread over the other "
                                    "classes.", "fraction", group="training")


@dataclass(kw_only=True, eq=False, repr=False)
class RegressorOptions(SequenceOptions):
    """The arguments of :class:`rnnkit.SequenceRegressor`."""

    loss: str = option("mse", "Loss on the standardised targets: mse, mae or huber.", "str",
                       LOSSES, group="training")


@dataclass(kw_only=True, eq=False, repr=False)
class TaggerOptions(RecurrentOptions, TrainingOptions):
    """The arguments of :class:`rnnkit.SequenceTagger` (numeric steps in, a label or a number
    out at every step)."""

    task: str = option("classification", "classification (a label per step) or regression "
                       "(a number per step).", "str", ("classification", "regression"))
    bidirectional: bool = option(False, "Read each sequence both ways.", "bool")
    scaler: str = option("standard", "Per-feature scaling: standard, minmax or none.", "str",
                         ("standard", "minmax", "none"), group="data")
    # per-step tasks that hinge on one early step (the teaching tasks' long memory) need a
    # long stretch at a high rate to find it: a constant rate, not the one-cycle decay
    epochs: int | None = option(100, "Budget in passes over the data.", "int>=1|None",
                                group="training")
    max_steps: int | None = option(None, "Budget in optimiser steps, instead of epochs when "
                                   "given (default: the epochs).", "int>=1|None",
                                   group="training")
    learning_rate: float = option(1e-2, "Learning rate (AdamW).", "rate", group="training")
    schedule: str = option("constant", "Learning-rate schedule: constant or onecycle.", "str",
                           ("constant", "onecycle"), group="training")

    def validate(self) -> TaggerOptions:
        """Check every argument against its declaration."""
        validate_fields(self, type(self))
        _one_run(self, "SequenceTagger")
        return self


@dataclass(kw_only=True, eq=False, repr=False)
class TranslationOptions(RecurrentOptions, TrainingOptions):
    """The arguments of :class:`rnnkit.SequenceToSequence` (a sequence of symbols in, another
    out: reversing, adding numbers written as characters, transliterating)."""

    attention: bool = option(True, "Each decoder output attends to the encoder's outputs.",
                             "bool")
    bidirectional: bool = option(False, "Not available: the decoder starts from the "
                                 "encoder's final state, which a backward pass does not end "
                                 "at.", "bool")
    embedding_dim: int = option(32, "Width of the symbol embeddings.", "int>=1")
    dropout: float = option(0.0, "Dropout between stacked layers.", "fraction")
    max_output_length: int | None = option(None, "Longest output decoded (default: twice "
                                           "the longest training target, + 2).", "int>=1|None")
    max_steps: int | None = option(None, "Budget in optimiser steps (default: 2,000).",
                                   "int>=1|None", group="training")
    learning_rate: float = option(1e-2, "Peak learning rate (AdamW).", "rate",
                                  group="training")
    batch_size: int | None = option(None, "Pairs per step (default: 32).", "int>=1|None",
                                    group="training")

    def validate(self) -> TranslationOptions:
        """Check every argument against its declaration."""
        validate_fields(self, type(self))
        _one_run(self, "SequenceToSequence")
        if self.bidirectional:
            from rnnkit.errors import InputError

            raise InputError("bidirectional=True: the decoder starts from the encoder's final "
                             "state, which a backward pass does not end at. Pass "
                             "bidirectional=False (attention reads the whole source).")
        return self


def _one_run(options: TrainingOptions, name: str) -> None:
    """The tagger and the translator train one run: ``repeats`` above 1 is refused, not
    ignored (the runs would not have formed an ensemble)."""
    if options.repeats != 1:
        from rnnkit.errors import InputError

        raise InputError(f"repeats={options.repeats}: {name} trains one run (no ensemble of "
                         "runs yet). Pass repeats=1, or average several seeds yourself.")

