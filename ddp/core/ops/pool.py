"""2-D pooling: max and average over sliding windows, and adaptive average and max pooling.

Each window op loops over the KH*KW kernel taps (never over samples or positions): tap (i, j) of every
window is one strided view of the padded input, so forward and backward are KH*KW vectorised passes, and
overlapping windows accumulate their gradients without `np.add.at`. Arguments arrive normalised by the
public wrapper: kernel, stride, dilation as pairs, padding as (top, bottom, left, right), and `extra`, the
rows and columns that ceil_mode adds past the bottom-right edge.
"""
import numpy as np

from ..autograd import Function
from .conv import pad_into, window_slices


def _taps(kernel, out_hw, stride, dilation):
    """(index, rows, cols) of every kernel tap, in row-major order."""
    kh, kw = kernel
    for i in range(kh):
        for j in range(kw):
            yield (i * kw + j,) + window_slices(i, j, out_hw, stride, dilation)


def _unpad(gxp, shape, padding):
    top, _, left, _ = padding
    return gxp[:, :, top:top + shape[2], left:left + shape[3]]


def _first_max(xp, taps, nan_aware):
    """Max over the taps and the row-major index of the first tap holding it (with NaN winning if asked).

    The second tap's comparison is already the index (0 or 1) and its maximum the first fresh array, so
    the scan starts with neither a copy nor a zero fill."""
    best = which = None
    for k, rows, cols in taps:
        v = xp[:, :, rows, cols]
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


class MaxPool2d(Function):
    """Largest value of each window; d/dx sends each output's gradient to the first maximum of its window.

    A NaN wins its window, as in PyTorch. `keep`, a list, receives the (N, C, OH, OW) array of chosen taps
    (row-major index within the kernel), from which the wrapper builds `return_indices`.
    """

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out_hw, extra=(0, 0), keep=None):
        xp = pad_into(x, padding, -np.inf, extra)
        taps = list(_taps(kernel, out_hw, stride, dilation))
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
                                    for k, s, d, o, n in zip(kernel, stride, dilation, out_hw, xp.shape[2:]))
        ctx.geometry = (x.shape, xp.shape, taps, overlap, tiled, padding)
        if keep is not None:
            keep.append(which)
        return best

    @staticmethod
    def backward(ctx, g):
        shape, padded, taps, overlap, tiled, padding = ctx.geometry
        gxp = (np.empty if tiled else np.zeros)(padded, dtype=g.dtype)
        for k, rows, cols in taps:
            if overlap:
                gxp[:, :, rows, cols] += g * (ctx.which == k)
            else:  # disjoint windows: write in place, no temporary
                np.multiply(g, ctx.which == k, out=gxp[:, :, rows, cols])
        return _unpad(gxp, shape, padding)


def avg_divisor(size, k, stride, pad, out, count_include_pad):
    """Per-output window sizes along one axis: clipped to the padded input, or to the input itself."""
    start = np.arange(out) * stride - pad
    end = np.minimum(start + k, size + pad)
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


class AvgPool2d(Function):
    """Mean of each window (zero padding), divided by `divisor` (OH, OW); d/dx spreads g / divisor."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out_hw, divisor, extra=(0, 0)):
        xp = pad_into(x, padding, 0.0, extra)
        total = np.zeros(x.shape[:2] + tuple(out_hw), dtype=x.dtype)
        for _, rows, cols in _taps(kernel, out_hw, stride, (1, 1)):
            total += xp[:, :, rows, cols]
        scale = (1.0 / divisor).astype(x.dtype)
        ctx.geometry = (x.shape, xp.shape, kernel, out_hw, stride, padding, scale)
        total *= scale
        return total

    @staticmethod
    def backward(ctx, g):
        shape, padded, kernel, out_hw, stride, padding, scale = ctx.geometry
        gs = g * scale
        gxp = np.zeros(padded, dtype=g.dtype)
        for _, rows, cols in _taps(kernel, out_hw, stride, (1, 1)):
            gxp[:, :, rows, cols] += gs
        return _unpad(gxp, shape, padding)


def adaptive_matrix(size, out, dtype):
    """(out, size) averaging matrix: row i holds 1/len over [floor(i*size/out), ceil((i+1)*size/out))."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    pos = np.arange(size)
    inside = (pos >= start[:, None]) & (pos < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class AdaptiveAvgPool2d(Function):
    """out = A_h @ x @ A_w^T with averaging matrices A (one product per axis); d/dx = A_h^T @ g @ A_w."""

    @staticmethod
    def forward(ctx, x, out_hw):
        ah = adaptive_matrix(x.shape[2], out_hw[0], x.dtype)
        aw = adaptive_matrix(x.shape[3], out_hw[1], x.dtype)
        ctx.matrices = (ah, aw)
        return np.matmul(ah, np.matmul(x, aw.T))

    @staticmethod
    def backward(ctx, g):
        ah, aw = ctx.matrices
        return np.matmul(ah.T, np.matmul(g, aw))


def adaptive_taps(size, out):
    """(taps, out) input positions along one axis: tap t of window i is min(start_i + t, end_i - 1), so
    every window, [floor(i*size/out), ceil((i+1)*size/out)), is covered by the same number of taps (a
    short window repeats its last position, which never changes a maximum or which position comes first)."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    taps = int((end - start).max())
    return np.minimum(start[None, :] + np.arange(taps)[:, None], end[None, :] - 1)


class AdaptiveMaxPool2d(Function):
    """Largest value of each adaptive window (see adaptive_taps); d/dx sends each output's gradient to the
    first maximum of its window in row-major order (a NaN wins). `keep`, a list, receives the flat (H*W)
    index of each one.

    Forward gathers every window's taps at once, (N, C, taps, OH, OW), and takes the first argmax.
    """

    @staticmethod
    def forward(ctx, x, out_hw=(1, 1), keep=None):
        n, c, h, w = x.shape
        rows, cols = adaptive_taps(h, out_hw[0]), adaptive_taps(w, out_hw[1])
        flat = (rows[:, None, :, None] * w + cols[None, :, None, :]).reshape((-1,) + tuple(out_hw))
        windows = np.take(x.reshape(n, c, h * w), flat, axis=2)
        first = windows.argmax(axis=2)[:, :, None]
        best = np.take_along_axis(windows, first, axis=2)[:, :, 0]
        index = flat[first[:, :, 0], np.arange(out_hw[0])[:, None], np.arange(out_hw[1])]
        ctx.index, ctx.shape = index, x.shape
        if keep is not None:
            keep.append(index)
        return best

    @staticmethod
    def backward(ctx, g):
        n, c, h, w = ctx.shape
        planes = (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
        gx = np.zeros(n * c * h * w, dtype=g.dtype)
        np.add.at(gx, (ctx.index + planes).reshape(-1), g.reshape(-1))
        return gx.reshape(ctx.shape)
