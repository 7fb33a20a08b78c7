"""1-D pooling (MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d and their F forms): numpy
references, float64 gradchecks, indices, errors, reprs and torch parity."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

rng = np.random.default_rng(0)


def leaf(a):
    return ddp.tensor(np.asarray(a, dtype=np.float64), dtype=ddp.float64, requires_grad=True)


def distinct(*shape):
    return rng.permutation(int(np.prod(shape))).reshape(shape) / 7.0  # no ties: gradients are well defined


def test_max_and_avg_pool1d_match_numpy_and_gradcheck():
    x = distinct(2, 3, 10)
    windows = np.stack([x[..., i:i + 3] for i in range(0, 8, 2)], axis=2)  # kernel 3, stride 2
    out, idx = F.max_pool1d(ddp.tensor(x), 3, 2, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), windows.max(-1))
    np.testing.assert_array_equal(idx.numpy(), np.arange(0, 8, 2) + windows.argmax(-1))
    np.testing.assert_allclose(F.avg_pool1d(ddp.tensor(x), 3, 2).numpy(), windows.mean(-1), rtol=1e-12)
    assert ddp.autograd.gradcheck(lambda t: F.max_pool1d(t, 3, 2, padding=1), (leaf(x),))
    assert ddp.autograd.gradcheck(lambda t: F.avg_pool1d(t, 4, 3, padding=2, ceil_mode=True,
                                                         count_include_pad=False), (leaf(x),))
    assert ddp.autograd.gradcheck(lambda t: F.adaptive_avg_pool1d(t, 4), (leaf(x),))
    assert ddp.autograd.gradcheck(lambda t: F.adaptive_max_pool1d(t, 3), (leaf(x),))


def test_unbatched_input_and_errors():
    x = ddp.randn(3, 9)
    assert F.max_pool1d(x, 2).shape == (3, 4) and F.adaptive_avg_pool1d(x, 1).shape == (3, 1)
    with pytest.raises(RuntimeError, match="max_pool1d: Expected 2D or 3D"):
        F.max_pool1d(ddp.randn(2, 3, 4, 5), 2)
    with pytest.raises(TypeError, match="kernel_size must be an int or a 1-tuple"):
        F.avg_pool1d(ddp.randn(2, 3, 8), (2, 2))


MODULES = [  # (name, arguments, input shape)
    ("MaxPool1d", (3,), (2, 4, 11)), ("MaxPool1d", (3, 2, 1, 2, False, True), (2, 4, 12)),
    ("AvgPool1d", (3,), (2, 4, 11)), ("AvgPool1d", (4, 2, 1, True, False), (3, 13)),
    ("AdaptiveAvgPool1d", (4,), (2, 4, 11)), ("AdaptiveMaxPool1d", (5,), (2, 4, 11)),
]


@pytest.mark.parametrize("name, args, shape", MODULES)
def test_modules_match_torch(name, args, shape):
    torch = pytest.importorskip("torch")
    m, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(m) == repr(tm)
    x = rng.standard_normal(shape).astype(np.float32)
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(xd), tm(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-6, atol=1e-7)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_indices_match_torch():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 14)).astype(np.float32)
    for fn, args in (("max_pool1d", (3, 2, 1, 2, True, True)), ("adaptive_max_pool1d", (5, True))):
        _, idx = getattr(F, fn)(ddp.tensor(x), *args)
        _, tidx = getattr(torch.nn.functional, fn)(torch.tensor(x), *args)
        np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
