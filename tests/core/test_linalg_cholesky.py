"""linalg.cholesky (and ddp.cholesky, Tensor.cholesky), linalg.solve_triangular, cholesky_solve: values,
float64 gradient checks (symmetrised inputs for cholesky), float32, batches, errors, torch."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, gradcheck, leaf


def spd(shape, seed=0):
    """Symmetric positive-definite matrices of `shape` (..., n, n)."""
    m = np.random.default_rng(seed).standard_normal(shape)
    return m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])


def triangular(shape, seed=0):
    """Well-conditioned triangular matrices (diagonal away from 0), with noise in the other triangle that the
    solve must ignore."""
    m = np.random.default_rng(seed).standard_normal(shape) + 3 * np.eye(shape[-1])
    return m


def sym(A):
    return (A + A.mT) / 2


SHAPES = [(3, 3), (2, 3, 3), (2, 1, 4, 4), (1, 1)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_gradient_and_value(shape, upper):
    a = spd(shape)
    assert gradcheck(lambda A: ddp.linalg.cholesky(sym(A), upper=upper), a)
    out = ddp.linalg.cholesky(ddp.tensor(a), upper=upper).numpy()
    low = np.linalg.cholesky(a)
    np.testing.assert_allclose(out, np.swapaxes(low, -1, -2) if upper else low, rtol=1e-10, atol=1e-12)


def test_cholesky_aliases_and_method():
    a = ddp.tensor(spd((2, 3, 3)))
    np.testing.assert_allclose(ddp.cholesky(a).numpy(), ddp.linalg.cholesky(a).numpy())
    np.testing.assert_allclose(a.cholesky(upper=True).numpy(), ddp.linalg.cholesky(a, upper=True).numpy())


def test_cholesky_reads_the_lower_triangle_and_gives_a_symmetric_gradient():
    a = spd((3, 3))
    noisy = np.tril(a) + np.triu(np.full((3, 3), 100.0), 1)
    np.testing.assert_allclose(ddp.linalg.cholesky(ddp.tensor(noisy)).numpy(), np.linalg.cholesky(a))
    A = leaf(a)
    ddp.linalg.cholesky(A).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), A.grad.numpy().T, atol=1e-14)


def test_cholesky_not_positive_definite():
    with pytest.raises(ddp.linalg.LinAlgError, match="linalg.cholesky.*positive-definite"):
        ddp.linalg.cholesky(-ddp.eye(3))
    with pytest.raises(RuntimeError, match="square"):
        ddp.linalg.cholesky(ddp.ones(2, 3))


def test_cholesky_float32():
    A = leaf(spd((2, 3, 3)), np.float32)
    L = ddp.linalg.cholesky(A)
    assert L.dtype == ddp.float32
    L.sum().backward()
    assert A.grad.dtype == ddp.float32


TRI = [((3, 3), (3, 2)), ((2, 3, 3), (3, 1)), ((3, 3), (2, 3, 4)), ((2, 1, 3, 3), (4, 3, 2))]


@pytest.mark.parametrize("sa,sb", TRI, ids=str)
@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular(sa, sb, upper, unit):
    a, b = triangular(sa), np.random.default_rng(1).standard_normal(sb)
    t = np.triu(a) if upper else np.tril(a)
    if unit:
        t = t - t * np.eye(sa[-1]) + np.eye(sa[-1])
    x = ddp.linalg.solve_triangular(ddp.tensor(a), ddp.tensor(b), upper=upper, unitriangular=unit).numpy()
    np.testing.assert_allclose(x, np.linalg.solve(t, b), rtol=1e-10)
    assert gradcheck(lambda A, B: ddp.linalg.solve_triangular(A, B, upper=upper, unitriangular=unit), a, b)


@pytest.mark.parametrize("upper", [False, True])
def test_solve_triangular_right(upper):
    a, b = triangular((2, 3, 3)), np.random.default_rng(1).standard_normal((2, 4, 3))
    t = np.triu(a) if upper else np.tril(a)
    x = ddp.linalg.solve_triangular(ddp.tensor(a), ddp.tensor(b), upper=upper, left=False).numpy()
    np.testing.assert_allclose(x @ t, b, atol=1e-10)
    assert gradcheck(lambda A, B: ddp.linalg.solve_triangular(A, B, upper=upper, left=False), a, b)


def test_solve_triangular_zero_diagonal_gives_inf_not_an_error():
    x = ddp.linalg.solve_triangular(ddp.zeros(2, 2), ddp.ones(2, 1), upper=True).numpy()
    assert np.isnan(x[0, 0]) and np.isinf(x[1, 0])
    x = ddp.linalg.solve_triangular(ddp.tensor([[0.0, 0.0], [1.0, 1.0]]), ddp.ones(2, 1), upper=False).numpy()
    assert np.isinf(x[0, 0])


def test_solve_triangular_errors():
    with pytest.raises(RuntimeError, match="at least 2"):
        ddp.linalg.solve_triangular(ddp.eye(3), ddp.ones(3), upper=True)
    with pytest.raises(RuntimeError, match="do not fit"):
        ddp.linalg.solve_triangular(ddp.eye(3), ddp.ones(2, 1), upper=True)
    with pytest.raises(TypeError):
        ddp.linalg.solve_triangular(ddp.eye(3), ddp.ones(3, 1))  # upper is required, as in torch


def test_cholesky_solve():
    a, b = spd((2, 3, 3)), np.random.default_rng(2).standard_normal((2, 3, 2))
    low = np.linalg.cholesky(a)
    x = ddp.cholesky_solve(ddp.tensor(b), ddp.tensor(low)).numpy()
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-10)
    xu = ddp.tensor(b).cholesky_solve(ddp.tensor(np.swapaxes(low, -1, -2)), upper=True).numpy()
    np.testing.assert_allclose(xu, x, rtol=1e-10)
    assert gradcheck(lambda B, L: ddp.cholesky_solve(B, L.tril()), b, low)


@pytest.mark.parametrize("upper", [False, True])
def test_against_torch(upper):
    torch = pytest.importorskip("torch")
    a, b = spd((2, 3, 3)), np.random.default_rng(1).standard_normal((2, 3, 2))
    against_torch(lambda A: ddp.linalg.cholesky(A, upper=upper), lambda A: torch.linalg.cholesky(A, upper=upper), a)
    t = triangular((2, 3, 3))
    for left in (True, False):
        bb = b if left else np.swapaxes(b, -1, -2)
        against_torch(lambda A, B: ddp.linalg.solve_triangular(A, B, upper=upper, left=left),
                 lambda A, B: torch.linalg.solve_triangular(A, B, upper=upper, left=left), t, bb)
    against_torch(lambda A, B: ddp.linalg.solve_triangular(A, B, upper=upper, unitriangular=True),
             lambda A, B: torch.linalg.solve_triangular(A, B, upper=upper, unitriangular=True), t, b)
    low = np.linalg.cholesky(a)
    f = np.swapaxes(low, -1, -2) if upper else low
    # torch's gradient for the factor is dense (as if both triangles were read); ddp's is the derivative of
    # what the forward reads, 0 off the factor's triangle: they agree on the triangle
    tri = np.triu(np.ones((3, 3), dtype=bool)) if upper else np.tril(np.ones((3, 3), dtype=bool))
    against_torch(lambda B, L: ddp.cholesky_solve(B, L, upper=upper), lambda B, L: torch.cholesky_solve(B, L, upper=upper),
             b, f, masks=[None, tri])
    F = leaf(f)
    ddp.cholesky_solve(ddp.tensor(b), F, upper=upper).sum().backward()
    assert np.all(F.grad.numpy()[..., ~tri] == 0)
