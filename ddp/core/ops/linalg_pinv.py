"""The Moore-Penrose pseudo-inverse, from the SVD (or, for a symmetric A, its eigendecomposition), batched
over leading dims, with its derivative at fixed rank (Golub and Pereyra, 1973)."""
import numpy as np

from ..autograd import Function
from .linalg_decomp import mT


def pinv_np(a, atol, rtol, hermitian):
    """A^+ of each matrix of a, with the singular values (the eigenvalues' sizes if `hermitian`, read from the
    lower triangle) at or below max(atol, rtol * the largest) dropped; atol and rtol are arrays broadcast
    against the batch dims."""
    if hermitian:
        w, v = np.linalg.eigh(a, UPLO="L")
        values, sizes, left, right = w, np.abs(w), v, mT(v)
    else:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        values, sizes, left, right = s, s, mT(vh), mT(u)
    top = sizes.max(axis=-1, keepdims=True, initial=0.0)
    keep = sizes > np.maximum(atol[..., None], rtol[..., None] * top)
    inverse = np.where(keep, 1.0 / np.where(keep, values, 1), 0).astype(a.dtype)
    return np.matmul(left * inverse[..., None, :], right)


def pinv_grad(a, p, g, t):
    """dA of P = A^+ for the gradient g of P: -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A), the
    derivative along matrices of A's rank; numpy arrays or Tensors, `t` their batched transpose."""
    pt, gt = t(p), t(g)
    right = gt @ (p @ pt)  # G^T P P^T
    left = pt @ (p @ gt)  # P^T P G^T
    return -(pt @ g @ pt) + right - a @ (p @ right) + left - (left @ p) @ a


class Pinv(Function):
    """A^+ with the cutoffs `atol`, `rtol` (arrays over the batch); dA as `pinv_grad`, with A itself even
    where `hermitian` reads one triangle (as PyTorch does). Its recorded backward recomputes A^+ in the
    graph, so that it can be differentiated again."""

    @staticmethod
    def forward(ctx, a, *, atol, rtol, hermitian):
        p = pinv_np(a, atol, rtol, hermitian)
        ctx.save_for_backward(a, p)
        ctx.cutoffs = dict(atol=atol, rtol=rtol, hermitian=hermitian)
        return p

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors
        return pinv_grad(a, p, g, mT)

    @staticmethod
    def differentiable_backward(ctx, g):
        a = ctx.parents[0]
        return pinv_grad(a, Pinv.apply(a, **ctx.cutoffs), g, lambda x: x.mT)
