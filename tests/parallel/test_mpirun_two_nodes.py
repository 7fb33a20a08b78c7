"""The MPI tests of the communicator and of DDP on two (fake) nodes, so the hierarchical allreduce runs.

MPICH's fork launcher with two host names (``mpiexec -launcher fork -hosts nodeA:2,nodeB:2 -n 4``)
starts every rank on this machine, but ``MPI.COMM_TYPE_SHARED`` then splits them into two nodes of 2:
large allreduces reduce within each node through shared memory and across the nodes through MPI
(ddp/parallel/hierarchical.py). Checked there: the communicator contract (comm_cases.py), DDP against one
process with bitwise-equal replicas, and the documented summation order (test_hierarchical_mpi.py).
`nodeA:1,nodeB:2 -n 3` (unequal nodes) must fall back to MPI's own allreduce: same bits on every rank and
the right sums, but in MPI's order, so the contract's exact rank-order cases do not apply there.
"""
import pytest

from mpi_launch import requires_mpirun
from test_mpirun import MPI_TESTS, describe, passed, run_suite

pytestmark = requires_mpirun
FILES = ("test_mpi_comm.py", "test_data_parallel_mpi.py", "test_hierarchical_mpi.py")


@pytest.mark.parametrize("hosts, n, files", [("nodeA:2,nodeB:2", 4, FILES),
                                             ("nodeA:1,nodeB:2", 3, ("test_hierarchical_mpi.py",))])
def test_mpi_suite_on_two_nodes(hosts, n, files, tmp_path):
    results = run_suite(n, [MPI_TESTS / f for f in files], tmp_path, hosts=hosts)
    assert passed(results) >= min(10, len(files) * 5), describe(results)
