"""SyncBatchNorm on simulated ranks: N ranks with B/N samples each give BatchNorm's forward, gradients and
running statistics of one process with the whole batch; conversion, evaluation, gradcheck, errors."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.parallel as dp
from ddp.parallel.comm import LocalCommunicator
from ddp.parallel.data_parallel import DistributedDataParallel
from ddp.parallel.sync_batchnorm import SyncBatchNorm, SyncBatchNormFunction

B, STEPS = 12, 3


def data(step, shape):
    rng = np.random.default_rng(step)
    x = (rng.standard_normal((B,) + shape) * 2 + 1).astype(np.float32)
    return x, rng.standard_normal((B, 3) + shape[1:]).astype(np.float32)


def net(kind):
    ddp.manual_seed(0)
    if kind == "2d":
        return nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 3, 1)), (2, 4, 5)
    if kind == "1d_momentum_none":
        return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3, momentum=None)), (4,)
    return nn.Sequential(nn.Conv1d(2, 3, 1), nn.BatchNorm1d(3, affine=False)), (2, 7)


def train(kind, world_size, rank=0, comm=None):
    """SGD steps on the loss sum(out * r) / batch; returns outputs, input gradients, parameters, buffers."""
    model, shape = net(kind)
    shard = B // world_size
    if comm is not None:
        model = DistributedDataParallel(nn.SyncBatchNorm.convert_sync_batchnorm(model), comm)
    opt = ddp.optim.SGD(model.parameters(), lr=0.1)
    outs, gxs = [], []
    for step in range(STEPS):
        x, r = data(step, shape)
        x = ddp.tensor(x[rank * shard:(rank + 1) * shard], requires_grad=True)
        out = model(x)
        opt.zero_grad()
        (out * ddp.tensor(r[rank * shard:(rank + 1) * shard])).sum().div(shard).backward()
        opt.step()
        outs.append(out.detach().numpy().copy())
        gxs.append(x.grad.numpy() / world_size)  # rank r's gradient is of the sum of the ranks' losses
    return outs, gxs, [p.numpy().copy() for p in model.parameters()], [b.numpy().copy() for b in model.buffers()]


@pytest.mark.parametrize("kind", ["2d", "1d_momentum_none", "1d_no_affine"])
@pytest.mark.parametrize("world_size", [2, 3])
def test_ranks_equal_one_process_on_the_whole_batch(kind, world_size):
    outs, gxs, params, buffers = train(kind, 1)
    ranks = dp.spawn(lambda: train(kind, world_size, dp.get_rank(), dp.init()), world_size)
    shard = B // world_size
    for rank, (r_outs, r_gxs, r_params, r_buffers) in enumerate(ranks):
        for step in range(STEPS):
            np.testing.assert_allclose(r_outs[step], outs[step][rank * shard:(rank + 1) * shard], rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(r_gxs[step], gxs[step][rank * shard:(rank + 1) * shard], rtol=1e-4, atol=1e-6)
        for got, want in zip(r_params + r_buffers, params + buffers):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
        assert all(a.tobytes() == b.tobytes() for a, b in zip(r_params + r_buffers, ranks[0][2] + ranks[0][3]))


def test_gradcheck_of_the_fused_function():
    rng = np.random.default_rng(3)
    x = ddp.tensor(rng.standard_normal((5, 3, 2)), requires_grad=True)
    w = ddp.tensor(rng.uniform(0.5, 1.5, 3), requires_grad=True)
    b = ddp.tensor(rng.standard_normal(3), requires_grad=True)
    fn = lambda x, w, b: SyncBatchNormFunction.apply(x, w, b, None, None, momentum=0.1, eps=1e-5,  # noqa: E731
                                                     comm=LocalCommunicator())
    assert ddp.autograd.gradcheck(fn, (x, w, b))
    xs = x.detach().numpy()
    mean, var = xs.mean(axis=(0, 2), keepdims=True), xs.var(axis=(0, 2), keepdims=True)
    want = (xs - mean) / np.sqrt(var + 1e-5) * w.detach().numpy()[:, None] + b.detach().numpy()[:, None]
    np.testing.assert_allclose(fn(x, w, b).detach().numpy(), want, rtol=1e-12)


def test_convert_keeps_parameters_buffers_and_mode():
    inner = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    model = nn.Sequential(nn.Conv2d(1, 3, 1), nn.BatchNorm2d(3, eps=1e-3, momentum=0.2), inner, nn.LayerNorm(3))
    bn = model[1]
    bn.running_mean.fill_(0.5)
    model.eval()
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model, process_group="group")
    assert converted is model and isinstance(model[1], SyncBatchNorm) and isinstance(inner[1], SyncBatchNorm)
    assert model[1].weight is bn.weight and model[1].running_mean is bn.running_mean
    assert (model[1].eps, model[1].momentum, model[1].process_group, model[1].training) == (1e-3, 0.2, "group", False)
    assert isinstance(model[3], nn.LayerNorm)
    assert isinstance(nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(2)), SyncBatchNorm)
    assert nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(2, bias=False)).bias is None


def test_evaluation_uses_the_running_statistics_without_communication():
    def run():
        bn = nn.SyncBatchNorm(2)
        bn.running_mean.fill_(1.0)
        bn.eval()
        x = ddp.tensor(np.full((3 + dp.get_rank(), 2), 3.0, np.float32))  # uneven batches: no collective
        return bn(x).numpy()
    for out in dp.spawn(run, 2):
        np.testing.assert_allclose(out, 2 / np.sqrt(1 + 1e-5), rtol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match=r"expected at least 2D input \(got 1D input\)"):
        nn.SyncBatchNorm(3)(ddp.zeros(3))
    with pytest.raises(ValueError, match=r"SyncBatchNorm: expected input with 3 channels \(dim 1\), got shape \(2, 4\)"):
        nn.SyncBatchNorm(3)(ddp.zeros(2, 4))


def test_two_ranks_equal_torchs_batchnorm_on_the_whole_batch():
    torch = pytest.importorskip("torch")
    x, r = data(0, (3, 4, 5))

    def go():
        rank = dp.get_rank()
        bn = nn.SyncBatchNorm(3, momentum=0.3)
        part = ddp.tensor(x[rank * 6:(rank + 1) * 6], requires_grad=True)
        out = bn(part)
        (out * ddp.tensor(r[rank * 6:(rank + 1) * 6])).sum().backward()
        return out.detach().numpy(), part.grad.numpy(), bn.weight.grad.numpy(), bn.running_var.numpy().copy()
    ranks = dp.spawn(go, 2)
    theirs = torch.nn.BatchNorm2d(3, momentum=0.3)
    tx = torch.from_numpy(x).requires_grad_()
    tout = theirs(tx)
    (tout * torch.from_numpy(r)).sum().backward()
    np.testing.assert_allclose(np.concatenate([o for o, _, _, _ in ranks]), tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.concatenate([g for _, g, _, _ in ranks]), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ranks[0][2] + ranks[1][2], theirs.weight.grad.numpy(), rtol=1e-4)  # local sums
    np.testing.assert_allclose(ranks[0][3], theirs.running_var.numpy(), rtol=1e-5)
