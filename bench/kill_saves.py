"""Saves killed at random moments: a process saves model B over model A again and again and
is sent SIGKILL after a random delay; after each kill the path must load and predict exactly
A's or B's numbers (never nothing, never a mix), and the next save must clean up.

    python bench/kill_saves.py             # 100 kills
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import one_series  # noqa: E402

import rnnkit  # noqa: E402

SAVER = """
import sys, rnnkit
a, b, target = (rnnkit.load(sys.argv[1]), rnnkit.load(sys.argv[2]), sys.argv[3])
print("ready", flush=True)
while True:
    b.save(target)
    a.save(target)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, level in (("a", 10.0), ("b", 30.0)):
            data = one_series(120, "MS", seasons=((12, 2.0),), level=level)
            rnnkit.Forecaster(epochs=1, repeats=1, verbose=0, hidden_size=8).fit(data).save(
                work / name)
        expected = {n: rnnkit.load(work / n).predict()["y"].to_numpy() for n in ("a", "b")}
        target = work / "target"
        shutil.copytree(work / "a", target)
        outcomes = {"a": 0, "b": 0, "lost or mixed": 0}
        started = time.perf_counter()
        for _ in range(args.kills):
            proc = subprocess.Popen([sys.executable, "-c", SAVER, str(work / "a"),
                                     str(work / "b"), str(target)], stdout=subprocess.PIPE,
                                    text=True)
            proc.stdout.readline()  # loaded: saving from now on
            time.sleep(rng.uniform(0.0, 0.3))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            try:
                got = rnnkit.load(target).predict()["y"].to_numpy()
                which = [n for n, v in expected.items() if np.array_equal(got, v)]
                outcomes[which[0] if which else "lost or mixed"] += 1
            except Exception:  # noqa: BLE001 - a lost or unreadable model is the failure
                outcomes["lost or mixed"] += 1
        rnnkit.load(work / "a").save(target)  # the next save removes what the kills left
        left = [p.name for p in work.iterdir() if p.name.startswith(".target")]
        seconds = time.perf_counter() - started
    print(f"kill_saves: {args.kills} saves killed at random moments in {seconds:.0f} s: "
          f"{outcomes['a']} left model A, {outcomes['b']} model B, "
          f"{outcomes['lost or mixed']} lost or mixed; {len(left)} temporaries left after "
          "the next save")


if __name__ == "__main__":
    main()
