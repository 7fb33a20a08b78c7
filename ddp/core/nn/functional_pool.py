"""Pooling, functional forms (re-exported by ddp.nn.functional): max, average, adaptive average and adaptive
max pooling over (N, C, H, W) or unbatched (C, H, W) inputs.

Arguments follow torch.nn.functional. Validation lives here; ops/pool.py gets normalised arguments: pairs for
kernel/stride/dilation and (top, bottom, left, right) for padding.
"""
import numpy as np

from ..ops import pool as pool_ops
from ..tensor import Tensor
from .functional_conv import _batched, _pair, _unbatched

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d"]


# ----------------------------------------------------------------------------------------- pooling
def _pool_geometry(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    """Normalised (kernel, stride, padding, dilation, out_hw, extra) with PyTorch's output-size rule."""
    kernel = _pair(kernel_size, "kernel_size", op)
    default = stride is None or (isinstance(stride, (tuple, list)) and not stride)  # PyTorch: [] means kernel
    stride = kernel if default else _pair(stride, "stride", op)
    pad = _pair(padding, "padding", op, minimum=0)
    dilation = _pair(dilation, "dilation", op)
    out_hw, extra = [], []
    for size, k, s, p, d in zip(x.shape[2:], kernel, stride, pad, dilation):
        span = d * (k - 1) + 1
        if p > span // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but got pad={p}, "
                             f"kernel_size={k} and dilation={d}")
        n = (size + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (n - 1) * s >= size + p:
            n -= 1  # the last window must start inside the input or its left padding
        if n < 1:
            raise RuntimeError(f"{op}: input of shape {tuple(x.shape)} is too small for kernel_size={kernel}, "
                             f"stride={stride}, padding={pad}, dilation={dilation} (output size {n})")
        out_hw.append(n)
        extra.append(max(0, (n - 1) * s + span - (size + 2 * p)))
    return kernel, stride, (pad[0], pad[0], pad[1], pad[1]), dilation, tuple(out_hw), tuple(extra)


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
    x, added = _batched(input, "max_pool2d")
    kernel, stride, pad, dilation, out_hw, extra = _pool_geometry(
        "max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    keep = [] if return_indices else None
    out = pool_ops.MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=pad, dilation=dilation,
                                   out_hw=out_hw, extra=extra, keep=keep)
    if not return_indices:
        return _unbatched(out, added)
    which = keep[0].astype(np.int64)
    rows = (np.arange(out_hw[0]) * stride[0] - pad[0])[:, None] + (which // kernel[1]) * dilation[0]
    cols = (np.arange(out_hw[1]) * stride[1] - pad[2]) + (which % kernel[1]) * dilation[1]
    indices = Tensor(rows * x.shape[3] + cols)
    return _unbatched(out, added), _unbatched(indices, added)


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
    x, added = _batched(input, "avg_pool2d")
    kernel, stride, pad, _, out_hw, extra = _pool_geometry(
        "avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("avg_pool2d: divisor_override must not be zero")
        divisor = np.full(out_hw, float(divisor_override))
    else:
        dh, dw = (pool_ops.avg_divisor(size, k, s, p, n, count_include_pad)
                  for size, k, s, p, n in zip(x.shape[2:], kernel, stride, pad[::2], out_hw))
        divisor = dh[:, None] * dw[None, :]
    out = pool_ops.AvgPool2d.apply(x, kernel=kernel, stride=stride, padding=pad, out_hw=out_hw, divisor=divisor,
                                   extra=extra)
    return _unbatched(out, added)


def _adaptive_size(x, output_size, op):
    """(OH, OW) from an int, a pair, or None entries (keep that size of x)."""
    sizes = (output_size, output_size) if isinstance(output_size, (int, np.integer)) or output_size is None \
        else tuple(output_size)
    if len(sizes) != 2:
        raise RuntimeError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    out_hw = tuple(int(x.shape[2 + i]) if s is None else s for i, s in enumerate(sizes))
    if not all(isinstance(s, (int, np.integer)) and s >= 1 for s in out_hw):
        raise RuntimeError(f"{op}: output_size must hold positive ints (or None), got {output_size!r}")
    return tuple(int(s) for s in out_hw)


def adaptive_avg_pool2d(input, output_size):  # noqa: A002
    """Mean over the windows that split H and W into `output_size` (None: keep that size), as PyTorch.

    Window i along an axis of length L covers [floor(i*L/out), ceil((i+1)*L/out)). When L divides evenly
    this is avg_pool2d with kernel = stride = L/out.

    Example:
        >>> y = adaptive_avg_pool2d(ddp.randn(8, 64, 7, 7), 1)    # (8, 64, 1, 1)
    """
    x, added = _batched(input, "adaptive_avg_pool2d")
    out_hw = _adaptive_size(x, output_size, "adaptive_avg_pool2d")
    h, w = x.shape[2:]
    if h % out_hw[0] == 0 and w % out_hw[1] == 0:
        kernel = (h // out_hw[0], w // out_hw[1])
        divisor = np.full(out_hw, float(kernel[0] * kernel[1]))
        out = pool_ops.AvgPool2d.apply(x, kernel=kernel, stride=kernel, padding=(0, 0, 0, 0), out_hw=out_hw,
                                       divisor=divisor)
    else:
        out = pool_ops.AdaptiveAvgPool2d.apply(x, out_hw=out_hw)
    return _unbatched(out, added)


def adaptive_max_pool2d(input, output_size, return_indices=False):  # noqa: A002
    """Maximum over the windows that split H and W into `output_size` (None: keep that size), as PyTorch:
    window i along an axis of length L covers [floor(i*L/out), ceil((i+1)*L/out)).

    Returns:
        the pooled tensor, or (pooled, indices) with the flat index (into H*W) of each maximum, int64.
        The gradient goes to the first maximum of each window.

    Example:
        >>> y = adaptive_max_pool2d(ddp.randn(8, 64, 7, 7), (2, 2))    # (8, 64, 2, 2)
    """
    x, added = _batched(input, "adaptive_max_pool2d")
    keep = [] if return_indices else None
    out = pool_ops.AdaptiveMaxPool2d.apply(x, out_hw=_adaptive_size(x, output_size, "adaptive_max_pool2d"),
                                           keep=keep)
    if not return_indices:
        return _unbatched(out, added)
    return _unbatched(out, added), _unbatched(Tensor(keep[0].astype(np.int64)), added)
