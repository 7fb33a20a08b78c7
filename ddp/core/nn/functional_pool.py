"""Pooling, functional forms (re-exported by ddp.nn.functional): max, average, adaptive average and adaptive
max pooling over (N, C, H, W) or unbatched (C, H, W) inputs; the 3-D forms (functional_pool3d.py) share
the helpers here, which take the number of spatial dims.

Arguments follow torch.nn.functional. Validation lives here; ops/pool.py gets normalised arguments: one
entry per spatial dim for kernel/stride/dilation and (before, after) per dim for padding.
"""
import numpy as np

from ..ops import pool as pool_ops
from ..tensor import Tensor
from .functional_conv import _batched, _many, _ntuple, _unbatched

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d"]


# ----------------------------------------------------------------------------------------- pooling
def _pool_geometry(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    """Normalised (kernel, stride, padding, dilation, out_shape, extra) with PyTorch's output-size rule,
    for as many spatial dims as x has after (N, C)."""
    d = x.ndim - 2
    kernel = _ntuple(kernel_size, d, "kernel_size", op)
    default = stride is None or (isinstance(stride, (tuple, list)) and not stride)  # PyTorch: [] means kernel
    stride = kernel if default else _ntuple(stride, d, "stride", op)
    pad = _ntuple(padding, d, "padding", op, minimum=0)
    dilation = _ntuple(dilation, d, "dilation", op)
    out_shape, extra = [], []
    for size, k, s, p, dl in zip(x.shape[2:], kernel, stride, pad, dilation):
        span = dl * (k - 1) + 1
        if p > span // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={dl}")
        n = (size + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (n - 1) * s >= size + p:
            n -= 1  # the last window must start inside the input or its left padding
        if n < 1:
            raise RuntimeError(f"{op}: input of shape {tuple(x.shape)} is too small for kernel_size={kernel}, "
                               f"stride={stride}, padding={pad}, dilation={dilation} (output size {n})")
        out_shape.append(n)
        extra.append(max(0, (n - 1) * s + span - (size + 2 * p)))
    padding = tuple(w for p in pad for w in (p, p))
    return kernel, stride, padding, dilation, tuple(out_shape), tuple(extra)


def _max_indices(which, x_shape, kernel, stride, padding, dilation):
    """Flat indices (into the spatial dims) of the chosen taps `which` (row-major within the kernel)."""
    offsets = np.unravel_index(which.astype(np.int64), kernel)
    d = len(kernel)
    flat = np.zeros(which.shape, dtype=np.int64)
    for axis in range(d):
        shape = [1] * which.ndim
        shape[2 + axis] = -1
        start = (np.arange(which.shape[2 + axis]) * stride[axis] - padding[2 * axis]).reshape(shape)
        flat = flat * x_shape[2 + axis] + start + offsets[axis] * dilation[axis]
    return flat


def max_pool(op, input, spatial, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
             return_indices=False):
    """max_pool1d/2d/3d's shared body, for `spatial` dims."""
    x, added = _batched(input, op, spatial)
    kernel, stride, pad, dilation, out_shape, extra = _pool_geometry(
        op, x, kernel_size, stride, padding, dilation, ceil_mode)
    keep = [] if return_indices else None
    out = pool_ops.MaxPool.apply(x, kernel=kernel, stride=stride, padding=pad, dilation=dilation,
                                 out_shape=out_shape, extra=extra, keep=keep)
    if not return_indices:
        return _unbatched(out, added)
    indices = Tensor(_max_indices(keep[0], x.shape, kernel, stride, pad, dilation))
    return _unbatched(out, added), _unbatched(indices, added)


def avg_pool(op, input, spatial, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
             count_include_pad=True, divisor_override=None):
    """avg_pool2d/3d's shared body, for `spatial` dims."""
    x, added = _batched(input, op, spatial)
    kernel, stride, pad, _, out_shape, extra = _pool_geometry(op, x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError(f"{op}: divisor_override must not be zero")
        divisor = np.full(out_shape, float(divisor_override))
    else:
        divisor = np.ones(())
        for size, k, s, p, n in zip(x.shape[2:], kernel, stride, pad[::2], out_shape):
            divisor = np.multiply.outer(divisor, pool_ops.avg_divisor(size, k, s, p, n, count_include_pad))
    out = pool_ops.AvgPool.apply(x, kernel=kernel, stride=stride, padding=pad, out_shape=out_shape,
                                 divisor=divisor, extra=extra)
    return _unbatched(out, added)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """Maximum over sliding windows, as torch.nn.functional.max_pool2d.

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size, stride (default: kernel_size), padding (implicit -inf), dilation: an int or a pair.
        ceil_mode: round the output size up (a last, partial window) instead of down.
        return_indices: also return the flat index (into H*W) of each maximum, as an int64 Tensor.
    Returns:
        the pooled tensor, or (pooled, indices). The gradient goes to the first maximum of each window.

    Example:
        >>> y = max_pool2d(ddp.randn(8, 10, 24, 24), 2)    # (8, 10, 12, 12)
    """
    return max_pool("max_pool2d", input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,  # noqa: A002
               divisor_override=None):
    """Mean over sliding windows, as torch.nn.functional.avg_pool2d.

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size, stride (default: kernel_size), padding (implicit zeros): an int or a pair.
        ceil_mode: round the output size up instead of down.
        count_include_pad: count padding zeros in the divisor. divisor_override: use this divisor instead.
    Returns:
        the pooled tensor.

    Example:
        >>> y = avg_pool2d(ddp.randn(8, 10, 24, 24), 2)    # (8, 10, 12, 12)
    """
    return avg_pool("avg_pool2d", input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override)


def _adaptive_size(x, output_size, op):
    """The output's spatial shape from an int, a tuple, or None entries (keep that size of x)."""
    d = x.ndim - 2
    sizes = (output_size,) * d if isinstance(output_size, (int, np.integer)) or output_size is None \
        else tuple(output_size)
    if len(sizes) != d:
        raise RuntimeError(f"{op}: output_size must be an int or {_many(d)}, got {output_size!r}")
    out = tuple(int(x.shape[2 + i]) if s is None else s for i, s in enumerate(sizes))
    if not all(isinstance(s, (int, np.integer)) and s >= 1 for s in out):
        raise RuntimeError(f"{op}: output_size must hold positive ints (or None), got {output_size!r}")
    return tuple(int(s) for s in out)


def adaptive_avg_pool(op, input, spatial, output_size):  # noqa: A002
    """adaptive_avg_pool2d/3d's shared body: avg pooling when every size divides evenly."""
    x, added = _batched(input, op, spatial)
    out_shape = _adaptive_size(x, output_size, op)
    if all(size % out == 0 for size, out in zip(x.shape[2:], out_shape)):
        kernel = tuple(size // out for size, out in zip(x.shape[2:], out_shape))
        out = pool_ops.AvgPool.apply(x, kernel=kernel, stride=kernel, padding=(0,) * (2 * spatial),
                                     out_shape=out_shape, divisor=np.full(out_shape, float(np.prod(kernel))))
    else:
        out = pool_ops.AdaptiveAvgPool.apply(x, out_shape=out_shape)
    return _unbatched(out, added)


def adaptive_max_pool(op, input, spatial, output_size, return_indices=False):  # noqa: A002
    """adaptive_max_pool2d/3d's shared body."""
    x, added = _batched(input, op, spatial)
    keep = [] if return_indices else None
    out = pool_ops.AdaptiveMaxPool.apply(x, out_shape=_adaptive_size(x, output_size, op), keep=keep)
    if not return_indices:
        return _unbatched(out, added)
    return _unbatched(out, added), _unbatched(Tensor(keep[0].astype(np.int64)), added)


def adaptive_avg_pool2d(input, output_size):  # noqa: A002
    """Mean over the windows that split H and W into `output_size` (None: keep that size), as PyTorch.

    Window i along an axis of length L covers [floor(i*L/out), ceil((i+1)*L/out)). When L divides evenly
    this is avg_pool2d with kernel = stride = L/out.

    Example:
        >>> y = adaptive_avg_pool2d(ddp.randn(8, 64, 7, 7), 1)    # (8, 64, 1, 1)
    """
    return adaptive_avg_pool("adaptive_avg_pool2d", input, 2, output_size)


def adaptive_max_pool2d(input, output_size, return_indices=False):  # noqa: A002
    """Maximum over the windows that split H and W into `output_size` (None: keep that size), as PyTorch:
    window i along an axis of length L covers [floor(i*L/out), ceil((i+1)*L/out)).

    Returns:
        the pooled tensor, or (pooled, indices) with the flat index (into H*W) of each maximum, int64.
        The gradient goes to the first maximum of each window.

    Example:
        >>> y = adaptive_max_pool2d(ddp.randn(8, 64, 7, 7), (2, 2))    # (8, 64, 2, 2)
    """
    return adaptive_max_pool("adaptive_max_pool2d", input, 2, output_size, return_indices)
