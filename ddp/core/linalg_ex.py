"""torch.linalg's `_ex` variants: inv_ex, cholesky_ex and solve_ex return an int32 `info` per matrix instead
of raising (unless `check_errors`).

The fast path is the ordinary op. Only when LAPACK reports a failure is the batch looked at matrix by matrix:
the failed matrices are swapped for the identity so that the rest keep their values and gradients, and their
own entries are what LAPACK's unchecked routines leave there (inf / nan from a zero pivot, a partial Cholesky
factor), with a zero gradient.
"""

import numpy as np

from .decomp_functional import LinAlgError, _solve, _square
from .elementwise_functional import where
from .ops import linalg_decomp as dec
from .ops import linalg_factor as fac
from .ops import linalg_lu as lu_ops
from .return_types import named
from .tensor import Tensor

__all__ = ["inv_ex", "cholesky_ex", "solve_ex"]

InvExResult = named("linalg_inv_ex", ["inverse", "info"])
CholeskyExResult = named("linalg_cholesky_ex", ["L", "info"])
SolveExResult = named("linalg_solve_ex", ["result", "info"])


def _check(info, name, why):
    """Raise LinAlgError naming the first failed matrix of `info`."""
    flat = info.reshape(-1)
    bad = np.flatnonzero(flat)
    if bad.size:
        where_ = f"matrix {bad[0]} of the flattened batch" if info.ndim else "the matrix"
        raise LinAlgError(f"{why.format(where=where_, j=int(flat[bad[0]]))}")


def _swap_failed(A, bad):
    """A with each failed matrix (`bad`, over A's batch) replaced by the identity, still in the graph."""
    return where(bad[..., None, None], np.eye(A.shape[-1], dtype=A.dtype), A)


def _singular(name):
    return name + ": {where} is singular (U[{j},{j}] of its LU is zero)"


def inv_ex(A, *, check_errors=False):
    """torch.linalg.inv_ex: the named tuple (inverse, info); info is 0 where A is invertible, else the
    1-based index of the zero on the diagonal of U in A = P L U, whose inverse then holds inf / nan.
    Differentiable (through the invertible matrices).

    Raises:
        LinAlgError: `check_errors` and a matrix is singular.

    Example:
        >>> ddp.linalg.inv_ex(ddp.tensor([[2.0, 0.0], [0.0, 4.0]])).info
        tensor(0, dtype=ddp.int32)
    """
    A = _square(A, "linalg.inv_ex")
    try:
        return InvExResult(dec.Inv.apply(A), Tensor(np.zeros(A.shape[:-2], dtype=np.int32)))
    except np.linalg.LinAlgError:
        pass
    lu, pivots, info = lu_ops.lu_factor_np(A._data)
    if check_errors:
        _check(info, "linalg.inv_ex", _singular("linalg.inv_ex"))
    eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape)
    unchecked = lu_ops.lu_solve_np(lu, lu_ops.perm_from_pivots(pivots, A.shape[-1]), eye)
    bad = info != 0
    return InvExResult(where(bad[..., None, None], unchecked, dec.Inv.apply(_swap_failed(A, bad))), Tensor(info))


def cholesky_ex(A, *, upper=False, check_errors=False):
    """torch.linalg.cholesky_ex: the named tuple (L, info) of A = L L^T (L^T = U if `upper`), read from A's
    lower triangle; info is 0 where A is positive-definite, else the order of the first leading minor that
    is not, and L then holds the partial factor of LAPACK's unblocked order (PyTorch's blocked LAPACK may
    leave other values beyond the failed pivot). Differentiable (through the positive-definite matrices).

    Raises:
        LinAlgError: `check_errors` and a matrix is not positive-definite.

    Example:
        >>> ddp.linalg.cholesky_ex(ddp.tensor([[1.0, 2.0], [2.0, 1.0]])).info
        tensor(2, dtype=ddp.int32)
    """
    A = _square(A, "linalg.cholesky_ex")
    try:
        low = dec.Cholesky.apply(A)
        info = np.zeros(A.shape[:-2], dtype=np.int32)
    except np.linalg.LinAlgError:
        partial, info = fac.cholesky_partial_np(A._data)
        if check_errors:
            _check(info, "linalg.cholesky_ex", "linalg.cholesky_ex: {where} is not positive-definite (its leading "
                                               "minor of order {j} is not)")
        bad = info != 0
        low = where(bad[..., None, None], partial, dec.Cholesky.apply(_swap_failed(A, bad)))
    return CholeskyExResult(low.mT if upper else low, Tensor(info))


def solve_ex(A, B, *, left=True, check_errors=False):
    """torch.linalg.solve_ex: the named tuple (result, info) of linalg.solve(A, B, left=left); info is 0
    where A is invertible, else the 1-based index of the zero on U's diagonal in A = P L U, and the result
    then holds inf / nan. Differentiable (through the invertible matrices).

    Raises:
        LinAlgError: `check_errors` and a matrix is singular. RuntimeError: shapes as linalg.solve.

    Example:
        >>> ddp.linalg.solve_ex(ddp.tensor([[2.0, 0.0], [0.0, 4.0]]), ddp.tensor([2.0, 4.0])).result
        tensor([1., 1.])
    """
    name = "linalg.solve_ex"
    A = _square(A, name)
    try:
        return SolveExResult(_solve(A, B, left, name), Tensor(np.zeros(A.shape[:-2], dtype=np.int32)))
    except LinAlgError:
        pass
    # PyTorch factors A^T for X A = B (A^T X^T = B^T): so do we, for the same info and unchecked values
    lu, pivots, info = lu_ops.lu_factor_np(A._data if left else dec.mT(A._data))
    if check_errors:
        _check(info, name, _singular(name))
    bad = info != 0
    good = _solve(_swap_failed(A, bad), B, left, name)
    b = np.asarray(B._data if isinstance(B, Tensor) else B, dtype=A.dtype)
    vector = left and (b.ndim == 1 or (b.ndim == A.ndim - 1 and b.shape == tuple(A.shape[:-1])))  # as _solve
    perm = lu_ops.perm_from_pivots(pivots, A.shape[-1])
    if vector:
        unchecked = lu_ops.lu_solve_np(lu, perm, b[..., None])[..., 0]
    else:
        unchecked = lu_ops.lu_solve_np(lu, perm, b if left else dec.mT(b))
        unchecked = unchecked if left else dec.mT(unchecked)
    mask = bad[..., None] if vector else bad[..., None, None]
    return SolveExResult(where(mask, unchecked, good), Tensor(info))
