"""Padding by copying the input's own values: reflect, replicate and circular (PyTorch's modes).

Each padded axis maps every output position to a source index (`source_index`); forward gathers along the
axes one at a time. Backward copies the interior of g and adds each padded slice onto its source: a loop
over the padding width (a few slices), never over elements.
"""
import numpy as np

from ..autograd import Function
from .shape import Unindex


def source_index(size, before, after, mode):
    """The source position of each of the before + size + after positions along one padded axis."""
    i = np.arange(-before, size + after)
    if mode == "reflect":  # mirror about the edge elements, which are not repeated
        period = 2 * (size - 1)
        i = np.abs(i) % period if period else np.zeros_like(i)
        return np.where(i >= size, period - i, i)
    if mode == "replicate":
        return np.clip(i, 0, size - 1)
    return i % size  # circular


class IndexPad(Function):
    """x padded by `widths` ((before, after) per dim) with values copied from x by `mode`; d/dx adds the
    gradient of every copy back onto its source."""

    @staticmethod
    def forward(ctx, x, widths=(), mode="reflect"):
        maps = []
        for axis, (before, after) in enumerate(widths):
            if before or after:
                index = source_index(x.shape[axis], before, after, mode)
                maps.append((axis, before, x.shape[axis], index))
                x = np.take(x, index, axis=axis)
        ctx.maps = maps
        return x

    @staticmethod
    def backward(ctx, g):
        for axis, before, size, index in reversed(ctx.maps):
            moved = np.moveaxis(g, axis, 0)
            gx = moved[before:before + size].copy()
            for j in [*range(before), *range(before + size, len(index))]:
                gx[index[j]] += moved[j]
            g = np.moveaxis(gx, 0, axis)
        return np.ascontiguousarray(g)

    @staticmethod
    def differentiable_backward(ctx, g):
        for axis, before, size, index in reversed(ctx.maps):  # each take's transpose: add every copy back
            shape = tuple(g.shape[:axis]) + (size,) + tuple(g.shape[axis + 1:])
            g = Unindex.apply(g, shape=shape, index=(slice(None),) * axis + (index,))
        return g
