"""LU factorisation with partial pivoting, batched, and its derivative.

numpy.linalg does not expose LAPACK's getrf, so `lu_factor_np` runs the same column-by-column elimination
(getf2: pick the largest entry of the column, swap, scale, rank-1 update) over the whole batch at once: the
Python loop is over the min(m, n) columns, never over the matrices. Pivots follow LAPACK: 1-based, and
row j was swapped with row pivots[j] - 1 at step j.
"""
import numpy as np

from ..autograd import Function
from .linalg_decomp import mT, tri_solve


def lu_factor_np(a, pivot=True):
    """(LU, pivots, info) of the (..., m, n) array a: L's strict lower part and U packed in one array,
    int32 pivots (..., min(m, n)), and int32 info (...), the 1-based index of U's first zero diagonal
    entry (0 if none)."""
    *lead, m, n = a.shape
    k = min(m, n)
    count = int(np.prod(lead, dtype=np.int64))
    lu = np.array(a).reshape((count, m, n))
    rows = np.arange(lu.shape[0])
    pivots = np.empty((lu.shape[0], k), dtype=np.int32)
    info = np.zeros(lu.shape[0], dtype=np.int32)
    for j in range(k):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1) if pivot and m else np.full(len(rows), j)
        row_j, row_p = lu[rows, j].copy(), lu[rows, p].copy()
        lu[rows, p], lu[rows, j] = row_j, row_p
        pivots[:, j] = p + 1
        d = lu[:, j, j]
        zero = d == 0
        info = np.where((info == 0) & zero, j + 1, info)
        # LAPACK leaves the column unscaled where the pivot is zero
        lu[:, j + 1:, j] = np.where(zero[:, None], lu[:, j + 1:, j], lu[:, j + 1:, j] / np.where(zero, 1, d)[:, None])
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    lead = tuple(lead)
    return lu.reshape(lead + (m, n)), pivots.reshape(lead + (k,)), info.reshape(lead)


def perm_from_pivots(pivots, m):
    """The row order perm (..., m) that LAPACK's swaps make: (P^T A)[i] = A[perm[i]], A = P L U."""
    pivots = np.asarray(pivots)
    count = int(np.prod(pivots.shape[:-1], dtype=np.int64))
    flat = pivots.reshape((count, pivots.shape[-1])).astype(np.int64) - 1
    perm = np.tile(np.arange(m), (flat.shape[0], 1))
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        at_j, at_p = perm[rows, j].copy(), perm[rows, p].copy()
        perm[rows, p], perm[rows, j] = at_j, at_p
    return perm.reshape(pivots.shape[:-1] + (m,))


def perm_matrix(perm, dtype):
    """P (..., m, m) with A = P (P^T A), from the row order of `perm_from_pivots`."""
    m = perm.shape[-1]
    return mT(np.eye(m, dtype=dtype)[perm])


def unpack_np(lu):
    """(L, U) of a packed (..., m, n) LU: L (m, k) unit lower, U (k, n) upper, k = min(m, n)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype)
    return low, np.triu(lu[..., :k, :])


def lu_solve_np(lu, perm, b, adjoint=False):
    """A^-1 b (A^-T b if `adjoint`) for A = P L U square, b a batch of matrices; a zero on U's diagonal
    gives inf / nan, as LAPACK's getrs does, rather than an error."""
    low, up = unpack_np(lu)
    p = perm_matrix(perm, b.dtype)
    if adjoint:  # A^T = U^T L^T P^T
        return np.matmul(p, tri_solve(mT(low), tri_solve(mT(up), b, False), True))
    return tri_solve(up, tri_solve(low, np.matmul(mT(p), b), False), True)


def _right_solve_upper(x, up):
    """x U^-T for upper U: the transpose of U^-1 x^T."""
    return mT(tri_solve(up, mT(x), True))


class LuFactor(Function):
    """The packed LU of A (computed by the wrapper and passed in as `lu`, with its row order `perm`).

    With P^T A = L U, gL = tril(G, -1), gU = triu(G) and, for square A, M = tril(L^T gL, -1) + triu(gU U^T):
    dA = P L^-T M U^-T. A tall A (L = [L1; L2]) adds -L2^T gL2 inside triu and gL2 U^-T to the lower rows; a
    wide A (U = [U1 | U2]) adds -gU2 U2^T inside tril and L^-T gU2 to the right columns."""

    @staticmethod
    def forward(ctx, a, *, lu, perm):
        ctx.save_for_backward(lu, perm)
        return lu

    @staticmethod
    def backward(ctx, g):
        lu, perm = ctx.saved_tensors
        low, up = unpack_np(lu)
        m, n = lu.shape[-2:]
        k = min(m, n)
        g_low, g_up = np.tril(g[..., :, :k], -1), np.triu(g[..., :k, :])
        low1, up1 = low[..., :k, :], up[..., :, :k]
        inner_low = np.matmul(mT(low1), g_low[..., :k, :])
        inner_up = np.matmul(g_up[..., :, :k], mT(up1))
        if m > k:
            inner_up = inner_up - np.matmul(mT(low[..., k:, :]), g_low[..., k:, :])
        if n > k:
            inner_low = inner_low - np.matmul(g_up[..., :, k:], mT(up[..., :, k:]))
        inner = np.tril(inner_low, -1) + np.triu(inner_up)
        low1_t = mT(low1)
        if m > k:  # [L1^-T M; gL2] U^-T
            ga = _right_solve_upper(np.concatenate([tri_solve(low1_t, inner, True), g_low[..., k:, :]], axis=-2),
                                    up1)
        else:  # L^-T [M U1^-T | gU2]
            right = [_right_solve_upper(inner, up1)] + ([g_up[..., :, k:]] if n > k else [])
            ga = tri_solve(low1_t, np.concatenate(right, axis=-1), True)
        return np.matmul(perm_matrix(perm, ga.dtype), ga)
