"""Fixtures for tests that run under ``mpirun -n N python -m pytest --with-mpi``."""

import pytest


@pytest.fixture(scope="session")
def comm():
    """The MPI communicator of this run (mpi4py is imported only when an mpi test runs)."""
    from ddp.parallel.mpi_comm import MPICommunicator
    return MPICommunicator()
