"""QR (numpy's LAPACK geqrf + orgqr) and the least-squares solution, with their derivatives (both also in
Tensor ops, for create_graph=True), batched over leading dims."""
import numpy as np

from ..autograd import Function, Tensor
from ..autograd_graph import backward_by_recompute
from .linalg_decomp import SolveTriangular, mT, tri_solve
from .linalg_pinv import Pinv


def _qr_square_backward(q, r, gq, gr):
    """dA for A = Q R with R square (k x k): with M = R gR^T - gQ^T Q and copyltu(M) the symmetric matrix
    with M's lower triangle, dA = (gQ + Q copyltu(M)) R^-T."""
    m_ = np.matmul(r, mT(gr)) - np.matmul(mT(gq), q)
    low = np.tril(m_, -1)
    sym = low + mT(low) + np.diagonal(m_, axis1=-2, axis2=-1)[..., None] * np.eye(m_.shape[-1], dtype=m_.dtype)
    return mT(tri_solve(r, mT(gq + np.matmul(q, sym)), True))


def _qr_square_backward_recorded(q, r, gq, gr):
    """`_qr_square_backward` in Tensor ops, for create_graph=True."""
    m_ = r @ gr.mT - gq.mT @ q
    low = m_.tril(-1)
    sym = low + low.mT + m_ * Tensor(np.eye(m_.shape[-1], dtype=m_._data.dtype))
    return SolveTriangular.apply(r, (gq + q @ sym).mT, upper=True, unit=False).mT


class QrPacked(Function):
    """The QR factors of A with k = min(m, n) (Q m x k, R k x n), packed as one (..., m*k + k*n) array.

    For m >= n the square formula of `_qr_square_backward` applies; for m < n, A = Q [U | V] with U square:
    the columns X = Q U get it with gQ + Y gV^T (Y = Q V the other columns), and dY = Q gV."""

    @staticmethod
    def forward(ctx, a):
        q, r = np.linalg.qr(a, mode="reduced")
        ctx.save_for_backward(q, r)
        lead = a.shape[:-2]
        return np.concatenate([q.reshape(lead + (-1,)), r.reshape(lead + (-1,))], axis=-1)

    @staticmethod
    def backward(ctx, g):
        q, r = ctx.saved_tensors
        (m, k), n = q.shape[-2:], r.shape[-1]
        gq = g[..., :m * k].reshape(g.shape[:-1] + (m, k))
        gr = g[..., m * k:].reshape(g.shape[:-1] + (k, n))
        if m >= n:
            return _qr_square_backward(q, r, gq, gr)
        g_right = gr[..., :, k:]
        y = np.matmul(q, r[..., :, k:])  # A's columns beyond the k-th
        gx = _qr_square_backward(q, r[..., :, :k], gq + np.matmul(y, mT(g_right)), gr[..., :, :k])
        return np.concatenate([gx, np.matmul(q, g_right)], axis=-1)

    @staticmethod
    def differentiable_backward(ctx, g):
        from ..shape_functional import cat  # at call time: the functional layer imports the ops

        q_saved, r_saved = ctx.saved_tensors
        (m, k), n = q_saved.shape[-2:], r_saved.shape[-1]
        packed = QrPacked.apply(ctx.parents[0])
        lead = tuple(packed.shape[:-1])
        q, r = packed[..., :m * k].reshape(lead + (m, k)), packed[..., m * k:].reshape(lead + (k, n))
        gq, gr = g[..., :m * k].reshape(lead + (m, k)), g[..., m * k:].reshape(lead + (k, n))
        if m >= n:
            return _qr_square_backward_recorded(q, r, gq, gr)
        g_right = gr[..., :, k:]
        y = q @ r[..., :, k:]
        gx = _qr_square_backward_recorded(q, r[..., :, :k], gq + y @ g_right.mT, gr[..., :, :k])
        return cat([gx, q @ g_right], -1)


def pinv_np(a, rcond):
    """The pseudo-inverse of each matrix of a, dropping singular values at or below rcond * the largest, and
    the singular values themselves."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    top = s[..., :1] if s.shape[-1] else s
    keep = s > rcond * top
    inv_s = np.where(keep, 1.0 / np.where(keep, s, 1), 0).astype(a.dtype)
    return np.matmul(mT(vh) * inv_s[..., None, :], mT(u)), s


class LstsqSolution(Function):
    """X = A^+ B, the minimum-norm least-squares solution (the wrapper passes A^+ in as `pinv`). From the
    derivative of the pseudo-inverse (Golub and Pereyra), with gB = A^+T G and r = B - A X:
    dA = -gB X^T + r (A^+ gB)^T + A^+T X ((I - A^+ A) G)^T; dB = gB. The recorded backward differentiates
    Pinv(A) @ B (with the same relative cutoff `rcond`), which has this derivative."""

    @staticmethod
    def forward(ctx, a, b, *, pinv, rcond):
        p = pinv
        x = np.matmul(p, b)
        ctx.save_for_backward(a, b, p, x)
        ctx.rcond = rcond
        return x

    @staticmethod
    def backward(ctx, g):
        a, b, p, x = ctx.saved_tensors
        gb = np.matmul(mT(p), g)
        if not ctx.needs_input_grad[0]:
            return None, gb
        resid = b - np.matmul(a, x)
        off_range = g - np.matmul(p, np.matmul(a, g))
        ga = (-np.matmul(gb, mT(x)) + np.matmul(resid, mT(np.matmul(p, gb)))
              + np.matmul(mT(p), np.matmul(x, mT(off_range))))
        return ga, gb if ctx.needs_input_grad[1] else None

    @staticmethod
    def differentiable_backward(ctx, g):
        a, b, _, _ = ctx.saved_tensors
        zero = np.zeros((), dtype=a.dtype)
        cut = dict(atol=zero, rtol=np.asarray(ctx.rcond, dtype=a.dtype), hermitian=False)
        return backward_by_recompute(ctx, g, lambda a_, b_: Pinv.apply(a_, **cut) @ b_,
                                     [ctx.operand(0, a), ctx.operand(1, b)])


def cholesky_partial_np(a):
    """(L, info) of each matrix of a (its lower triangle) by the column-by-column order of LAPACK's unblocked
    potf2, batched. Where a matrix is not positive-definite, info is the 1-based order of its first leading
    minor that is not, and L holds the columns done before it, the failed (non-positive) pivot, and A's
    lower triangle beyond; elsewhere info is 0."""
    low = np.tril(a)
    info = np.zeros(a.shape[:-2], dtype=np.int32)
    for j in range(a.shape[-1]):
        active = info == 0
        d = low[..., j, j] - np.sum(low[..., j, :j] ** 2, axis=-1)
        ok = d > 0  # False for nan too
        info = np.where(active & ~ok, j + 1, info)
        root = np.sqrt(np.where(ok, d, 1))
        low[..., j, j] = np.where(active, np.where(ok, root, d), low[..., j, j])
        col = (low[..., j + 1:, j] - np.matmul(low[..., j + 1:, :j], low[..., j, :j, None])[..., 0]) / root[..., None]
        low[..., j + 1:, j] = np.where((active & ok)[..., None], col, low[..., j + 1:, j])
    return low, info
