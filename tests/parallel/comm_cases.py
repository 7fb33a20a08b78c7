"""Checks of the Communicator contract, run on every backend: local, spawn threads, real MPI.

Each case takes a communicator, makes the same calls in the same order on every rank, and
asserts only after its last communication, so a failure on one rank cannot hang the others.
"""

import numpy as np
import pytest

DTYPES = (np.float32, np.float64, np.int64)


def _data(rank, dtype, shape=(5, 3)):
    x = np.random.default_rng(100 + rank).standard_normal(shape) * 10
    return x.astype(dtype)


class FakeTensor:
    """Stands in for ddp's Tensor: collectives unwrap anything with ``.numpy()``."""

    def __init__(self, a):
        self.a = a

    def numpy(self):
        return self.a


def case_allreduce(comm):
    n = comm.world_size
    out = {}
    for dtype in DTYPES:
        inputs = comm.allgather(_data(comm.rank, dtype))
        for op in ("sum", "max", "min") + (("mean",) if dtype != np.int64 else ()):
            x = _data(comm.rank, dtype)
            returned = comm.allreduce(x, op=op)
            out[dtype, op] = (x, returned is x, inputs, comm.allgather(x))
    t = FakeTensor(np.full(4, comm.rank + 1.0, np.float32))
    returned = comm.allreduce(t, op="mean")
    for (dtype, op), (x, same, inputs, everywhere) in out.items():
        ref = {"sum": inputs.sum(0), "mean": inputs.sum(0) / n,
               "max": inputs.max(0), "min": inputs.min(0)}[op].astype(dtype)
        assert same and x.dtype == dtype
        np.testing.assert_allclose(x, ref, rtol=1e-6 if dtype == np.float32 else 1e-12)
        assert (everywhere == everywhere[0]).all(), f"{op} {dtype}: ranks differ"
    assert returned is t
    np.testing.assert_array_equal(t.a, np.full(4, (n + 1) / 2, np.float32))


def case_iallreduce(comm):
    a, b = _data(comm.rank, np.float32), _data(comm.rank, np.float64, (7,))
    wa, wb = comm.iallreduce(a, op="sum"), comm.iallreduce(b, op="mean")
    ra, rb = wb.wait(), wa.wait()  # any order
    ref_a, ref_b = comm.allreduce(_data(comm.rank, np.float32)), _data(comm.rank, np.float64, (7,))
    comm.allreduce(ref_b, op="mean")
    assert ra is b and rb is a and wa.is_completed() and wb.is_completed()
    np.testing.assert_array_equal(a, ref_a)
    np.testing.assert_array_equal(b, ref_b)


def _rank_order(inputs, op):
    """Reduce the rows of `inputs` left to right: ((x0 op x1) op x2) ..., as the backends do."""
    acc = inputs[0].copy()
    for x in inputs[1:]:
        acc = {"sum": np.add, "mean": np.add, "max": np.maximum, "min": np.minimum}[op](acc, x)
    return acc / len(inputs) if op == "mean" else acc


def case_allreduce_large(comm):
    """Arrays big enough for MPI's shared-memory path (>= 64 KiB), odd sizes, growing, interleaved with
    small ones: every rank gets exactly the rank-order reduction."""
    got = []
    for size, dtype, op in [(16_384, np.float32, "sum"), (100_003, np.float64, "mean"), (16_385, np.int32, "max"),
                            (3_000_001, np.float32, "sum"), (7, np.float32, "sum"), (70_001, np.float32, "min"),
                            (3_000_001, np.float32, "mean")]:
        x = _data(comm.rank, dtype, (size,))
        inputs = comm.allgather(x)
        comm.allreduce(x.reshape(-1, 1) if size % 2 else x, op=op)
        got.append((x, inputs, op, comm.allgather(x)))
    sub = comm.split(0, key=-comm.rank)  # reversed ranks: the sub-group has its own shared memory
    y = _data(sub.rank, np.float32, (50_000,))
    sub_inputs = sub.allgather(y)
    sub.allreduce(y)
    for x, inputs, op, everywhere in got:
        if x.size > 7:
            np.testing.assert_array_equal(x, _rank_order(inputs, op).astype(x.dtype))
        else:  # through MPI's own algorithm, which may add in another order
            np.testing.assert_allclose(x, _rank_order(inputs, op), rtol=1e-6)
        assert (everywhere == everywhere[0]).all(), f"{op} {x.dtype} {x.size}: ranks differ"
    np.testing.assert_array_equal(y, _rank_order(sub_inputs, "sum"))


def case_reduce_buffer(comm):
    """Arrays from reduce_buffer (shared memory on MPI) start at zero and reduce in place, round after
    round, to exactly the rank-order result; small ones are ordinary arrays."""
    small = comm.reduce_buffer(10)
    bufs = [comm.reduce_buffer(50_000), comm.reduce_buffer(20_001, np.float64)]
    zeros = [not b.any() for b in bufs + [small]]
    got = []
    for step, op in enumerate(["sum", "mean", "max", "sum"]):
        for buf in bufs:
            buf[...] = _data(comm.rank + 10 * step, buf.dtype, buf.shape)
            inputs = comm.allgather(buf)
            comm.allreduce(buf, op=op)
            got.append((buf.copy(), inputs, op))
    assert all(zeros) and small.shape == (10,) and small.dtype == np.float32
    assert bufs[1].dtype == np.float64 and bufs[1].shape == (20_001,)
    for x, inputs, op in got:
        np.testing.assert_array_equal(x, _rank_order(inputs, op))


def case_iallreduce_does_not_wait_for_the_others(comm):
    """A rank may start a large iallreduce, then receive a large message from a rank that sends before
    starting its own: iallreduce must return at once (a blocking reduction would deadlock here)."""
    x = np.full(100_000, comm.rank + 1.0, np.float32)
    msg = np.zeros(1_000_000, np.float32)  # large: MPI sends it by rendezvous, so the sender waits
    if comm.rank == 0:
        work = comm.iallreduce(x)
        if comm.world_size > 1:
            comm.recv(msg, 1)
    else:
        if comm.rank == 1:
            comm.send(np.ones_like(msg), 0)
        work = comm.iallreduce(x)
    work.wait()
    n = comm.world_size
    assert (x == n * (n + 1) / 2).all()
    assert comm.rank != 0 or n == 1 or (msg == 1).all()


def case_broadcast(comm):
    root = comm.world_size - 1
    x = np.full((2, 3), comm.rank, np.float32)
    returned = comm.broadcast(x, root=root)
    scalar = comm.broadcast(np.array(comm.rank * 1.5), root=0)
    assert returned is x
    np.testing.assert_array_equal(x, np.full((2, 3), root, np.float32))
    assert scalar == 0.0


def case_allgather(comm):
    n = comm.world_size
    rows = comm.allgather(np.arange(3, dtype=np.int32) + 10 * comm.rank)
    scalars = comm.allgather(np.float64(comm.rank) * np.ones(()))
    out = np.zeros((n, 2), np.float32)
    filled = comm.allgather(np.full(2, comm.rank, np.float32), out=out)
    assert rows.shape == (n, 3) and rows.dtype == np.int32
    np.testing.assert_array_equal(rows, np.arange(3) + 10 * np.arange(n)[:, None])
    np.testing.assert_array_equal(scalars, np.arange(n))
    assert filled is out
    np.testing.assert_array_equal(out, np.repeat(np.arange(n, dtype=np.float32)[:, None], 2, 1))


def case_reduce_scatter(comm):
    n, r = comm.world_size, comm.rank
    x = np.arange(2 * n * 3, dtype=np.float64).reshape(2 * n, 3) * (r + 1)
    summed = comm.reduce_scatter(x)
    mean = comm.reduce_scatter(x.astype(np.float32), op="mean")
    block = np.arange(2 * n * 3, dtype=np.float64).reshape(2 * n, 3)[2 * r:2 * r + 2]
    scale = n * (n + 1) / 2
    np.testing.assert_array_equal(summed, block * scale)
    np.testing.assert_allclose(mean, block * scale / n, rtol=1e-6)
    assert mean.dtype == np.float32


def case_alltoallv(comm):
    n, r = comm.world_size, comm.rank
    counts = lambda s, d: (s + 2 * d) % 3  # elements rank s sends rank d (zero for some pairs)
    send = [counts(r, d) for d in range(n)]
    recv = [counts(s, r) for s in range(n)]
    buf = np.concatenate([np.full(counts(r, d), 100 * r + d, np.float64) for d in range(n)])
    out = np.full(sum(recv), -1.0)
    returned = comm.alltoallv(buf, send, out, recv)
    ints = comm.alltoallv(np.arange(n, dtype=np.int32) + 10 * r, [1] * n, np.zeros(n, np.int32), [1] * n)
    errors = []
    for bad in ([send, np.zeros(sum(recv) + 1), [recv[0] + 1] + recv[1:]] if n > 1 else [],
                [send, out.astype(np.float32), recv] if n > 1 else []):
        if bad:
            with pytest.raises(ValueError) as exc:
                comm.alltoallv(buf, bad[0], bad[1], bad[2])
            errors.append(str(exc.value))
    if n > 1:
        mixed = np.zeros(n, np.float32 if r == 0 else np.float64)
        with pytest.raises(ValueError, match="ranks pass different dtypes"):
            comm.alltoallv(mixed, [1] * n, mixed.copy(), [1] * n)
    assert returned is out
    np.testing.assert_array_equal(out, np.concatenate([np.full(counts(s, r), 100 * s + r) for s in range(n)]))
    np.testing.assert_array_equal(ints, 10 * np.arange(n) + r)
    if n > 1:
        assert "which expects" in errors[0]
        assert "out has dtype float32" in errors[1]
    with pytest.raises(ValueError, match="send_counts must be"):
        comm.alltoallv(buf, send[:-1] + [-1], out, recv)


def case_barrier_and_split(comm):
    n, r = comm.world_size, comm.rank
    comm.barrier()
    sub = comm.split(r % 2, key=-r)  # reversed order inside each color
    total = sub.allreduce(np.array([r]))
    members = sub.allgather(np.array(r))
    only_others = comm.split(None if r == 0 else 1)
    rest = None if only_others is None else only_others.allreduce(np.array([1]))
    comm.barrier()
    mine = [q for q in range(n) if q % 2 == r % 2]
    assert sub.world_size == len(mine) and sub.size == sub.world_size
    np.testing.assert_array_equal(members, sorted(mine, reverse=True))
    assert sub.rank == sorted(mine, reverse=True).index(r)
    assert total[0] == sum(mine)
    if r == 0:
        assert only_others is None
    else:
        assert only_others.world_size == n - 1 and rest[0] == n - 1


def case_point_to_point(comm):
    n, r = comm.world_size, comm.rank
    if n == 1:
        return
    nxt, prv = (r + 1) % n, (r - 1) % n
    send = np.full(4, r, np.float32)
    sreq = comm.isend(send, nxt, tag=3)
    rreq = comm.irecv(np.empty(4, np.float32), prv, tag=3)
    while not rreq.is_completed():  # polling must not lose the message's status
        pass
    got = rreq.wait()
    sreq.wait()
    pair = np.zeros(2, np.int64)
    if r == 0:
        comm.send(np.array([7, 8]), 1)
        comm.recv(pair, 1, tag=1)
    elif r == 1:
        comm.recv(pair, 0)
        comm.send(pair * 2, 0, tag=1)
    np.testing.assert_array_equal(got, np.full(4, prv, np.float32))
    if r in (0, 1):
        np.testing.assert_array_equal(pair, [14, 16] if r == 0 else [7, 8])


def case_recv_size_mismatch(comm):
    if comm.world_size == 1:
        return
    error = None
    if comm.rank == 0:
        comm.send(np.zeros(3), 1, tag=9)
    elif comm.rank == 1:
        try:
            comm.recv(np.zeros(4), 0, tag=9)
        except RuntimeError as exc:
            error = exc
    comm.barrier()
    if comm.rank == 1:
        assert error is not None and "rank 0" in str(error)


def case_objects(comm):
    n, r = comm.world_size, comm.rank
    header = comm.broadcast_object({"shape": (2, r), "from": r} if r == n - 1 else None,
                                   root=n - 1)
    everyone = comm.allgather_object(("rank", r))
    got = None
    if n > 1:
        if r == 0:
            comm.send_object({"step": r}, 1, tag=5)
            got = comm.recv_object(n - 1, tag=5)
        else:
            got = comm.recv_object(r - 1, tag=5)
            comm.send_object({"step": r}, (r + 1) % n, tag=5)
    assert header == {"shape": (2, n - 1), "from": n - 1}
    assert everyone == [("rank", q) for q in range(n)]
    assert n == 1 or got == {"step": (r - 1) % n}


def case_bad_arguments(comm):
    x = np.ones(4, np.float32)
    with pytest.raises(ValueError, match="unknown op 'avg'"):
        comm.allreduce(x, op="avg")
    with pytest.raises(ValueError, match="C-contiguous"):
        comm.allreduce(np.ones((4, 4))[:, 0])
    with pytest.raises(TypeError, match="numpy array or Tensor, got list"):
        comm.allreduce([1.0, 2.0])
    with pytest.raises(TypeError, match="needs a floating dtype"):
        comm.allreduce(np.ones(2, np.int32), op="mean")
    with pytest.raises(TypeError, match="bool"):
        comm.allreduce(np.ones(2, bool))
    with pytest.raises(ValueError, match="read-only"):
        comm.broadcast(np.frombuffer(x.tobytes(), np.float32))
    with pytest.raises(ValueError, match=r"root=99 is not a rank"):
        comm.broadcast(x, root=99)
    with pytest.raises(ValueError, match="divisible by world_size"):
        n = comm.world_size
        comm.reduce_scatter(np.ones(2 * n + 1) if n > 1 else np.ones(()))
    with pytest.raises(ValueError, match="out has shape"):
        comm.allgather(x, out=np.empty((comm.world_size, 5), np.float32))
    with pytest.raises(ValueError, match="tag must be"):
        comm.send(x, 0, tag=-1)
    with pytest.raises(ValueError, match="color must be"):
        comm.split(-2)


CASES = [case_allreduce, case_allreduce_large, case_reduce_buffer, case_iallreduce,
         case_iallreduce_does_not_wait_for_the_others, case_broadcast, case_allgather, case_reduce_scatter,
         case_alltoallv,
         case_barrier_and_split, case_point_to_point, case_recv_size_mismatch, case_objects,
         case_bad_arguments]
