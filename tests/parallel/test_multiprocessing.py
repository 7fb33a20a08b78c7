"""ddp.multiprocessing.spawn: fn(rank, *args) on simulated ranks, as torch.multiprocessing.spawn calls it."""
import sys

import numpy as np
import pytest

import ddp
from ddp.parallel import distributed as dist
from ddp.parallel import multiprocessing as mp


def test_fn_gets_its_rank_and_args_and_joins_the_world():
    seen = {}

    def run(rank, world_size, scale):
        dist.init_process_group("gloo", rank=rank, world_size=world_size)
        t = ddp.tensor([float(rank * scale)])
        dist.all_reduce(t)
        seen[rank] = (dist.get_rank(), dist.get_world_size(), t.item())
        dist.destroy_process_group()
    assert mp.spawn(run, args=(3, 10), nprocs=3) is None
    assert seen == {r: (r, 3, 30.0) for r in range(3)}
    assert not dist.is_initialized()  # the ranks' groups were their own, not the main thread's


def test_join_false_returns_a_context():
    out = []

    def run(rank):
        out.append(rank)
    context = mp.spawn(run, nprocs=2, join=False)
    while not context.join(timeout=5):
        pass
    assert sorted(out) == [0, 1] and len(context.pids()) == 2


def test_a_raising_rank_is_named():
    def run(rank):
        dist.init_process_group("gloo")
        if rank == 1:
            raise KeyError("rank one lost its shard")
        dist.barrier()  # rank 0 waits here; rank 1's failure releases it
    with pytest.raises(mp.ProcessRaisedException, match="-- Process 1 terminated with the following error") as info:
        mp.spawn(run, nprocs=2)
    assert info.value.error_index == 1 and "rank one lost its shard" in str(info.value)
    assert isinstance(info.value.__cause__, KeyError)


def test_exit_codes():
    def run(rank, code):
        if rank == 1:
            sys.exit(code)
    mp.spawn(run, args=(0,), nprocs=2)  # exit code 0 is a normal end
    with pytest.raises(mp.ProcessExitedException, match="process 1 terminated with exit code 3") as info:
        mp.spawn(run, args=(3,), nprocs=2)
    assert info.value.exit_code == 3 and info.value.error_index == 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="spawn: nprocs must be a positive int, got 0"):
        mp.spawn(print, nprocs=0)
    with pytest.raises(TypeError, match="spawn: fn must be callable, got int"):
        mp.spawn(3, nprocs=1)
    with pytest.raises(ValueError, match="start_method must be one of spawn, fork, forkserver"):
        mp.spawn(print, nprocs=1, start_method="thread")


def test_a_pytorch_style_ddp_worker():
    """The shape of PyTorch's spawn tutorials: a worker per rank that sets up the group and trains."""
    results = {}
    w0 = np.array([[0.5, -0.25]], np.float32)

    def worker(rank, world_size):
        dist.init_process_group("gloo", rank=rank, world_size=world_size)
        model = ddp.nn.Linear(2, 1, bias=False)
        with ddp.no_grad():
            model.weight.copy_(ddp.from_numpy(w0))
        model = ddp.nn.parallel.DistributedDataParallel(model)
        opt = ddp.optim.SGD(model.parameters(), lr=0.1)
        x = ddp.full((2, 2), float(rank + 1))
        for _ in range(3):
            opt.zero_grad()
            model(x).sum().backward()
            opt.step()
        results[rank] = model.module.weight.detach().numpy().copy()
        dist.destroy_process_group()
    mp.spawn(worker, args=(2,), nprocs=2)
    ref = w0 - 3 * 0.1 * np.array([[3.0, 3.0]], np.float32)  # mean over ranks of sum(x) per weight: (2 + 4) / 2
    np.testing.assert_allclose(results[0], ref, rtol=1e-6)
    np.testing.assert_array_equal(results[0], results[1])


def test_exceptions_match_torch():
    torch_mp = pytest.importorskip("torch.multiprocessing")
    for name in ("ProcessRaisedException", "ProcessExitedException", "spawn", "start_processes",
                 "set_start_method", "get_start_method"):
        assert hasattr(torch_mp, name) and hasattr(mp, name), name
    e = mp.ProcessExitedException("m", 1, 7, exit_code=2)
    t = torch_mp.ProcessExitedException("m", 1, 7, exit_code=2)
    assert (e.error_index, e.error_pid, e.exit_code, str(e)) == (t.error_index, t.error_pid, t.exit_code, str(t))
