"""The matrix exponential by scaling and squaring of a Taylor polynomial, batched, and its exact derivative."""
import numpy as np

from ..autograd import Function, Tensor
from .linalg_decomp import mT

# Taylor degree per dtype once ||A / 2^s||_1 <= 1: the remainder 1 / (q + 1)! is below the dtype's eps
_DEGREE = {np.dtype(np.float64): 18, np.dtype(np.float32): 11}


def expm_np(a):
    """exp(A) for each square matrix of a: A is scaled by 2^-s (s per matrix, the smallest with a 1-norm at
    most 1), its Taylor polynomial summed by Horner's rule, and the result squared s times."""
    n = a.shape[-1]
    eye = np.eye(n, dtype=a.dtype)
    norm = np.abs(a).sum(axis=-2).max(axis=-1, initial=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.ceil(np.log2(np.where(np.isfinite(norm) & (norm > 1), norm, 1.0))).astype(np.int64)
    x = a / np.ldexp(np.ones((), dtype=a.dtype), s)[..., None, None]
    out = np.broadcast_to(eye, a.shape)
    for k in range(_DEGREE.get(a.dtype, 18), 0, -1):
        out = eye + np.matmul(x, out) / a.dtype.type(k)
    for i in range(int(s.max(initial=0))):
        out = np.where((i < s)[..., None, None], np.matmul(out, out), out)
    return out


class MatrixExp(Function):
    """exp(A); dA = the top-right n x n block of exp([[A^T, G], [0, A^T]]), the adjoint of the exponential's
    Frechet derivative applied to G (exact up to the exponential's own rounding)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return expm_np(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        at = np.broadcast_to(mT(a), g.shape)
        # the block is linear in G: scale G to a unit norm so that it does not add squarings
        scale = np.abs(g).sum(axis=-2).max(axis=-1, initial=0.0)[..., None, None]
        scale = np.where(scale > 0, scale, 1).astype(g.dtype)
        top = np.concatenate([at, g / scale], axis=-1)
        bottom = np.concatenate([np.zeros_like(at), at], axis=-1)
        return expm_np(np.concatenate([top, bottom], axis=-2))[..., :n, n:] * scale

    @staticmethod
    def differentiable_backward(ctx, g):
        from ..shape_functional import cat  # at call time: the functional layer imports the ops

        a = ctx.parents[0]
        n = a.shape[-1]
        at = a.mT.expand(tuple(g.shape))
        scale = np.abs(g._data).sum(axis=-2).max(axis=-1, initial=0.0)[..., None, None]
        scale = Tensor(np.where(scale > 0, scale, 1).astype(g._data.dtype))
        zeros = Tensor(np.zeros(tuple(g.shape), dtype=g._data.dtype))
        block = cat([cat([at, g / scale], -1), cat([zeros, at], -1)], -2)
        return MatrixExp.apply(block)[..., :n, n:] * scale
