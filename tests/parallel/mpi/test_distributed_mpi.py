"""ddp.distributed on real MPI ranks (run through tests/parallel/test_mpirun.py under mpirun -n 2 and -n 4).

Each rank can build every rank's input (seeded by rank), so each collective is checked on every rank against
a numpy reference. Checks communicate first and assert after; conftest.py settles one verdict across ranks.
"""
import os

import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.parallel import distributed as dist

pytestmark = pytest.mark.mpi(min_size=2)


@pytest.fixture(scope="module")
def world():
    """The default process group of this job (made once; destroyed after the module)."""
    if not dist.is_initialized():
        dist.init_process_group("gloo")
    yield dist.get_world_size()
    dist.destroy_process_group()


def inputs(rank, shape=(2, 3)):
    return np.random.default_rng(rank).standard_normal(shape) + 2


def test_torchrun_variables_come_from_mpirun(comm):
    env = {k: os.environ.get(k) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE")}
    assert env == {"RANK": str(comm.rank), "WORLD_SIZE": str(comm.world_size),
                   "LOCAL_RANK": str(comm.rank), "LOCAL_WORLD_SIZE": str(comm.world_size)}  # one node
    assert os.environ.get("MASTER_ADDR") and os.environ.get("MASTER_PORT")


def test_init_checks_the_launcher(world, comm):
    dist.destroy_process_group()
    with pytest.raises(ValueError, match=f"world_size={world + 1}, but the launcher started {world} ranks"):
        dist.init_process_group("gloo", world_size=world + 1)
    dist.init_process_group("mpi", init_method="env://", rank=comm.rank, world_size=world)
    got = (dist.get_rank(), dist.get_world_size(), dist.get_backend(), dist.is_initialized())
    assert got == (comm.rank, world, "mpi", True)


def test_all_reduce_ops(world):
    me, n = dist.get_rank(), world
    xs = [inputs(r) for r in range(n)]
    ints = [np.random.default_rng(r).integers(0, 64, 4) for r in range(n)]
    refs = {"SUM": sum(xs), "PRODUCT": np.prod(xs, axis=0), "MIN": np.min(xs, axis=0),
            "MAX": np.max(xs, axis=0), "AVG": sum(xs) / n}
    got = {}
    for name in refs:
        t = ddp.tensor(xs[me])
        dist.all_reduce(t, op=getattr(dist.ReduceOp, name))
        got[name] = t.numpy()
    t = ddp.tensor(xs[me])
    work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
    work.wait()
    got["async AVG"] = t.numpy()
    b = ddp.tensor(ints[me])
    dist.all_reduce(b, op=dist.ReduceOp.BXOR)
    f32 = ddp.tensor(xs[me].astype(np.float32))
    dist.all_reduce(f32)
    bits = [None] * n
    dist.all_gather_object(bits, f32.numpy().tobytes())
    for name, ref in refs.items():
        np.testing.assert_allclose(got[name], ref, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(got["async AVG"], refs["AVG"], rtol=1e-12)
    np.testing.assert_array_equal(b.numpy(), np.bitwise_xor.reduce(ints))
    assert all(x == bits[0] for x in bits)  # every rank holds the same float32 bits


def test_rooted_and_gathering_collectives(world):
    me, n = dist.get_rank(), world
    xs = [inputs(r) for r in range(n)]
    last = n - 1
    t = ddp.tensor(xs[me])
    dist.broadcast(t, src=last)
    r = ddp.tensor(xs[me])
    dist.reduce(r, dst=0)
    parts = [ddp.zeros(2, 3, dtype=ddp.float64) for _ in range(n)]
    dist.all_gather(parts, ddp.tensor(xs[me]))
    whole = ddp.zeros(2 * n, 3, dtype=ddp.float64)
    dist.all_gather_into_tensor(whole, ddp.tensor(xs[me]))
    bucket = [ddp.zeros(2, 3, dtype=ddp.float64) for _ in range(n)] if me == last else None
    dist.gather(ddp.tensor(xs[me]), bucket, dst=last)
    mine = ddp.zeros(2, 3, dtype=ddp.float64)
    dist.scatter(mine, [ddp.tensor(x) for x in xs] if me == 0 else None, src=0)
    np.testing.assert_array_equal(t.numpy(), xs[last])
    if me == 0:
        np.testing.assert_allclose(r.numpy(), sum(xs), rtol=1e-12)
    else:
        np.testing.assert_array_equal(r.numpy(), xs[me])  # only dst receives the result
    np.testing.assert_array_equal(np.stack([p.numpy() for p in parts]), np.stack(xs))
    np.testing.assert_array_equal(whole.numpy(), np.concatenate(xs))
    if me == last:
        np.testing.assert_array_equal(np.stack([p.numpy() for p in bucket]), np.stack(xs))
    np.testing.assert_array_equal(mine.numpy(), xs[me])


def test_reduce_scatter_and_all_to_all(world):
    me, n = dist.get_rank(), world
    blocks = [[inputs(10 * r + j, (3,)) for j in range(n)] for r in range(n)]  # blocks[rank][destination]
    rs = ddp.zeros(3, dtype=ddp.float64)
    dist.reduce_scatter(rs, [ddp.tensor(b) for b in blocks[me]])
    rst = ddp.zeros(3, dtype=ddp.float64)
    dist.reduce_scatter_tensor(rst, ddp.tensor(np.concatenate(blocks[me])), op=dist.ReduceOp.MAX)
    got = [ddp.zeros(3, dtype=ddp.float64) for _ in range(n)]
    dist.all_to_all(got, [ddp.tensor(b) for b in blocks[me]])
    single = ddp.zeros(3 * n, dtype=ddp.float64)
    dist.all_to_all_single(single, ddp.tensor(np.concatenate(blocks[me])))
    column = [blocks[r][me] for r in range(n)]
    np.testing.assert_allclose(rs.numpy(), sum(column), rtol=1e-12)
    np.testing.assert_array_equal(rst.numpy(), np.max(column, axis=0))
    np.testing.assert_array_equal(np.stack([g.numpy() for g in got]), np.stack(column))
    np.testing.assert_array_equal(single.numpy(), np.concatenate(column))


def test_uneven_all_to_all_single(world):
    """Rank s sends (s + d) % 3 rows to rank d (zero for some pairs), and back again through the
    differentiable version, whose gradient returns each row's weight to the rank that sent it."""
    import ddp.distributed.nn.functional as dnn
    me, n = dist.get_rank(), world
    sends = [(me + d) % 3 for d in range(n)]
    recvs = [(s + me) % 3 for s in range(n)]
    x = ddp.tensor(np.arange(sum(sends) * 2, dtype=np.float64).reshape(-1, 2) + 100 * me, requires_grad=True)
    out = dnn.all_to_all_single(ddp.zeros(sum(recvs), 2, dtype=ddp.float64), x, recvs, sends)
    (out * (me + 1)).sum().backward()
    column = []
    for s in range(n):
        theirs = np.arange(sum((s + d) % 3 for d in range(n)) * 2, dtype=np.float64).reshape(-1, 2) + 100 * s
        start = sum((s + d) % 3 for d in range(me))
        column.append(theirs[start:start + recvs[s]])
    np.testing.assert_array_equal(out.detach().numpy(), np.concatenate(column))
    weights = np.repeat([d + 1.0 for d in range(n)], sends)[:, None] * np.ones(2)
    np.testing.assert_array_equal(x.grad.numpy(), weights)


def test_recv_from_any_rank(world):
    me, n = dist.get_rank(), world
    if me == 0:
        got, senders = ddp.zeros(3), set()
        for _ in range(n - 1):
            src = dist.recv(got, tag=4)
            senders.add(src)
            assert got.tolist() == [float(src)] * 3
        assert senders == set(range(1, n))
    else:
        dist.send(ddp.full((3,), float(me)), dst=0, tag=4)


def test_point_to_point(world):
    me, n = dist.get_rank(), world
    right, left = (me + 1) % n, (me - 1) % n
    got = ddp.zeros(4)
    if me % 2 == 0:
        dist.send(ddp.full((4,), float(me)), dst=right)
        src = dist.recv(got, src=left)
    else:
        src = dist.recv(got, src=left)
        dist.send(ddp.full((4,), float(me)), dst=right)
    again = ddp.zeros(4)
    works = dist.batch_isend_irecv([dist.P2POp(dist.irecv, again, left, tag=3),
                                    dist.P2POp(dist.isend, ddp.full((4,), me + 0.5), right, tag=3)])
    for w in works:
        w.wait()
    assert src == left
    np.testing.assert_array_equal(got.numpy(), np.full(4, left, np.float32))
    np.testing.assert_array_equal(again.numpy(), np.full(4, left + 0.5, np.float32))


def test_objects(world):
    me, n = dist.get_rank(), world
    everyone = [None] * n
    dist.all_gather_object(everyone, {"rank": me})
    items = ["epoch", 7] if me == 0 else [None, None]
    dist.broadcast_object_list(items, src=0)
    gathered = [None] * n if me == 0 else None
    dist.gather_object(me * me, gathered, dst=0)
    slot = [None]
    dist.scatter_object_list(slot, [f"to {r}" for r in range(n)] if me == 0 else None, src=0)
    assert everyone == [{"rank": r} for r in range(n)] and items == ["epoch", 7]
    assert gathered == ([r * r for r in range(n)] if me == 0 else None) and slot == [f"to {me}"]


def test_groups(world):
    me, n = dist.get_rank(), world
    odd = list(range(1, n, 2))
    group = dist.new_group(odd)
    t = ddp.tensor([float(me)])
    dist.all_reduce(t, group=group)
    b = ddp.tensor([float(me)])
    dist.broadcast(b, src=odd[-1], group=group)  # src is a global rank
    info = (dist.get_rank(group), dist.get_world_size(group))
    dist.barrier()
    if me in odd:
        assert (t.item(), b.item(), info) == (float(sum(odd)), float(odd[-1]), (odd.index(me), len(odd)))
    else:
        assert group is dist.GroupMember.NON_GROUP_MEMBER and (t.item(), b.item(), info) == (me, me, (-1, -1))


def test_ddp_on_the_default_group(world):
    me, n = dist.get_rank(), world
    w = np.random.default_rng(0).standard_normal((1, 3)).astype(np.float32)
    xs = [np.random.default_rng(1 + r).standard_normal((4, 3)).astype(np.float32) for r in range(n)]
    model = nn.Linear(3, 1, bias=False)
    with ddp.no_grad():
        model.weight.copy_(ddp.from_numpy(w))
    wrapped = ddp.nn.parallel.DistributedDataParallel(model, device_ids=None, bucket_cap_mb=None)
    (wrapped(ddp.from_numpy(xs[me])) ** 2).mean().backward()
    grad = model.weight.grad.numpy().copy()
    x = np.concatenate(xs)
    np.testing.assert_allclose(grad, 2 * (x @ w.T).T @ x / len(x), rtol=1e-5)
