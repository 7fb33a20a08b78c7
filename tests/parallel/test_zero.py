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
    params = list(model().parameters())
    total = sum(p.numel() for p in params) * 4 * 2 + 4 * len(params)  # Adam: two float32 moments, a step each
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


def test_one_rank_matches_pytorchs_zero_redundancy_optimizer(tmp_path):
    torch = pytest.importorskip("torch")
    import torch.distributed as tdist
    from torch.distributed.optim import ZeroRedundancyOptimizer as TorchZero

    if not tdist.is_initialized():
        tdist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        ddp.manual_seed(0)
        mine = model()
        theirs = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16),
                                     torch.nn.ReLU(), torch.nn.Linear(16, 3))
        theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.state_dict().items()})
        ours = ZeroRedundancyOptimizer(mine.parameters(), ddp.optim.Adam, process_group=dp.LocalCommunicator(), lr=1e-2)
        ref = TorchZero(theirs.parameters(), torch.optim.Adam, lr=1e-2)
        for step in range(20):
            x, y = batch(0, step)
            ours.zero_grad()
            F.cross_entropy(mine(x), y).backward()
            ours.step()
            ref.zero_grad()
            torch.nn.functional.cross_entropy(theirs(torch.tensor(x.numpy())), torch.tensor(y.numpy())).backward()
            ref.step()
        for (name, p), q in zip(mine.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=name)
        ours.consolidate_state_dict(to=0)
        ref.consolidate_state_dict(to=0)
        a, b = ours.state_dict(), ref.state_dict()
        assert sorted(a["state"]) == sorted(b["state"])
        assert [g["params"] for g in a["param_groups"]] == [g["params"] for g in b["param_groups"]]
    finally:
        tdist.destroy_process_group()
