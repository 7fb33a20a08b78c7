"""Resampling of the last two dims: nearest (by indexing), (bi)linear and bicubic (by interpolation matrices).

Both maps are separable and linear, so each is a pair of small matrices R (OH, H) and C (OW, W) with
out = R @ x @ C^T and d/dx = R^T @ g @ C: two GEMMs over the whole batch in each direction. The public
wrapper (ddp.core.nn.functional_resample) builds the indices and matrices.
"""
import numpy as np

from ..autograd import Function


def nearest_index(size, out, scale, exact=False):
    """Source index of each of `out` positions along an axis of `size`: floor(dst * scale), or
    floor((dst + 0.5) * scale) for nearest-exact, clipped; computed in float32 as PyTorch does."""
    dst = np.arange(out, dtype=np.float32) + np.float32(0.5 if exact else 0.0)
    return np.minimum(np.floor(dst * np.float32(scale)).astype(np.int64), size - 1)


def linear_matrix(size, out, scale, align_corners, dtype):
    """(out, size) matrix of linear interpolation weights along one axis.

    align_corners maps the corner pixels' centres onto each other (src = dst (size-1)/(out-1)); otherwise
    src = (dst + 0.5) scale - 0.5, clipped at 0, with scale = size/out or 1/scale_factor.
    """
    dst = np.arange(out, dtype=np.float32)
    if align_corners:
        src = dst * np.float32((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        src = np.maximum((dst + np.float32(0.5)) * np.float32(scale) - np.float32(0.5), 0)
    i0 = np.minimum(np.floor(src).astype(np.int64), size - 1)
    i1 = np.minimum(i0 + 1, size - 1)
    frac = src - i0
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


def one_hot_matrix(index, size, dtype):
    """(len(index), size) matrix with a 1 at (i, index[i])."""
    m = np.zeros((len(index), size), dtype=dtype)
    m[np.arange(len(index)), index] = 1
    return m


class Nearest2d(Function):
    """out[..., i, j] = x[..., rows[i], cols[j]]; d/dx sums g into the source pixels (R^T @ g @ C)."""

    @staticmethod
    def forward(ctx, x, rows=None, cols=None):
        ctx.geometry = (rows, cols, x.shape[-2:])
        return x[..., rows[:, None], cols[None, :]]

    @staticmethod
    def backward(ctx, g):
        rows, cols, (h, w) = ctx.geometry
        r, c = one_hot_matrix(rows, h, g.dtype), one_hot_matrix(cols, w, g.dtype)
        return np.matmul(r.T, np.matmul(g, c))


class Linear2d(Function):
    """out = R @ x @ C^T with interpolation matrices R (OH, H), C (OW, W); d/dx = R^T @ g @ C."""

    @staticmethod
    def forward(ctx, x, rows=None, cols=None):
        ctx.matrices = (rows, cols)
        return np.matmul(rows, np.matmul(x, cols.T))

    @staticmethod
    def backward(ctx, g):
        rows, cols = ctx.matrices
        return np.matmul(rows.T, np.matmul(g, cols))
