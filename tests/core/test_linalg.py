"""matmul (1-D, 2-D, batched and broadcast) and the fused linear."""
import numpy as np
import pytest

import ddp
from op_helpers import forward32, gradcheck, sample

MATMUL = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
          ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (3, 3, 2)), ((5, 2, 3), (3,)),
          ((3,), (5, 3, 4))]


@pytest.mark.parametrize("sa,sb", MATMUL, ids=str)
def test_matmul(sa, sb):
    a, b = sample(sa, seed=1), sample(sb, seed=2)
    assert gradcheck(ddp.matmul, a, b)
    forward32(lambda x, y: x @ y, np.matmul, a, b, rtol=1e-5, atol=1e-5)


def test_mm_bmm_and_rmatmul():
    a, b = sample((2, 3)), sample((3, 4), seed=1)
    np.testing.assert_allclose(ddp.mm(ddp.tensor(a), ddp.tensor(b)).numpy(), a @ b, rtol=1e-5)
    assert gradcheck(ddp.bmm, sample((2, 2, 3)), sample((2, 3, 1)))
    y = np.ones((3, 2), dtype=np.float32) @ ddp.ones(2, 4)
    assert isinstance(y, ddp.Tensor) and y.shape == (3, 4)


@pytest.mark.parametrize("xs", [(4, 3), (2, 4, 3), (3,)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_linear(xs, bias):
    x, w, b = sample(xs), sample((5, 3), seed=1), sample((5,), seed=2)
    if bias:
        assert gradcheck(ddp.linear, x, w, b)
        forward32(ddp.linear, lambda x, w, b: x @ w.T + b, x, w, b, atol=1e-5)
    else:
        assert gradcheck(ddp.linear, x, w)
        forward32(ddp.linear, lambda x, w: x @ w.T, x, w, atol=1e-5)


def test_matmul_keeps_float32():
    a = ddp.randn(4, 3, requires_grad=True)
    y = a @ ddp.randn(3, 2)
    y.sum().backward()
    assert y.dtype == np.float32 and a.grad.dtype == np.float32
