"""Max unpooling: the partial inverse of max pooling, each value put back at the position its index names."""
import numpy as np

from ..autograd import Function
from .shape import Gather


class MaxUnpool(Function):
    """out (N, C, *out_shape), zero but at indices[n, c, ...] (flat into the spatial dims), where it holds
    x[n, c, ...]; d/dx gathers g at the same indices. With repeated indices the last write wins."""

    @staticmethod
    def forward(ctx, x, indices=None, out_shape=()):
        n, c = x.shape[:2]
        flat_index = indices.reshape(n, c, int(np.prod(indices.shape[2:])))
        out = np.zeros((n, c, int(np.prod(out_shape))), dtype=x.dtype)
        np.put_along_axis(out, flat_index, x.reshape(flat_index.shape), axis=2)
        ctx.flat_index, ctx.x_shape = flat_index, x.shape
        return out.reshape((n, c) + tuple(out_shape))

    @staticmethod
    def backward(ctx, g):
        n, c = ctx.x_shape[:2]
        flat = g.reshape(n, c, int(np.prod(g.shape[2:])))
        return np.take_along_axis(flat, ctx.flat_index, axis=2).reshape(ctx.x_shape)

    @staticmethod
    def differentiable_backward(ctx, g):
        n, c = ctx.x_shape[:2]
        flat = g.reshape(n, c, int(np.prod(g.shape[2:])))
        return Gather.apply(flat, index=ctx.flat_index, dim=2).reshape(ctx.x_shape)
