"""Linear on inputs with leading dims (..., in): computed as one (rows, in) product; gradcheck, a numpy
reference, empty dims, and PyTorch parity."""
import numpy as np
import pytest

import ddp
from ddp.core.gradcheck import gradcheck
from ddp.core.tensor import Tensor

SHAPES = [(2, 3, 4), (2, 3, 2, 4), (3, 4), (4,)]


def _rand(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("shape", SHAPES)
def test_gradcheck_and_numpy_reference(shape):
    x, w, b = _rand(*shape, seed=1), _rand(5, 4, seed=2), _rand(5, seed=3)
    assert gradcheck(lambda x, w, b: ddp.nn.functional.linear(x, w, b), (x, w, b))
    assert gradcheck(lambda x, w: ddp.nn.functional.linear(x, w), (x, w))
    out = ddp.nn.functional.linear(x, w, b)
    np.testing.assert_allclose(out.numpy(), x.numpy() @ w.numpy().T + b.numpy(), atol=1e-12)


def test_empty_leading_dims_and_transposed_input():
    w = ddp.randn(5, 4, requires_grad=True)
    x = ddp.zeros(2, 0, 4, requires_grad=True)
    out = ddp.nn.functional.linear(x, w)
    assert out.shape == (2, 0, 5)
    out.sum().backward()
    assert x.grad.shape == (2, 0, 4) and np.all(w.grad.numpy() == 0)
    y = ddp.randn(4, 3, 2).transpose(0, 2)  # (2, 3, 4), not contiguous
    np.testing.assert_allclose(ddp.nn.functional.linear(y, w).numpy(), y.numpy() @ w.numpy().T, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("shape", SHAPES)
def test_matches_torch(shape):
    torch = pytest.importorskip("torch")
    x, w, b = _rand(*shape, seed=4), _rand(5, 4, seed=5), _rand(5, seed=6)
    tx, tw, tb = (torch.tensor(t.numpy(), requires_grad=True) for t in (x, w, b))
    out, out_t = ddp.nn.functional.linear(x, w, b), torch.nn.functional.linear(tx, tw, tb)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-12)
    g = np.random.default_rng(7).standard_normal(out.shape)
    out.backward(Tensor(g))
    out_t.backward(torch.from_numpy(g))
    for a, t in ((x, tx), (w, tw), (b, tb)):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), atol=1e-12)
