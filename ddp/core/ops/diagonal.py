"""Ops on the diagonals of a pair of dims: reading one (a view) and writing one (a copy). Each one's recorded
gradient is made of the other: Diagonal's is a DiagonalScatter into zeros, DiagonalScatter's a Diagonal."""
import numpy as np

from ..autograd import Function


def diagonal_view(a, offset, dim1, dim2):
    """numpy's diagonal of `a` (the diagonal as the last dim), writable wherever `a` is, as PyTorch's view."""
    d = np.diagonal(a, offset, dim1, dim2)
    if a.flags.writeable:
        d.flags.writeable = True
    return d


class Diagonal(Function):
    """The `offset` diagonal of dims (dim1, dim2), moved to the last dim (a view); d/dx = g on that diagonal."""

    @staticmethod
    def forward(ctx, x, *, offset, dim1, dim2):
        ctx.shape, ctx.dims = x.shape, (offset, dim1, dim2)
        return diagonal_view(x, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, g):
        gx = np.zeros(ctx.shape, dtype=g.dtype)
        diagonal_view(gx, *ctx.dims)[...] = g
        return gx

    @staticmethod
    def differentiable_backward(ctx, g):
        offset, dim1, dim2 = ctx.dims
        zeros = np.zeros(ctx.shape, dtype=g._data.dtype)
        return DiagonalScatter.apply(zeros, g, offset=offset, dim1=dim1, dim2=dim2)


class DiagonalScatter(Function):
    """x with its `offset` diagonal of (dim1, dim2) replaced by src (a copy).

    d/dx = g off that diagonal, d/dsrc = g on it.
    """

    @staticmethod
    def forward(ctx, x, src, *, offset, dim1, dim2):
        ctx.dims = (offset, dim1, dim2)
        out = x.copy()
        diagonal_view(out, offset, dim1, dim2)[...] = src
        return out

    @staticmethod
    def backward(ctx, g):
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            gx = g.copy()
            diagonal_view(gx, *ctx.dims)[...] = 0
        if ctx.needs_input_grad[1]:
            gsrc = np.diagonal(g, *ctx.dims).copy()
        return gx, gsrc

    @staticmethod
    def differentiable_backward(ctx, g):
        offset, dim1, dim2 = ctx.dims
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            zero = np.zeros((), dtype=g._data.dtype)  # broadcast over the diagonal
            gx = DiagonalScatter.apply(g, zero, offset=offset, dim1=dim1, dim2=dim2)
        if ctx.needs_input_grad[1]:
            gsrc = Diagonal.apply(g, offset=offset, dim1=dim1, dim2=dim2)
        return gx, gsrc
