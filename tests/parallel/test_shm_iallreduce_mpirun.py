"""The non-blocking shared-memory allreduce under real launches: 3 ranks, two fake nodes, exit, watchdog.

test_mpirun.py runs tests/parallel/mpi/test_shm_iallreduce_mpi.py at 2 and 4 ranks; here it also runs at 3
(an odd count, where the summation order shows in the bits) and on two fake nodes (the hierarchical
path, and unequal nodes, which take MPI's). Then two small scripts: a job whose progress thread is busy
with reductions ends at once, and a rank out of step is named by the watchdog (DDP_TIMEOUT).
"""
import textwrap

import pytest

from mpi_launch import requires_mpirun, run_python, watchdog_report
from test_mpirun import MPI_TESTS, describe, passed, run_suite

pytestmark = requires_mpirun
FILE = MPI_TESTS / "test_shm_iallreduce_mpi.py"


@pytest.mark.parametrize("hosts, n", [(None, 3), ("nodeA:2,nodeB:2", 4), ("nodeA:1,nodeB:2", 3)])
def test_shm_iallreduce_suite(hosts, n, tmp_path):
    results = run_suite(n, [FILE], tmp_path, hosts=hosts, timeout=300)
    assert passed(results) >= 7, describe(results)


HEADER = """
import sys, threading
import numpy as np
import ddp.parallel as dp
comm = dp.init()
z = comm.reduce_buffer(1 << 16)  # 256 KiB of float32: a shared window
z[...] = comm.rank
"""


def _run(tmp_path, body, timeout="30"):
    script = tmp_path / "job.py"
    script.write_text(HEADER + textwrap.dedent(body))
    return run_python(2, [script], timeout=90, env={"DDP_TIMEOUT": timeout})


def test_a_job_with_reductions_in_flight_at_exit_ends_at_once(tmp_path):
    """Reductions waited for, and one never waited for: the daemon thread stops at exit, MPI finalizes."""
    out = _run(tmp_path, """
        for _ in range(20):
            comm.iallreduce(z, op="mean").wait()
        left = comm.iallreduce(z)  # never waited for
        names = [t.name for t in threading.enumerate()]
        print(f"thread {comm.rank} {'ddp-shm-progress' in names} {float(z[0])}", flush=True)  # one write
        """)
    assert out.returncode == 0, out.stderr[-3000:]
    for rank in (0, 1):
        assert f"thread {rank} True 0.5" in out.stdout, out.stdout


def test_a_rank_that_skips_a_reduction_is_named_by_the_watchdog(tmp_path):
    out = _run(tmp_path, """
        if comm.rank == 0:
            comm.iallreduce(z).wait()  # rank 1 never starts it
        comm.barrier()
        print("finished", comm.rank)
        """, timeout="2")
    err = watchdog_report(out)
    assert "in wait of iallreduce #" in err and "(float32[65536])" in err, err
    assert "never arrived at wait of iallreduce #2: rank 1" in err, err
