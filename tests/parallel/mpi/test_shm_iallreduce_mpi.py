"""Non-blocking allreduces through shared memory (shm_allreduce.py, shm_progress.py) on real MPI ranks.

Run by tests/parallel/test_mpirun.py (one node, 2 and 4 ranks, and 3: an odd count, where the summation
order shows in the bits) and test_mpirun_two_nodes.py (the hierarchical path). The blocking shared-memory
allreduce is the reference: the non-blocking one must give the same bits, with or without the progress
thread, and DDP's overlapped buckets the same bits as reducing every bucket with the blocking call.
"""
import threading
import time

import numpy as np
import pytest
from mpi4py import MPI

import ddp
import ddp.nn as nn
from ddp.parallel import mpi_comm, shm_progress
from ddp.parallel.comm import Work
from ddp.parallel.data_parallel import DistributedDataParallel as DDP

from ddp_cases import make_data, max_rel_error, single_process, train

pytestmark = pytest.mark.mpi(min_size=2)
N = 50_021  # float32: above MIN_BYTES, and not a multiple of any slice count


@pytest.fixture(params=["thread", "poll"])
def progress(request, monkeypatch):
    """Each test with the progress thread (the default) and without it (only tests and waits advance)."""
    monkeypatch.setattr(shm_progress, "INTERVAL", 5e-3 if request.param == "thread" else 0.0)
    return request.param


def _shared(comm, n=N, seed=0, dtype=np.float32):
    """A `reduce_buffer` array holding this rank's values, and a plain copy of them."""
    x = np.random.default_rng(seed + comm.rank).standard_normal(n).astype(dtype)
    z = comm.reduce_buffer(n, dtype)
    z[...] = x
    return z, x


def _on_shared_memory(comm, nbytes):
    return comm._shm is not None and comm._shm.usable(nbytes)


def _same_on_every_rank(comm, arrays):
    mine = b"".join(a.tobytes() for a in arrays)
    return all(other == mine for other in comm.allgather_object(mine))


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min"])
def test_iallreduce_gives_the_blocking_allreduces_bits(comm, progress, op):
    if not _on_shared_memory(comm, 4 * N):
        pytest.skip("this layout takes MPI's path (hierarchical.py)")
    z, x = _shared(comm)
    work = comm.iallreduce(z, op=op)
    work.is_completed()  # what DDP's hooks call: advances without blocking
    assert work.wait() is z
    ref = comm.reduce_buffer(N)
    ref[...] = x
    comm.allreduce(ref, op=op)
    identical = _same_on_every_rank(comm, [z])
    assert comm._shm.owns(z) and not comm._shm.pending
    np.testing.assert_array_equal(z, ref)
    assert identical


def test_several_in_flight_finish_in_order_whichever_is_waited_first(comm, progress):
    """Five reductions in flight, a small MPI one among them, waited in reverse; then a blocking one,
    which drains the queue first."""
    if not _on_shared_memory(comm, 4 * N):
        pytest.skip("this layout takes MPI's path (hierarchical.py)")
    pairs = [_shared(comm, N + k, seed=10 * k) for k in range(5)]
    small = np.full(3, comm.rank, np.float32)
    works = [comm.iallreduce(z, op="mean") for z, _ in pairs[:3]]
    works.append(comm.iallreduce(small))
    works += [comm.iallreduce(z) for z, _ in pairs[3:]]
    for work in reversed(works):
        work.wait()
    last, x_last = _shared(comm, N, seed=99)
    pending = comm.iallreduce(pairs[0][0])  # the first again, in flight while a blocking call comes
    comm.allreduce(last)
    pending.wait()

    refs = []
    for k, (_, x) in enumerate(pairs):
        ref = comm.reduce_buffer(N + k)
        ref[...] = x
        comm.allreduce(ref, op="mean" if k < 3 else "sum")
        refs.append(ref)
    again = refs[0].copy()
    comm.allreduce(again)
    plain_last = comm.reduce_buffer(N)
    plain_last[...] = x_last
    comm.allreduce(plain_last)
    world = comm.world_size
    for (z, _), ref in zip(pairs[1:], refs[1:]):
        np.testing.assert_array_equal(z, ref)
    np.testing.assert_array_equal(pairs[0][0], again)
    np.testing.assert_array_equal(last, plain_last)
    np.testing.assert_array_equal(small, np.full(3, world * (world - 1) / 2, np.float32))


class Deep(nn.Module):
    """Layers of 160 x 160 (100 KiB of float32 weights): at bucket_cap_mb=0.1 most buckets are above
    MIN_BYTES, so several reduce through shared memory while backward goes on."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(12, 160)
        self.hidden = nn.ModuleList([nn.Linear(160, 160) for _ in range(4)])
        self.out = nn.Linear(160, 5)

    def forward(self, x):
        h = ddp.relu(self.inp(x))
        for layer in self.hidden:
            h = ddp.relu(layer(h))
        return self.out(h)


def _train_deep(comm, x, y, blocking):
    """Train Deep on this rank's shard; with `blocking`, every bucket is reduced by the blocking allreduce."""
    ddp.manual_seed(0)
    dmodel = DDP(Deep(), comm, bucket_cap_mb=0.1)
    if blocking:
        dmodel.comm = _Blocking(comm)
    rows = np.arange(comm.rank, x.shape[1], comm.world_size)
    train(dmodel, ddp.optim.SGD(dmodel.parameters(), lr=0.1, momentum=0.9), x, y, rows)
    return [p.numpy().copy() for p in dmodel.parameters()], dmodel


class _Blocking:
    """`comm`, but `iallreduce` is the blocking allreduce (its Work is done at once)."""

    def __init__(self, comm):
        self._comm = comm

    def __getattr__(self, name):
        return getattr(self._comm, name)

    def iallreduce(self, buf, op="sum"):
        return Work(self._comm.allreduce(buf, op=op))


def test_ddp_overlapped_buckets_match_the_blocking_path_and_one_process(comm, progress):
    x, y = make_data(steps=3, batch=24)
    overlapped, dmodel = _train_deep(comm, x, y, blocking=False)
    blocking, _ = _train_deep(comm, x, y, blocking=True)
    identical = _same_on_every_rank(comm, overlapped)
    ddp.manual_seed(0)
    one = Deep()
    train(one, ddp.optim.SGD(one.parameters(), lr=0.1, momentum=0.9), x, y)
    shared = [comm._shm.owns(b.flat) for b in dmodel._buckets]
    assert len(shared) >= 4
    assert identical
    if _on_shared_memory(comm, 1 << 16):  # else MPI's Iallreduce and Allreduce, which may sum in other orders
        assert sum(shared[:-1]) >= 3, shared  # reduced by the non-blocking shared-memory path
        for a, b in zip(overlapped, blocking):
            np.testing.assert_array_equal(a, b)
    assert max_rel_error(overlapped, [p.numpy() for p in one.parameters()]) < 1e-5


def test_ddp_with_mpi_iallreduce_still_matches_one_process(comm, monkeypatch):
    """DDP_SHM_IALLREDUCE=0: the earlier buckets take MPI's Iallreduce, as before."""
    monkeypatch.setattr(mpi_comm, "SHM_IALLREDUCE", False)
    x, y = make_data(steps=2, batch=24)
    ddp.manual_seed(0)
    dmodel = DDP(Deep(), comm, bucket_cap_mb=0.1)
    rows = np.arange(comm.rank, 24, comm.world_size)
    train(dmodel, ddp.optim.SGD(dmodel.parameters(), lr=0.1), x, y, rows)
    params = [p.numpy().copy() for p in dmodel.parameters()]
    identical = _same_on_every_rank(comm, params)
    assert not comm._shm.pending
    ddp.manual_seed(0)
    one = Deep()
    train(one, ddp.optim.SGD(one.parameters(), lr=0.1), x, y)
    assert identical
    assert max_rel_error(params, [p.numpy() for p in one.parameters()]) < 1e-5


def test_mlp_cases_still_match_one_process(comm, progress):
    """The shared ddp_cases MLP (buckets below MIN_BYTES: MPI's path) beside the shared-memory ones."""
    from ddp_cases import data_parallel
    x, y = make_data()
    params, _ = data_parallel(comm, "wide", "sgd", x, y, bucket_cap_mb=0.1)
    identical = _same_on_every_rank(comm, params)
    assert identical
    assert max_rel_error(params, single_process("wide", "sgd", x, y)) < 1e-6


def test_an_error_in_the_progress_thread_surfaces_in_wait(comm, monkeypatch):
    """A step that raises while the progress thread drives it: wait() raises it on the main thread, for
    that reduction and for the one queued behind it; the queue works again afterwards."""
    monkeypatch.setattr(shm_progress, "INTERVAL", 5e-3)
    if not mpi_comm.thread_multiple():
        pytest.skip("no MPI_THREAD_MULTIPLE: no progress thread")
    side, where, note = MPI.COMM_SELF.Dup(), [], np.zeros(1)

    def failing():
        yield side.Irecv(note, source=0)  # completes once the main thread has sent the note, below
        where.append(threading.current_thread().name)
        raise ValueError("a step failed")

    queue = comm._shm.pending
    wait, _ = queue.push(failing(), thread=True)
    behind, _ = queue.push(iter(()), thread=True)
    side.Send(np.ones(1), dest=0)
    deadline = time.monotonic() + 20
    while not where and time.monotonic() < deadline:
        time.sleep(0.01)  # only the progress thread advances the queue meanwhile
    errors = []
    for w in (wait, behind):
        try:
            w()
        except RuntimeError as exc:
            errors.append(exc)
    side.Free()
    z, x = _shared(comm)
    comm.iallreduce(z).wait()  # the queue is empty again, and the node's barriers in step
    ref = comm.reduce_buffer(N)
    ref[...] = x
    comm.allreduce(ref)
    assert where == ["ddp-shm-progress"]
    assert len(errors) == 2 and all(isinstance(e.__cause__, ValueError) for e in errors), errors
    assert "a step failed" in str(errors[0])
    if _on_shared_memory(comm, z.nbytes):
        np.testing.assert_array_equal(z, ref)
    np.testing.assert_allclose(z, ref, rtol=1e-6, atol=1e-6)


def test_the_progress_thread_is_a_daemon_that_idles(comm):
    if shm_progress.Progress._instance is None:
        pytest.skip("no reduction has started the progress thread in this run")
    thread = shm_progress.Progress._instance._thread
    assert thread.daemon and thread.is_alive() and MPI.Query_thread() == MPI.THREAD_MULTIPLE
