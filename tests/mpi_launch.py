"""Run commands under a real `mpirun` from the tests; skip cleanly where MPI is not installed."""
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ddp.parallel.launch import launched_by_mpi

ROOT = Path(__file__).resolve().parents[1]


def _mpirun():
    local = Path(sys.executable).parent / "mpirun"  # the mpich wheel installs it beside python
    return str(local) if local.exists() else shutil.which("mpirun")


MPIRUN = _mpirun()
requires_mpirun = [
    pytest.mark.skipif(importlib.util.find_spec("mpi4py") is None, reason="mpi4py not installed"),
    pytest.mark.skipif(MPIRUN is None, reason="mpirun not found"),
    pytest.mark.skipif(launched_by_mpi(), reason="already running under mpirun"),
]


def run_python(n, args, timeout, env=None, hosts=None):
    """`mpirun -n N python ARGS` from the repository root with one BLAS thread per rank (and `env` added).
    `hosts` ("nodeA:2,nodeB:2") places the ranks on fake nodes through MPICH's fork launcher."""
    env = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    launch = [MPIRUN] + (["-launcher", "fork", "-hosts", hosts] if hosts else []) + ["-n", str(n)]
    return subprocess.run(launch + [sys.executable, *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def watchdog_report(out):
    """The stderr of a job that ddp's watchdog ended, after checking that it did: the job failed, no rank
    reached the script's closing `print("finished", rank)`, and the watchdog's report is there."""
    assert out.returncode != 0
    assert "finished" not in out.stdout
    assert "ddp watchdog" in out.stderr and "ending the job" in out.stderr, out.stderr
    return out.stderr
