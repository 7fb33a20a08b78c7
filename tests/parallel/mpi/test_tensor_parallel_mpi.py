"""Tensor parallelism on real MPI ranks: 2 tensor-parallel ranks (x 2 data-parallel replicas under -n 4) equal
the plain model on one process (losses, input and weight gradients, optimizer steps, the gathered state
dict), and every rank ends with the same full weights, bitwise."""
import numpy as np
import pytest

from tp_cases import E, STEPS, run

pytestmark = pytest.mark.mpi(min_size=2)


def test_tensor_x_data_parallel_equals_one_process(comm):
    if comm.world_size % 2:
        pytest.skip("needs an even number of ranks")
    losses, (gx, gw), state = run()
    r_losses, (r_gx, r_gw), r_state = run(comm)
    everyone = comm.allgather_object(b"".join(r_state[n].tobytes() for n in sorted(r_state)))
    all_losses = comm.allgather_object(r_losses)
    replicas, d, t, k = comm.world_size // 2, comm.rank // 2, comm.rank % 2, E // 2
    shard = slice(d * len(gx) // replicas, (d + 1) * len(gx) // replicas)
    np.testing.assert_allclose(r_gx, gx[shard], rtol=1e-5, atol=1e-6)
    rows = np.concatenate([np.arange(i * E + t * k, i * E + (t + 1) * k) for i in range(3)])
    np.testing.assert_allclose(r_gw, gw[rows], rtol=1e-5, atol=1e-6)
    for name in state:
        np.testing.assert_allclose(r_state[name], state[name], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.mean(all_losses, axis=0), losses, rtol=1e-5)
    assert len(losses) == STEPS and all(b == everyone[0] for b in everyone)
