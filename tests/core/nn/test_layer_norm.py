"""F.layer_norm's row/column-product form: gradcheck over one and two normalised dims with and without
weight and bias, a numpy reference, float32 dtype, and PyTorch parity."""
import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
from ddp.core.gradcheck import gradcheck
from ddp.core.tensor import Tensor

CASES = [((3, 4, 5), (5,), True, True), ((2, 3, 4), (3, 4), True, False), ((2, 3, 4), (3, 4), False, True),
         ((6,), (6,), False, False)]


def _inputs(shape, normalized, with_weight, with_bias, dtype=np.float64):
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
    w = Tensor(rng.standard_normal(normalized).astype(dtype), requires_grad=True) if with_weight else None
    b = Tensor(rng.standard_normal(normalized).astype(dtype), requires_grad=True) if with_bias else None
    return x, w, b


def _reference(x, normalized, w, b, eps=1e-5):
    axes = tuple(range(x.ndim - len(normalized), x.ndim))
    mean = x.mean(axes, keepdims=True)
    out = (x - mean) / np.sqrt(((x - mean) ** 2).mean(axes, keepdims=True) + eps)
    return out * (1 if w is None else w) + (0 if b is None else b)


@pytest.mark.parametrize("shape, normalized, with_weight, with_bias", CASES)
def test_gradcheck_and_numpy_reference(shape, normalized, with_weight, with_bias):
    x, w, b = _inputs(shape, normalized, with_weight, with_bias)
    given = [t for t in (x, w, b) if t is not None]

    def fn(*tensors):
        it = iter(tensors)
        return F.layer_norm(next(it), normalized, next(it) if with_weight else None, next(it) if with_bias else None)

    assert gradcheck(fn, tuple(given))
    want = _reference(x.numpy(), normalized, None if w is None else w.numpy(), None if b is None else b.numpy())
    np.testing.assert_allclose(fn(*given).numpy(), want, atol=1e-12)


def test_float32_and_empty_batch():
    x, w, b = _inputs((4, 8), (8,), True, True, np.float32)
    out = F.layer_norm(x, (8,), w, b)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32
    assert F.layer_norm(ddp.zeros(2, 0, 4), (4,)).shape == (2, 0, 4)


@pytest.mark.parametrize("shape, normalized, with_weight, with_bias", CASES)
def test_matches_torch(shape, normalized, with_weight, with_bias):
    torch = pytest.importorskip("torch")
    ours = _inputs(shape, normalized, with_weight, with_bias)
    theirs = [None if t is None else torch.tensor(t.numpy(), requires_grad=True) for t in ours]
    out = F.layer_norm(ours[0], normalized, ours[1], ours[2])
    out_t = torch.nn.functional.layer_norm(theirs[0], normalized, theirs[1], theirs[2])
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-12)
    g = np.random.default_rng(1).standard_normal(shape)
    out.backward(Tensor(g))
    out_t.backward(torch.from_numpy(g))
    for a, t in zip(ours, theirs):
        if a is not None:
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), atol=1e-12)
