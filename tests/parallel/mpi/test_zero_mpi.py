"""ZeroRedundancyOptimizer on real MPI ranks: bitwise the unsharded optimizer's result, replicas equal."""
import pytest

import ddp
import ddp.nn.functional as F
from ddp.parallel.data_parallel import DistributedDataParallel
from ddp.parallel.zero import ZeroRedundancyOptimizer

pytestmark = pytest.mark.mpi(min_size=2)


def _train(comm, sharded):
    import numpy as np
    ddp.manual_seed(0)
    dmodel = DistributedDataParallel(ddp.nn.Sequential(ddp.nn.Linear(10, 32), ddp.nn.ReLU(), ddp.nn.Linear(32, 3)), comm)
    opt = (ZeroRedundancyOptimizer(dmodel.parameters(), ddp.optim.Adam, process_group=comm, lr=1e-2) if sharded
           else ddp.optim.Adam(dmodel.parameters(), lr=1e-2))
    for step in range(10):
        rng = np.random.default_rng(10 * step + comm.rank)
        x, y = ddp.tensor(rng.standard_normal((6, 10)).astype(np.float32)), ddp.tensor(rng.integers(0, 3, 6))
        opt.zero_grad()
        F.cross_entropy(dmodel(x), y).backward()
        opt.step()
    return b"".join(p.numpy().tobytes() for p in dmodel.parameters())


def test_zero_equals_the_unsharded_optimizer_bitwise(comm):
    sharded, plain = _train(comm, True), _train(comm, False)
    everyone = comm.allgather_object(sharded)
    assert sharded == plain
    assert all(b == sharded for b in everyone)
