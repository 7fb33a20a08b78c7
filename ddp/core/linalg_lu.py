"""torch.linalg's LU names (lu_factor, lu_factor_ex, lu, lu_solve) and torch.lu_unpack.

The factorisation is ops/linalg_lu.py's; L, U and the solves are composed from the packed LU with
differentiable ops (triangles, triangular solves, products with the constant P), so their gradients reach
A through `LuFactor`'s backward.
"""

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .decomp_functional import LinAlgError, _solve_triangular
from .elementwise_functional import add
from .linalg_qr import floating_matrices
from .ops import linalg_lu as lu_ops
from .return_types import named
from .tensor import Tensor

__all__ = ["lu_factor", "lu_factor_ex", "lu", "lu_solve", "lu_unpack"]

LuFactorResult = named("linalg_lu_factor", ["LU", "pivots"])
LuFactorExResult = named("linalg_lu_factor_ex", ["LU", "pivots", "info"])
LuResult = named("linalg_lu", ["P", "L", "U"])
LuUnpackResult = named("lu_unpack", ["P", "L", "U"])


def factor(A, pivot, name):
    """(LU, pivots, info, perm) of A: the packed LU (differentiable), int32 pivots and info, the row order."""
    A = floating_matrices(A, name)
    lu, pivots, info = lu_ops.lu_factor_np(A._data, bool(pivot))
    perm = lu_ops.perm_from_pivots(pivots, A.shape[-2])
    return lu_ops.LuFactor.apply(A, lu=lu, perm=perm), Tensor(pivots), Tensor(info), perm


def _raise_if_singular(info, name):
    bad = np.flatnonzero(info._data.reshape(-1))
    if bad.size:
        j = int(info._data.reshape(-1)[bad[0]])
        where = f" (matrix {bad[0]} of the flattened batch)" if info.ndim else ""
        raise LinAlgError(f"{name}: U[{j},{j}] is zero{where}: the matrix is singular and solving with its "
                          f"factors would divide by zero; lu_factor_ex or lu give the factors without raising")


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """torch.linalg.lu_factor_ex: the named tuple (LU, pivots, info) of A = P L U with partial pivoting
    (LAPACK's getrf, batched); info is 0, or the 1-based index of U's first zero diagonal entry.
    pivot=False (no row swaps, which PyTorch offers on CUDA only) gives pivots 1..k. Differentiable in LU.

    Raises:
        LinAlgError: `check_errors` and a matrix is singular.
    """
    LU, pivots, info, _ = factor(A, pivot, "linalg.lu_factor_ex")
    if check_errors:
        _raise_if_singular(info, "linalg.lu_factor_ex")
    return LuFactorExResult(LU, pivots, info)


def lu_factor(A, *, pivot=True):
    """torch.linalg.lu_factor: the named tuple (LU, pivots) of A = P L U: L's strict lower part and U packed
    in one (m, n) matrix, and LAPACK's 1-based int32 row swaps (row j swapped with row pivots[j] at step
    j). Differentiable in LU.

    Raises:
        LinAlgError: a matrix is singular (a zero on U's diagonal).

    Example:
        >>> ddp.linalg.lu_factor(ddp.tensor([[1.0, 2.0], [3.0, 4.0]])).pivots
        tensor([2, 2], dtype=ddp.int32)
    """
    LU, pivots, info, _ = factor(A, pivot, "linalg.lu_factor")
    _raise_if_singular(info, "linalg.lu_factor")
    return LuFactorResult(LU, pivots)


def _unpack(LU, perm, data=True):
    """(P, L, U) Tensors from a packed LU and its row order; P (or L and U, if not `data`) None."""
    m, n = LU.shape[-2:]
    k = min(m, n)
    P = None if perm is None else Tensor(lu_ops.perm_matrix(perm, LU.dtype))
    if not data:
        return P, None, None
    L = add(LU[..., :, :k].tril(-1), np.eye(m, k, dtype=LU.dtype))
    return P, L, LU[..., :k, :].triu()


def lu(A, *, pivot=True):
    """torch.linalg.lu: the named tuple (P, L, U) with A = P L U, P a permutation, L (m, k) unit lower, U
    (k, n) upper, k = min(m, n); with pivot=False P is an empty tensor. Differentiable in L and U (P is
    constant).

    Example:
        >>> ddp.linalg.lu(ddp.tensor([[1.0, 2.0], [3.0, 4.0]])).U
        tensor([[3.0000, 4.0000],
                [0.0000, 0.6667]])
    """
    LU, _, _, perm = factor(A, pivot, "linalg.lu")
    P, L, U = _unpack(LU, perm)
    return LuResult(P if pivot else Tensor(np.zeros(0, dtype=LU.dtype)), L, U)


def _pivots(LU, pivots, name):
    """The row order of checked pivots for LU."""
    pivots = _tensor(pivots)
    m, n = LU.shape[-2:]
    k = min(m, n)
    if pivots.dtype.kind not in "iu" or tuple(pivots.shape) != tuple(LU.shape[:-2]) + (k,):
        raise RuntimeError(f"{name}: pivots must be integers of shape {tuple(LU.shape[:-2]) + (k,)} for LU of shape "
                           f"{tuple(LU.shape)}, got shape {tuple(pivots.shape)} and dtype {pivots.dtype}")
    p = pivots._data
    if p.size and (p.min() < 1 or p.max() > m):
        raise RuntimeError(f"{name}: pivots must lie in [1, {m}], got values from {p.min()} to {p.max()}")
    return lu_ops.perm_from_pivots(p, m)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """torch.lu_unpack: the named tuple (P, L, U) from lu_factor's (LU, pivots); L and U are empty tensors
    if not `unpack_data`, P if not `unpack_pivots`. Differentiable in LU_data.

    Example:
        >>> P, L, U = ddp.lu_unpack(*ddp.linalg.lu_factor(ddp.tensor([[1.0, 2.0], [3.0, 4.0]])))
        >>> P
        tensor([[0., 1.],
                [1., 0.]])
    """
    LU = floating_matrices(LU_data, "lu_unpack", "LU_data")
    perm = _pivots(LU, LU_pivots, "lu_unpack") if unpack_pivots else None
    P, L, U = _unpack(LU, perm, unpack_data)
    empty = Tensor(np.zeros(0, dtype=LU.dtype))
    return LuUnpackResult(empty if P is None else P, empty if L is None else L, empty if U is None else U)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """torch.linalg.lu_solve: X with A X = B (or X A = B if not `left`; with A^T for `adjoint`), given
    lu_factor's (LU, pivots) of a square A; B is a batch of matrices and batch dims broadcast. Two
    triangular solves and a row permutation; differentiable in LU and B.

    Raises:
        RuntimeError: LU not square, B with fewer than 2 dims, or shapes that do not fit.

    Example:
        >>> LU, piv = ddp.linalg.lu_factor(ddp.tensor([[2.0, 0.0], [0.0, 4.0]]))
        >>> ddp.linalg.lu_solve(LU, piv, ddp.tensor([[2.0], [4.0]]))
        tensor([[1.],
                [1.]])
    """
    name = "linalg.lu_solve"
    LU = floating_matrices(LU, name, "LU")
    if LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(f"{name}: LU must be square in its last two dims, got shape {tuple(LU.shape)}")
    B = _tensor(B)
    if B.ndim < 2:
        raise RuntimeError(f"{name}: B must have at least 2 dims (a batch of matrices), got shape {tuple(B.shape)}")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        side = "A X = B" if left else "X A = B"
        raise RuntimeError(f"{name}: the shapes of LU {tuple(LU.shape)} and B {tuple(B.shape)} do not fit {side}")
    P = Tensor(lu_ops.perm_matrix(_pivots(LU, pivots, name), LU.dtype))

    def tri(T, Y, upper, unit):
        return _solve_triangular(T, Y, upper, left, unit, name)

    # A = P L U: the solves with L (unit lower) and U read LU's triangles; L^T and U^T are those of LU^T
    if left and not adjoint:  # U^-1 L^-1 P^T B
        return tri(LU, tri(LU, P.mT @ B, False, True), True, False)
    if left:  # P L^-T U^-T B
        return P @ tri(LU.mT, tri(LU.mT, B, False, False), True, True)
    if not adjoint:  # B U^-1 L^-1 P^T
        return tri(LU, tri(LU, B, True, False), False, True) @ P.mT
    return tri(LU.mT, tri(LU.mT, B @ P, True, True), False, False)  # B P L^-T U^-T
