"""The shape of the house, checked from the source: the layers (written down once, here),
no import that points up, no cycle, a sorted public API, and one forecast that reads top to
bottom."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import rnnkit

ROOT = Path(rnnkit.__file__).parent

# Lower layers never import higher ones; a module may import its own layer's modules.
LAYERS = [
    {"errors", "_version", "options", "runtime", "files", "tracking"},
    {"data", "datasets", "metrics", "artifacts", "reference"},
    {"nn", "train"},
    {"evaluate", "plots"},
    {"forecast"},
    {"tasks", "export", "tuning"},
    {"cli", "__init__", "__main__"},
]
TORCH_FREE = ("data", "datasets", "metrics", "artifacts", "options", "errors", "tracking",
              "forecast/options.py",
              "tasks/sequence_options.py", "nn/config.py", "train/config.py")


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    return next(k for k, names in enumerate(LAYERS) if top in names)


def _imports() -> dict[str, set[str]]:
    graph = {}
    for path in ROOT.rglob("*.py"):
        name = ".".join(("rnnkit", *path.relative_to(ROOT).with_suffix("").parts))
        name = name.removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[name] = {m for m in found if m.startswith("rnnkit.")}
    return graph


def test_no_import_points_up_and_no_cycle():
    graph = _imports()
    upward = [(m, t) for m, targets in graph.items() for t in targets
              if m != "rnnkit" and _layer(t) > _layer(m)]
    assert not upward, upward
    seen, stack = {}, []

    def visit(m):  # depth-first: a module met again while on the stack closes a cycle
        seen[m] = "open"
        stack.append(m)
        for t in graph.get(m, ()):
            t = t if t in graph else t.rsplit(".", 1)[0]
            if seen.get(t) == "open" and t != m and not m.startswith(t + "."):
                raise AssertionError(f"import cycle: {stack[stack.index(t):] + [t]}")
            if t in graph and t not in seen:
                visit(t)
        stack.pop()
        seen[m] = "done"

    for module in graph:
        if module not in seen:
            visit(module)


def test_torch_free_modules_never_import_torch():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if not relative.startswith(TORCH_FREE):
            continue
        tree = ast.parse(path.read_text())
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in top if isinstance(n, ast.ImportFrom) and n.module}
        assert not any(n == "torch" or n.startswith("torch.") for n in names), relative


def test_public_api_is_sorted_and_every_name_resolves():
    assert rnnkit.__all__ == sorted(rnnkit.__all__)
    for name in rnnkit.__all__:
        assert getattr(rnnkit, name) is not None, name
    with pytest.raises(AttributeError):
        rnnkit.Forcaster  # noqa: B018


def test_one_forecast_reads_top_to_bottom():
    """fit + predict enter the facade once each and never come back up into tasks/."""
    f = rnnkit.Forecaster(epochs=2, verbose=0)
    entries: list[str] = []
    tasks = str(ROOT / "tasks")

    def profile(frame, event, arg):
        if event != "call":
            return
        here = frame.f_code.co_filename
        caller = frame.f_back.f_code.co_filename if frame.f_back else ""
        if here.startswith(tasks) and not caller.startswith(tasks):
            entries.append(f"{Path(here).name}:{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        f.fit("airline").predict()
    finally:
        sys.setprofile(None)
    # from the test: fit, then predict; from below, nothing (the engine never calls up)
    assert [e for e in entries if not e.endswith(("fit", "predict"))] == [], entries
    assert entries == ["forecaster.py:fit", "forecaster.py:predict"], entries


def test_summary_counts_what_fit_builds():
    before = rnnkit.Forecaster(hidden_size=4, epochs=1, verbose=0).summary(data="airline")
    after = rnnkit.Forecaster(hidden_size=4, epochs=1, verbose=0).fit("airline").summary()
    assert before == after and "4 x (4 x (1 + 4) + 4 + 4) = 112" in after


def test_a_fit_and_predict_import_no_optional_extra():
    """The extras stay optional: the base path (import, fit, predict, save) never imports
    polars, Optuna, onnx, MLflow or TensorBoard, even where they are installed (pyarrow is
    left out: pandas imports it itself where it is installed)."""
    import subprocess

    code = ("import sys, tempfile, rnnkit\n"
            "f = rnnkit.Forecaster(horizon=3, epochs=1, repeats=1, verbose=0).fit('airline')\n"
            "f.predict(); f.save(tempfile.mkdtemp() + '/m')\n"
            "extras = ('polars', 'optuna', 'onnx', 'onnxruntime', 'mlflow',\n"
            "          'tensorboard', 'statsforecast')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in extras))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout


def test_the_subpackages_the_readme_names_are_reached_after_a_plain_import():
    code = ("import sys, rnnkit; assert 'torch' not in sys.modules; "
            "assert callable(rnnkit.datasets.load) and rnnkit.tuning.SPACES and "
            "rnnkit.reference.cells")
    subprocess.run([sys.executable, "-c", code], check=True)
