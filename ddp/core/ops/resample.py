"""Resampling of the trailing 1, 2 or 3 dims: nearest (by indexing); linear, cubic and antialiased filters
(by interpolation matrices).

Every mode is separable and linear, so each axis has a small matrix M (out, in) and the resampled array is
x multiplied by M along that axis, one axis after another (for an image, R @ x @ C^T); d/dx applies the
transposes the same way. The public wrapper (ddp.core.nn.functional_resample) builds the indices and
matrices; the weights follow PyTorch's CPU kernels, including the precision each step is computed in.
"""
import math

import numpy as np

from ..autograd import Function


def opmath(dtype):
    """The dtype PyTorch computes source coordinates in: float64 for float64 data, else float32."""
    return np.dtype(np.float64) if np.dtype(dtype) == np.float64 else np.dtype(np.float32)


def nearest_index(size, out, scale, exact=False, dtype=np.float32):
    """Source index of each of `out` positions along an axis of `size`: floor(dst * scale), or
    floor((dst + 0.5) * scale) for nearest-exact, clipped; computed in `dtype` as PyTorch does."""
    real = np.dtype(dtype).type
    dst = np.arange(out, dtype=dtype) + real(0.5 if exact else 0.0)
    return np.minimum(np.floor(dst * real(scale)).astype(np.int64), size - 1)


def nearest_index_2d(size, out, scale):
    """PyTorch's index rule for 'nearest' on 4-D inputs: the source pixel itself when out == size, dst // 2
    when out == 2 size, else floor(dst * scale) in float32 (its 1-D and 3-D kernels skip the two shortcuts)."""
    if out == size:
        return np.arange(out, dtype=np.int64)
    if out == 2 * size:
        return np.arange(out, dtype=np.int64) // 2
    return nearest_index(size, out, scale)


def linear_matrix(size, out, scale, align_corners, dtype):
    """(out, size) matrix of linear interpolation weights along one axis (the identity when out == size).

    align_corners maps the corner pixels' centres onto each other (src = dst (size-1)/(out-1)); otherwise
    src = (dst + 0.5) scale - 0.5, clipped at 0, with scale = size/out or 1/scale_factor. Coordinates are
    computed in float32 (float64 for float64 data), as PyTorch does.
    """
    if out == size:
        return np.eye(size, dtype=dtype)
    real = opmath(dtype).type
    dst = np.arange(out, dtype=real)
    if align_corners:
        src = dst * real((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        src = np.maximum((dst + real(0.5)) * real(scale) - real(0.5), 0)
    i0 = np.minimum(np.floor(src).astype(np.int64), size - 1)
    i1 = np.minimum(i0 + 1, size - 1)
    frac = np.clip(src - i0, 0, 1)
    m = np.zeros((out, size), dtype=dtype)
    np.add.at(m, (np.arange(out), i0), 1 - frac)
    np.add.at(m, (np.arange(out), i1), frac)
    return m


def cubic_matrix(size, out, scale, align_corners, dtype):
    """(out, size) matrix of PyTorch's bicubic weights (Keys' kernel, a = -0.75) along one axis.

    src = dst (size-1)/(out-1) with align_corners, else (dst + 0.5) scale - 0.5, not clipped; with
    i = floor(src) (at most size - 1) and t = src - i (clipped to [0, 1]), pixels i-1 .. i+2, each clamped
    into the image, get the weights k(t + 1), k(t), k(1 - t), k(2 - t). Computed in `dtype`, as PyTorch.
    """
    a, real = -0.75, np.dtype(dtype).type
    dst = np.arange(out, dtype=dtype)
    if align_corners:
        src = dst * real((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        src = (dst + real(0.5)) * real(scale) - real(0.5)
    i0 = np.minimum(np.floor(src).astype(np.int64), size - 1)
    t = np.clip(src - i0, 0, 1)
    near, far = np.stack([t, 1 - t]), np.stack([t + 1, 2 - t])
    near = ((a + 2) * near - (a + 3)) * near * near + 1  # |x| <= 1
    far = ((a * far - 5 * a) * far + 8 * a) * far - 4 * a  # 1 < |x| < 2
    m = np.zeros((out, size), dtype=dtype)
    for offset, weight in zip((-1, 0, 1, 2), (far[0], near[0], near[1], far[1])):
        np.add.at(m, (np.arange(out), np.clip(i0 + offset, 0, size - 1)), weight.astype(dtype))
    return m


def _triangle(x):
    return np.maximum(1 - x, 0)


def _keys_half(x, a=-0.5):
    """Keys' cubic kernel with a = -0.5 (PIL's bicubic, which PyTorch's antialiased bicubic follows)."""
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0))


def _sinc(v):
    """sin(pi v) / (pi v), 1 at 0."""
    pv = v * np.pi
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(v == 0, 1, np.sin(pv) / pv)


def _lanczos3(x):
    """sinc(x) sinc(x / 3) for |x| < 3, else 0."""
    return np.where(x < 3, _sinc(x) * _sinc(x / 3), 0).astype(x.dtype)


# each antialiased filter: (half its width at scale 1, the kernel of |x|)
AA_FILTERS = {"bilinear": (1, _triangle), "bicubic": (2, _keys_half), "lanczos": (3, _lanczos3)}


def aa_matrix(size, out, scale, mode, dtype):
    """(out, size) matrix of PyTorch's antialiased weights (PIL's resampling) along one axis.

    Output pixel i is centred at c = scale (i + 0.5) in input coordinates; when shrinking (scale >= 1) the
    filter is stretched by `scale`, so it averages every input pixel it covers. Pixels j with centres within
    the support, [int(c - support + 0.5), int(c + support + 0.5)), get filter((j + 0.5 - c) / max(scale, 1)),
    normalised to sum 1 (which also renormalises at the borders). Computed in `dtype` with PyTorch's mixed
    float/double steps; the identity when out == size (PyTorch skips such axes).
    """
    if out == size:
        return np.eye(size, dtype=dtype)
    half, kernel = AA_FILTERS[mode]
    real = np.dtype(dtype).type
    scale = real(scale)
    support = real(half * scale) if scale >= 1 else real(half)
    width = math.ceil(support) * 2 + 1
    invscale = np.float64(real(1.0 / scale) if scale >= 1 else real(1.0))
    center = (np.float64(scale) * (np.arange(out) + 0.5)).astype(dtype)
    xmin = np.maximum(((center - support).astype(np.float64) + 0.5).astype(np.int64), 0)
    xmax = np.minimum(((center + support).astype(np.float64) + 0.5).astype(np.int64), size)
    xsize = np.clip(xmax - xmin, 0, width)
    taps = np.arange(width)
    src = (taps + xmin[:, None]).astype(dtype)  # (out, width) input pixels
    arg = (((src - center[:, None]).astype(np.float64) + 0.5) * invscale).astype(dtype)
    w = np.where(taps < xsize[:, None], kernel(np.abs(arg)), 0).astype(dtype)
    total = w.sum(axis=1, keepdims=True)
    w = np.divide(w, total, out=w, where=total != 0)
    m = np.zeros((out, size), dtype=dtype)
    rows, cols = np.nonzero(taps < xsize[:, None])
    m[rows, xmin[rows] + cols] = w[rows, cols]
    return m


def one_hot_matrix(index, size, dtype):
    """(len(index), size) matrix with a 1 at (i, index[i])."""
    m = np.zeros((len(index), size), dtype=dtype)
    m[np.arange(len(index)), index] = 1
    return m


def along_axes(x, matrices, transpose=False):
    """x multiplied by matrices[k] (or its transpose) along its k-th of the last len(matrices) axes.

    The last axis is a right product (x @ M^T); an earlier axis a left product on x viewed as
    (..., n, rest) (M @ x), so every GEMM runs on contiguous memory without moving axes.
    """
    first = x.ndim - len(matrices)
    for axis in range(x.ndim - 1, first - 1, -1):  # the last axis first, as PyTorch's separable passes
        m = matrices[axis - first]
        m = m.T if transpose else m
        if axis == x.ndim - 1:
            x = np.matmul(x, m.T)
        else:
            shape = x.shape
            x = np.matmul(m, x.reshape(shape[:axis] + (shape[axis], math.prod(shape[axis + 1:]))))
            x = x.reshape(shape[:axis] + (m.shape[0],) + shape[axis + 1:])
    return x


class Nearest(Function):
    """out[..., i, j, ...] = x[..., index[0][i], index[1][j], ...] over the trailing axes; d/dx sums g into
    the source pixels (the one-hot matrices' transposes applied to g)."""

    @staticmethod
    def forward(ctx, x, index=None):
        ctx.geometry = (index, x.shape[x.ndim - len(index):])
        return x[(Ellipsis,) + np.ix_(*index)]

    @staticmethod
    def backward(ctx, g):
        index, sizes = ctx.geometry
        return along_axes(g, [one_hot_matrix(i, n, g.dtype) for i, n in zip(index, sizes)], transpose=True)

    @staticmethod
    def differentiable_backward(ctx, g):
        index, sizes = ctx.geometry
        dtype = g._data.dtype
        return Separable.apply(g, matrices=[one_hot_matrix(i, n, dtype).T for i, n in zip(index, sizes)])


class Separable(Function):
    """out = x multiplied along each trailing axis by its matrix M_k (out_k, in_k); d/dx applies each M_k^T."""

    @staticmethod
    def forward(ctx, x, matrices=None):
        ctx.matrices = matrices
        return along_axes(x, matrices)

    @staticmethod
    def backward(ctx, g):
        return along_axes(g, ctx.matrices, transpose=True)

    @staticmethod
    def differentiable_backward(ctx, g):
        return Separable.apply(g, matrices=[m.T for m in ctx.matrices])
