"""The symmetric eigendecomposition and the SVD (numpy's LAPACK), batched over leading dims, with their
derivatives.

Each op has a numpy `backward` and a `differentiable_backward` that writes the same formula in Tensor ops
on factors recomputed in the graph (the op applied again to its recorded input), so that a gradient can be
differentiated again (Hessians, gradient penalties). Where a loss reads only the eigenvalues or singular
values, both leave out the vector terms: their 1 / (gap) factors would turn repeated values into 0 / 0.
"""
import numpy as np

from ..autograd import Function, Tensor
from .linalg_decomp import mT


def _eye(n, dtype):
    return Tensor(np.eye(n, dtype=dtype))


def _inverse_gaps(x):
    """The Tensor F_ij = 1 / (x_j - x_i) off the diagonal, 0 on it, of a (batch of) vector(s) x."""
    eye = _eye(x.shape[-1], x._data.dtype)
    return (1 - eye) / (x.unsqueeze(-2) - x.unsqueeze(-1) + eye)


class EighPacked(Function):
    """The eigenvalues w (ascending) and eigenvectors V of a symmetric A (from its `uplo` triangle), packed as
    one (..., n + 1, n) array: row 0 is w, rows 1.. are V. With E_ij = 1 / (w_j - w_i) off the diagonal
    and 0 on it, dA = V (diag(G_w) + E * skew(V^T G_V)) V^T, skew(X) = (X - X^T) / 2. Where only the
    eigenvalues were used (G_V = 0) the E term is left out, so that repeated eigenvalues (an identity) give
    PyTorch's finite gradient rather than 0 / 0."""

    @staticmethod
    def forward(ctx, a, *, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        ctx.uplo = uplo
        return np.concatenate([w[..., None, :], v], axis=-2)

    @staticmethod
    def backward(ctx, g):
        w, v = ctx.saved_tensors
        gw, gv = g[..., 0, :], g[..., 1:, :]
        inner = gw[..., None, :] * np.eye(w.shape[-1], dtype=w.dtype)
        if np.any(gv):
            vtg = np.matmul(mT(v), gv)
            gap = w[..., None, :] - w[..., :, None]
            off = ~np.eye(w.shape[-1], dtype=bool)
            with np.errstate(divide="ignore"):
                inner = inner + np.where(off, 0.5 * (vtg - mT(vtg)) / np.where(off, gap, 1), 0)
        return np.matmul(np.matmul(v, inner), mT(v))

    @staticmethod
    def differentiable_backward(ctx, g):
        packed = EighPacked.apply(ctx.parents[0], uplo=ctx.uplo)
        w, v = packed[..., 0, :], packed[..., 1:, :]
        gw, gv = g[..., 0, :], g[..., 1:, :]
        inner = gw.unsqueeze(-2) * _eye(w.shape[-1], w._data.dtype)
        if np.any(gv._data):
            vtg = v.mT @ gv
            with np.errstate(divide="ignore"):
                inner = inner + _inverse_gaps(w) * (0.5 * (vtg - vtg.mT))
        return v @ inner @ v.mT


class EigvalsH(Function):
    """The eigenvalues (ascending) of a symmetric A from its `uplo` triangle; dA = V diag(G) V^T."""

    @staticmethod
    def forward(ctx, a, *, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(v)
        ctx.uplo = uplo
        return w

    @staticmethod
    def backward(ctx, g):
        (v,) = ctx.saved_tensors
        return np.matmul(v * g[..., None, :], mT(v))

    @staticmethod
    def differentiable_backward(ctx, g):
        v = EighPacked.apply(ctx.parents[0], uplo=ctx.uplo)[..., 1:, :]
        return (v * g.unsqueeze(-2)) @ v.mT


def _svd_parts(packed, m, k, n):
    """(U, s, Vh) of SvdPacked's flat layout: an array or a Tensor, of the output or of its gradient."""
    lead = tuple(packed.shape[:-1])
    return (packed[..., :m * k].reshape(lead + (m, k)), packed[..., m * k:m * k + k],
            packed[..., m * k + k:].reshape(lead + (k, n)))


class SvdVals(Function):
    """The singular values s (descending) of A = U diag(s) V^T; dA = U diag(G) V^T (reduced U, V)."""

    @staticmethod
    def forward(ctx, a):
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vt)
        return s

    @staticmethod
    def backward(ctx, g):
        u, vt = ctx.saved_tensors
        return np.matmul(u * g[..., None, :], vt)

    @staticmethod
    def differentiable_backward(ctx, g):
        a = ctx.parents[0]
        m, n = a.shape[-2:]
        u, _, vh = _svd_parts(SvdPacked.apply(a), m, min(m, n), n)
        return (u * g.unsqueeze(-2)) @ vh


class SvdPacked(Function):
    """The reduced SVD A = U diag(s) Vh (k = min(m, n)), packed as one (..., m*k + k + k*n) array (U, s, Vh
    flattened in turn). With V = Vh^T, F_ij = 1 / (s_j^2 - s_i^2) off the diagonal (0 on it) and
    J = F * (U^T G_U - G_U^T U), K = F * (V^T G_V - G_V^T V):
    dA = U (J S + diag(G_s) + S K) Vh + (I - U U^T) G_U S^-1 Vh + U S^-1 G_V^T (I - V V^T). Where only s
    was used (G_U = G_V = 0) that is U diag(G_s) Vh alone, finite for repeated or zero singular values."""

    @staticmethod
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, s, vh)
        lead = a.shape[:-2]
        return np.concatenate([u.reshape(lead + (-1,)), s, vh.reshape(lead + (-1,))], axis=-1)

    @staticmethod
    def backward(ctx, g):
        u, s, vh = ctx.saved_tensors
        (m, k), n = u.shape[-2:], vh.shape[-1]
        gu, gs, gvh = _svd_parts(g, m, k, n)
        gv = mT(gvh)
        if not np.any(gu) and not np.any(gv):
            return np.matmul(u * gs[..., None, :], vh)
        v = mT(vh)
        s2 = s * s
        off = ~np.eye(k, dtype=bool)
        with np.errstate(divide="ignore"):
            f = np.where(off, 1.0 / np.where(off, s2[..., None, :] - s2[..., :, None], 1), 0)
            inv_s = 1.0 / s
        utg, vtg = np.matmul(mT(u), gu), np.matmul(mT(v), gv)
        j, kk = f * (utg - mT(utg)), f * (vtg - mT(vtg))
        inner = j * s[..., None, :] + gs[..., None, :] * np.eye(k, dtype=s.dtype) + s[..., :, None] * kk
        ga = np.matmul(np.matmul(u, inner), vh)
        if m > k:
            ga = ga + np.matmul(gu - np.matmul(u, utg), inv_s[..., :, None] * vh)
        if n > k:
            ga = ga + np.matmul(u * inv_s[..., None, :], mT(gv - np.matmul(v, vtg)))
        return ga

    @staticmethod
    def differentiable_backward(ctx, g):
        a = ctx.parents[0]
        m, n = a.shape[-2:]
        k = min(m, n)
        u, s, vh = _svd_parts(SvdPacked.apply(a), m, k, n)
        gu, gs, gvh = _svd_parts(g, m, k, n)
        if not np.any(gu._data) and not np.any(gvh._data):
            return (u * gs.unsqueeze(-2)) @ vh
        v, gv = vh.mT, gvh.mT
        with np.errstate(divide="ignore"):
            f = _inverse_gaps(s * s)
            inv_s = 1 / s
        utg, vtg = u.mT @ gu, v.mT @ gv
        j, kk = f * (utg - utg.mT), f * (vtg - vtg.mT)
        inner = j * s.unsqueeze(-2) + gs.unsqueeze(-2) * _eye(k, s._data.dtype) + s.unsqueeze(-1) * kk
        ga = u @ inner @ vh
        if m > k:
            ga = ga + (gu - u @ utg) @ (inv_s.unsqueeze(-1) * vh)
        if n > k:
            ga = ga + (u * inv_s.unsqueeze(-2)) @ (gv - v @ vtg).mT
        return ga
