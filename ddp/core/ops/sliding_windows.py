"""Sliding windows along one dim (Tensor.unfold), as a strided view, with the gradient summed over overlaps."""
import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from ..autograd import Function


def windows_view(x, dim, size, step):
    """A read-only view of x whose dim `dim` counts the windows and whose new last dim runs through one."""
    every = sliding_window_view(x, size, axis=dim)  # a window at each start
    return every[(slice(None),) * dim + (slice(None, None, step),)]


def add_windows(gx, g, dim, size, step):
    """gx += g, the gradient of the windows of gx (`windows_view`'s layout), summing where windows overlap.

    Windows i, i + k, i + 2k, ... with k = ceil(size / step) do not overlap, so each of these k groups is
    added through one strided view of gx: k vectorised additions, whatever the number of windows.
    """
    gx_last = np.moveaxis(gx, dim, -1)
    g_windows = np.moveaxis(g, dim, -2)  # (..., count, size)
    k = -(-size // step) if size else 1
    stride = gx_last.strides[-1]
    for first in range(min(k, g_windows.shape[-2])):
        group = g_windows[..., first::k, :]
        start = gx_last[..., first * step:]
        view = as_strided(start, start.shape[:-1] + group.shape[-2:],
                          start.strides[:-1] + (k * step * stride, stride))
        view += group


class Unfold(Function):
    """The windows of `size` every `step` along `dim` of x, as a new last dim (a view).

    d/dx sums the gradients of every window that holds an element (windows overlap when step < size).
    """

    @staticmethod
    def forward(ctx, x, *, dim, size, step):
        ctx.shape, ctx.dims = x.shape, (dim, size, step)
        return windows_view(x, dim, size, step)

    @staticmethod
    def backward(ctx, g):
        gx = np.zeros(ctx.shape, dtype=g.dtype)
        add_windows(gx, g, *ctx.dims)
        return gx

    @staticmethod
    def differentiable_backward(ctx, g):
        dim, size, step = ctx.dims
        return SumWindows.apply(g, shape=ctx.shape, dim=dim, size=size, step=step)


class SumWindows(Function):
    """Unfold's gradient as a recorded op, for create_graph=True: zeros of `shape` with each window of g
    added at its place; its own gradient takes the windows again."""

    @staticmethod
    def forward(ctx, g, *, shape, dim, size, step):
        ctx.dims = (dim, size, step)
        gx = np.zeros(shape, dtype=g.dtype)
        add_windows(gx, g, dim, size, step)
        return gx

    @staticmethod
    def backward(ctx, gg):
        return np.ascontiguousarray(windows_view(gg, *ctx.dims))

    @staticmethod
    def differentiable_backward(ctx, gg):
        dim, size, step = ctx.dims
        return Unfold.apply(gg, dim=dim, size=size, step=step)
