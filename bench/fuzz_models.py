"""Model files under 10,000 seeded mutations (tests/model_fuzz.py): every mutation must be
refused with ArtifactError, or load and predict exactly what the original did, or be a
self-consistent file that loads and predicts finite numbers; none may take over 2 s.

    python bench/fuzz_models.py            # 10,000 mutations over four model kinds
    python bench/fuzz_models.py --n 500
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from model_fuzz import fuzz, small_models  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        counts = fuzz(small_models(work), args.n, args.seed, work)
        seconds = time.perf_counter() - started
    bad = sum(v for k, v in counts.items() if k not in ("refused", "same", "consistent"))
    print(f"fuzz_models: {args.n} mutations (seed {args.seed}) in {seconds:.0f} s: "
          f"{counts['refused']} refused (ArtifactError), {counts['same']} load and predict "
          f"the original's numbers, {counts['consistent']} self-consistent files predict finite "
          f"numbers; {bad} other outcomes (escaped exceptions, failures after load, non-finite "
          "predictions, over 2 s)")
    for k, v in sorted(counts.items(), key=lambda kv: -kv[1]):
        if k not in ("refused", "same", "consistent"):
            print(f"  {v} x {k}")


if __name__ == "__main__":
    main()
