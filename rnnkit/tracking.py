"""Run tracking: what a fit did, kept where a user can compare runs.

Every tracked fit (``tracking="files"``, ``"mlflow"`` or ``"tensorboard"`` on any estimator,
``--track`` on the command line) writes a run directory under ``tracking_dir``, with no
extra dependency:

- ``params.json``: the estimator's arguments, its kind, rnnkit's version, what it was fitted on;
- ``epochs.csv``: one row per run and epoch: training and validation loss;
- ``scores.json``: the final numbers (best epoch and loss of each run, seconds, and the
  holdout or backtest scores when the call scored);
- ``model/``: the fitted model, saved as :meth:`save` does.

``"mlflow"`` logs the same to MLflow (the server of ``MLFLOW_TRACKING_URI`` when it is set,
else a SQLite store ``tracking_dir/mlflow.db``, artifacts in ``tracking_dir/mlartifacts``):
parameters, the losses as metrics by epoch, the scores, the run directory as artifacts.
``"tensorboard"`` writes event files into the run directory (losses by epoch, scores,
parameters as text): ``tensorboard --logdir runs/tracking``. Either needs its package
(``pip install 'rnnkit[mlflow]'`` / ``'rnnkit[tensorboard]'``); the check happens before
training, so a missing package costs no fit.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rnnkit.errors import InputError
from rnnkit.options import option

BACKENDS = ("files", "mlflow", "tensorboard")
PACKAGES = {"mlflow": ("mlflow", "mlflow"), "tensorboard": ("tensorboard", "tensorboard")}


@dataclass(kw_only=True, eq=False, repr=False)
class TrackingOptions:
    """The tracking arguments every estimator takes (see the module docstring)."""

    tracking: str | None = option(None, "Log each fit (parameters, losses by epoch, scores, "
                                  "the model) to a run directory: files, or also mlflow or "
                                  "tensorboard.", "str|None", BACKENDS, group="output",
                                  flags=("--tracking", "--track"))
    tracking_dir: str = option("runs/tracking", "Where tracked runs are written.", "str",
                               group="output")


def start(estimator: Any) -> float:
    """The time a tracked call starts; before any training, a missing backend package is
    one line naming the install, and a tracking_dir that cannot hold runs one line too."""
    tracking = getattr(estimator, "tracking", None)
    check_backend(tracking)
    where = getattr(estimator, "tracking_dir", "runs/tracking")
    if not str(where).strip():
        raise InputError("tracking_dir='' names no directory. Pass a directory for the "
                         "tracked runs, or leave it out (runs/tracking).")
    if tracking:
        root = Path(getattr(estimator, "tracking_dir", "runs/tracking"))
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"tracking_dir={str(root)!r} cannot hold the tracked runs "
                             f"({e.strerror or e}): a directory is expected. Pass another "
                             "tracking_dir.") from None
    return time.time()


def table_scores(table: Any) -> dict:
    """A scores table (one row per model, one column per metric) as flat numbers,
    ``"model/metric"``."""
    return {f"{model}/{metric}": float(value) for model, row in table.iterrows()
            for metric, value in row.items()}


def check_backend(tracking: str | None) -> None:
    """Fail before training when the backend's package is missing (one line, the install)."""
    if tracking in PACKAGES:
        module, extra = PACKAGES[tracking]
        import importlib.util

        if importlib.util.find_spec(module) is None:
            raise InputError(f"tracking={tracking!r} needs the {module} package, which is not "
                             f"installed. Install it with pip install 'rnnkit[{extra}]', or "
                             "pass tracking='files'.")


def record(estimator: Any, action: str, data: Any = None, scores: dict | None = None,
           model: Any = None, started: float | None = None) -> Path | None:
    """Log one call of a tracked estimator (its ``tracking`` argument is set): parameters,
    per-epoch losses of every run, scores, and the fitted model (``model``, default the
    estimator; its ``tracked_run_`` is then the run directory). Returns the run directory,
    or None when tracking is off."""
    tracking = getattr(estimator, "tracking", None)
    if not tracking:
        return None
    try:
        return _record(estimator, tracking, action, data, scores, model, started)
    except Exception as error:  # the fit is done: a failed log must not lose it
        print(f"rnnkit: warning: tracking={tracking!r} could not log this {action} "
              f"({type(error).__name__}: {' '.join(str(error).split())[:300]}); the model "
              "and the outputs are as without tracking.", file=sys.stderr, flush=True)
        return None


def _record(estimator: Any, tracking: str, action: str, data: Any, scores: dict | None,
            model: Any, started: float | None) -> Path:
    model = estimator if model is None else model
    kind = type(estimator).__name__
    run = _new_run_dir(Path(getattr(estimator, "tracking_dir", "runs/tracking")), kind, action)
    from rnnkit._version import __version__
    from rnnkit.files import write_text_atomic

    params = {k: json_value(v) for k, v in estimator.get_params().items()}
    about = {"kind": kind, "action": action, "rnnkit_version": __version__,
             "data": _describe(data), "started": _iso(started), "params": params}
    histories = getattr(model, "histories_", None) or [model.history_]
    final = {"seconds": None if started is None else round(time.time() - started, 3)}
    for r, h in enumerate(histories):
        # epoch 0: the starting weights were kept; their loss is the initial one
        best = h.val_loss[h.best_epoch - 1] if h.val_loss and h.best_epoch else \
            h.initial_val_loss
        final |= {f"run{r}_best_epoch": h.best_epoch, f"run{r}_epochs": h.epochs_run,
                  f"run{r}_best_val_loss": json_value(best)}
    final |= {k: json_value(v) for k, v in (scores or {}).items()}
    write_text_atomic(run / "params.json", json.dumps(about, indent=2))
    write_text_atomic(run / "epochs.csv", _epochs_csv(histories))
    write_text_atomic(run / "scores.json", json.dumps(final, indent=2, allow_nan=False))
    model.save(run / "model")
    if tracking == "mlflow":
        _to_mlflow(run, about, histories, final)
    elif tracking == "tensorboard":
        _to_tensorboard(run, about, histories, final)
    model.tracked_run_ = run  # where this model's run was written
    return run


def _new_run_dir(root: Path, kind: str, action: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    root.mkdir(parents=True, exist_ok=True)
    for n in range(1000):
        run = root / f"{kind}-{action}-{stamp}" if n == 0 else \
            root / f"{kind}-{action}-{stamp}-{n}"
        try:
            run.mkdir()
            return run
        except FileExistsError:
            continue
    raise InputError(f"tracking_dir={str(root)!r} has 1000 runs of this second; pass another "
                     "tracking_dir.")


def _epochs_csv(histories: list) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run", "epoch", "train_loss", "val_loss"])
    for r, h in enumerate(histories):
        for e, loss in enumerate(h.train_loss):
            val = h.val_loss[e] if e < len(h.val_loss) else ""
            writer.writerow([r, e + 1, repr(float(loss)), val if val == "" else repr(float(val))])
    return out.getvalue()


def _to_mlflow(run: Path, about: dict, histories: list, final: dict) -> None:
    """Log the run to MLflow; a server that does not answer gets a few seconds, not
    minutes of retries (unless the user's environment sets them; restored after)."""
    bounded = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1", "MLFLOW_HTTP_REQUEST_TIMEOUT": "10"}
    added = [k for k in bounded if k not in os.environ]
    os.environ.update({k: bounded[k] for k in added})
    try:
        _log_mlflow(run, about, histories, final)
    finally:
        for k in added:
            os.environ.pop(k, None)


def _log_mlflow(run: Path, about: dict, histories: list, final: dict) -> None:
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    root = run.parent.resolve()
    # quoted: a '#' or '?' in the folder's name would end the database's path
    uri = os.environ.get("MLFLOW_TRACKING_URI") or \
        f"sqlite:///{urllib.parse.quote(str(root / 'mlflow.db'))}"
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("rnnkit")
    experiment_id = experiment.experiment_id if experiment else client.create_experiment(
        "rnnkit", artifact_location=(root / "mlartifacts").as_uri())
    mlrun = client.create_run(experiment_id, run_name=run.name,
                              tags={"rnnkit.kind": about["kind"],
                                    "rnnkit.action": about["action"]})
    now = int(time.time() * 1000)
    params = [Param(k, str(v)[:6000]) for k, v in about["params"].items()]
    metrics = [Metric(f"{name}_loss/run{r}", float(v), now, e + 1)
               for r, h in enumerate(histories)
               for name, values in (("train", h.train_loss), ("val", h.val_loss))
               for e, v in enumerate(values) if _finite(v)]
    metrics += [Metric(k, float(v), now, 0) for k, v in final.items() if _finite(v)]
    run_id = mlrun.info.run_id
    for start in range(0, len(params), 90):  # MLflow takes 100 parameters per batch
        client.log_batch(run_id, params=params[start : start + 90])
    for start in range(0, len(metrics), 900):  # and 1000 metrics
        client.log_batch(run_id, metrics=metrics[start : start + 900])
    client.log_artifacts(run_id, str(run))
    client.set_terminated(run_id)


def _to_tensorboard(run: Path, about: dict, histories: list, final: dict) -> None:
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(log_dir=str(run / "tensorboard"))
    try:
        writer.add_text("params", "```\n" + json.dumps(about["params"], indent=2) + "\n```")
        for r, h in enumerate(histories):
            for name, values in (("train", h.train_loss), ("val", h.val_loss)):
                for e, v in enumerate(values):
                    if _finite(v):
                        writer.add_scalar(f"{name}_loss/run{r}", float(v), e + 1)
        for k, v in final.items():
            if _finite(v):
                writer.add_scalar(f"final/{k}", float(v), 0)
    finally:
        writer.close()


def _finite(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def json_value(v: Any) -> Any:
    """A JSON-ready value: tuples as lists, numpy numbers as Python's."""
    if isinstance(v, tuple | list):
        return [json_value(x) for x in v]
    if hasattr(v, "tolist") and getattr(v, "size", 1) != 1:  # an array of several numbers
        return json_value(v.tolist())
    if hasattr(v, "item") and callable(v.item):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None  # NaN / inf are not JSON (a MAPE of zeros, a MASE of a constant history)
    return v if v is None or isinstance(v, str | int | float | bool) else str(v)


def _describe(data: Any) -> Any:
    if data is None or isinstance(data, str | os.PathLike):
        return None if data is None else str(data)
    shape = getattr(data, "shape", None)
    return f"{type(data).__name__}{list(shape) if shape is not None else ''}"


def _iso(started: float | None) -> str | None:
    return None if started is None else datetime.fromtimestamp(started).isoformat(
        timespec="seconds")
