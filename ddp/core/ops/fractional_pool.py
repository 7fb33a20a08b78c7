"""Fractional max pooling (Graham, "Fractional Max-Pooling", 2014): windows of a fixed size whose starts
follow a pseudo-random sequence, one per plane and axis, so that the output may shrink the input by a
non-integer ratio. The sequence is PyTorch's, so equal samples give equal windows.

The op loops over the kernel taps only: each tap gathers, for every plane and output position at once,
the element at its window's start plus the tap's offset.
"""
import numpy as np

from ..autograd import Function


def interval_starts(samples, size, out, pool):
    """(planes, out) int64 window starts along an axis of `size`, from one sample u per plane, as PyTorch:
    start_i = int((i + u) * alpha) - int(u * alpha) with alpha = (size - pool) / (out - 1), and the last
    window flush with the far end. The arithmetic runs in the samples' dtype (PyTorch: the input's)."""
    starts = np.empty((samples.shape[0], out), dtype=np.int64)
    if out > 1:
        kind = samples.dtype.type
        alpha = kind(size - pool) / kind(out - 1)
        i = np.arange(out - 1, dtype=samples.dtype)
        first = (samples * alpha).astype(np.int64)  # truncation, as C's cast to int
        starts[:, :-1] = ((i + samples[:, None]) * alpha).astype(np.int64) - first[:, None]
    if out > 0:
        starts[:, -1] = size - pool
    return starts


def _window_origins(starts, spatial):
    """(planes, prod(out)) flat index (into the spatial dims) of each window's first element."""
    strides = np.cumprod((1,) + tuple(spatial[:0:-1]))[::-1]  # row-major strides of the spatial dims
    d = len(starts)
    origin = np.zeros((starts[0].shape[0],) + (1,) * d, dtype=np.int64)
    for axis, (s, stride) in enumerate(zip(starts, strides)):
        shape = [s.shape[0]] + [1] * d
        shape[1 + axis] = s.shape[1]
        origin = origin + s.reshape(shape) * int(stride)
    return origin.reshape(origin.shape[0], int(np.prod(origin.shape[1:]))), strides


class FractionalMaxPool(Function):
    """Max over the windows of size `kernel` that start at `starts` (one (planes, out) array per spatial
    axis, planes = N * C); d/dx sends each output's gradient to the element it picked, adding up where
    overlapping windows picked the same one.

    Within a window the first maximum wins, and any NaN beats it (the last NaN, as PyTorch's scan).
    `keep`, a list, receives the (N, C, *out) int64 flat indices into the spatial dims.
    """

    @staticmethod
    def forward(ctx, x, starts=(), kernel=(), keep=None):
        n, c, *spatial = x.shape
        out_shape = tuple(s.shape[1] for s in starts)
        planes = x.reshape(n * c, int(np.prod(spatial)))
        origin, strides = _window_origins(starts, spatial)
        best = index = None
        for offsets in np.ndindex(*kernel):
            flat = origin + int(np.dot(offsets, strides))
            v = np.take_along_axis(planes, flat, axis=1)
            if best is None:
                best, index = v, flat
                continue
            larger = (v > best) | np.isnan(v)
            best = np.where(larger, v, best)
            index = np.where(larger, flat, index)
        if ctx.needs_input_grad[0]:
            ctx.index, ctx.x_shape = index, x.shape
        if keep is not None:
            keep.append(index.reshape((n, c) + out_shape))
        return best.reshape((n, c) + out_shape)

    @staticmethod
    def backward(ctx, g):
        n, c, *spatial = ctx.x_shape
        size = int(np.prod(spatial))
        rows = np.arange(n * c, dtype=np.int64)[:, None] * size
        total = np.bincount((ctx.index + rows).ravel(), weights=g.ravel(),
                            minlength=n * c * size)
        return total.astype(g.dtype, copy=False).reshape(ctx.x_shape)
