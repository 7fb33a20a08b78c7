"""SyncBatchNorm on real MPI ranks: N ranks with B/N samples each equal BatchNorm on one process with the
whole batch B (forward, input and parameter gradients, running statistics), replicas bitwise identical;
and statistics reduced over a sub-group only."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.parallel.data_parallel import DistributedDataParallel

pytestmark = pytest.mark.mpi(min_size=2)
B, STEPS = 12, 3


def _net():
    ddp.manual_seed(0)
    return nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 3, 1))


def _run(comm, world_size, rank, batch=B):
    """SGD on the loss sum(out * r) / batch; outputs, input gradients (of the mean over ranks), state."""
    model = _net()
    if comm is not None:
        model = DistributedDataParallel(nn.SyncBatchNorm.convert_sync_batchnorm(model, comm), comm)
    opt = ddp.optim.SGD(model.parameters(), lr=0.1)
    shard = batch // world_size
    outs, gxs = [], []
    for step in range(STEPS):
        rng = np.random.default_rng(step)
        x = (rng.standard_normal((batch, 2, 4, 5)) * 2 + 1).astype(np.float32)
        r = rng.standard_normal((batch, 3, 4, 5)).astype(np.float32)
        x = ddp.tensor(x[rank * shard:(rank + 1) * shard], requires_grad=True)
        out = model(x)
        opt.zero_grad()
        (out * ddp.tensor(r[rank * shard:(rank + 1) * shard])).sum().div(shard).backward()
        opt.step()
        outs.append(out.detach().numpy().copy())
        gxs.append(x.grad.numpy() / world_size)
    return outs, gxs, [t.numpy().copy() for t in list(model.parameters()) + list(model.buffers())]


def _check(got, want, rank, shard):
    for step in range(STEPS):
        np.testing.assert_allclose(got[0][step], want[0][step][rank * shard:(rank + 1) * shard], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got[1][step], want[1][step][rank * shard:(rank + 1) * shard], rtol=1e-4, atol=1e-6)
    for a, b in zip(got[2], want[2]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_ranks_equal_one_process_on_the_whole_batch(comm):
    got, want = _run(comm, comm.world_size, comm.rank), _run(None, 1, 0)
    state = b"".join(a.tobytes() for a in got[2])
    everyone = comm.allgather_object(state)
    _check(got, want, comm.rank, B // comm.world_size)
    assert all(s == state for s in everyone)


def test_statistics_over_a_sub_group(comm):
    """Ranks split into pairs: each pair's SyncBatchNorm (and DDP) spans the pair only, and equals one process
    on the pair's batch of 12."""
    if comm.world_size % 2:
        pytest.skip("needs an even number of ranks")
    pair = comm.split(comm.rank // 2)
    got, want = _run(pair, 2, pair.rank), _run(None, 1, 0)
    _check(got, want, pair.rank, B // 2)
