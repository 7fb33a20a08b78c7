"""GroupNorm, InstanceNorm1d/2d/3d, BatchNorm3d: numpy references, float64 gradchecks, running statistics,
state-dict keys, errors, and torch parity of outputs, gradients and buffers."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

rng = np.random.default_rng(0)


def leaf(a):
    return ddp.tensor(np.asarray(a, dtype=np.float64), dtype=ddp.float64, requires_grad=True)


def ref_group_norm(x, groups, w=None, b=None, eps=1e-5):
    n, c = x.shape[:2]
    xg = x.reshape(n, groups, -1)
    xhat = ((xg - xg.mean(axis=2, keepdims=True)) / np.sqrt(xg.var(axis=2, keepdims=True) + eps)).reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return xhat * (1 if w is None else w.reshape(shape)) + (0 if b is None else b.reshape(shape))


@pytest.mark.parametrize("shape, groups", [((2, 6), 3), ((2, 6, 5), 2), ((3, 4, 3, 2), 4), ((1, 4, 2, 3), 1)])
def test_group_norm_matches_numpy_in_float32_and_gradchecks(shape, groups):
    x = rng.standard_normal(shape)
    w, b = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    out = F.group_norm(ddp.tensor(x.astype(np.float32)), groups, ddp.tensor(w.astype(np.float32)),
                       ddp.tensor(b.astype(np.float32)))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), ref_group_norm(x, groups, w, b), rtol=1e-4, atol=1e-5)
    assert ddp.autograd.gradcheck(lambda x, w, b: F.group_norm(x, groups, w, b), (leaf(x), leaf(w), leaf(b)))
    assert ddp.autograd.gradcheck(lambda x: F.group_norm(x, groups), (leaf(x),))


def test_instance_norm_gradchecks_and_updates_running_statistics():
    x = rng.standard_normal((3, 2, 4, 5)) * 2 + 1
    w, b = rng.standard_normal(2), rng.standard_normal(2)
    assert ddp.autograd.gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (leaf(x), leaf(w), leaf(b)))
    rm, rv = ddp.zeros(2, dtype=ddp.float64), ddp.ones(2, dtype=ddp.float64)
    out = F.instance_norm(ddp.tensor(x), rm, rv, momentum=0.3)
    np.testing.assert_allclose(out.numpy(), ref_group_norm(x, 2), rtol=1e-10)
    a = x.reshape(3, 2, -1)
    np.testing.assert_allclose(rm.numpy(), 0.3 * a.mean(axis=2).mean(axis=0))
    np.testing.assert_allclose(rv.numpy(), 0.7 + 0.3 * a.var(axis=2, ddof=1).mean(axis=0))
    by_stats = F.instance_norm(leaf(x), rm, rv, w, b, use_input_stats=False)
    expected = (x - rm.numpy()[:, None, None]) / np.sqrt(rv.numpy()[:, None, None] + 1e-5) * w[:, None, None] \
        + b[:, None, None]
    np.testing.assert_allclose(by_stats.numpy(), expected, rtol=1e-10)


def test_instance_norm2d_module_train_eval_and_unbatched_input():
    m = nn.InstanceNorm2d(3, affine=True, track_running_stats=True).double()
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    x = rng.standard_normal((2, 3, 4, 4))
    m(ddp.tensor(x))
    assert m.num_batches_tracked.item() == 0  # as PyTorch: instance norm does not count batches
    m.eval()
    one = m(ddp.tensor(x[0]))
    np.testing.assert_allclose(one.numpy(), m(ddp.tensor(x)).numpy()[0])
    assert list(nn.InstanceNorm2d(3).state_dict()) == [] and nn.InstanceNorm2d(3).weight is None


def test_batchnorm3d_gradchecks_and_checks_dims():
    m = nn.BatchNorm3d(2).double()
    x = leaf(rng.standard_normal((2, 2, 3, 2, 2)))
    assert ddp.autograd.gradcheck(lambda x, *p: m(x), (x, *m.parameters()))
    with pytest.raises(ValueError, match="expected 5D input"):
        m(ddp.randn(2, 2, 3))


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.group_norm(ddp.randn(2, 5, 3), 2), RuntimeError, r"divisible by num_groups.*\(2, 5, 3\).*=2"),
    (lambda: F.group_norm(ddp.randn(5), 1), RuntimeError, "at least 2 dimensions"),
    (lambda: F.group_norm(ddp.randn(2, 4), 2, ddp.ones(3)), RuntimeError, r"weight of shape \(3,\)"),
    (lambda: nn.GroupNorm(2, 5), ValueError, r"num_channels \(5\) must be divisible by num_groups \(2\)"),
    (lambda: F.instance_norm(ddp.randn(2, 3)), ValueError, "more than 1 spatial element"),
    (lambda: F.instance_norm(ddp.randn(2, 3, 4), use_input_stats=False), RuntimeError, "running_mean and running_var"),
    (lambda: nn.InstanceNorm1d(3)(ddp.randn(2, 3, 4, 4)), ValueError, "expected 2D or 3D input"),
    (lambda: nn.InstanceNorm2d(3, affine=True)(ddp.randn(2, 4, 5, 5)), ValueError, r"match num_features \(3\)"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


MODULES = [  # (name, arguments, keyword arguments, input shape)
    ("GroupNorm", (2, 4), {}, (3, 4, 5, 5)),
    ("GroupNorm", (3, 6), {"affine": False}, (2, 6, 7)),
    ("GroupNorm", (1, 4), {"bias": False, "eps": 1e-3}, (2, 4)),
    ("InstanceNorm1d", (3,), {}, (2, 3, 6)),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, (3, 6)),
    ("InstanceNorm2d", (3,), {}, (2, 3, 4, 5)),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True, "momentum": 0.2}, (2, 3, 4, 5)),
    ("InstanceNorm3d", (2,), {"affine": True}, (2, 2, 3, 3, 2)),
    ("BatchNorm3d", (3,), {}, (2, 3, 2, 3, 4)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", MODULES)
def test_modules_match_torch(name, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    m, tm = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.randn(p.shape))
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    for mode in ("train", "eval"):
        getattr(m, mode)(), getattr(tm, mode)()
        x = (rng.standard_normal(shape) * 2 + 0.5).astype(np.float32)
        xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, tout = m(xd), tm(xt)
        np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-5)
        g = rng.standard_normal(out.shape).astype(np.float32)
        out.backward(ddp.tensor(g))
        tout.backward(torch.tensor(g))
        np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
        for (k, p), (tk, tp) in zip(m.named_parameters(), tm.named_parameters()):
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-4, err_msg=k)
        for (k, v), (tk, tv) in zip(m.state_dict().items(), tm.state_dict().items()):
            np.testing.assert_allclose(v.numpy(), tv.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


def ref_lrn(x, size, alpha, beta, k):
    c = x.shape[1]
    sq = np.pad(x * x, [(0, 0), (size // 2, (size - 1) // 2)] + [(0, 0)] * (x.ndim - 2))
    div = np.stack([sq[:, i:i + size].sum(axis=1) for i in range(c)], axis=1) / size
    return x / (k + alpha * div) ** beta


@pytest.mark.parametrize("shape, size", [((2, 5, 3), 3), ((2, 6, 3, 4), 4), ((1, 3, 2, 2, 3), 5)])
def test_local_response_norm_reference_gradcheck_and_torch(shape, size):
    x = rng.standard_normal(shape) * 3
    out = F.local_response_norm(ddp.tensor(x), size, alpha=0.1, beta=0.75, k=2.0)
    np.testing.assert_allclose(out.numpy(), ref_lrn(x, size, 0.1, 0.75, 2.0), rtol=1e-10)
    assert ddp.autograd.gradcheck(lambda t: F.local_response_norm(t, size, 0.1, 0.75, 2.0), (leaf(x),))
    with pytest.raises(ValueError, match="Expected 3D or higher dimensionality input"):
        F.local_response_norm(ddp.randn(3, 4), 2)
    torch = pytest.importorskip("torch")
    m, tm = nn.LocalResponseNorm(size, 0.1, 0.75, 2.0), torch.nn.LocalResponseNorm(size, 0.1, 0.75, 2.0)
    assert repr(m) == repr(tm)
    x32 = x.astype(np.float32)
    xd, xt = ddp.tensor(x32, requires_grad=True), torch.tensor(x32, requires_grad=True)
    out, tout = m(xd), tm(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
