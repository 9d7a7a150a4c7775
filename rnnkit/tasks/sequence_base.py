"""What the whole-sequence estimators share: inputs (numbers, texts, token ids), scaling,
the network with its front ends, training, prediction, inspection and the model file."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnkit.data.scalers import Scaler
from rnnkit.data.sequences import pad_sequences
from rnnkit.data.text import Vocabulary, is_text
from rnnkit.data.validation import check_choice
from rnnkit.errors import InputError
from rnnkit.nn.config import RecurrentConfig
from rnnkit.nn.sequence import SUMMARIES, SequenceNet
from rnnkit.nn.summary import format_summary
from rnnkit.tasks.base import RnnkitEstimator
from rnnkit.train import History, TensorBatches, TrainConfig, train_model


class SequenceEstimator(RnnkitEstimator):
    """What the classifier and the regressor share: inputs, scaling, network, training, files.

    Args:
        cell, hidden_size, num_layers, dropout, bidirectional: the recurrent core (dropout
            between stacked layers).
        input_dropout: dropout on the inputs of every step.
        pooling: how a sequence becomes one vector (the sequence summary): "last", "mean",
            "max" or "attention" (all ignore padding).
        scaler: per-channel scaling fitted on the training sequences only; static covariates
            are standardised on the training rows likewise.
        epochs, batch_size, learning_rate, patience, clip_norm, seed, verbose, device:
            training (see :class:`rnnkit.train.TrainConfig`).
        val_size: fraction of the training sequences held out (seeded) for early stopping.
        max_vocab, min_count, max_length, truncation: the vocabulary built from training
            texts when X is a list of strings (or of token lists); saved in the model file.
        vocab_size: for X given as integer token ids (0 = padding): the number of ids.
        embedding_dim: width of the token embedding (text and token-id inputs).
        conv_channels, conv_kernel, conv_pool: an optional 1-D convolution front end (odd
            kernel, "same" padding, ReLU) with max pooling over ``conv_pool`` steps; 0 channels
            means none.
    """

    def _init_common(self, cell, hidden_size, num_layers, dropout, input_dropout,
                     bidirectional, pooling, scaler, epochs, batch_size, learning_rate,
                     patience, clip_norm, val_size, seed, verbose, device) -> None:
        self.cell, self.hidden_size, self.num_layers = cell, hidden_size, num_layers
        self.dropout, self.input_dropout = dropout, input_dropout
        self.bidirectional, self.pooling, self.scaler = bidirectional, pooling, scaler
        self.epochs, self.batch_size = epochs, batch_size
        self.learning_rate, self.patience, self.clip_norm = learning_rate, patience, clip_norm
        self.val_size, self.seed, self.verbose, self.device = val_size, seed, verbose, device

    def _init_front(self, max_vocab, min_count, max_length, truncation, vocab_size,
                    embedding_dim, conv_channels, conv_kernel, conv_pool) -> None:
        self.max_vocab, self.min_count, self.max_length = max_vocab, min_count, max_length
        self.truncation, self.vocab_size, self.embedding_dim = truncation, vocab_size, embedding_dim
        self.conv_channels, self.conv_kernel, self.conv_pool = conv_channels, conv_kernel, conv_pool

    # --- inputs ---------------------------------------------------------------------------
    def _token_ids(self, X: Any, fitted: bool) -> list[np.ndarray] | None:
        """Token ids per sequence for text or id inputs; None for numeric sequences."""
        if is_text(X):
            if not fitted:
                self.vocabulary_ = Vocabulary.build(X, self.max_vocab, self.min_count,
                                                    self.max_length, self.truncation)
            elif self.input_kind_ != "text":
                raise InputError("X is text but the model was trained on "
                                 f"{self.input_kind_} sequences. Pass the same kind of input.")
            self.input_kind_ = "text" if not fitted else self.input_kind_
            return self.vocabulary_.encode(X)
        if self.vocab_size and isinstance(X, np.ndarray | list):
            seqs = [np.asarray(s) for s in X]
            if seqs and all(s.dtype.kind in "iu" and s.ndim == 1 for s in seqs):
                top = max(int(s.max()) for s in seqs if len(s))
                if top >= self.vocab_size:
                    raise InputError(f"X holds token id {top} but vocab_size={self.vocab_size}; "
                                     "ids must be below vocab_size (0 is padding).")
                self.input_kind_ = "ids" if not fitted else self.input_kind_
                return seqs
        return None

    def _inputs(self, X: Any, static: Any, fitted: bool) -> tuple[np.ndarray, ...]:
        tokens = self._token_ids(X, fitted)
        if tokens is not None:
            lengths = np.array([len(t) for t in tokens], dtype=np.int64)
            if (lengths == 0).any():
                raise InputError(f"sequence {int(np.argmin(lengths))} has no tokens.")
            x = np.zeros((len(tokens), lengths.max()), dtype=np.int64)  # 0 = padding
            x[np.arange(lengths.max()) < lengths[:, None]] = np.concatenate(tokens)
            static = self._check_static(static, len(x))
            if fitted and self.input_kind_ == "numeric":
                raise InputError("X is text or token ids but the model was trained on numeric "
                                 "sequences. Pass [samples, timesteps, features] arrays.")
            return x, lengths, static
        if fitted and self.input_kind_ != "numeric":
            raise InputError(f"the model was trained on {self.input_kind_} input; pass texts "
                             "(or token ids) like those it was trained on.")
        self.input_kind_ = "numeric" if not fitted else self.input_kind_
        x, lengths = pad_sequences(X)
        static = self._check_static(static, len(x))
        if fitted:
            if x.ndim == 3 and x.shape[2] != self.n_features_:
                raise InputError(f"X has {x.shape[2]} features per step; the model was trained "
                                 f"on {self.n_features_}. Pass the same channels.")
            if (static is None) != (self.static_size_ == 0) or (
                    static is not None and static.shape[1] != self.static_size_):
                raise InputError(f"the model was trained with {self.static_size_} static "
                                 "covariates; pass static= with the same columns.")
        return x, lengths, static

    @staticmethod
    def _check_static(static: Any, n: int) -> np.ndarray | None:
        if static is None:
            return None
        static = np.asarray(static, dtype=np.float64)
        static = static[:, None] if static.ndim == 1 else static
        if static.ndim != 2 or len(static) != n:
            raise InputError(
                f"static has shape {static.shape} but X has {n} sequences; static must be "
                f"[samples, covariates] with {n} rows. Pass one row per sequence."
            )
        if not np.isfinite(static).all():
            row, col = np.argwhere(~np.isfinite(static))[0]
            raise InputError(f"static has NaN or inf at row {row}, column {col}.")
        return static

    def _tensors_for(self, x, lengths, static) -> tuple[torch.Tensor, ...]:
        if x.ndim == 2:  # token ids: the embedding takes them as they are
            out = (torch.from_numpy(x), torch.from_numpy(lengths))
        else:
            valid = np.arange(x.shape[1]) < lengths[:, None]
            scaled = (self.scaler_.transform(x) * valid[..., None]).astype(np.float32)  # pads 0
            out = (torch.from_numpy(scaled), torch.from_numpy(lengths))
        if static is not None:
            out += (torch.from_numpy(((static - self.static_mean_) / self.static_std_)
                                     .astype(np.float32)),)
        return out

    # --- fitting --------------------------------------------------------------------------
    def _fit(self, X: Any, y: Any, static: Any, target: np.ndarray, n_outputs: int,
             loss_fn) -> None:
        check_choice(self.pooling, "pooling", SUMMARIES)
        x, lengths, static = self._inputs(X, static, fitted=False)
        if len(target) != len(x):
            raise InputError(f"y has {len(target)} rows but X has {len(x)} sequences. Pass one "
                             "target per sequence.")
        order = np.random.default_rng(self.seed).permutation(len(x))
        n_val = int(round(self.val_size * len(x))) if len(x) >= 20 else 0
        val_idx, train_idx = order[:n_val], order[n_val:]
        valid = np.arange(x.shape[1]) < lengths[:, None]
        train_rows = x[train_idx][valid[train_idx]]
        self.scaler_ = Scaler(self.scaler if x.ndim == 3 else "none").fit(
            train_rows if x.ndim == 3 else np.zeros((1, 1)))
        self.static_size_ = 0 if static is None else static.shape[1]
        if static is not None:
            self.static_mean_ = static[train_idx].mean(0)
            self.static_std_ = np.where(static[train_idx].std(0) > 0, static[train_idx].std(0), 1)
        self.n_features_ = x.shape[2] if x.ndim == 3 else 0
        tensors = self._tensors_for(x, lengths, static)
        target_t = torch.from_numpy(target)

        def batches(index):
            return TensorBatches(tuple(t[index] for t in tensors), target_t[index])

        torch.manual_seed(self.seed)
        self.model_ = self._network(n_outputs)
        config = TrainConfig(epochs=self.epochs, batch_size=self.batch_size,
                             learning_rate=self.learning_rate, patience=self.patience,
                             clip_norm=self.clip_norm, seed=self.seed, verbose=self.verbose,
                             device=self.device)
        self.history_: History = train_model(self.model_, batches(train_idx), config,
                                             batches(val_idx) if n_val else None, loss_fn)

    def _network(self, n_outputs: int) -> SequenceNet:
        vocab = 0
        if self.input_kind_ == "text":
            vocab = self.vocabulary_.size
        elif self.input_kind_ == "ids":
            vocab = self.vocab_size
        width = self.conv_channels or (self.embedding_dim if vocab else self.n_features_)
        if self.conv_channels and self.conv_kernel % 2 == 0:
            raise InputError(f"conv_kernel={self.conv_kernel} must be odd (the convolution keeps "
                             "each step centred). Pass e.g. conv_kernel=3 or 5.")
        config = RecurrentConfig(self.cell, width, self.hidden_size, self.num_layers,
                                 self.dropout, self.bidirectional)
        return SequenceNet(config, n_outputs, self.pooling, self.static_size_,
                           self.input_dropout, vocab, self.embedding_dim if vocab else 0,
                           self.conv_channels, self.conv_kernel, self.conv_pool,
                           self.n_features_)

    @torch.inference_mode()
    def _outputs(self, X: Any, static: Any) -> np.ndarray:
        self._check_fitted("predict")
        x, lengths, static = self._inputs(X, static, fitted=True)
        device = next(self.model_.parameters()).device
        tensors = [t.to(device) for t in self._tensors_for(x, lengths, static)]
        tensors[1] = tensors[1].cpu()  # packing wants lengths on the CPU
        out = [self.model_(*(t[i:i + 4096] for t in tensors)).double().cpu()
               for i in range(0, len(x), 4096)]
        return torch.cat(out).numpy()

    def attention_weights(self, X: Any, static: Any = None) -> np.ndarray:
        """Attention weights over the steps of each sequence ``[N, T_max]`` (pooling
        ``"attention"``); zero on padded steps, each row sums to one."""
        self._check_fitted("explain")
        if self.pooling != "attention":
            raise InputError(f"pooling={self.pooling!r} has no attention weights; fit with "
                             "pooling='attention'.")
        x, lengths, static = self._inputs(X, static, fitted=True)
        with torch.inference_mode():
            _, weights = self.model_.encode(*self._tensors_for(x, lengths, static))
        return weights.double().numpy()

    def inspect(self, X: Any):
        """Every state and gate over one sequence ``[T, F]`` (see :class:`Inspection`)."""
        from rnnkit.nn.inspect import inspect_core

        self._check_fitted("inspect")
        x, lengths, _ = self._inputs([X] if is_text([X]) else [np.asarray(X)], None, fitted=True)
        tensors = self._tensors_for(x, lengths, None)
        with torch.no_grad():
            seen, _ = self.model_.front(tensors[0], tensors[1])  # [1, T', F']
        shown = seen[0].double().numpy() if x.ndim == 2 or self.conv_channels else x[0]
        return inspect_core(self.model_.core, seen[0], shown)

    def summary(self) -> str:
        """Parameters per layer with the closed form."""
        self._check_fitted("summarise")
        return format_summary(self.model_.layer_counts())

    # --- model file -----------------------------------------------------------------------
    def _fitted_meta(self) -> dict:
        meta = {"n_features": self.n_features_, "static_size": self.static_size_,
                "scaler": self.scaler_.to_dict(), "history": self.history_.to_dict(),
                "input_kind": self.input_kind_}
        if self.input_kind_ == "text":
            meta["vocabulary"] = self.vocabulary_.to_dict()
        if getattr(self, "schema_", None):
            meta["schema"] = self.schema_
        if self.static_size_:
            meta |= {"static_mean": self.static_mean_.tolist(),
                     "static_std": self.static_std_.tolist()}
        return meta | self._target_meta()

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:
        self.n_features_, self.static_size_ = fitted["n_features"], fitted["static_size"]
        self.input_kind_ = fitted["input_kind"]
        if fitted.get("schema"):
            self.schema_ = fitted["schema"]
        if self.input_kind_ == "text":
            self.vocabulary_ = Vocabulary.from_dict(fitted["vocabulary"])
        self.scaler_ = Scaler.from_dict(fitted["scaler"])
        self.history_ = History.from_dict(fitted["history"])
        if self.static_size_:
            self.static_mean_ = np.asarray(fitted["static_mean"])
            self.static_std_ = np.asarray(fitted["static_std"])
        self._restore_target(fitted)
        self.model_ = self._network(self._n_outputs())
