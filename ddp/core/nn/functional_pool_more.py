"""The rest of torch.nn.functional's pooling (re-exported by ddp.nn.functional): the `*_with_indices`
names, max unpooling (ops/unpool.py) and power-average (LP) pooling, composed of avg pooling."""
import math

import numpy as np

from ..ops.unpool import MaxUnpool
from ..tensor import Tensor
from .functional_conv import _batched, _ntuple, _unbatched
from .functional_pool import adaptive_max_pool, avg_pool, max_pool
from .functional_pool1d import adaptive_max_pool1d, max_pool1d

__all__ = """
max_pool1d_with_indices max_pool2d_with_indices max_pool3d_with_indices adaptive_max_pool1d_with_indices
adaptive_max_pool2d_with_indices adaptive_max_pool3d_with_indices max_unpool1d max_unpool2d max_unpool3d
lp_pool1d lp_pool2d lp_pool3d
""".split()


# ------------------------------------------------------------------------- pooling with indices
# PyTorch's names for max pooling that always returns (pooled, indices); return_indices is ignored.
def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
                            return_indices=False):
    """max_pool1d's (pooled, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
                            return_indices=False):
    """max_pool2d's (pooled, indices)."""
    return max_pool("max_pool2d", input, 2, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
                            return_indices=False):
    """max_pool3d's (pooled, indices)."""
    return max_pool("max_pool3d", input, 3, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):  # noqa: A002
    """adaptive_max_pool1d's (pooled, indices)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):  # noqa: A002
    """adaptive_max_pool2d's (pooled, indices)."""
    return adaptive_max_pool("adaptive_max_pool2d", input, 2, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):  # noqa: A002
    """adaptive_max_pool3d's (pooled, indices)."""
    return adaptive_max_pool("adaptive_max_pool3d", input, 3, output_size, True)


# --------------------------------------------------------------------------------- max unpooling
def _unpool_shape(op, x, kernel, stride, padding, output_size):
    """The output's spatial shape: (in - 1) * stride - 2 * padding + kernel per dim, or output_size (its
    last dims when it also names N and C), which must lie strictly within one stride of that."""
    d = len(kernel)
    default = [(size - 1) * s - 2 * p + k for size, k, s, p in zip(x.shape[2:], kernel, stride, padding)]
    if output_size is None:
        return tuple(default)
    sizes = tuple(int(v) for v in output_size)
    sizes = sizes[2:] if len(sizes) == d + 2 else sizes
    if len(sizes) != d:
        raise ValueError(f"{op}: output_size must have {d} or {d + 2} entries, got {tuple(output_size)}")
    for axis, (want, base, s) in enumerate(zip(sizes, default, stride)):
        if not base - s < want < base + s:
            raise ValueError(f"{op}: output_size {sizes} is out of range: dim {axis} must be between "
                             f"{base - s} and {base + s} (exclusive)")
    return sizes


def max_unpool(op, input, indices, spatial, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """max_unpool1d/2d/3d's shared body, for `spatial` dims."""
    x, added = _batched(input, op, spatial)
    index = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if index.dtype != np.int64:
        raise RuntimeError(f"{op}: indices must be int64, got {index.dtype}")
    index = index[None] if added else index
    if index.shape != tuple(x.shape):
        raise RuntimeError(f"{op}: indices of shape {tuple(indices.shape)} must have the input's shape "
                           f"{tuple(input.shape)}")
    kernel = _ntuple(kernel_size, spatial, "kernel_size", op)
    stride = kernel if stride is None else _ntuple(stride, spatial, "stride", op)
    padding = _ntuple(padding, spatial, "padding", op, minimum=0)
    out_shape = _unpool_shape(op, x, kernel, stride, padding, output_size)
    size = math.prod(out_shape)
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index.max() if index.max() >= size else index.min()
        raise RuntimeError(f"{op}: found an invalid max index {bad} for an output of spatial shape {out_shape}")
    return _unbatched(MaxUnpool.apply(x, indices=index, out_shape=out_shape), added)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """Put each value of max_pool1d's output back where its index says, zeros elsewhere: (N, C, L) or (C, L).

    Example:
        >>> y, i = max_pool1d(x, 2, return_indices=True)
        >>> max_unpool1d(y, i, 2).shape == x.shape
    """
    return max_unpool("max_unpool1d", input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """Put each value of max_pool2d's output back where its index (flat into H*W) says, zeros elsewhere.

    Args:
        input, indices: max_pool2d's (pooled, indices), (N, C, H, W) or (C, H, W).
        kernel_size, stride (default: kernel_size), padding: the pooling's settings.
        output_size: the spatial shape to restore (pooling rounds sizes down), within one stride of the
            default (H - 1) * stride - 2 * padding + kernel_size.
    Raises:
        RuntimeError for indices of another shape or dtype, or outside the output; ValueError for a bad
        output_size.

    Example:
        >>> y, i = max_pool2d(x, 2, return_indices=True)
        >>> max_unpool2d(y, i, 2, output_size=x.shape)
    """
    return max_unpool("max_unpool2d", input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """max_unpool2d for (N, C, D, H, W) or (C, D, H, W) inputs; indices are flat into D*H*W."""
    return max_unpool("max_unpool3d", input, indices, 3, kernel_size, stride, padding, output_size)


# ----------------------------------------------------------------------------------- LP pooling
def lp_pool(op, input, spatial, norm_type, kernel_size, stride=None, ceil_mode=False):  # noqa: A002
    """(sum over each window of x^p)^(1/p), as PyTorch computes it: avg pooling of x^p times the kernel's
    size (so a partial ceil_mode window, averaged over fewer elements, is scaled the same way)."""
    kernel = _ntuple(kernel_size, spatial, "kernel_size", op)
    x, added = _batched(input, op, spatial)
    mean = avg_pool(op, x ** norm_type, spatial, kernel, stride, 0, ceil_mode)
    return _unbatched((mean * math.prod(kernel)) ** (1.0 / norm_type), added)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):  # noqa: A002
    """The p-norm of each sliding window of the last dim, (sum x^p)^(1/p): p = 1 sums, large p nears max.

    Example:
        >>> y = lp_pool1d(ddp.randn(4, 3, 10).abs(), 2, 3)    # (4, 3, 3)
    """
    return lp_pool("lp_pool1d", input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):  # noqa: A002
    """The p-norm of each sliding 2-D window, (sum x^p)^(1/p); kernel_size and stride are ints or pairs."""
    return lp_pool("lp_pool2d", input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):  # noqa: A002
    """The p-norm of each sliding 3-D window, (sum x^p)^(1/p); kernel_size and stride are ints or triples."""
    return lp_pool("lp_pool3d", input, 3, norm_type, kernel_size, stride, ceil_mode)
