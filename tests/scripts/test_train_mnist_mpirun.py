"""train_mnist.py under a real `mpirun -n 2`: rank 0 prints the global batch and one summary line; a missing
dataset ends every rank with the same message instead of a hang."""
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ddp.parallel.launch import launched_by_mpi

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "train_mnist.py"


def _mpirun():
    local = Path(sys.executable).parent / "mpirun"
    return str(local) if local.exists() else shutil.which("mpirun")


MPIRUN = _mpirun()
pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("mpi4py") is None, reason="mpi4py not installed"),
    pytest.mark.skipif(MPIRUN is None, reason="mpirun not found"),
    pytest.mark.skipif(launched_by_mpi(), reason="already running under mpirun"),
]


def _run(n, *flags):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([MPIRUN, "-n", str(n), sys.executable, str(SCRIPT), *map(str, flags)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_two_ranks_train_and_print_one_summary(mnist_root, tmp_path):
    out = _run(2, "--model", "mlp", "--data-dir", mnist_root, "--max-steps", 10, "--epochs", 1,
               "--save", tmp_path / "mlp.pt")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "global_batch=128" in out.stdout
    assert out.stdout.count("summary: model=mlp parallel=data ranks=2 epochs=1 global_batch=128") == 1
    assert (tmp_path / "mlp.pt").is_file()


def test_missing_dataset_fails_every_rank_without_a_hang(tmp_path):
    out = _run(2, "--data-dir", tmp_path / "none", "--max-steps", 1)
    assert out.returncode != 0
    assert out.stderr.count("error: train_mnist: cannot load MNIST") == 1  # printed once, by rank 0
    assert "--download" in out.stderr and "Traceback" not in out.stderr
