"""Pooling over any number of spatial dims (the 2-D layers, and 1-D and 3-D through the same ops): max and
average over sliding windows, and adaptive average and max pooling.

Each window op loops over the kernel taps (never over samples or positions): tap (i, j, ...) of every
window is one strided view of the padded input, so forward and backward are one vectorised pass per tap,
and overlapping windows accumulate their gradients without `np.add.at`. Arguments arrive normalised by the
public wrapper: kernel, stride, dilation as tuples with one entry per spatial dim, padding as (before,
after) per dim, flattened ((top, bottom, left, right) in 2-D), and `extra`, the far-end rows and columns
that ceil_mode adds.
"""
import numpy as np

from ..autograd import Function, Tensor
from .conv import pad_into, tap_slices
from .gate import gate
from .linalg import MatMul
from .shape import Index, Permute, Reshape, Unindex

_BATCH_CHANNEL = (slice(None), slice(None))


def _taps(kernel, out_shape, stride, dilation):
    """(index, slices) of every kernel tap, in row-major order."""
    return [(k, _BATCH_CHANNEL + tap_slices(offsets, out_shape, stride, dilation))
            for k, offsets in enumerate(np.ndindex(*kernel))]


def _inside(shape, padding):
    return _BATCH_CHANNEL + tuple(slice(b, b + s) for b, s in zip(padding[0::2], shape[2:]))


def _unpad(gxp, shape, padding):
    return gxp[_inside(shape, padding)]


def _chosen_positions(which, taps):
    """The (n, c, *spatial) index into the padded input of the tap that each output chose: a max pool's
    backward as an index, for its recorded form."""
    n, c, *out = which.shape
    index = [np.arange(n).reshape((-1,) + (1,) * (len(out) + 1)), np.arange(c).reshape((1, -1) + (1,) * len(out))]
    for d, size in enumerate(out):
        starts = np.array([window[2 + d].start for _, window in taps])
        along = np.arange(size) * taps[0][1][2 + d].step
        index.append(starts[which] + along.reshape((-1,) + (1,) * (len(out) - 1 - d)))
    return tuple(index)


def _first_max(xp, taps, nan_aware):
    """Max over the taps and the row-major index of the first tap holding it (with NaN winning if asked).

    The second tap's comparison is already the index (0 or 1) and its maximum the first fresh array, so
    the scan starts with neither a copy nor a zero fill."""
    best = which = None
    for k, window in taps:
        v = xp[window]
        if best is None:
            best = v  # a view of the input until the next tap's maximum makes a fresh array
            continue
        larger = v > best
        if nan_aware:
            larger |= np.isnan(v)
        if which is None:
            best = np.maximum(best, v)
            which = larger.view(np.uint8) if len(taps) < 256 else larger.astype(np.int32)
        else:
            np.maximum(best, v, out=best)
            np.maximum(which, larger * which.dtype.type(k), out=which)  # taps come in increasing k
    if which is None:  # a single tap: the window is the element itself
        best, which = best.copy(), np.zeros(best.shape, np.uint8)
    return best, which


class MaxPool(Function):
    """Largest value of each window; d/dx sends each output's gradient to the first maximum of its window.

    A NaN wins its window, as in PyTorch. `keep`, a list, receives the (N, C, *out) array of chosen taps
    (row-major index within the kernel), from which the wrapper builds `return_indices`.
    """

    @staticmethod
    def node_name(ctx):  # PyTorch's, by the number of spatial dims
        return f"MaxPool{len(ctx._out_shape) - 2}DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out_shape, extra=None, keep=None):
        xp = pad_into(x, padding, -np.inf, extra)
        taps = _taps(kernel, out_shape, stride, dilation)
        best, which = _first_max(xp, taps, nan_aware=False)
        # rare: redo with PyTorch's rule that a NaN is always "larger". One sum finds it: a NaN anywhere
        # makes the sum NaN (so can inf - inf, which only costs the exact rerun)
        with np.errstate(invalid="ignore", over="ignore"):
            found_nan = np.isnan(np.add.reduce(best, axis=None))
        if found_nan:
            best, which = _first_max(xp, taps, nan_aware=True)
        ctx.which = which
        overlap = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
        # windows that tile the padded input exactly write every gradient element: no zero fill needed
        tiled = not overlap and all(d == 1 and k == s and o * s == n
                                    for k, s, d, o, n in zip(kernel, stride, dilation, out_shape, xp.shape[2:]))
        ctx.geometry = (x.shape, xp.shape, taps, overlap, tiled, padding)
        if keep is not None:
            keep.append(which)
        return best

    @staticmethod
    def backward(ctx, g):
        shape, padded, taps, overlap, tiled, padding = ctx.geometry
        gxp = (np.empty if tiled else np.zeros)(padded, dtype=g.dtype)
        for k, window in taps:  # g where tap k holds the maximum, exactly 0 elsewhere (even where g is inf)
            if overlap:
                gxp[window] += gate(g, np.equal, ctx.which, k)
            else:  # disjoint windows: write in place, no temporary
                gate(g, np.equal, ctx.which, k, out=gxp[window])
        return _unpad(gxp, shape, padding)

    @staticmethod
    def differentiable_backward(ctx, g):
        shape, padded, taps, _, _, padding = ctx.geometry
        gxp = Unindex.apply(g, shape=padded, index=_chosen_positions(ctx.which, taps))
        return Index.apply(gxp, index=_inside(shape, padding))


def avg_divisor(size, k, stride, pad, out, count_include_pad):
    """Per-output window sizes along one axis: clipped to the padded input, or to the input itself."""
    start = np.arange(out) * stride - pad
    end = np.minimum(start + k, size + pad)
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


class AvgPool(Function):
    """Mean of each window (zero padding), divided by `divisor` (of the output's spatial shape); d/dx
    spreads g / divisor over each window."""

    @staticmethod
    def node_name(ctx):
        return f"AvgPool{len(ctx._out_shape) - 2}DBackward0"

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out_shape, divisor, extra=None):
        xp = pad_into(x, padding, 0.0, extra)
        total = np.zeros(x.shape[:2] + tuple(out_shape), dtype=x.dtype)
        taps = _taps(kernel, out_shape, stride, (1,) * len(kernel))
        for _, window in taps:
            total += xp[window]
        scale = (1.0 / divisor).astype(x.dtype)
        ctx.geometry = (x.shape, xp.shape, taps, padding, scale)
        total *= scale
        return total

    @staticmethod
    def backward(ctx, g):
        shape, padded, taps, padding, scale = ctx.geometry
        gs = g * scale
        gxp = np.zeros(padded, dtype=g.dtype)
        for _, window in taps:
            gxp[window] += gs
        return _unpad(gxp, shape, padding)

    @staticmethod
    def differentiable_backward(ctx, g):
        shape, padded, taps, padding, scale = ctx.geometry
        gs = g * scale
        gxp = sum(Unindex.apply(gs, shape=padded, index=window) for _, window in taps)
        return Index.apply(gxp, index=_inside(shape, padding))


def adaptive_matrix(size, out, dtype):
    """(out, size) averaging matrix: row i holds 1/len over [floor(i*size/out), ceil((i+1)*size/out))."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    pos = np.arange(size)
    inside = (pos >= start[:, None]) & (pos < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _along(x, m, axis):
    """The matrix m (out, size) applied along `axis` of x: x @ m^T for the last axis, else m @ x with that
    axis moved next to last (plain matrix products, which BLAS runs faster than tensordot's copies)."""
    if axis == x.ndim - 1:
        return np.matmul(x, m.T)
    return np.moveaxis(np.matmul(m, np.moveaxis(x, axis, -2)), -2, axis)


class AdaptiveAvgPool(Function):
    """Averaging matrices A, one product per spatial axis (A_h @ x @ A_w^T in 2-D); d/dx applies A^T."""

    @staticmethod
    def node_name(ctx):
        return f"AdaptiveAvgPool{len(ctx._out_shape) - 2}DBackward0"

    @staticmethod
    def forward(ctx, x, out_shape):
        ctx.matrices = [adaptive_matrix(size, out, x.dtype) for size, out in zip(x.shape[2:], out_shape)]
        for axis in range(x.ndim - 1, 1, -1):  # the last axis first, on the contiguous rows
            x = _along(x, ctx.matrices[axis - 2], axis)
        return x

    @staticmethod
    def backward(ctx, g):
        for axis in range(g.ndim - 1, 1, -1):
            g = _along(g, ctx.matrices[axis - 2].T, axis)
        return g

    @staticmethod
    def differentiable_backward(ctx, g):
        for axis in range(g.ndim - 1, 1, -1):  # A^T along each axis: that axis moved last, times A
            order = tuple(a for a in range(g.ndim) if a != axis) + (axis,)
            moved = Permute.apply(g, dims=order) if axis != g.ndim - 1 else g
            moved = MatMul.apply(moved, Tensor(ctx.matrices[axis - 2]))
            g = Permute.apply(moved, dims=tuple(np.argsort(order))) if axis != g.ndim - 1 else moved
        return g


def adaptive_taps(size, out):
    """(taps, out) input positions along one axis: tap t of window i is min(start_i + t, end_i - 1), so
    every window, [floor(i*size/out), ceil((i+1)*size/out)), is covered by the same number of taps (a
    short window repeats its last position, which never changes a maximum or which position comes first)."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    taps = int((end - start).max())
    return np.minimum(start[None, :] + np.arange(taps)[:, None], end[None, :] - 1)


def _window_positions(spatial, out_shape):
    """(taps, *out) flat input positions of every adaptive window's taps, in row-major tap order."""
    d = len(spatial)
    strides = np.cumprod((1,) + tuple(spatial[:0:-1]))[::-1]  # row-major strides of the spatial dims
    flat = 0
    for axis, (size, out) in enumerate(zip(spatial, out_shape)):
        shape = [1] * (2 * d)
        shape[axis], shape[d + axis] = -1, out
        flat = flat + adaptive_taps(size, out).reshape(shape) * int(strides[axis])
    return flat.reshape((-1,) + tuple(out_shape))


class AdaptiveMaxPool(Function):
    """Largest value of each adaptive window (see adaptive_taps); d/dx sends each output's gradient to the
    first maximum of its window in row-major order (a NaN wins). `keep`, a list, receives the flat index
    (into the spatial dims) of each one.

    Forward gathers every window's taps at once, (N, C, taps, *out), and takes the first argmax.
    """

    @staticmethod
    def forward(ctx, x, out_shape=(1, 1), keep=None):
        n, c = x.shape[:2]
        flat = _window_positions(x.shape[2:], out_shape)
        windows = np.take(x.reshape(n, c, int(np.prod(x.shape[2:]))), flat, axis=2)
        first = windows.argmax(axis=2)[:, :, None]
        best = np.take_along_axis(windows, first, axis=2)[:, :, 0]
        index = np.take_along_axis(np.broadcast_to(flat, (n, c) + flat.shape), first, axis=2)[:, :, 0]
        ctx.index, ctx.shape = index, x.shape
        if keep is not None:
            keep.append(index)
        return best

    @staticmethod
    def backward(ctx, g):
        gx = np.zeros(int(np.prod(ctx.shape)), dtype=g.dtype)
        np.add.at(gx, _flat_chosen(ctx), g.reshape(-1))
        return gx.reshape(ctx.shape)

    @staticmethod
    def differentiable_backward(ctx, g):
        flat = Reshape.apply(g, shape=(-1,))
        gx = Unindex.apply(flat, shape=(int(np.prod(ctx.shape)),), index=_flat_chosen(ctx))
        return Reshape.apply(gx, shape=ctx.shape)


def _flat_chosen(ctx):
    """AdaptiveMaxPool: each output's chosen input position, flat into the whole (N, C, *spatial) input."""
    n, c = ctx.shape[:2]
    plane = int(np.prod(ctx.shape[2:]))
    planes = (np.arange(n * c) * plane).reshape((n, c) + (1,) * (len(ctx.shape) - 2))
    return (ctx.index + planes).reshape(-1)
