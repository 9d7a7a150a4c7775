from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

WORKER = Path(__file__).parent / "ddp_worker.py"


def _torchrun(processes: int, out: Path) -> dict[str, torch.Tensor]:
    """Train under torchrun, or with one process as a plain script (the reference: rnnkit's
    own path, no process group); both in fresh processes with one thread each."""
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(Path(__file__).parents[2]))
    cmd = [sys.executable, str(WORKER), str(out)] if processes == 1 else [
        sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(processes),
        "--standalone", str(WORKER), str(out)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return load_file(out)


def test_two_processes_train_the_same_model_as_one(tmp_path):
    two = _torchrun(2, tmp_path / "two.safetensors")
    one = _torchrun(1, tmp_path / "one.safetensors")
    assert two.keys() == one.keys()
    for k in one:
        torch.testing.assert_close(two[k], one[k], rtol=1e-5, atol=1e-6, msg=k)
