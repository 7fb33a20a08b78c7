"""ZeroRedundancyOptimizer on simulated ranks: equal to the unsharded optimizer bitwise, about 1/N of its
state per rank, state dicts that the unsharded optimizer loads and back, schedulers, errors."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.parallel as dp
from ddp.parallel.data_parallel import DistributedDataParallel
from ddp.parallel.zero import ZeroRedundancyOptimizer

OPTIMIZERS = {"sgd": (ddp.optim.SGD, {"lr": 0.05, "momentum": 0.9}), "adam": (ddp.optim.Adam, {"lr": 1e-2}),
              "adamw": (ddp.optim.AdamW, {"lr": 1e-2, "weight_decay": 0.1})}


def model():
    ddp.manual_seed(0)
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 3))


def batch(rank, step):
    rng = np.random.default_rng(10 * step + rank)
    return ddp.tensor(rng.standard_normal((6, 10)).astype(np.float32)), ddp.tensor(rng.integers(0, 3, 6))


def train(kind, sharded, steps=20):
    comm = dp.init()
    cls, kwargs = OPTIMIZERS[kind]
    dmodel = DistributedDataParallel(model(), comm)
    opt = ZeroRedundancyOptimizer(dmodel.parameters(), cls, **kwargs) if sharded else cls(dmodel.parameters(), **kwargs)
    schedule = ddp.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    for step in range(steps):
        opt.zero_grad()
        F.cross_entropy(dmodel(batch(comm.rank, step)[0]), batch(comm.rank, step)[1]).backward()
        opt.step()
        schedule.step()
    nbytes = opt.state_nbytes() if sharded else None
    return [p.numpy().copy() for p in dmodel.parameters()], nbytes


@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
@pytest.mark.parametrize("world_size", [2, 3])
def test_sharded_equals_unsharded_bitwise(kind, world_size):
    plain = dp.spawn(lambda: train(kind, False), world_size)
    sharded = dp.spawn(lambda: train(kind, True), world_size)
    for (got, _), (want, _) in zip(sharded, plain):
        assert all(a.tobytes() == b.tobytes() for a, b in zip(got, want))


def test_each_rank_holds_about_a_share_of_the_state():
    total = sum(p.numel() for p in model().parameters()) * 4 * 2  # Adam: two float32 moments
    shares = [n for _, n in dp.spawn(lambda: train("adam", True, steps=2), 2)]
    assert sum(shares) == total
    assert max(shares) <= 0.6 * total  # 50% each, within the granularity of whole parameters


def test_state_dict_round_trips_through_the_unsharded_optimizer():
    def run():
        comm = dp.init()
        m = model()
        zero = ZeroRedundancyOptimizer(m.parameters(), ddp.optim.Adam, lr=1e-2)
        for step in range(3):
            zero.zero_grad()
            F.cross_entropy(m(batch(0, step)[0]), batch(0, step)[1]).backward()
            zero.step()
        with pytest.raises(RuntimeError, match="not been consolidated"):
            zero.state_dict()
        zero.consolidate_state_dict(to=0)
        full = zero.state_dict() if comm.rank == 0 else None
        full = comm.broadcast_object(full)
        plain = ddp.optim.Adam(model().parameters(), lr=1e-2)
        plain.load_state_dict(full)  # the unsharded layout
        again = ZeroRedundancyOptimizer(m.parameters(), ddp.optim.Adam, lr=1e-2)
        again.load_state_dict(full)
        return full, zero.state_nbytes(), again.state_nbytes()
    (full, a0, b0), (_, a1, b1) = dp.spawn(run, 2)
    assert sorted(full["state"]) == list(range(6)) and full["param_groups"][0]["params"] == list(range(6))
    assert (a0, a1) == (b0, b1)


def test_bad_arguments():
    with pytest.raises(TypeError, match="optimizer_class must be a ddp optimizer class"):
        ZeroRedundancyOptimizer(model().parameters(), "adam", process_group=dp.LocalCommunicator())
    with pytest.raises(NotImplementedError, match="overlap_with_ddp"):
        ZeroRedundancyOptimizer(model().parameters(), ddp.optim.SGD, overlap_with_ddp=True, lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        ZeroRedundancyOptimizer(model().parameters(), ddp.optim.SGD, process_group=dp.LocalCommunicator(), lr=-1)
