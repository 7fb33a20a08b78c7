"""Run the MPI tests under real ``mpirun -n 2`` and ``-n 4``, so one ``pytest`` runs everything.

Skipped when mpi4py or mpirun is missing, and inside an mpirun job (no nested launches).
"""

import time

import pytest

from mpi_launch import ROOT, requires_mpirun, run_python

MPI_TESTS = ROOT / "tests" / "parallel" / "mpi"
pytestmark = requires_mpirun


@pytest.mark.parametrize("n", [2, 4])
def test_mpi_suite(n):
    # --capture=sys: a rank that aborts the job still gets its traceback to the real stderr
    args = ["-m", "pytest", "-q", "--with-mpi", "--capture=sys", "-p", "no:cacheprovider"]
    out = run_python(n, args + [str(MPI_TESTS)], timeout=600)
    assert out.returncode == 0, f"mpirun -n {n} failed:\n{out.stdout}\n{out.stderr}"
    assert "passed" in out.stdout


def test_a_raising_rank_aborts_the_job(tmp_path):
    script = tmp_path / "crash.py"
    script.write_text(
        "import numpy as np\n"
        "import ddp.parallel as dp\n"
        "comm = dp.init()\n"
        "if comm.rank == 1:\n"
        "    raise ValueError('rank one lost its batch')\n"
        "comm.allreduce(np.ones(3))  # rank 0 waits here forever without the abort hook\n"
        "comm.barrier()\n")
    start = time.monotonic()
    out = run_python(2, [str(script)], timeout=60)
    elapsed = time.monotonic() - start
    assert out.returncode != 0
    assert elapsed < 20, f"took {elapsed:.1f} s"
    assert "[rank 1] ValueError: rank one lost its batch" in out.stderr, out.stderr
    assert "[rank 1] Traceback (most recent call last):" in out.stderr
