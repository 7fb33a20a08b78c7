"""nn.DataParallel (and nn.parallel.data_parallel) on a machine without GPUs, as torch's: the module runs
unchanged, `.module` holds it and state-dict keys carry the "module." prefix; nn.SyncBatchNorm is
reachable from ddp.nn."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn


class _Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x, scale=1.0):
        return self.fc(x) * scale


def test_forward_and_attributes():
    inner = _Scaled()
    model = nn.DataParallel(inner, device_ids=[0, 1], output_device=0, dim=1)
    x = ddp.randn(5, 4)
    np.testing.assert_array_equal(model(x).detach().numpy(), inner(x).detach().numpy())
    np.testing.assert_array_equal(model(x, scale=2.0).detach().numpy(), inner(x, 2.0).detach().numpy())
    assert model.module is inner and model.device_ids == []
    assert list(model.parameters()) == [inner.fc.weight, inner.fc.bias]
    assert nn.parallel.DataParallel is nn.DataParallel


def test_state_dict_and_repr_match_torch():
    torch = pytest.importorskip("torch")
    model = nn.DataParallel(nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3)))
    tmodel = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3)))
    assert list(model.state_dict()) == list(tmodel.state_dict())
    assert repr(model) == repr(tmodel)
    model.load_state_dict({k: ddp.tensor(v.numpy()) for k, v in tmodel.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    model.eval()
    tmodel.eval()
    np.testing.assert_allclose(model(ddp.tensor(x)).detach().numpy(), tmodel(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    plain = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    plain.load_state_dict({k[len("module."):]: v for k, v in model.state_dict().items()})


def test_trains_through_the_wrapper():
    model = nn.DataParallel(nn.Linear(3, 1))
    opt = ddp.optim.SGD(model.parameters(), lr=0.1)
    before = model.module.weight.detach().numpy().copy()
    model(ddp.randn(8, 3)).pow(2).mean().backward()
    opt.step()
    assert not np.array_equal(before, model.module.weight.detach().numpy())


def test_data_parallel_function():
    inner = nn.Linear(2, 2)
    x = ddp.randn(3, 2)
    np.testing.assert_array_equal(nn.parallel.data_parallel(inner, x).detach().numpy(), inner(x).detach().numpy())
    np.testing.assert_array_equal(nn.parallel.data_parallel(inner, (x,), module_kwargs={}).detach().numpy(),
                                  inner(x).detach().numpy())


def test_sync_batchnorm_is_reachable_from_nn():
    from ddp.nn import SyncBatchNorm

    assert SyncBatchNorm is nn.SyncBatchNorm is ddp.parallel.SyncBatchNorm
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm2d(3)))
    assert isinstance(converted[0], nn.SyncBatchNorm)
