"""ddp.distributed (torch.distributed's API) on simulated ranks and in one plain process.

Every collective is checked on every rank against a numpy reference built from the ranks' inputs.
"""
import datetime
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.parallel as dp
from ddp.parallel import distributed as dist
from ddp.parallel import launch


@pytest.fixture
def fresh(monkeypatch):
    """A plain process where neither ddp.parallel.init nor init_process_group has run; undone after."""
    monkeypatch.setattr(launch, "_comm", None)
    for var in launch._LAUNCHER_VARS + ("WORLD_SIZE", "RANK"):
        monkeypatch.delenv(var, raising=False)
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


def on_ranks(fn, n=4):
    """Run ``fn(rank)`` on `n` simulated ranks inside an initialized default group; results by rank."""
    def main():
        dist.init_process_group("gloo")
        try:
            return fn(dist.get_rank())
        finally:
            dist.destroy_process_group()
    return dp.spawn(main, world_size=n, timeout=30)


def inputs(rank, shape=(2, 3), dtype=np.float64):
    return (np.random.default_rng(rank).standard_normal(shape) + 2).astype(dtype)


ROOT = Path(__file__).resolve().parents[2]


# -- torchrun's environment variables under mpirun ------------------------------------------------------
def test_torchrun_variables_from_the_launchers():
    hydra = {"PMI_RANK": "1", "PMI_SIZE": "4", "MPI_LOCALRANKID": "1", "MPI_LOCALNRANKS": "2", "RANK": "9"}
    launch.set_torchrun_env(hydra)
    assert {k: hydra[k] for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
                                  "MASTER_PORT")} == {"RANK": "1", "WORLD_SIZE": "4", "LOCAL_RANK": "1",
                                                      "LOCAL_WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
                                                      "MASTER_PORT": "29500"}
    ompi = {"OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "2", "MASTER_PORT": "1234"}
    launch.set_torchrun_env(ompi)
    assert (ompi["RANK"], ompi["WORLD_SIZE"], ompi["LOCAL_RANK"], ompi["LOCAL_WORLD_SIZE"], ompi["MASTER_PORT"]) == (
        "0", "2", "0", "2", "1234")  # no local variables: one node; a MASTER_PORT already set stays
    plain = {"HOME": "/home/user"}
    launch.set_torchrun_env(plain)
    assert plain == {"HOME": "/home/user"}


def run_python(code, **env):
    environ = {k: v for k, v in os.environ.items() if k not in launch._LAUNCHER_VARS + ("RANK", "WORLD_SIZE")}
    environ.update(env, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_import_ddp_sets_them_without_starting_mpi():
    code = ("import os, sys, ddp; print(os.environ.get('RANK'), os.environ.get('LOCAL_WORLD_SIZE'), "
            "'mpi4py' in sys.modules, 'ddp.parallel' in sys.modules)")
    assert run_python(code, PMI_RANK="1", PMI_SIZE="2", MPI_LOCALRANKID="1", MPI_LOCALNRANKS="2") == [
        "1", "2", "False", "True"]
    assert run_python(code) == ["None", "None", "False", "False"]  # a plain run: nothing set, nothing imported


# -- the default group in one process ------------------------------------------------------------------
def test_calls_before_init_raise_pytorchs_error(fresh):
    assert not dist.is_initialized() and dist.group.WORLD is None
    for call in (dist.get_rank, dist.get_world_size, dist.barrier, lambda: dist.all_reduce(ddp.ones(2)),
                 lambda: dist.new_group([0])):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            call()


def test_one_process_is_one_rank(fresh):
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=60))
    assert dist.is_initialized() and (dist.get_rank(), dist.get_world_size()) == (0, 1)
    assert dist.get_backend() == "gloo" and dist.group.WORLD is dist.GroupMember.WORLD is not None
    t = ddp.arange(4.0)
    dist.all_reduce(t)
    dist.broadcast(t, src=0)
    np.testing.assert_array_equal(t.numpy(), np.arange(4.0))
    with pytest.raises(ValueError, match="initialize the default process group twice"):
        dist.init_process_group("gloo")
    dist.destroy_process_group()
    assert not dist.is_initialized()
    dist.init_process_group(backend="mpi", init_method="env://", rank=0, world_size=1)
    assert dist.get_backend() == "mpi"


def test_backend_names(fresh):
    assert dist.Backend("GLOO") == "gloo" == dist.Backend.GLOO
    with pytest.raises(ValueError, match="unknown backend 'xyz'"):
        dist.Backend("xyz")
    with pytest.raises(RuntimeError, match="'nccl' needs CUDA GPUs, and ddp runs on the CPU"):
        dist.init_process_group("nccl")
    with pytest.raises(ValueError, match="unknown backend"):
        dist.init_process_group("xyz")
    assert not dist.is_initialized()
    dist.init_process_group("cpu:gloo,cuda:nccl")
    assert dist.get_backend() == "gloo"
    assert dist.is_available() and dist.is_gloo_available() and not dist.is_nccl_available()


def test_world_size_without_a_launcher_is_a_clear_error(fresh, monkeypatch):
    with pytest.raises(RuntimeError, match=r"world_size=2, but no launcher .*mpirun -n 2"):
        dist.init_process_group("gloo", rank=0, world_size=2)
    monkeypatch.setenv("WORLD_SIZE", "3")
    with pytest.raises(RuntimeError, match=r"world_size=3.*mpirun -n 3"):
        dist.init_process_group("gloo")
    monkeypatch.setenv("WORLD_SIZE", "1")
    with pytest.raises(ValueError, match="rank=1, but the launcher made this process rank 0"):
        dist.init_process_group("gloo", rank=1)
    with pytest.raises(TypeError, match="timeout to be a datetime.timedelta"):
        dist.init_process_group("gloo", timeout=30)
    assert not dist.is_initialized()


def test_destroy_without_init_and_bad_arguments(fresh):
    with pytest.raises(ValueError, match="has not been initialized"):
        dist.destroy_process_group()
    dist.init_process_group()
    with pytest.raises(TypeError, match=r"all_reduce: expected a ddp Tensor, got list"):
        dist.all_reduce([1.0, 2.0])
    with pytest.raises(TypeError, match="op must be a dist.ReduceOp"):
        dist.all_reduce(ddp.ones(2), op="sum")
    with pytest.raises(ValueError, match="global rank 3 is not part of the group"):
        dist.broadcast(ddp.ones(2), src=3)
    with pytest.raises(ValueError, match="new_group: ranks must be distinct global ranks"):
        dist.new_group([0, 0])
    with pytest.raises(ValueError, match="irecv: src is required"):
        dist.irecv(ddp.ones(2))
    with pytest.raises(RuntimeError, match="LocalCommunicator has a single rank"):
        dist.recv(ddp.ones(2))
    with pytest.raises(ValueError, match="send: invalid dst rank 0: it should not be the same"):
        dist.send(ddp.ones(2), dst=0)


def test_in_place_on_strided_and_grad_tensors(fresh):
    dist.init_process_group()
    base = np.zeros((4, 3))
    t = ddp.from_numpy(base.T)  # not contiguous: reduced in a copy that lands back in the view
    dist.broadcast(t, src=0)
    leaf = ddp.ones(3, requires_grad=True)
    version = leaf._version
    dist.all_reduce(leaf)  # as in PyTorch: collectives write parameters in place, outside autograd
    assert leaf._version > version and leaf.requires_grad and leaf.grad_fn is None
    frozen = ddp.from_numpy(np.broadcast_to(np.ones(3), (2, 3)))
    with pytest.raises(ValueError, match="read-only"):
        dist.all_reduce(frozen)


# -- collectives on 4 and 3 simulated ranks -----------------------------------------------------------------
@pytest.mark.parametrize("n", [3, 4])
def test_all_reduce_every_op(n):
    xs = [inputs(r) for r in range(n)]
    ints = [np.random.default_rng(r).integers(0, 64, 5) for r in range(n)]
    refs = {"SUM": sum(xs), "PRODUCT": np.prod(xs, axis=0), "MIN": np.min(xs, axis=0),
            "MAX": np.max(xs, axis=0), "AVG": sum(xs) / n}
    int_refs = {"BAND": np.bitwise_and.reduce(ints), "BOR": np.bitwise_or.reduce(ints),
                "BXOR": np.bitwise_xor.reduce(ints), "SUM": sum(ints)}

    def run(rank):
        got = {}
        for name in refs:
            t = ddp.tensor(xs[rank])
            assert dist.all_reduce(t, op=getattr(dist.ReduceOp, name)) is None
            got[name] = t.numpy()
        for name in int_refs:
            t = ddp.tensor(ints[rank])
            dist.all_reduce(t, op=getattr(dist.ReduceOp, name))
            got["int " + name] = t.numpy()
        t = ddp.tensor(xs[rank])
        work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
        got["async"] = (work.wait(), work.is_completed(), t.numpy())
        return got
    for got in on_ranks(run, n):
        for name, ref in refs.items():
            np.testing.assert_allclose(got[name], ref, rtol=1e-12, err_msg=name)
        for name, ref in int_refs.items():
            np.testing.assert_array_equal(got["int " + name], ref, err_msg=name)
        ok, completed, avg = got["async"]
        assert ok and completed
        np.testing.assert_allclose(avg, refs["AVG"], rtol=1e-12)


def test_reduce_op_dtype_errors():
    def run(rank):
        with pytest.raises(RuntimeError, match="AVG needs a floating-point tensor, got int64"):
            dist.all_reduce(ddp.tensor([1, 2]), op=dist.ReduceOp.AVG)
        with pytest.raises(RuntimeError, match="cannot use ReduceOp.BAND with non-integral dtype float32"):
            dist.all_reduce(ddp.ones(2), op=dist.ReduceOp.BAND)
    on_ranks(run, 2)


def test_broadcast_reduce_and_gathers():
    n = 4
    xs = [inputs(r) for r in range(n)]

    def run(rank):
        out = {}
        t = ddp.tensor(xs[rank])
        dist.broadcast(t, src=2)
        out["broadcast"] = t.numpy()
        t = ddp.tensor(xs[rank])
        dist.reduce(t, dst=1, op=dist.ReduceOp.MAX)
        out["reduce"] = t.numpy()
        parts = [ddp.zeros(2, 3, dtype=ddp.float64) for _ in range(n)]
        dist.all_gather(parts, ddp.tensor(xs[rank]))
        out["all_gather"] = np.stack([p.numpy() for p in parts])
        whole = ddp.zeros(2 * n, 3, dtype=ddp.float64)
        dist.all_gather_into_tensor(whole, ddp.tensor(xs[rank]))
        out["into"] = whole.numpy()
        bucket = [ddp.zeros(2, 3, dtype=ddp.float64) for _ in range(n)] if rank == 3 else None
        dist.gather(ddp.tensor(xs[rank]), bucket, dst=3)
        out["gather"] = None if bucket is None else np.stack([p.numpy() for p in bucket])
        mine = ddp.zeros(2, 3, dtype=ddp.float64)
        dist.scatter(mine, [ddp.tensor(x) for x in xs] if rank == 0 else None, src=0)
        out["scatter"] = mine.numpy()
        return out
    got = on_ranks(run, n)
    for rank, out in enumerate(got):
        np.testing.assert_array_equal(out["broadcast"], xs[2])
        np.testing.assert_array_equal(out["reduce"], np.max(xs, axis=0) if rank == 1 else xs[rank])
        np.testing.assert_array_equal(out["all_gather"], np.stack(xs))
        np.testing.assert_array_equal(out["into"], np.concatenate(xs))
        if rank == 3:
            np.testing.assert_array_equal(out["gather"], np.stack(xs))
        np.testing.assert_array_equal(out["scatter"], xs[rank])


def test_gather_and_scatter_list_rules():
    def run(rank):
        t = ddp.zeros(2)
        if rank == 0:
            with pytest.raises(ValueError, match="``gather_list`` must be specified on destination rank"):
                dist.gather(t, None, dst=0)
            with pytest.raises(ValueError, match="must be a list of 2 tensors"):
                dist.scatter(t, [t], src=0)
        else:
            with pytest.raises(ValueError, match="must NOT be specified on non-destination ranks"):
                dist.gather(t, [t, t], dst=0)
            with pytest.raises(RuntimeError, match=r"tensor_list\[1\] has shape \(3,\)"):
                dist.all_gather([t, ddp.zeros(3)], t)
    on_ranks(run, 2)


def test_reduce_scatter_and_all_to_all():
    n = 3
    blocks = [[inputs(10 * r + j, (2,)) for j in range(n)] for r in range(n)]  # blocks[r][j]: rank r, block j

    def run(rank):
        out = {}
        mine = [ddp.tensor(b) for b in blocks[rank]]
        t = ddp.zeros(2, dtype=ddp.float64)
        dist.reduce_scatter(t, mine)
        out["rs"] = t.numpy()
        t = ddp.zeros(2, dtype=ddp.float64)
        dist.reduce_scatter_tensor(t, ddp.tensor(np.concatenate(blocks[rank])), op=dist.ReduceOp.PRODUCT)
        out["rst"] = t.numpy()
        got = [ddp.zeros(2, dtype=ddp.float64) for _ in range(n)]
        dist.all_to_all(got, mine)
        out["a2a"] = np.stack([g.numpy() for g in got])
        single = ddp.zeros(2 * n, dtype=ddp.float64)
        dist.all_to_all_single(single, ddp.tensor(np.concatenate(blocks[rank])))
        out["a2a1"] = single.numpy()
        return out
    for rank, out in enumerate(on_ranks(run, n)):
        column = [blocks[r][rank] for r in range(n)]
        np.testing.assert_allclose(out["rs"], sum(column), rtol=1e-12)
        np.testing.assert_allclose(out["rst"], np.prod(column, axis=0), rtol=1e-12)
        np.testing.assert_array_equal(out["a2a"], np.stack(column))
        np.testing.assert_array_equal(out["a2a1"], np.concatenate(column))


def test_uneven_all_to_all():
    """Mixture-of-experts dispatch: rank s sends splits[s][d] rows of (., 2) to rank d (zero for some pairs);
    all_to_all's tensors may differ in shape; a rank expecting other sizes than its peers send raises on
    every rank."""
    n, splits = 3, [[1, 0, 2], [3, 0, 0], [0, 1, 2]]

    def rows(s):
        return np.arange(6, dtype=np.float32).reshape(3, 2) + 10 * s

    def run(rank):
        recv = [splits[s][rank] for s in range(n)]
        out = ddp.full((sum(recv), 2), -1.0)
        work = dist.all_to_all_single(out, ddp.tensor(rows(rank)), recv, splits[rank], async_op=True)
        work.wait()
        mine = list(ddp.tensor(rows(rank)).split(splits[rank]))
        got = [ddp.zeros(k, 2) for k in recv]
        dist.all_to_all(got, mine)
        wrong = [ddp.zeros(2, 2)] + got[1:] if rank == 0 else got  # rank 0 expects 2 rows from itself
        with pytest.raises(RuntimeError, match="rank 0 sends 2 elements to rank 0, which expects 4"):
            dist.all_to_all(wrong, mine)  # on every rank, not only rank 0
        with pytest.raises(RuntimeError, match="must be 3 non-negative sizes"):
            dist.all_to_all_single(out, ddp.tensor(rows(rank)), recv, [3, 0])
        return out.numpy().copy(), [g.numpy().copy() for g in got]
    for rank, (out, got) in enumerate(on_ranks(run, n)):
        column = [rows(s)[sum(splits[s][:rank]):sum(splits[s][:rank + 1])] for s in range(n)]
        np.testing.assert_array_equal(out, np.concatenate(column))
        for g, c in zip(got, column):
            np.testing.assert_array_equal(g, c)


def test_recv_from_any_rank():
    """A parameter server: rank 0 takes the workers' messages as they come, and learns who sent each."""
    n, order = 4, (3, 1, 2)

    def run(rank):
        if rank == 0:
            senders = []
            for r in order:  # let one worker at a time send, so the arrival order is known
                dist.send(ddp.ones(1), dst=r)
                got = ddp.zeros(2)
                senders.append((dist.recv(got), got.tolist()))
            both = ddp.zeros(2)
            first = {dist.recv(both, tag=7), dist.recv(both, tag=7)}
            return senders, first
        dist.recv(ddp.zeros(1), src=0)
        dist.send(ddp.full((2,), float(rank)), dst=0)
        if rank != 3:
            dist.send(ddp.full((2,), float(rank)), dst=0, tag=7)
    senders, first = on_ranks(run, n)[0]
    assert senders == [(r, [float(r)] * 2) for r in order]
    assert first == {1, 2}


def test_point_to_point_ring():
    n = 4

    def run(rank):
        right, left = (rank + 1) % n, (rank - 1) % n
        got = ddp.zeros(3)
        if rank % 2 == 0:
            dist.send(ddp.full((3,), float(rank)), dst=right, tag=5)
            src = dist.recv(got, src=left, tag=5)
        else:
            src = dist.recv(got, src=left, tag=5)
            dist.send(ddp.full((3,), float(rank)), dst=right, tag=5)
        again = ddp.zeros(3)
        works = dist.batch_isend_irecv([dist.P2POp(dist.isend, ddp.full((3,), rank + 0.5), right),
                                        dist.P2POp(dist.irecv, again, left)])
        for w in works:
            w.wait()
        back = ddp.zeros(3)
        recv = dist.irecv(back, src=right)
        dist.isend(ddp.full((3,), -rank * 1.0), dst=left).wait()
        recv.wait()
        return src, got.numpy(), again.numpy(), back.numpy()
    for rank, (src, got, again, back) in enumerate(on_ranks(run, n)):
        assert src == (rank - 1) % n
        np.testing.assert_array_equal(got, np.full(3, (rank - 1) % n, np.float32))
        np.testing.assert_array_equal(again, np.full(3, (rank - 1) % n + 0.5, np.float32))
        np.testing.assert_array_equal(back, np.full(3, -((rank + 1) % n), np.float32))


def test_object_collectives():
    n = 3

    def run(rank):
        everyone = [None] * n
        dist.all_gather_object(everyone, {"rank": rank, "name": f"r{rank}"})
        items = [rank, "mine"] if rank == 1 else [None, None]
        dist.broadcast_object_list(items, src=1)
        gathered = [None] * n if rank == 2 else None
        dist.gather_object(("g", rank), gathered, dst=2)
        slot = [None]
        dist.scatter_object_list(slot, [f"to {r}" for r in range(n)] if rank == 0 else None, src=0)
        return everyone, items, gathered, slot[0]
    for rank, (everyone, items, gathered, slot) in enumerate(on_ranks(run, n)):
        assert everyone == [{"rank": r, "name": f"r{r}"} for r in range(n)]
        assert items == [1, "mine"]
        assert gathered == ([("g", r) for r in range(n)] if rank == 2 else None)
        assert slot == f"to {rank}"


def test_groups_use_global_ranks_and_skip_non_members():
    n = 4

    def run(rank):
        odd = dist.new_group([3, 1])
        whole = dist.new_group()
        t = ddp.tensor([float(rank)])
        result = dist.all_reduce(t, group=odd)
        b = ddp.tensor([float(rank)])
        dist.broadcast(b, src=3, group=odd)  # src is a global rank
        s = ddp.tensor([1.0])
        dist.all_reduce(s, group=whole)
        info = (dist.get_rank(odd), dist.get_world_size(odd), dist.get_world_size(whole))
        ranks = dist.get_process_group_ranks(odd) if odd is not dist.GroupMember.NON_GROUP_MEMBER else None
        extra = (dist.get_group_rank(odd, 3), dist.get_global_rank(odd, 0)) if ranks else None
        dist.destroy_process_group(whole)
        return result, t.item(), b.item(), s.item(), info, ranks, extra, dist.group.WORLD.rank()
    for rank, (result, t, b, s, info, ranks, extra, world_rank) in enumerate(on_ranks(run, n)):
        assert result is None and s == n and world_rank == rank
        if rank in (1, 3):
            assert (t, b, info, ranks, extra) == (4.0, 3.0, ([1, 3].index(rank), 2, n), [1, 3], (1, 1))
        else:  # not a member: every call is a no-op, as in PyTorch
            assert (t, b, info, ranks) == (rank, rank, (-1, -1, n), None)


# -- DistributedDataParallel through the default group ----------------------------------------------------
def test_ddp_with_pytorch_keywords_on_the_default_group():
    n = 2
    w = np.random.default_rng(0).standard_normal((1, 3)).astype(np.float32)
    xs = [np.random.default_rng(1 + r).standard_normal((4, 3)).astype(np.float32) for r in range(n)]

    def run(rank):
        model = nn.Linear(3, 1, bias=False)
        with ddp.no_grad():
            model.weight.copy_(ddp.from_numpy(w))
        wrapped = dp.DistributedDataParallel(model, device_ids=None, output_device=None, dim=0,
                                             broadcast_buffers=True, process_group=None, bucket_cap_mb=None,
                                             find_unused_parameters=False, check_reduction=False,
                                             gradient_as_bucket_view=True, static_graph=False)
        assert wrapped.module is model and wrapped.comm is dist.group.WORLD.comm
        (wrapped(ddp.from_numpy(xs[rank])) ** 2).mean().backward()
        by_group = dp.DistributedDataParallel(nn.Linear(2, 2), process_group=dist.group.WORLD)
        with pytest.raises(ValueError, match="device_ids and output_device only work with GPU modules"):
            dp.DistributedDataParallel(nn.Linear(2, 2), device_ids=[rank])
        return model.weight.grad.numpy(), by_group.comm is wrapped.comm
    x = np.concatenate(xs)
    ref = 2 * (x @ w.T).T @ x / len(x)  # d/dw mean((x w^T)^2) over the global batch
    for grad, same in on_ranks(run, n):
        np.testing.assert_allclose(grad, ref, rtol=1e-5)
        assert same


def test_ddp_over_a_sub_group():
    def run(rank):
        pair = dist.new_group([2, 3])
        if pair is dist.GroupMember.NON_GROUP_MEMBER:
            with pytest.raises(ValueError, match="not a member of process_group"):
                dp.DistributedDataParallel(nn.Linear(2, 1), process_group=pair)
            return None
        model = nn.Linear(2, 1, bias=False)
        wrapped = dp.DistributedDataParallel(model, process_group=pair)  # rank 2's weights, on both
        wrapped(ddp.full((1, 2), float(rank))).sum().backward()
        return model.weight.detach().numpy().copy(), model.weight.grad.numpy().copy()
    got = on_ranks(run, 4)
    assert got[:2] == [None, None]
    np.testing.assert_array_equal(got[2][0], got[3][0])
    np.testing.assert_allclose(got[2][1], np.full((1, 2), 2.5))  # the mean of x over ranks 2 and 3


def test_names_exist_in_torch_distributed():
    torch = pytest.importorskip("torch")
    import torch.distributed as tdist
    missing = [name for name in dist.__all__ if not hasattr(tdist, name)]
    assert missing == []
    assert [op for op in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR")
            if not hasattr(tdist.ReduceOp, op)] == []
    assert torch.__version__  # the same names, so that `import ddp.distributed as dist` ports


PARITY_SCRIPT = '''
import json, os, sys
import numpy as np
import {fw} as torch
import {fw}.distributed as dist
import {fw}.multiprocessing as mp


def run(rank, world_size, port):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    x = torch.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3) + rank * 10 + 1)
    out = {{}}
    for op in ("SUM", "PRODUCT", "MIN", "MAX", "AVG"):
        t = x.clone()
        dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
        out[op] = t.tolist()
    t = x.clone(); dist.broadcast(t, src=1); out["broadcast"] = t.tolist()
    t = x.clone(); dist.reduce(t, dst=0); out["reduce"] = t.tolist() if rank == 0 else None
    parts = [torch.zeros(2, 3) for _ in range(world_size)]
    dist.all_gather(parts, x); out["all_gather"] = [p.tolist() for p in parts]
    whole = torch.zeros(2 * world_size, 3); dist.all_gather_into_tensor(whole, x); out["into"] = whole.tolist()
    bucket = [torch.zeros(2, 3) for _ in range(world_size)] if rank == 0 else None
    dist.gather(x, bucket, dst=0); out["gather"] = [b.tolist() for b in bucket] if rank == 0 else None
    mine = torch.zeros(2, 3)
    dist.scatter(mine, [x + i for i in range(world_size)] if rank == 1 else None, src=1); out["scatter"] = mine.tolist()
    r = torch.zeros(3); dist.reduce_scatter_tensor(r, x.reshape(-1)); out["rst"] = r.tolist()
    got = [torch.zeros(3) for _ in range(world_size)]
    dist.all_to_all(got, [x[i] for i in range(world_size)]); out["a2a"] = [g.tolist() for g in got]
    objs = [None] * world_size; dist.all_gather_object(objs, {{"r": rank}}); out["objects"] = objs
    g = dist.new_group([1]); t = x.clone(); dist.all_reduce(t, group=g)
    out["group"] = (t.tolist(), dist.get_rank(g), dist.get_world_size(g))
    r = torch.zeros(2, 3); dist.reduce_scatter(r, [x * 2, x + 1], op=dist.ReduceOp.MAX); out["rs"] = r.tolist()
    items = ["a", rank] if rank == 1 else [None, None]; dist.broadcast_object_list(items, src=1); out["bol"] = items
    got = torch.zeros(2, 3)
    if rank == 0:
        dist.send(x * 3, dst=1); out["src"] = dist.recv(got, src=1)
    else:
        out["src"] = dist.recv(got, src=0); dist.send(x - 1, dst=0)
    back = torch.zeros(2, 3); work = dist.irecv(back, src=1 - rank); dist.isend(x * rank, dst=1 - rank).wait()
    work.wait(); dist.barrier()
    out["p2p"] = (got.tolist(), back.tolist(), str(dist.get_backend()))
    with open(f"{{sys.argv[2]}}_{{rank}}.json", "w") as f:  # a file per rank: printed lines could interleave
        json.dump(out, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    mp.spawn(run, args=(2, sys.argv[1]), nprocs=2)
'''


def test_collectives_match_pytorch_gloo(tmp_path):
    """The same script under torch (two gloo processes on localhost) and ddp (two simulated ranks)."""
    pytest.importorskip("torch")
    import json
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    results = {}
    for fw in ("ddp", "torch"):
        script = tmp_path / f"parity_{fw}.py"
        script.write_text(PARITY_SCRIPT.format(fw=fw))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        out = subprocess.run([sys.executable, str(script), port, fw], env=env, capture_output=True, text=True,
                             timeout=300, cwd=tmp_path)
        assert out.returncode == 0, f"{fw}:\n{out.stdout}\n{out.stderr}"
        results[fw] = {r: json.loads((tmp_path / f"{fw}_{r}.json").read_text()) for r in (0, 1)}
    for rank in (0, 1):
        ours, theirs = results["ddp"][rank], results["torch"][rank]
        assert ours.keys() == theirs.keys()
        for key in ours:
            assert ours[key] == theirs[key], (rank, key, ours[key], theirs[key])
