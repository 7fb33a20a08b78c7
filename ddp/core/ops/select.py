"""Ops that write given values at chosen places of a copy: put by an index, scatter by a mask."""
import numpy as np

from ..autograd import Function
from .elementwise import select
from .shape import Index, Unindex


class Put(Function):
    """x with v written at x[index] (a numpy index; bool masks given as their nonzero positions), or with
    `accumulate` added there, repeated positions summing.

    d/dx = g, zeroed where written unless accumulating; d/dv = g[index]: every value written gets the
    gradient of its position, even where a repeated position kept another value (PyTorch's convention).
    """

    @staticmethod
    def forward(ctx, x, v, *, index, accumulate=False):
        ctx.index, ctx.accumulate = index, accumulate
        out = x.copy()
        if accumulate:
            np.add.at(out, index, v)
        else:
            out[index] = v
        return out

    @staticmethod
    def backward(ctx, g):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = g
            if not ctx.accumulate:
                gx = g.copy()
                gx[ctx.index] = 0
        if ctx.needs_input_grad[1]:
            gv = g[ctx.index]
        return gx, gv

    @staticmethod
    def differentiable_backward(ctx, g):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = g if ctx.accumulate else Put.apply(g, np.zeros((), dtype=g._data.dtype), index=ctx.index)
        if ctx.needs_input_grad[1]:
            gv = Index.apply(g, index=ctx.index)
        return gx, gv


class MaskedScatter(Function):
    """x with the first elements of source (in row-major order) written where the bool mask (x's shape) holds.

    d/dx = g where the mask is False; d/dsource = g at the masked positions, in order, 0 for the unused rest.
    """

    @staticmethod
    def forward(ctx, x, source, *, mask):
        n = int(np.count_nonzero(mask))
        ctx.mask, ctx.n, ctx.source_shape = mask, n, source.shape
        out = x.copy()
        out[mask] = source.reshape(-1)[:n]
        return out

    @staticmethod
    def backward(ctx, g):
        gx = gsource = None
        if ctx.needs_input_grad[0]:
            gx = np.where(ctx.mask, np.zeros((), dtype=g.dtype), g)
        if ctx.needs_input_grad[1]:
            gsource = np.zeros(int(np.prod(ctx.source_shape)), dtype=g.dtype)
            gsource[:ctx.n] = g[ctx.mask]
            gsource = gsource.reshape(ctx.source_shape)
        return gx, gsource

    @staticmethod
    def differentiable_backward(ctx, g):
        gx = gsource = None
        if ctx.needs_input_grad[0]:
            gx = select(~ctx.mask, g)
        if ctx.needs_input_grad[1]:
            total = int(np.prod(ctx.source_shape))
            picked = Unindex.apply(Index.apply(g, index=ctx.mask), shape=(total,), index=slice(0, ctx.n))
            gsource = picked.reshape(tuple(ctx.source_shape))
        return gx, gsource
