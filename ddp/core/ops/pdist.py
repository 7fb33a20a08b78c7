"""Distances between every pair of rows of one matrix (pdist): the upper triangle of cdist(x, x), row-major."""
import math

import numpy as np

from ..autograd import Function, Tensor
from ..autograd_graph import backward_by_recompute


def _segment_sums(values, counts):
    """Sums of consecutive segments of `values` (axis 0) of the given lengths, zero for empty segments."""
    out = np.zeros((len(counts),) + values.shape[1:], dtype=values.dtype)
    filled = counts > 0
    if filled.any():
        starts = (np.cumsum(counts) - counts)[filled]
        out[filled] = np.add.reduceat(values, starts, axis=0)
    return out


class Pdist(Function):
    """||x_i - x_j||_p for i < j in row-major order (p >= 0, inf allowed).

    With diff = x_i - x_j and d its distance, the pair's gradient is v = g sign(diff) |diff|^(p-1) / d^(p-1)
    (p = 1: g sign(diff); p = inf: g sign(diff) where |diff| = d; p = 0: none), taken as 0 where diff or d is
    0, as PyTorch; row i gains v and row j loses it. Pairs come sorted by i, so row i's share is a segment sum;
    row j's is one too after a fixed reordering of the pairs by j.
    """

    @staticmethod
    def forward(ctx, x, p=2.0):
        n = x.shape[0]
        i, j = np.triu_indices(n, 1)
        diff = x[i] - x[j]
        a = np.abs(diff)
        if p == 0:
            out = (a != 0).sum(-1).astype(x.dtype)
        elif p == 1:
            out = a.sum(-1)
        elif p == 2:
            out = np.sqrt(np.square(a).sum(-1))
        elif p == math.inf:
            out = a.max(-1, initial=0)
        else:
            out = np.power(np.power(a, p).sum(-1), 1 / p)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(diff, out, j)
        ctx.p, ctx.shape = p, x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        diff, out, j = ctx.saved_tensors
        p, n = ctx.p, ctx.shape[0]
        if p == 0 or n < 2:
            return np.zeros(ctx.shape, g.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 1:
                v = np.sign(diff) * g[:, None]
            elif p == math.inf:
                v = np.sign(diff) * (np.abs(diff) == out[:, None]) * g[:, None]
            else:
                a = np.abs(diff)
                scale = np.where(out == 0, 0, g / (out if p == 2 else np.power(out, p - 1)))[:, None]
                v = np.where(a == 0, 0, np.sign(diff) * (a if p == 2 else np.power(a, p - 1)) * scale)
        rows = np.arange(n)
        gx = _segment_sums(v, n - 1 - rows)  # pairs (i, j > i), grouped by i
        gx -= _segment_sums(v[np.argsort(j, kind="stable")], rows)  # pairs (i < j, j), grouped by j
        return gx

    @staticmethod
    def differentiable_backward(ctx, g):
        if ctx.p == 0 or ctx.shape[0] < 2:
            return Tensor(np.zeros(ctx.shape, g._data.dtype))
        return backward_by_recompute(ctx, g, lambda x: _pair_norms(x, ctx.p), [ctx.parents[0]])[0]


def _pair_norms(x, p):
    """Pdist's forward in Tensor ops: the p-norm of every row difference x_i - x_j, i < j."""
    from ..reduce_functional import vector_norm  # at call time: it imports the ops
    i, j = np.triu_indices(x.shape[0], 1)
    return vector_norm(x[i] - x[j], ord=p, dim=-1)
