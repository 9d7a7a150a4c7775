"""What every rnnkit estimator shares: the scikit-learn contract and the model file plumbing."""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from rnnkit.artifacts import read_model, renamed_legacy_keys, write_model
from rnnkit.errors import ArtifactError, NotFittedError


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except (ValueError, TypeError):
        return False


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


class RnnkitEstimator:
    """The scikit-learn estimator contract, plus rnnkit's save/load and fitted checks.

    ``get_params`` / ``set_params`` follow scikit-learn's protocol (the parameters are the
    keyword arguments of ``__init__``), so ``sklearn.base.clone``, grid searches and
    ``cross_val_score`` work, without importing scikit-learn (almost a second of start-up)
    for users who never call it. Subclasses keep ``__init__`` to storing keyword arguments,
    name learned state with a trailing underscore, and implement ``_fitted_meta`` /
    ``_tensors`` / ``_restore``.
    """

    _tuple_params: ClassVar[tuple[str, ...]] = ()
    model_: torch.nn.Module

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(p.name for p in signature.parameters.values()
                      if p.name != "self" and p.kind == p.KEYWORD_ONLY)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments, as given."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> RnnkitEstimator:
        """Set constructor arguments; unknown names raise an InputError listing the valid ones."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                from rnnkit.errors import InputError

                raise InputError(
                    f"{name!r} is not a parameter of {type(self).__name__}; valid: {valid}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__)
                    .parameters.values() if p.name != "self"}
        changed = [f"{k}={v!r}" for k, v in self.get_params().items()
                   if not (k in defaults and _same(defaults[k], v))]
        return f"{type(self).__name__}({', '.join(changed)})"

    def _check_fitted(self, action: str = "predict") -> None:
        if not self._is_fitted():
            name = type(self).__name__
            raise NotFittedError(
                f"This {name} is not fitted yet, so it cannot {action}. "
                f"Call {name}.fit(data) first, or load a saved model with rnnkit.load(path)."
            )

    def _is_fitted(self) -> bool:
        return "model_" in self.__dict__ or "fitted_" in self.__dict__

    # --- model files --------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write the fitted model to a directory (or a ``.zip``): safetensors + JSON, no pickle.

        Args:
            path: target directory or ``.zip`` file; written atomically.
        """
        self._check_fitted("save")
        params = {k: _jsonable(v) for k, v in self.get_params(deep=False).items()}
        state = self.model_.state_dict()
        tensors = {f"model.{k}": v.detach().cpu().numpy() for k, v in state.items()}
        tensors.update(self._tensors())
        meta = {"params": params, "fitted": self._fitted_meta()}
        return write_model(path, type(self).__name__, meta, tensors)

    def export(self, path: str | os.PathLike, format: str | None = None) -> Path:
        """Write the fitted model as a self-contained serving graph that computes its
        predictions (scaling, every run of an ensemble and the reduction included), with
        what its inputs and outputs mean stored beside it (see :mod:`rnnkit.export`).

        Args:
            path: the file, written atomically.
            format: "onnx" (needs the onnx package) or "torchscript"; None: from the
                suffix (``.onnx`` / ``.pt``).
        """
        from rnnkit.export import export

        return export(self, path, format)

    @classmethod
    def load(cls, path: str | os.PathLike) -> RnnkitEstimator:
        """Load a saved model that must be of this class (``rnnkit.load`` takes any kind).

        Raises:
            ArtifactError: the file holds another kind of model, or cannot be read.
        """
        meta, tensors = read_model(path)
        if meta.get("kind") != cls.__name__:
            raise ArtifactError(
                f"{path} holds a {str(meta.get('kind'))[:40]}, not a {cls.__name__}. Load it with "
                f"rnnkit.load(path), or pass a {cls.__name__} model."
            )
        return cls._from_artifact(meta, tensors)

    @classmethod
    def _from_artifact(cls, meta: dict, tensors: dict[str, np.ndarray]) -> RnnkitEstimator:
        """The estimator a model file describes, or ArtifactError: sizes are bounded by the
        weights before anything is built, arguments are validated as the constructor's,
        weights must be finite and fit the network, and the model must predict finite
        numbers on a canonical input before it is returned."""
        written = f"It was written by rnnkit {str(meta.get('rnnkit_version'))[:20]}"
        try:
            check_sizes(meta, tensors)
            params = dict(meta["params"])
            unknown = sorted(set(params) - set(cls._param_names()))
            if unknown:
                raise ArtifactError(f"the model file has arguments {unknown[:5]} that "
                                    f"{cls.__name__} does not take. {written}; load it with "
                                    "that version.")
            for name in cls._tuple_params:
                if params.get(name) is not None:
                    params[name] = tuple(params[name])
            est = cls(**params)
            if hasattr(est, "validate"):
                est.validate()
            est._restore(meta["fitted"], tensors)
            state = {k[len("model."):]: torch.from_numpy(v.copy()) for k, v in tensors.items()
                     if k.startswith("model.")}
            est.model_.load_state_dict(renamed_legacy_keys(state, est.model_.state_dict()))
            est.model_.eval()
            est._self_check()
        except ArtifactError:
            raise
        except Exception as e:  # noqa: BLE001 - whatever a damaged file breaks, say so once
            raise ArtifactError(
                f"the model file does not make a working {cls.__name__} ({type(e).__name__}: "
                f"{str(e)[:200]}). {written}; save it again with this version, or restore it "
                "from a backup."
            ) from e
        return est

    def _self_check(self) -> None:
        """Predict once on a canonical input; raise when that fails or is not finite."""

    def _fitted_meta(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _tensors(self) -> dict[str, np.ndarray]:
        return {}

    def _restore(self, fitted: dict, tensors: dict[str, np.ndarray]) -> None:  # pragma: no cover
        raise NotImplementedError


# Arguments that size what a network allocates: in a genuine file each is at most the number
# of stored weights, so a file cannot ask for more memory or time than its own size.
SIZE_KEYS = frozenset({"hidden_size", "num_layers", "embedding_dim", "conv_channels",
                       "conv_kernel", "repeats", "id_embedding", "vocab_size", "n_outputs",
                       "input_size", "input_features", "static_size", "n_series", "n_static",
                       "future_size", "n_features", "conv_pool", "fcn_channels",
                       "fcn_kernels"})
# Lengths in steps: they size no weights where a model reads them as periods or steps (a
# season of 720 hours beside a lookback of 24; a recursive head's 200-step horizon), so they
# get a fixed bound instead, far above any real series' and far below what would exhaust
# memory.
LENGTH_KEYS = frozenset({"horizon", "lookback", "season", "season_length"})
MAX_LENGTH = 10_000_000


def check_sizes(meta: dict, tensors: dict[str, np.ndarray]) -> None:
    """Every size-giving number in ``meta`` is a positive-or-zero integer no larger than the
    weights it would build (see ``SIZE_KEYS``)."""
    budget = sum(int(t.size) for t in tensors.values()) + 1
    for t in tensors.values():
        if t.dtype.kind == "f" and not np.isfinite(t).all():
            raise ArtifactError("the model's weights hold NaN or infinite numbers; the file "
                                "was damaged or saved from a diverged fit. Train it again.")

    def walk(node: Any, depth: int = 0) -> None:
        if depth > 32:
            raise ArtifactError("model.json nests deeper than any model does.")
        if isinstance(node, dict):
            for key, value in node.items():
                if key in SIZE_KEYS or key in LENGTH_KEYS:
                    bound = budget if key in SIZE_KEYS else MAX_LENGTH
                    for v in value if isinstance(value, list) else [value]:
                        if v is not None and (isinstance(v, bool) or not isinstance(v, int)
                                              or not 0 <= v <= bound):
                            raise ArtifactError(
                                f"model.json gives {key}={str(value)[:40]}, which "
                                + (f"{budget - 1} stored weights cannot hold" if key in SIZE_KEYS
                                   else f"is beyond any series (at most {MAX_LENGTH:,})")
                                + ". The file was altered; save the model again.")
                walk(value, depth + 1)
        elif isinstance(node, list):
            for value in node[:10_000]:
                walk(value, depth + 1)

    if not isinstance(meta.get("params"), dict) or not isinstance(meta.get("fitted"), dict):
        raise ArtifactError("model.json lacks its params and fitted sections. Pass a model "
                            "rnnkit saved.")
    walk(meta)


# model.json's "kind" -> the module of that estimator: rnnkit.load rebuilds any of them
KINDS = {
    "Forecaster": "rnnkit.tasks.forecaster",
    "SequenceClassifier": "rnnkit.tasks.sequence",
    "SequenceRegressor": "rnnkit.tasks.sequence",
    "SequenceTagger": "rnnkit.tasks.tagger",
    "SequenceToSequence": "rnnkit.tasks.translation",
}


def register(cls: type[RnnkitEstimator]) -> type[RnnkitEstimator]:
    """Mark a class as an estimator ``rnnkit.load`` rebuilds (listed in ``KINDS``)."""
    if KINDS.get(cls.__name__) != cls.__module__:
        raise TypeError(f"{cls.__name__} must be listed in rnnkit.tasks.base.KINDS")
    return cls


def load(path: str | os.PathLike) -> RnnkitEstimator:
    """Load a model saved by any rnnkit estimator's ``save``.

    Args:
        path: the model directory or ``.zip``.

    Raises:
        ArtifactError: the file is missing, corrupt, of a future format or not an rnnkit model.
    """
    meta, tensors = read_model(path)
    kind = meta.get("kind", "")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ArtifactError(
            f"{path} holds a model of kind {str(kind)[:40]!r}, which this rnnkit does not know "
            f"(known: {sorted(KINDS)}). Upgrade rnnkit to load it."
        )
    cls = getattr(importlib.import_module(KINDS[kind]), kind)
    return cls._from_artifact(meta, tensors)
