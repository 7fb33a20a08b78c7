"""linalg.matrix_power, multi_dot, vecdot and diagonal (compositions of differentiable ops)."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf, sample


def wellcond(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 0.5 + np.eye(shape[-1])


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -2])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)], ids=str)
def test_matrix_power(n, shape):
    a = wellcond(shape)
    np.testing.assert_allclose(ddp.linalg.matrix_power(ddp.tensor(a), n).numpy(), np.linalg.matrix_power(a, n),
                               rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda A: ddp.linalg.matrix_power(A, n), a)


def test_matrix_power_zero_stays_in_the_graph_and_keeps_float32():
    A = leaf(wellcond((2, 2)), np.float32)
    y = ddp.linalg.matrix_power(A, 0)
    assert y.requires_grad and y.dtype == ddp.float32
    y.sum().backward()
    np.testing.assert_array_equal(A.grad.numpy(), np.zeros((2, 2)))
    with pytest.raises(TypeError, match="int"):
        ddp.linalg.matrix_power(A, 1.5)


@pytest.mark.parametrize("shapes", [[(2, 3), (3, 4)], [(3,), (3, 4), (4, 2)], [(2, 3), (3, 4), (4,)],
                                    [(3,), (3, 4), (4, 5), (5,)]], ids=str)
def test_multi_dot(shapes):
    arrays = [sample(s, seed=i) for i, s in enumerate(shapes)]
    out = ddp.linalg.multi_dot([ddp.tensor(a) for a in arrays]).numpy()
    np.testing.assert_allclose(out, np.linalg.multi_dot(arrays), rtol=1e-10)
    assert gradcheck(lambda *xs: ddp.linalg.multi_dot(xs), *arrays)


def test_multi_dot_errors():
    with pytest.raises(RuntimeError, match="at least 2"):
        ddp.linalg.multi_dot([ddp.ones(2, 2)])
    with pytest.raises(RuntimeError, match="2-D"):
        ddp.linalg.multi_dot([ddp.ones(2, 2), ddp.ones(2), ddp.ones(2, 2)])
    with pytest.raises(RuntimeError, match="chain"):
        ddp.linalg.multi_dot([ddp.ones(2, 3), ddp.ones(2, 2)])


@pytest.mark.parametrize("sx,sy,dim", [((3,), (3,), -1), ((2, 3), (3,), -1), ((2, 3), (2, 1), 0),
                                       ((4, 2, 3), (2, 3), 1)], ids=str)
def test_vecdot(sx, sy, dim):
    x, y = sample(sx, seed=1), sample(sy, seed=2)
    np.testing.assert_allclose(ddp.linalg.vecdot(ddp.tensor(x), ddp.tensor(y), dim=dim).numpy(),
                               np.sum(x * y, axis=dim), rtol=1e-12)
    assert gradcheck(lambda a, b: ddp.linalg.vecdot(a, b, dim=dim), x, y)


@pytest.mark.parametrize("shape,offset,d1,d2", [((3, 4), 0, -2, -1), ((3, 4), 1, -2, -1), ((3, 4), -2, -2, -1),
                                                ((2, 3, 4), 0, 0, 2), ((2, 3, 4), 1, 2, 0), ((3, 4), 9, 0, 1)],
                         ids=str)
def test_diagonal(shape, offset, d1, d2):
    x = sample(shape)
    out = ddp.linalg.diagonal(ddp.tensor(x), offset=offset, dim1=d1, dim2=d2).numpy()
    np.testing.assert_array_equal(out, np.diagonal(x, offset, d1, d2))
    if out.size:
        assert gradcheck(lambda a: ddp.linalg.diagonal(a, offset=offset, dim1=d1, dim2=d2), x)
    with pytest.raises(RuntimeError, match="differ"):
        ddp.linalg.diagonal(ddp.tensor(x), dim1=0, dim2=0)


def test_against_torch():
    torch = pytest.importorskip("torch")
    a = wellcond((2, 3, 3))
    for n in (0, 3, -2):
        np.testing.assert_allclose(ddp.linalg.matrix_power(ddp.tensor(a), n).numpy(),
                                   torch.linalg.matrix_power(torch.tensor(a), n).numpy(), rtol=1e-10, atol=1e-12)
    x = sample((2, 3, 4))
    for kw in ({}, {"offset": 1, "dim1": 0, "dim2": 2}, {"offset": -1, "dim1": 2, "dim2": 1}):
        np.testing.assert_array_equal(ddp.linalg.diagonal(ddp.tensor(x), **kw).numpy(),
                                      torch.linalg.diagonal(torch.tensor(x), **kw).numpy())
    y = sample((3, 4), seed=3)
    np.testing.assert_allclose(ddp.linalg.vecdot(ddp.tensor(x), ddp.tensor(y)).numpy(),
                               torch.linalg.vecdot(torch.tensor(x), torch.tensor(y)).numpy(), rtol=1e-12)
