"""Lazy modules (infer the input size on the first call, then become the ordinary layer), their
UninitializedParameter / UninitializedBuffer placeholders, and nn.Buffer; against torch where installed."""
import copy

import numpy as np
import pytest

import ddp
import ddp.nn as nn


def _t(torch, x):
    return torch.from_numpy(np.array(x.numpy()))


LAYERS = [  # (ddp class, torch class name, constructor args, input shape, becomes)
    (nn.LazyLinear, "LazyLinear", (4,), (2, 3, 5), nn.Linear),
    (nn.LazyConv1d, "LazyConv1d", (4, 3), (2, 6, 9), nn.Conv1d),
    (nn.LazyConv1d, "LazyConv1d", (4, 3), (6, 9), nn.Conv1d),  # unbatched: channels are dim 0
    (nn.LazyConv2d, "LazyConv2d", (6, 3, 1, 1, 1, 2), (2, 4, 5, 5), nn.Conv2d),  # groups=2
    (nn.LazyConvTranspose1d, "LazyConvTranspose1d", (4, 3, 2), (2, 6, 5), nn.ConvTranspose1d),
    (nn.LazyConvTranspose2d, "LazyConvTranspose2d", (4, 3, 1, 0, 0, 2), (2, 6, 5, 5), nn.ConvTranspose2d),
    (nn.LazyBatchNorm1d, "LazyBatchNorm1d", (), (8, 3), nn.BatchNorm1d),
    (nn.LazyBatchNorm2d, "LazyBatchNorm2d", (), (4, 3, 2, 2), nn.BatchNorm2d),
    (nn.LazyBatchNorm3d, "LazyBatchNorm3d", (), (2, 3, 2, 2, 2), nn.BatchNorm3d),
    (nn.LazyInstanceNorm1d, "LazyInstanceNorm1d", (), (2, 3, 6), nn.InstanceNorm1d),
    (nn.LazyInstanceNorm2d, "LazyInstanceNorm2d", (), (2, 3, 4, 4), nn.InstanceNorm2d),
    (nn.LazyInstanceNorm3d, "LazyInstanceNorm3d", (), (2, 3, 2, 3, 3), nn.InstanceNorm3d),
]


@pytest.mark.parametrize("cls, torch_name, args, shape, becomes", LAYERS)
def test_lazy_layer_matches_torch(cls, torch_name, args, shape, becomes):
    torch = pytest.importorskip("torch")
    m, tm = cls(*args), getattr(torch.nn, torch_name)(*args)
    assert m.has_uninitialized_params()
    assert list(m.state_dict()) == list(tm.state_dict())
    assert repr(m) == repr(tm)
    x = ddp.randn(*shape)
    out = m(x)
    tout = tm(_t(torch, x))  # materialises torch's parameters; copy ours in and compare a second call
    assert type(m) is becomes and not m._forward_pre_hooks
    assert tuple(out.shape) == tuple(tout.shape)
    assert list(m.state_dict()) == list(tm.state_dict())
    for (name, a), (tname, b) in zip(m.state_dict().items(), tm.state_dict().items()):
        assert name == tname and tuple(a.shape) == tuple(b.shape) and a.dtype.name == str(b.dtype).split(".")[-1]
    with torch.no_grad():
        for name, value in m.state_dict().items():
            tm.state_dict()[name].copy_(_t(torch, value))
    np.testing.assert_allclose(m(x).detach().numpy(), tm(_t(torch, x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_defaults_after_first_call():
    fc = nn.LazyLinear(3)
    fc(ddp.randn(2, 7))
    assert fc.in_features == 7 and fc.weight.shape == (3, 7) and isinstance(fc.weight, nn.Parameter)
    bound = 1 / np.sqrt(7)
    assert np.abs(fc.weight.numpy()).max() <= bound and np.abs(fc.bias.numpy()).max() <= bound
    bn = nn.LazyBatchNorm1d()
    bn(ddp.randn(5, 4))
    assert bn.num_features == 4 and bn.num_batches_tracked.item() == 1
    np.testing.assert_array_equal(bn.weight.numpy(), np.ones(4))
    norm = nn.LazyInstanceNorm1d(affine=False, track_running_stats=False)
    norm(ddp.randn(3, 5))  # unbatched (C, L): C is dim 0
    assert norm.num_features == 3 and norm.weight is None and norm.running_mean is None
    nobias = nn.LazyConv2d(2, 1, bias=False)
    nobias(ddp.randn(1, 3, 2, 2))
    assert nobias.bias is None and nobias.weight.shape == (2, 3, 1, 1)


def test_placeholders_refuse_shape_questions():
    fc = nn.LazyLinear(3)
    w = fc.weight
    assert isinstance(w, nn.UninitializedParameter) and isinstance(w, nn.Parameter)
    assert repr(w) == "<UninitializedParameter>" and w.requires_grad and w.dtype == ddp.float32
    with pytest.raises(RuntimeError, match="shape of an UninitializedParameter is unknown"):
        w.shape
    with pytest.raises(ValueError, match="first forward"):
        w.numel()
    with pytest.raises(ValueError, match="first forward"):
        w.dim()
    fc(ddp.randn(1, 2))
    assert w is fc.weight and type(w) is nn.Parameter  # materialised in place: references stay valid


def test_materialize_directly():
    p = nn.UninitializedParameter(dtype=ddp.float64)
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.dtype == ddp.float64 and p.requires_grad
    b = nn.UninitializedBuffer()
    b.materialize((4,), dtype=ddp.float64)
    assert type(b) is ddp.Tensor and b.shape == (4,) and not b.requires_grad


def test_optimizer_after_first_forward_trains():
    model = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    x, y = ddp.randn(16, 5), ddp.randn(16, 1)
    model(x)
    opt = ddp.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert [type(m) for m in model] == [nn.Linear, nn.ReLU, nn.Linear]


def test_to_dtype_before_the_first_call():
    m = nn.Sequential(nn.LazyLinear(3), nn.LazyBatchNorm1d()).double()
    m(ddp.randn(4, 2, dtype=ddp.float64))
    assert all(t.dtype == ddp.float64 for t in m.parameters())
    assert m[1].running_mean.dtype == ddp.float64


def test_load_state_dict_materializes():
    src = nn.Linear(4, 3)
    lazy = nn.LazyLinear(3)
    lazy.load_state_dict(src.state_dict())
    assert not lazy.has_uninitialized_params() and lazy.weight.shape == (3, 4)
    np.testing.assert_array_equal(lazy.weight.numpy(), src.weight.numpy())
    x = ddp.randn(2, 4)
    np.testing.assert_array_equal(lazy(x).detach().numpy(), src(x).detach().numpy())
    assert type(lazy) is nn.Linear and lazy.in_features == 4
    other = nn.LazyLinear(3)
    other.load_state_dict(nn.LazyLinear(3).state_dict())  # lazy into lazy: still uninitialised
    assert other.has_uninitialized_params()


def test_deepcopy_keeps_placeholders():
    m = nn.LazyBatchNorm2d()
    c = copy.deepcopy(m)
    assert isinstance(c.weight, nn.UninitializedParameter) and isinstance(c.running_mean, nn.UninitializedBuffer)
    c(ddp.randn(2, 3, 2, 2))
    assert type(c) is nn.BatchNorm2d and type(m) is nn.LazyBatchNorm2d


def test_lazy_errors():
    with pytest.raises(ValueError, match="not divisible by groups=2"):
        nn.LazyConv1d(4, 3, groups=2)(ddp.randn(2, 3, 8))
    with pytest.raises(RuntimeError, match="expects a 3D \\(unbatched\\) or 4D"):
        nn.LazyConv2d(4, 3)(ddp.randn(3, 8))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.LazyBatchNorm2d()(ddp.randn(3, 8))


def test_buffer_registration_matches_torch():
    torch = pytest.importorskip("torch")

    def build(lib):
        m = lib.nn.Module()
        m.steps = lib.nn.Buffer(lib.zeros(()))
        m.scratch = lib.nn.Buffer(lib.ones(2), persistent=False)
        m.w = lib.nn.Parameter(lib.ones(1))
        m.steps = lib.nn.Buffer(lib.ones(()))  # reassigning keeps the place
        return m

    m, tm = build(ddp), build(torch)
    assert list(m.state_dict()) == list(tm.state_dict()) == ["w", "steps"]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert isinstance(m.steps, nn.Buffer) and not isinstance(ddp.ones(1), nn.Buffer)
    assert m.steps.item() == 1.0
    with pytest.raises(TypeError):
        m.w = nn.Buffer(ddp.ones(1))
    with pytest.raises(TypeError):
        tm.w = torch.nn.Buffer(torch.ones(1))
    x = ddp.ones(2)
    m.shared = nn.Buffer(x)
    assert np.shares_memory(m.shared.numpy(), x.numpy())  # a Buffer shares its tensor's memory
