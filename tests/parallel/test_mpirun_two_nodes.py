"""The MPI tests of the communicator and of DDP on two (fake) nodes, so the hierarchical allreduce runs.

MPICH's fork launcher with two host names (``mpiexec -launcher fork -hosts nodeA:2,nodeB:2 -n 4``)
starts every rank on this machine, but ``MPI.COMM_TYPE_SHARED`` then splits them into two nodes of 2:
large allreduces reduce within each node through shared memory and across the nodes through MPI
(ddp/parallel/hierarchical.py). Checked there: the communicator contract (comm_cases.py), DDP against one
process with bitwise-equal replicas, and the documented summation order (test_hierarchical_mpi.py).
`nodeA:1,nodeB:2 -n 3` (unequal nodes) must fall back to MPI's own allreduce: same bits on every rank and
the right sums, but in MPI's order, so the contract's exact rank-order cases do not apply there.
"""
import os
import subprocess
import sys

import pytest

from mpi_launch import MPIRUN, ROOT, requires_mpirun
from test_mpirun import MPI_TESTS, describe, read_report

pytestmark = requires_mpirun
FILES = ("test_mpi_comm.py", "test_data_parallel_mpi.py", "test_hierarchical_mpi.py")


@pytest.mark.parametrize("hosts, n, files", [("nodeA:2,nodeB:2", 4, FILES),
                                             ("nodeA:1,nodeB:2", 3, ("test_hierarchical_mpi.py",))])
def test_mpi_suite_on_two_nodes(hosts, n, files, tmp_path):
    report = tmp_path / "report.jsonl"
    env = dict(os.environ, OMP_NUM_THREADS="1", DDP_MPI_REPORT=str(report))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [MPIRUN, "-launcher", "fork", "-hosts", hosts, "-n", str(n), sys.executable, "-m", "pytest", "-q",
               "--with-mpi", "--capture=sys", "-p", "no:cacheprovider", *(str(MPI_TESTS / f) for f in files)]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    results = read_report(report)
    print(f"mpiexec -hosts {hosts} -n {n}:\n{describe(results)}")
    bad = {t: r for t, r in results.items() if r[0] not in ("passed", "skipped")}
    details = "\n".join(f"--- {t} {o} on ranks {ranks}:\n{m}" for t, (o, ranks, m) in bad.items())
    assert out.returncode == 0 and not bad, (f"{hosts} -n {n} failed (exit {out.returncode}):\n{describe(results)}"
                                             f"\n{details}\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}")
    assert sum(r[0] == "passed" for r in results.values()) >= min(10, len(files) * 5), describe(results)
