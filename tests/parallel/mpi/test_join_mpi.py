"""`DistributedDataParallel.join` on real MPI ranks: uneven inputs finish, equal the one-process
reference (see join_cases.py) and leave the replicas bitwise identical. Run through test_mpirun.py."""
import numpy as np
import pytest

from join_cases import reference, uneven_training

pytestmark = pytest.mark.mpi(min_size=2)


@pytest.mark.parametrize("bucket_cap_mb", [25, 0.0002])
def test_uneven_inputs_under_join_equal_the_reference(comm, bucket_cap_mb):
    got = uneven_training(comm, bucket_cap_mb=bucket_cap_mb)
    mine = b"".join(a.tobytes() for a in got)
    identical = all(other == mine for other in comm.allgather_object(mine))
    want = reference(comm.world_size)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    assert identical
