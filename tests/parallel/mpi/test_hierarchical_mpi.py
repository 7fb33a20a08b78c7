"""The shared-memory allreduce's summation order, on one node and across nodes (hierarchical).

Run by tests/parallel/test_mpirun.py (one node) and test_mpirun_two_nodes.py (MPICH's fork launcher with
fake hosts, so that ``MPI.COMM_TYPE_SHARED`` splits the ranks into nodes). The reference is the order
shm_allreduce.py documents, rank order left to right, built in numpy from every rank's input; a layout
the hierarchical path does not take (unequal or interleaved nodes) goes through MPI.
"""
import numpy as np
import pytest
from mpi4py import MPI

pytestmark = pytest.mark.mpi(min_size=2)
N = 100_003  # above MIN_BYTES in float32, and not a multiple of any slice count


def _layout(comm):
    """[[world ranks of node 0], [node 1], ...], nodes ordered by their lowest rank."""
    node = MPI.COMM_WORLD.Split_type(MPI.COMM_TYPE_SHARED, key=comm.rank)
    first = node.bcast(comm.rank, root=0)
    node.Free()
    nodes = {}
    for rank, f in enumerate(comm.allgather_object(first)):
        nodes.setdefault(f, []).append(rank)
    return [nodes[f] for f in sorted(nodes)]


def _documented_sum(inputs, layout):
    total = inputs[0] + inputs[1]
    for x in inputs[2:]:
        total += x
    return total


def _hierarchical_layout(layout):
    """Equal blocks of consecutive ranks (not two ranks on two nodes): the layouts the shared-memory path takes."""
    size = len(layout[0])
    blocks = all(ranks == list(range(i * size, (i + 1) * size)) for i, ranks in enumerate(layout))
    return blocks and sum(map(len, layout)) != 2 or len(layout) == 1


def _inputs(comm, dtype=np.float32):
    x = np.random.default_rng(7 + comm.rank).standard_normal(N).astype(dtype)
    return x, comm.allgather(x)


@pytest.mark.parametrize("op", ["sum", "mean"])
def test_large_sums_follow_the_documented_order_bit_for_bit(comm, op):
    layout = _layout(comm)
    x, inputs = _inputs(comm)
    comm.allreduce(x, op=op)  # staged: copied into the staging window
    z = comm.reduce_buffer(N)  # in a window of its own: reduced where it is
    z[...] = inputs[comm.rank]
    comm.allreduce(z, op=op)
    everywhere = comm.allgather(x.view(np.uint32))
    ref = _documented_sum(inputs, layout)
    if op == "mean":
        ref /= np.float32(comm.world_size)
    assert (everywhere == everywhere[0]).all()
    assert comm._shm._topo.nodes == len(layout)
    if not _hierarchical_layout(layout):  # MPI's own order
        assert not comm._shm.usable(x.nbytes)
        np.testing.assert_allclose(x, ref, rtol=1e-5, atol=1e-5)
        return
    assert comm._shm.usable(x.nbytes)
    np.testing.assert_array_equal(x, ref)
    np.testing.assert_array_equal(z, ref)


def test_max_min_and_float64_across_the_layout(comm):
    layout = _layout(comm)
    x, inputs = _inputs(comm, np.float64)
    hi, lo, s = x.copy(), x.copy(), x.copy()
    comm.allreduce(hi, op="max")
    comm.allreduce(lo, op="min")
    comm.allreduce(s, op="sum")
    np.testing.assert_array_equal(hi, inputs.max(0))
    np.testing.assert_array_equal(lo, inputs.min(0))
    if comm._shm.usable(s.nbytes):
        np.testing.assert_array_equal(s, _documented_sum(inputs, layout))
    np.testing.assert_allclose(s, _documented_sum(inputs, layout), rtol=1e-12, atol=1e-12)


def test_small_messages_keep_mpis_own_allreduce(comm):
    x = np.full(100, comm.rank + 1.0, np.float32)
    comm.allreduce(x)
    assert not comm._shm.usable(x.nbytes)
    np.testing.assert_array_equal(x, np.full(100, comm.world_size * (comm.world_size + 1) / 2, np.float32))


def test_repeated_staged_calls_of_growing_size(comm):
    """The staging window regrows (collectively) and its two halves alternate: results stay exact."""
    layout, results = _layout(comm), []
    for n in (20_000, 300_000, 20_000, 2_000_000, 300_000):
        x = np.random.default_rng(n + comm.rank).standard_normal(n).astype(np.float32)
        inputs = comm.allgather(x)
        comm.allreduce(x)
        results.append((x, _documented_sum(inputs, layout)))
    exact = comm._shm.usable(1 << 20)
    for got, ref in results:
        if exact:
            np.testing.assert_array_equal(got, ref)
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
