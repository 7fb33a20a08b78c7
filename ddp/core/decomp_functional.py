"""The checked wrappers for the factorisations and solves of ops/linalg_decomp.py: the torch-level names
(`ddp.det(A)`, `A.inverse()`, `ddp.cholesky`) here, and the `ddp.linalg` ones built on them.

Each checks that A is a (batch of) floating square matrices and turns LAPACK's failures into `LinAlgError`
(a RuntimeError, as PyTorch's) naming the op.
"""

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .elementwise_functional import where
from .ops import linalg_decomp as dec
from .return_types import named
from .tensor import Tensor

__all__ = ["inverse", "det", "logdet", "slogdet", "cholesky", "cholesky_solve", "cholesky_inverse", "qr", "svd", "lu", "lu_solve",
           "lu_unpack", "matrix_exp", "geqrf", "orgqr", "ormqr", "svd_lowrank", "pca_lowrank"]

SlogdetResult = named("slogdet", ["sign", "logabsdet"])


class LinAlgError(RuntimeError):
    """A factorisation or solve failed on its input: a singular matrix, or one not positive-definite."""


def _square(a, name):
    """a as a Tensor holding a (batch of) floating square matrices."""
    a = _tensor(a)
    if a.ndim < 2:
        raise RuntimeError(f"{name}: A must have at least 2 dims (a batch of square matrices), got shape "
                           f"{tuple(a.shape)}")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be square in its last two dims, got shape {tuple(a.shape)}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"{name}: A must have a floating dtype, got {a.dtype}")
    return a


def _lapack(name, why, fn, *args, **kwargs):
    """fn.apply(*args, **kwargs), with numpy's LinAlgError raised again as ours, naming `name` and `why`."""
    try:
        return fn.apply(*args, **kwargs)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{name}: {why}") from None


def _inv(a, name):
    return _lapack(name, "A (or a matrix of its batch) is singular, so it has no inverse", dec.Inv, _square(a, name))


def inverse(a):
    """The inverse of each square matrix in the last two dims of `a` (torch.inverse). Differentiable.

    Raises:
        LinAlgError: a matrix is singular. RuntimeError: `a` is not a batch of floating square matrices.

    Example:
        >>> ddp.inverse(ddp.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    return _inv(a, "inverse")


def _det(a, name):
    return dec.Det.apply(_square(a, name))


def det(a):
    """The determinant of each square matrix in the last two dims of `a` (torch.det); 0 for a singular one,
    whose gradient is its cofactor matrix. Differentiable.

    Example:
        >>> ddp.det(ddp.tensor([[2.0, 1.0], [1.0, 3.0]]))
        tensor(5.)
    """
    return _det(a, "det")


def _slogdet(a, name):
    """(sign, log|det|) of a checked `a`; only log|det| is differentiable."""
    a = _square(a, name)
    sign, logabs = np.linalg.slogdet(a._data)
    return Tensor(np.asarray(sign, dtype=a.dtype)), dec.LogAbsDet.apply(a, out=np.asarray(logabs, dtype=a.dtype))


def slogdet(a):
    """The sign and the log of the absolute value of the determinant of each matrix of `a` (torch.slogdet),
    as the named tuple (sign, logabsdet); sign is 0 and logabsdet -inf for a singular matrix. logabsdet is
    differentiable (dA = G A^-T); sign is constant.

    Example:
        >>> ddp.slogdet(ddp.tensor([[-2.0, 0.0], [0.0, 1.0]]))
        slogdet(sign=tensor(-1.), logabsdet=tensor(0.6931))
    """
    return SlogdetResult(*_slogdet(a, "slogdet"))


def logdet(a):
    """log det(A) for each matrix of `a` (torch.logdet): nan where det < 0 (with a zero gradient there),
    -inf where A is singular. Differentiable.

    Example:
        >>> ddp.logdet(ddp.tensor([[2.0, 0.0], [0.0, 1.0]]))
        tensor(0.6931)
    """
    sign, logabs = _slogdet(a, "logdet")
    return where(sign._data < 0, np.array(np.nan, dtype=logabs.dtype), logabs)


def _cholesky(a, upper, name):
    low = _lapack(name, "A (or a matrix of its batch) is not positive-definite", dec.Cholesky, _square(a, name))
    return low.mT if upper else low


def cholesky(a, upper=False):
    """The Cholesky factor of each symmetric positive-definite matrix of `a` (torch.cholesky): lower L with
    A = L L^T, or upper U = L^T with A = U^T U. Only A's lower triangle is read. Differentiable (the gradient
    is symmetric).

    Raises:
        LinAlgError: a matrix is not positive-definite.

    Example:
        >>> ddp.cholesky(ddp.tensor([[4.0, 2.0], [2.0, 2.0]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    return _cholesky(a, upper, "cholesky")


def _solve_triangular(a, b, upper, left, unitriangular, name):
    """T^-1 B (left) or B T^-1 for T the triangle of A; B a batch of matrices."""
    a, b = _square(a, name), _tensor(b)
    if b.ndim < 2:
        raise RuntimeError(f"{name}: B must have at least 2 dims (a batch of matrices), got shape {tuple(b.shape)}")
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        side = "A X = B" if left else "X A = B"
        raise RuntimeError(f"{name}: the shapes of A {tuple(a.shape)} and B {tuple(b.shape)} do not fit {side}")
    _batch(a, b, name)
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name}: A and B must have the same dtype, got {a.dtype} and {b.dtype}")
    if not left:  # X T = B is T^T X^T = B^T
        return dec.SolveTriangular.apply(a.mT, b.mT, upper=not upper, unit=unitriangular).mT
    return dec.SolveTriangular.apply(a, b, upper=upper, unit=unitriangular)


def _batch(a, b, name):
    """The broadcast batch shape of a and b (all but the last two dims)."""
    try:
        return np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"{name}: the batch dims of A {tuple(a.shape)} and B {tuple(b.shape)} do not "
                           f"broadcast") from None


def cholesky_solve(b, low, upper=False):
    """X with A X = B, given A's Cholesky factor (lower L, or upper U if `upper`) (torch.cholesky_solve).
    Differentiable in B and the factor.

    Example:
        >>> L = ddp.cholesky(ddp.tensor([[4.0, 2.0], [2.0, 2.0]]))
        >>> ddp.cholesky_solve(ddp.tensor([[6.0], [4.0]]), L)
        tensor([[1.],
                [1.]])
    """
    low = _square(low, "cholesky_solve")
    if upper:
        low = low.mT
    y = _solve_triangular(low, b, False, True, False, "cholesky_solve")
    return _solve_triangular(low.mT, y, True, True, False, "cholesky_solve")


def cholesky_inverse(low, upper=False):
    """A^-1 from A's Cholesky factor (lower L with A = L L^T, or upper U with A = U^T U) (torch.cholesky_inverse):
    two triangular solves against the identity. Differentiable in the factor's triangle, the only part it
    reads (PyTorch's backward also fills the other triangle, with the gradient of inverse(L L^T) in a full L)."""
    low = _square(low, "cholesky_inverse")
    eye = Tensor(np.broadcast_to(np.eye(low.shape[-1], dtype=low.dtype), tuple(low.shape)).copy())
    return cholesky_solve(eye, low, upper)


def _solve(a, b, left, name):
    """X with A X = B (left) or X A = B; a B of shape (n,) or A.shape[:-1] is a (batch of) vector(s)."""
    a, b = _square(a, name), _tensor(b)
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name}: A and B must have the same dtype, got {a.dtype} and {b.dtype}")
    vector = left and (b.ndim == 1 or (b.ndim == a.ndim - 1 and tuple(b.shape) == tuple(a.shape[:-1])))
    if vector:
        b = b.unsqueeze(-1)
    n = a.shape[-1]
    if b.ndim < 2 or (b.shape[-2] if left else b.shape[-1]) != n:
        side = "A X = B" if left else "X A = B"
        raise RuntimeError(f"{name}: the shapes of A {tuple(a.shape)} and B {tuple(b.shape)} do not fit {side}")
    _batch(a, b, name)
    why = "A (or a matrix of its batch) is singular, so the system has no unique solution"
    if not left:
        return _lapack(name, why, dec.Solve, a.mT, b.mT).mT
    x = _lapack(name, why, dec.Solve, a, b)
    return x.squeeze(-1) if vector else x


# torch.qr, torch.svd, torch.lu, ...: last, because decomp_legacy's modules import the checks above
from .decomp_legacy import lu, lu_solve, lu_unpack, matrix_exp, qr, svd  # noqa: E402,F401
from .linalg_householder import geqrf, orgqr, ormqr  # noqa: E402,F401  (LAPACK's Householder form)
from .linalg_lowrank import pca_lowrank, svd_lowrank  # noqa: E402,F401  (randomised, for large matrices)
