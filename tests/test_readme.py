"""The README runs as written: every `rnnkit` command of its shell blocks and every Python
block, in order, in a temporary folder, with RNNKIT_SMOKE=1 (every fit a few steps). The
files the examples name are written here; the downloads come from a server on loopback."""

from __future__ import annotations

import importlib.util
import re
import shlex
import zipfile
from pathlib import Path

import numpy as np
import pytest
from cli.cli_support import run
from format_fixtures import TS, TSF, write_har, write_imdb

import rnnkit
from rnnkit.datasets import download

README = Path(__file__).resolve().parents[1] / "README.md"
EXTRAS = {"polars": "polars", "tune": "optuna", "onnx": "onnx", "mlflow": "mlflow"}
COMMAND_EXTRAS = {"tune": "optuna", "export": "onnx"}


def blocks(language: str) -> list[tuple[int, str]]:
    """``(line, text)`` of every fenced block of ``language`` in the README."""
    found = re.finditer(rf"^```{language}\n(.*?)^```", README.read_text(), re.M | re.S)
    return [(README.read_text()[: m.start()].count("\n") + 1, m.group(1)) for m in found]


def commands() -> list[str]:
    """Every `rnnkit ...` line of the shell blocks (continuations joined, comments cut)."""
    out = []
    for _, text in blocks("bash"):
        for line in text.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("rnnkit "):
                out.append(line)
    return out


def missing(modules) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is None]


@pytest.fixture()
def workdir(tmp_path, monkeypatch, server_root):
    """A folder with the files the README names, smoke mode on, downloads from loopback."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RNNKIT_SMOKE", "1")
    monkeypatch.setenv("RNNKIT_CACHE", str(tmp_path / "cache"))
    from rnnkit.datasets.synthetic import generate_series

    stores = generate_series(2, 120, "D", seed=0).rename(
        columns={"unique_id": "store", "ds": "date", "y": "units"})
    stores.to_csv("sales.csv", index=False)
    activity = rnnkit.load_dataset("activity")
    activity[activity["id"] < 2].drop(columns="activity").to_csv("new_sequences.csv",
                                                                  index=False)
    Path("m4_monthly.tsf").write_text(TSF)
    root, base = server_root
    write_har(tmp_path / "src" / "har" / "UCI HAR Dataset")
    with zipfile.ZipFile(root / "har.zip", "w") as z:
        for f in (tmp_path / "src" / "har").rglob("*"):
            z.write(f, f.relative_to(tmp_path / "src" / "har"))
    write_imdb(tmp_path / "src" / "imdb" / "aclImdb")
    with zipfile.ZipFile(root / "imdb.zip", "w") as z:
        for f in (tmp_path / "src" / "imdb").rglob("*"):
            z.write(f, f.relative_to(tmp_path / "src" / "imdb"))
    with zipfile.ZipFile(root / "GunPoint.zip", "w") as z:
        z.writestr("GunPoint_TRAIN.ts", TS)
        z.writestr("GunPoint_TEST.ts", TS)
    monkeypatch.setitem(download.KNOWN, "uci_har", (f"{base}/har.zip", None, "fixture"))
    monkeypatch.setitem(download.KNOWN, "imdb", (f"{base}/imdb.zip", None, "fixture"))
    monkeypatch.setattr(download, "UCR_URL", base + "/{name}.zip")
    return tmp_path


@pytest.fixture()
def server_root(tmp_path):
    import http.server
    import threading

    root = tmp_path / "served"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_readme_has_the_blocks_this_test_runs():
    assert len(blocks("python")) >= 5 and len(commands()) >= 15
    assert "rnnkit forecast airline --out runs/airline" in commands()


def test_every_command_of_the_readme_runs(workdir, capsys):
    for command in commands():
        argv = shlex.split(command)[1:]
        absent = missing([COMMAND_EXTRAS[argv[0]]] if argv[0] in COMMAND_EXTRAS else [])
        if absent:
            print(f"skipped (needs {absent}): {command}")
            continue
        code, out, err = run(argv, capsys)
        assert code in (0, None), f"{command}\n{err}"


def test_every_python_block_of_the_readme_runs_in_order(workdir, capsys):
    namespace: dict = {}
    for line, text in blocks("python"):
        needs = [EXTRAS[e] for e in re.findall(r"rnnkit\[(\w+)\]", text) if e in EXTRAS]
        absent = missing(needs)
        if absent:  # the block is run where CI installs the extras
            print(f"skipped the block at README line {line}: needs {absent}")
            continue
        try:
            exec(compile(text, f"README.md:{line}", "exec"), namespace)
        except Exception as e:
            raise AssertionError(f"the Python block at README line {line} fails: "
                                 f"{type(e).__name__}: {e}") from e
    if "har" in namespace:  # the downloaded datasets arrived as the README says
        assert namespace["har"].X_train.shape[1:] == (128, 9)
        assert np.asarray(namespace["imdb"].y_test).tolist() == ["neg", "pos"]
