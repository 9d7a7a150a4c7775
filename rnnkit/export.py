"""Export a fitted estimator as one self-contained serving graph (ONNX or TorchScript).

The graph computes what ``predict`` computes, not just the raw network: the forecaster's
scaling (log of the target, per-series offsets and scales) and its inverse, the recursive
strategy's steps unrolled over the fixed horizon, the sequence models' input normalisation
(per-sequence z-normalisation and its level numbers, or the per-channel scaler; the static
covariates' standardisation), every run of an ensemble and the reduction ``predict`` applies
to them, the softmax of a classifier, the target scaling of a regressor. Inputs and outputs
are in the user's units; the precision of each stage mirrors the Python path (scaling in
float64, the network in float32, what follows in float64), so the graph agrees with
``predict`` to float32 rounding.

What the inputs and outputs mean (column names, series ids, quantile levels, class labels,
the vocabulary of a text model and how texts are tokenised) is recorded with the graph: in
the ONNX file's ``metadata_props`` (``rnnkit_version``, ``kind``, ``rnnkit_io`` as JSON), in a
TorchScript file as the extra file ``rnnkit_io.json``; :func:`describe_export` returns the
same description in Python.

Example:
    >>> f = rnnkit.Forecaster(horizon=12).fit("airline")
    >>> f.export("airline.onnx")  # inputs context [N, lookback, F], series [N]
"""

from __future__ import annotations

import copy
import io
import json
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from rnnkit._version import __version__
from rnnkit.errors import InputError
from rnnkit.files import check_out_file, write_bytes_atomic

__all__ = ["FORMATS", "describe_export", "export"]

FORMATS = ("onnx", "torchscript")
SUFFIXES = {".onnx": "onnx", ".pt": "torchscript"}
FORMAT_NAMES = {"onnx": "ONNX", "torchscript": "TorchScript"}
OPSET = 17
IO_FILE = "rnnkit_io.json"  # the description's name inside a TorchScript file
F64 = torch.float64


def export(estimator: Any, path: str | os.PathLike, format: str | None = None) -> Path:
    """Write ``estimator`` (fitted) as a serving graph that computes its predictions.

    Args:
        estimator: a fitted Forecaster, SequenceClassifier, SequenceRegressor or
            SequenceTagger.
        path: the file to write (atomically).
        format: "onnx" or "torchscript"; None: from the suffix (``.onnx`` / ``.pt``).

    Returns:
        The path written.

    Raises:
        InputError: an unknown format, onnx not installed, or a model that cannot be
            exported (the message says why and what to do instead).
        NotFittedError: the estimator is not fitted.
    """
    fmt = _format(path, format)
    check_out_file(path, "path=", f"the {FORMAT_NAMES[fmt]} graph", (".onnx",) if fmt == "onnx" else
                   (".pt", ".pth"))
    if fmt == "onnx":
        _onnx()  # before any work: say at once what is missing
    serving = _serving(estimator)
    data = _onnx_bytes(serving) if fmt == "onnx" else _torchscript_bytes(serving)
    return write_bytes_atomic(path, data)


def describe_export(estimator: Any) -> dict:
    """What the exported graph of ``estimator`` reads and returns: the JSON stored with it
    as ``rnnkit_io`` (every input and output with its shape, named axes, dtype and meaning,
    and the model's series ids, quantile levels, classes or vocabulary)."""
    kind = _kind(estimator)
    return _DESCRIBE[kind](estimator)


# --- formats ---------------------------------------------------------------------------------
def _format(path: str | os.PathLike, format: str | None) -> str:
    if format is not None:
        from rnnkit.options import check_value

        check_value("format", format, "str", FORMATS)
        named = (SUFFIXES | {".pth": "torchscript"}).get(Path(path).suffix.lower())
        if named is not None and named != format:  # a .pt file that torch.jit cannot load
            raise InputError(
                f"path={str(path)!r} names a {Path(path).suffix} file ({FORMAT_NAMES[named]}) "
                f"but format={format!r}. Pass format={named!r}, or a path ending in "
                f"{'.onnx' if format == 'onnx' else '.pt'}.")
        return format
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"path={str(path)!r} ends in {suffix or 'no suffix'!r}, which names no export "
            "format; expected .onnx (ONNX) or .pt (TorchScript). Pass a path ending in .onnx "
            "or .pt, or format='onnx' / format='torchscript'.")
    return SUFFIXES[suffix]


def _kind(estimator: Any) -> str:
    kind = type(estimator).__name__
    if kind not in _DESCRIBE or not hasattr(estimator, "_check_fitted"):
        raise InputError(
            f"estimator is a {kind}; export takes a fitted rnnkit Forecaster, "
            "SequenceClassifier, SequenceRegressor or SequenceTagger. Pass one of those.")
    estimator._check_fitted("export")
    if kind == "Forecaster" and estimator.training == "sequence":
        raise InputError(
            "a Forecaster fitted with training='sequence' cannot be exported: its forecast "
            "continues from the recurrent state carried over the whole history (and advanced "
            "by update), not from a window of the last lookback rows, so no fixed graph of a "
            "window gives its predictions. Fit with training='window' (CLI: rnnkit forecast "
            "--training window) to export.")
    return kind


@dataclass
class _Serving:
    """A serving module, an example input to trace it with, and its description."""

    module: nn.Module
    example: tuple[torch.Tensor, ...]
    description: dict

    @property
    def input_names(self) -> list[str]:
        return [d["name"] for d in self.description["inputs"]]

    @property
    def output_names(self) -> list[str]:
        return [d["name"] for d in self.description["outputs"]]

    @property
    def dynamic_axes(self) -> dict[str, dict[int, str]]:
        out = {}
        for d in self.description["inputs"] + self.description["outputs"]:
            axes = {i: a for i, (a, n) in enumerate(zip(d["shape"], d["dims"], strict=True))
                    if n is None}
            if axes:
                out[d["name"]] = axes
        return out

    @property
    def what(self) -> str:
        return self.description["model"]


def _serving(estimator: Any) -> _Serving:
    kind = _kind(estimator)
    description = _DESCRIBE[kind](estimator)
    module, example = _BUILD[kind](estimator)
    return _Serving(module.eval(), example, description)


def _onnx() -> Any:
    """The onnx package, or an InputError saying how to install it."""
    try:
        import onnx
    except ImportError:
        raise InputError("exporting to ONNX needs the onnx package: pip install "
                         "'rnnkit[onnx]'") from None
    return onnx


def _onnx_bytes(serving: _Serving) -> bytes:
    onnx = _onnx()
    buffer = io.BytesIO()
    names = {"input_names": serving.input_names, "output_names": serving.output_names,
             "dynamic_axes": serving.dynamic_axes}
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the tracer's notes on branches it records
            torch.onnx.export(serving.module, serving.example, buffer, dynamo=False,
                              opset_version=OPSET, **names)
    except Exception as e:  # noqa: BLE001 - whatever the exporter trips on, say which model
        raise _cannot(serving, "ONNX", e) from e
    model = onnx.load_from_string(buffer.getvalue())
    meta = {"rnnkit_version": __version__, "kind": serving.description["kind"],
            "rnnkit_io": json.dumps(serving.description)}
    for key, value in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    model.doc_string = serving.description["summary"]
    return model.SerializeToString()


def _torchscript_bytes(serving: _Serving) -> bytes:
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(serving.module, serving.example, check_trace=False)
            torch.jit.save(traced, buffer,
                           _extra_files={IO_FILE: json.dumps(serving.description)})
    except Exception as e:  # noqa: BLE001
        raise _cannot(serving, "TorchScript", e) from e
    return buffer.getvalue()


def _cannot(serving: _Serving, fmt: str, e: Exception) -> InputError:
    reason = " ".join(f"{type(e).__name__}: {e}".split())[:300]
    other = "torchscript" if fmt == "ONNX" else "onnx"
    return InputError(
        f"a {serving.what} cannot be exported to {fmt}: the exporter failed with {reason}. "
        f"Try format={other!r}, or save it with .save(path) and serve it with rnnkit.")


def _io(name: str, dtype: str, axes: list[tuple[str, int | None]], meaning: str,
        **extra: Any) -> dict:
    """One input or output: its name, named axes with their sizes (None: any), dtype and
    meaning; ``extra``: what its columns are."""
    return {"name": name, "dtype": dtype, "shape": [a for a, _ in axes],
            "dims": [n for _, n in axes], "meaning": meaning, **extra}


def _members(model: nn.Module) -> nn.ModuleList:
    """Every run's network, copied to the CPU in eval mode (the estimator is left alone)."""
    members = list(getattr(model, "members", [model]))
    return nn.ModuleList([copy.deepcopy(m).cpu().eval().requires_grad_(False)
                          for m in members])


def _buffer(values: Any) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values, dtype=np.float64))


# --- Forecaster ------------------------------------------------------------------------------
class ForecastGraph(nn.Module):
    """``forecast_rows(all_quantiles=True)`` as one module: context ``[N, L, F]`` (user's
    units), series rows ``[N]`` (+ future covariates ``[N, H, C]``) -> ``[N, H, Q]``.

    Scaling in float64 (log of the target, then per-series offset and scale), every run in
    float32 with the ensemble's reduction (mean, or the lower median as ``torch.median``),
    the recursive strategy's steps unrolled, the inverse in float64 (exp, clip at 0).
    """

    def __init__(self, options: Any, fitted: Any) -> None:
        super().__init__()
        scaling = fitted.scaler
        self.members = _members(fitted.network)
        self.reduce = options.ensemble
        self.recursive = options.strategy == "recursive"
        self.horizon = fitted.spec.horizon
        self.takes_series = bool(options.id_embedding or options.static_cols)
        self.log_target, self.nonnegative = bool(scaling.log_target), bool(scaling.nonnegative)
        self.future_cols = list(fitted.spec.future_index)
        self.register_buffer("offset", _buffer(scaling.offset_))  # [S, F]
        self.register_buffer("scale", _buffer(scaling.scale_))

    def network(self, x: torch.Tensor, series: torch.Tensor | None,
                future: torch.Tensor | None) -> torch.Tensor:
        """The model's forward (an ensemble's reduced output), as forecast_rows calls it."""
        extra = (series, future) if series is not None or future is not None else ()
        outputs = [m(x, *extra) for m in self.members]
        if len(outputs) == 1:
            return outputs[0]
        stacked = torch.stack(outputs)  # [M, N, H, Q]
        if self.reduce == "mean":
            return stacked.mean(0)
        return torch.sort(stacked, dim=0).values[(len(outputs) - 1) // 2]  # torch.median

    def forward(self, context: torch.Tensor, series: torch.Tensor,
                future: torch.Tensor | None = None) -> torch.Tensor:
        offset, scale = self.offset[series], self.scale[series]  # [N, F]
        x = context.to(F64)
        if self.log_target:
            x = torch.cat([torch.log(torch.clamp(x[..., :1], min=1e-12)), x[..., 1:]], dim=-1)
        x = ((x - offset[:, None]) / scale[:, None]).float()  # [N, L, F]
        ahead = None
        if future is not None:
            cols = self.future_cols
            ahead = ((future.to(F64) - offset[:, None, cols]) / scale[:, None, cols]).float()
        ids = series if self.takes_series else None
        if not self.recursive:
            y = self.network(x, ids, ahead)[:, : self.horizon]  # [N, H, Q]
        else:
            steps = []
            for k in range(self.horizon):  # each step reads the previous prediction
                fut = None if ahead is None else ahead[:, k : k + 1]
                step = self.network(x, ids, fut)  # [N, 1, 1]
                steps.append(step)
                row = step if fut is None else torch.cat([step, fut], dim=-1)
                x = torch.cat([x[:, 1:], row], dim=1)
            y = torch.cat(steps, dim=1)  # [N, H, 1]
        y = y.to(F64) * scale[:, None, :1] + offset[:, None, :1]
        if self.log_target:
            y = torch.exp(torch.clamp(y, max=700.0))
        if self.nonnegative:
            y = torch.clamp(y, min=0.0)
        return y


def _value_columns(options: Any, spec: Any) -> list[str]:
    from rnnkit.data.calendar import calendar_names
    from rnnkit.data.season_lags import lag_names

    names = [options.target_col, *options.feature_cols, *options.future_cols,
             *calendar_names(tuple(spec.calendar or ())),
             *lag_names(options.target_col, getattr(options, "season_lags", 0))]
    if len(names) != spec.n_features:  # a model file of another layout: say what is known
        names = [options.target_col] + [f"feature_{k}" for k in range(1, spec.n_features)]
    return names


def _time(t: Any) -> str | int:
    if isinstance(t, np.datetime64) or hasattr(t, "to_datetime64"):
        return str(np.datetime64(t, "ns"))
    return int(t)


def _describe_forecaster(f: Any) -> dict:
    from rnnkit.forecast.spec import point_index

    options, fitted = f.options(), f.fitted_
    spec = fitted.spec
    columns = _value_columns(options, spec)
    future = columns[spec.n_features - spec.n_future:] if spec.n_future else []
    levels = list(options.quantiles or ())
    target = options.target_col
    inputs = [
        _io("context", "float64",
            [("batch", None), ("lookback", spec.lookback), ("feature", spec.n_features)],
            f"the last {spec.lookback} rows of each series up to the forecast origin, oldest "
            "first, in the user's units (no scaling, no log): the target first, then the "
            "feature columns in the model's order (past covariates, future covariates, "
            "calendar features" + (", then the target one, two, ... seasons before each row "
                                   f"({spec.season} steps each: season_lags)"
                                   if getattr(options, "season_lags", 0) else "")
            + "); every row observed (rnnkit's predict refuses a history shorter than the "
            "lookback where training had one)", columns=columns),
        _io("series", "int64", [("batch", None)],
            "the row of each forecast's series in series_ids (its scaling"
            + (", id vector and static covariates, stored in the graph" if
               options.id_embedding or options.static_cols else "") + "); 0 for a model of "
            "one series", series_ids=list(fitted.ids)),
    ]
    if spec.n_future:
        inputs.append(_io(
            "future", "float64",
            [("batch", None), ("horizon", spec.horizon), ("future_feature", spec.n_future)],
            f"the future covariates at the {spec.horizon} steps forecast (step 1 is the step "
            "after the context's last row), in the user's units" + (
                "; calendar features are sine/cosine of the position in the hour/week/year "
                "cycle (rnnkit.data.calendar.calendar_features of the step's timestamp)"
                if spec.calendar else "") + (
                "; season lags are the target one, two, ... seasons before each step forecast "
                "(observed: the horizon is at most a season)"
                if getattr(options, "season_lags", 0) else ""), columns=future))
    quantile_names = [f"{target}_q{q:g}" for q in levels] or [target]
    outputs = [_io(
        "forecast", "float64",
        [("batch", None), ("horizon", spec.horizon), ("quantile", len(levels) or 1)],
        f"the forecast of {target!r} at steps 1..{spec.horizon} after the context, in the "
        "user's units, one column per quantile level (lowest first; "
        f"column {point_index(options)} is the point forecast predict returns)"
        if levels else f"the forecast of {target!r} at steps 1..{spec.horizon} after the "
        "context, in the user's units (what predict returns)", columns=quantile_names)]
    runs = len(fitted.members)
    return {
        "description_version": 1, "kind": "Forecaster", "rnnkit_version": __version__,
        "model": f"Forecaster(strategy={options.strategy!r}, cell={options.cell!r}"
                 f"{f', repeats={runs}' if runs > 1 else ''})",
        "summary": f"rnnkit Forecaster: {spec.horizon} steps of {target!r} from the last "
                   f"{spec.lookback} rows of each series.",
        "inputs": inputs, "outputs": outputs,
        "series_ids": list(fitted.ids), "target": target, "lookback": spec.lookback,
        "horizon": spec.horizon, "strategy": options.strategy, "quantiles": levels or None,
        "point_index": point_index(options), "runs": runs,
        "ensemble": options.ensemble if runs > 1 else None,
        "freq": fitted.freq, "step": fitted.step,
        "last_times": [_time(t) for t in fitted.last_times],
        "log_target": bool(fitted.scaler.log_target),
        "nonnegative": bool(fitted.scaler.nonnegative),
    }


def _build_forecaster(f: Any) -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    fitted = f.fitted_
    module = ForecastGraph(f.options(), fitted)
    rows = np.array([0, fitted.spec.n_series - 1], dtype=np.int64)  # a batch of 2: not 1
    example: tuple[torch.Tensor, ...] = (torch.from_numpy(np.ascontiguousarray(
        fitted.context[rows], dtype=np.float64)), torch.from_numpy(rows))
    if fitted.spec.n_future:
        future = fitted.context[rows][:, -1:, list(fitted.spec.future_index)]
        example += (torch.from_numpy(np.ascontiguousarray(
            np.repeat(future, fitted.spec.horizon, axis=1), dtype=np.float64)),)
    return module, example


# --- sequence models -------------------------------------------------------------------------
class InputNorm(nn.Module):
    """The encoder of a numeric sequence model (``InputEncoder._encode``) in float64:
    per-sequence z-normalisation with its level numbers, the per-channel scaler, or both side
    by side; padding (steps at and after each length) is ignored and comes out as zeros."""

    def __init__(self, encoder: Any) -> None:
        super().__init__()
        norm, scaler = encoder.sequence_norm, encoder.channel_scaler
        self.per_sequence, self.per_channel = norm is not None, scaler is not None
        if norm is not None:
            self.register_buffer("floor", _buffer(norm.floor_))
            self.register_buffer("level_mean", _buffer(norm.level_mean_))
            self.register_buffer("level_scale", _buffer(norm.level_scale_))
        if scaler is not None:
            self.register_buffer("offset", _buffer(scaler.offset_[0]))
            self.register_buffer("scale", _buffer(scaler.scale_[0]))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        x = x.to(F64)
        real = torch.arange(x.shape[1], device=x.device)[None, :] < lengths[:, None]  # [N, T]
        mask = real.to(F64)[..., None]  # [N, T, 1]
        x = torch.where(real[..., None], x, torch.zeros_like(x))  # padding: whatever it held
        scaled = (x - self.offset) / self.scale * mask if self.per_channel else None
        if not self.per_sequence:
            return scaled, None
        n = lengths.to(F64)[:, None]
        mean = (x * mask).sum(1) / n  # [N, F]
        centred = (x - mean[:, None]) * mask
        std = torch.sqrt((centred * centred).sum(1) / n)
        scale = torch.where(std > self.floor, std, torch.ones_like(std))
        normalised = (x - mean[:, None]) / scale[:, None] * mask
        levels = (torch.cat([mean, torch.log(std + self.floor)], dim=1) - self.level_mean) \
            / self.level_scale  # [N, 2F]
        if scaled is not None:  # "both": the shapes, then the scaled values [N, T, 2F]
            normalised = torch.cat([normalised, scaled], dim=2)
        return normalised, levels


class SequenceGraph(nn.Module):
    """``predict_proba`` (classifier) or ``predict`` (regressor) as one module: the encoder,
    every run, and the reduction over runs (the mean of the runs' probabilities; the mean of
    the runs' values in the user's units).

    Shapes:
        x ``[N, T, F]`` float64 (numeric) or ids ``[N, T]`` int64; lengths ``[N]``; static
        ``[N, S]`` -> probabilities ``[N, K]`` / predictions ``[N]`` or ``[N, K]``.
    """

    def __init__(self, estimator: Any) -> None:
        super().__init__()
        enc = estimator.inputs_
        self.members = _members(estimator.model_)
        self.numeric = enc.kind == "numeric"
        self.norm = InputNorm(enc) if self.numeric else None
        self.static_size = enc.static_size
        if enc.static_size:
            self.register_buffer("static_mean", _buffer(enc.static_mean))
            self.register_buffer("static_std", _buffer(enc.static_std))
        self.classifier = hasattr(estimator, "classes_")
        if not self.classifier:
            self.register_buffer("y_mean", _buffer(estimator.y_mean_))
            self.register_buffer("y_std", _buffer(estimator.y_std_))
            self.single_output = bool(estimator.single_output_)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor,
                static: torch.Tensor | None = None) -> torch.Tensor:
        extra = []
        if self.static_size:
            extra.append((static.to(F64) - self.static_mean) / self.static_std)
        if self.norm is not None:
            x, levels = self.norm(x, lengths)
            x = x.float()
            if levels is not None:
                extra.append(levels)
        rows = torch.cat(extra, dim=1).float() if extra else None
        runs = torch.stack([m(x, lengths, rows) for m in self.members]).to(F64)  # [M, N, K]
        if self.classifier:
            return torch.softmax(runs, dim=-1).mean(0)  # [N, K]
        values = (runs * self.y_std + self.y_mean).mean(0)  # [N, K]
        return values[:, 0] if self.single_output else values


class TaggerGraph(nn.Module):
    """``SequenceTagger.predict_proba`` (classification: ``[N, T, C]``) or ``predict``
    (regression: ``[N, T]``) as one module, from x ``[N, T, F]`` and lengths ``[N]``."""

    def __init__(self, tagger: Any) -> None:
        super().__init__()
        self.norm = InputNorm(tagger.inputs_)
        self.net = _members(tagger.model_)[0]
        self.classifier = tagger.task == "classification"
        if not self.classifier:
            self.y_mean, self.y_std = float(tagger.y_mean_), float(tagger.y_std_)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x, _ = self.norm(x, lengths)
        out = self.net(x.float(), lengths).to(F64)  # [N, T, C]
        if self.classifier:
            return torch.softmax(out, dim=-1)
        return out[..., 0] * self.y_std + self.y_mean


def _sequence_inputs(est: Any, what: str) -> list[dict]:
    """The inputs of a sequence model's graph (numeric steps or token ids, lengths, static)."""
    enc = est.inputs_
    schema = getattr(est, "schema_", None) or {}
    if enc.kind == "numeric":
        columns = list(schema.get("sequence_cols") or []) or \
            [f"feature_{k}" for k in range(enc.n_features)]
        own = ("each sequence z-normalised per channel over its own steps, its mean and log "
               "spread kept as level numbers")
        scaled = f"each channel scaled ({enc.channel_scaler.kind}) as in training" \
            if enc.channel_scaler is not None else None
        how = " and, beside it, ".join(p for p in (
            own if enc.sequence_norm is not None else None, scaled) if p)
        first = _io("x", "float64", [("batch", None), ("time", None),
                                     ("feature", enc.n_features)],
                    f"{what}: each sequence's steps in the user's units, padded after its "
                    f"length (the padding is ignored); the graph normalises them ({how})",
                    columns=columns)
    elif enc.kind == "text":
        first = _io("ids", "int64", [("batch", None), ("time", None)],
                    "each text's token ids from the vocabulary (see 'vocabulary': tokenise, "
                    "map each token to its index in vocabulary.tokens, 1 for a token not "
                    "there), padded with 0 after its length")
    else:
        first = _io("ids", "int64", [("batch", None), ("time", None)],
                    f"token ids in [1, {enc.vocab_size}) as given to fit, padded with 0 after "
                    "each sequence's length")
    inputs = [first, _io("lengths", "int64", [("batch", None)],
                         "the number of real steps (tokens) of each sequence, at least 1 and "
                         "at most the time axis")]
    if enc.static_size:
        inputs.append(_io("static", "float64", [("batch", None), ("static", enc.static_size)],
                          "the static covariates of each sequence in the user's units (the "
                          "graph standardises them as in training)",
                          columns=list(schema.get("static_cols") or []) or
                          [f"static_{k}" for k in range(enc.static_size)]))
    return inputs


def _vocabulary(enc: Any) -> dict | None:
    if enc.kind != "text":
        return None
    from rnnkit.data.text import TOKENIZERS

    vocab = enc.vocabulary
    return {
        "tokens": ["<pad>", "<unk>", *vocab.tokens],
        "ids": "a token's id is its index in tokens: 0 is padding, 1 an unknown token",
        "tokenise": "lower-case the text, then take the matches of token_pattern (a "
                    "regular expression, Python's re syntax: \\w is a Unicode letter, digit "
                    "or underscore) in order: words with inner apostrophes, single "
                    "punctuation marks; a text given as a list of tokens is lower-cased token "
                    "by token",
        "token_pattern": TOKENIZERS[vocab.tokenizer].pattern,
        "max_length": vocab.max_length,
        "truncation": f"{vocab.truncation!r}: a text longer than max_length keeps its "
                      + ("first" if vocab.truncation == "post" else "last") + " max_length "
                      "tokens",
    }


def _describe_sequence(est: Any) -> dict:
    kind = type(est).__name__
    enc = est.inputs_
    runs = len(getattr(est.model_, "members", [est.model_]))
    inputs = _sequence_inputs(est, "the sequences to " + ("classify" if kind.endswith(
        "Classifier") else "predict from"))
    if hasattr(est, "classes_"):
        classes = est.classes_.tolist()
        outputs = [_io("probabilities", "float64", [("batch", None), ("class", len(classes))],
                       "the probability of each class (columns in the order of classes), "
                       "as predict_proba" + (f": the mean of the {runs} runs' probabilities"
                                             if runs > 1 else ""), columns=classes)]
        about: dict[str, Any] = {"classes": classes}
    else:
        k = len(est.y_mean_)
        axes = [("batch", None)] + ([] if est.single_output_ else [("output", k)])
        outputs = [_io("prediction", "float64", axes,
                       "the predicted numbers in the user's units, as predict" +
                       (f": the mean of the {runs} runs" if runs > 1 else ""))]
        about = {"n_outputs": k}
    return {
        "description_version": 1, "kind": kind, "rnnkit_version": __version__,
        "model": f"{kind} on {enc.kind} inputs",
        "summary": f"rnnkit {kind} on {enc.kind} sequences ({runs} run{'s' if runs > 1 else ''}).",
        "inputs": inputs, "outputs": outputs, "input_kind": enc.kind, "runs": runs,
        "vocabulary": _vocabulary(enc), **about,
    }


def _describe_tagger(t: Any) -> dict:
    inputs = _sequence_inputs(t, "the sequences to tag")
    if t.task == "classification":
        classes = t.classes_.tolist()
        outputs = [_io("probabilities", "float64",
                       [("batch", None), ("time", None), ("class", len(classes))],
                       "the probability of each class at every step (columns in the order of "
                       "classes), as predict_proba; steps at and after a sequence's length "
                       "mean nothing", columns=classes)]
        about: dict[str, Any] = {"classes": classes}
    else:
        outputs = [_io("prediction", "float64", [("batch", None), ("time", None)],
                       "the value at every step in the user's units, as predict; steps at "
                       "and after a sequence's length mean nothing")]
        about = {}
    return {
        "description_version": 1, "kind": "SequenceTagger", "rnnkit_version": __version__,
        "model": f"SequenceTagger(task={t.task!r})",
        "summary": f"rnnkit SequenceTagger: a {'label' if t.task == 'classification' else 'value'}"
                   " per step.",
        "inputs": inputs, "outputs": outputs, "input_kind": "numeric", "runs": 1, **about,
    }


def _example_sequences(est: Any, net: Any) -> tuple[torch.Tensor, ...]:
    """Two sequences to trace with: one long, one of a single step, so that every branch
    the network takes on padded batches is the one recorded (it is exact without padding
    too), even after the front end's strides and pooling."""
    enc = est.inputs_
    config = getattr(net, "config", None)
    shrink = max(1, getattr(config, "stride", 1)) * max(1, getattr(config, "conv_pool", 1))
    steps = 2 * shrink + 3
    rng = np.random.default_rng(0)
    lengths = torch.tensor([steps, 1], dtype=torch.int64)
    if enc.kind == "numeric":
        x = torch.from_numpy(rng.normal(size=(2, steps, enc.n_features)))
        x[1, 1:] = 0.0
    else:
        top = enc.vocabulary.size if enc.kind == "text" else enc.vocab_size
        x = torch.from_numpy(rng.integers(1, max(top, 2), size=(2, steps)).astype(np.int64))
        x[1, 1:] = 0
    example: tuple[torch.Tensor, ...] = (x, lengths)
    if enc.static_size:
        example += (torch.from_numpy(rng.normal(size=(2, enc.static_size))),)
    return example


def _build_sequence(est: Any) -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    module = SequenceGraph(est)
    return module, _example_sequences(est, module.members[0])


def _build_tagger(t: Any) -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    module = TaggerGraph(t)
    return module, _example_sequences(t, None)


_DESCRIBE: dict[str, Callable[[Any], dict]] = {
    "Forecaster": _describe_forecaster,
    "SequenceClassifier": _describe_sequence,
    "SequenceRegressor": _describe_sequence,
    "SequenceTagger": _describe_tagger,
}
_BUILD: dict[str, Callable[[Any], tuple[nn.Module, tuple[torch.Tensor, ...]]]] = {
    "Forecaster": _build_forecaster,
    "SequenceClassifier": _build_sequence,
    "SequenceRegressor": _build_sequence,
    "SequenceTagger": _build_tagger,
}
