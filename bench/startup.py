"""Start-up: `rnnkit --help` wall time (torch must not be imported) and the time from
launching `rnnkit forecast airline` to its first training batch.

Usage: ``python bench/startup.py``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def best_of(cmd: list[str], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    py = sys.executable
    bare = best_of([py, "-c", "pass"])
    helped = best_of([py, "-m", "rnnkit", "--help"])
    torch_import = best_of([py, "-c", "import torch"], repeats=3)
    check = subprocess.run(
        [py, "-c", "import sys; from rnnkit.cli import main\ntry:\n main(['--help'])\n"
                   "except SystemExit:\n pass\nprint('torch' in sys.modules)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]
    print(f"rnnkit --help: {helped:.3f} s (bare python {bare:.3f} s, `import torch` alone "
          f"{torch_import:.3f} s); torch imported by --help: {check}")
    for argv in (["forecast", "airline", "--target-col", "yy"],
                 ["classify", "activity", "--label-col", "activty", "--sequence-cols", "gyro_x"]):
        start = time.perf_counter()
        subprocess.run([py, "-m", "rnnkit", *argv], capture_output=True)
        print(f"rnnkit {' '.join(argv)}: the one-line error after "
              f"{time.perf_counter() - start:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        launched = time.time()
        subprocess.run([py, "-m", "rnnkit", "forecast", "airline", "--epochs", "1",
                        "--verbose", "0", "--out", tmp], check=True, capture_output=True)
        history = json.loads((Path(tmp) / "metrics.json").read_text())["history"]
    delay = history["first_batch_at"] - launched
    print(f"rnnkit forecast airline: first training batch {delay:.2f} s "
          "after launch (imports, data validation, windowing and model build included)")


if __name__ == "__main__":
    main()
