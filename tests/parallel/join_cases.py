"""Uneven inputs under `DistributedDataParallel.join`, shared by the thread and the MPI tests.

Rank r trains on `STEPS[r]` batches of its own. The reference is one process that, at each step, takes
the gradient of the sum of the active ranks' mean losses divided by the world size (what the joined
ranks' zeros give). It uses the same ddp ops, so it checks the join protocol, not the ops (those have
their own checks against numpy and PyTorch).
"""
import numpy as np

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.parallel.data_parallel import DistributedDataParallel

STEPS = [3, 5, 4, 2]  # batches per rank (the first world_size entries are used)
IN, OUT, BATCH = 6, 3, 8


def batch(rank, step):
    rng = np.random.default_rng(100 * rank + step)
    return ddp.tensor(rng.standard_normal((BATCH, IN)).astype(np.float32)), ddp.tensor(rng.integers(0, OUT, BATCH))


def model():
    ddp.manual_seed(0)
    return nn.Sequential(nn.Linear(IN, 16), nn.ReLU(), nn.Linear(16, OUT))


def params(m):
    return [p.numpy().copy() for p in m.parameters()]


def uneven_training(comm, find_unused=False, bucket_cap_mb=25):
    """Train with join on this rank's uneven batches; returns the final parameters."""
    dmodel = DistributedDataParallel(model(), comm, find_unused_parameters=find_unused,
                                     bucket_cap_mb=bucket_cap_mb)
    opt = ddp.optim.SGD(dmodel.parameters(), lr=0.1, momentum=0.9)
    with dmodel.join():
        for step in range(STEPS[comm.rank]):
            x, y = batch(comm.rank, step)
            opt.zero_grad()
            F.cross_entropy(dmodel(x), y).backward()
            opt.step()
    return params(dmodel.module)


def reference(world_size):
    """One process: each step's gradient is the active ranks' summed gradients over the world size.

    Every rank leaves the join with the parameters of the last rank to train, which took every step."""
    m = model()
    opt = ddp.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    for step in range(max(STEPS[:world_size])):
        opt.zero_grad()
        active = [r for r in range(world_size) if step < STEPS[r]]
        loss = sum(F.cross_entropy(m(batch(r, step)[0]), batch(r, step)[1]) for r in active) / world_size
        loss.backward()
        opt.step()
    return params(m)
