"""Convolution, functional forms (re-exported by ddp.nn.functional): conv1d, conv2d, conv_transpose1d/2d.

Arguments follow torch.nn.functional. Validation lives here; ops/conv.py and ops/pool.py get normalised
arguments: pairs for kernel/stride/dilation and (top, bottom, left, right) for padding. Unbatched (C, H, W)
inputs are accepted, as in PyTorch, by adding a batch dimension.
"""
import numpy as np

from ..autograd import name_node
from ..functional import _tensor
from ..ops import conv as conv_ops
from ..shape_functional import squeeze, unsqueeze

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


def _ntuple(value, n, name, op, minimum=1):
    """An int or n ints, as a tuple of n ints, each at least `minimum`."""
    values = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != n or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{op}: {name} must be an int or {_many(n)} of ints, got {value!r}")
    if any(v < minimum for v in values):
        raise RuntimeError(f"{op}: {name} must be at least {minimum}, got {value!r}")
    return tuple(int(v) for v in values)


def _many(n):
    return "a pair" if n == 2 else f"a tuple of {n}"


def _pair(value, name, op, minimum=1):
    """An int or a pair of ints, as a tuple of two ints, each at least `minimum`."""
    return _ntuple(value, 2, name, op, minimum)


def _batched(x, op, spatial=2):
    """x as a float Tensor with a batch dim, and whether it was added (x had `spatial` + 1 dims)."""
    x = _tensor(x)
    if x.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"{op}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) input, got "
                           f"shape {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point input, got {x.dtype}")
    return (unsqueeze(x, 0), True) if x.ndim == spatial + 1 else (x, False)


def _unbatched(out, added):
    return squeeze(out, 0) if added else out


# ------------------------------------------------------------------------------------------ conv2d
def _conv_padding(padding, kernel, stride, dilation):
    """(top, bottom, left, right) from an int, a pair, 'valid' or 'same' (extra odd padding at the end)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise RuntimeError(f"conv2d: padding must be 'valid', 'same', an int or a pair, got {padding!r}")
        if stride != (1, 1):
            raise RuntimeError("conv2d: padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return (totals[0] // 2, totals[0] - totals[0] // 2, totals[1] // 2, totals[1] - totals[1] // 2)
    ph, pw = _pair(padding, "padding", "conv2d", minimum=0)
    return (ph, ph, pw, pw)


def _check_conv(x, weight, bias, groups, op="conv2d", transposed=False):
    """Shapes and dtypes of a convolution's arguments; a transposed weight is (C, OC/groups, ...)."""
    w, dims = tuple(weight.shape), x.ndim
    layout = "(in_channels, out_channels/groups, ...)" if transposed else "(out_channels, in_channels/groups, ...)"
    if weight.ndim != dims:
        raise RuntimeError(f"{op}: weight must be {dims}-D {layout}, got shape {w}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise RuntimeError(f"{op}: groups must be a positive int, got {groups!r}")
    if w[0] % groups:
        raise RuntimeError(f"{op}: groups={groups} must divide {'in' if transposed else 'out'}_channels={w[0]} "
                         f"(weight shape {w})")
    expects = w[0] if transposed else w[1] * groups
    if x.shape[1] != expects:
        raise RuntimeError(
            f"{op}: input has {x.shape[1]} channels but weight expects {expects} "
            f"(weight shape {w}, groups={groups}, input shape {tuple(x.shape)})"
        )
    out_channels = w[1] * groups if transposed else w[0]
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"{op}: bias must have shape ({out_channels},) to match weight shape {w}, got "
                         f"{tuple(bias.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype != x.dtype:
            raise TypeError(f"{op}: input dtype {x.dtype} and {name} dtype {t.dtype} should be the same")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002 - PyTorch's name
    """2-D cross-correlation of `input` with `weight`, as torch.nn.functional.conv2d.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        weight: (out_channels, C / groups, kH, kW).
        bias: (out_channels,) or None.
        stride, dilation: an int or a pair. padding: an int, a pair, 'valid' or 'same' (stride 1 only).
        groups: split channels into this many independent convolutions.
    Returns:
        (N, out_channels, OH, OW), OH = (H + 2*pad - dilation*(kH-1) - 1) // stride + 1.
    Raises:
        RuntimeError for a shape, channel, group or size mismatch (as PyTorch); TypeError for bad argument types.

    Example:
        >>> y = conv2d(ddp.randn(8, 1, 28, 28), ddp.randn(10, 1, 5, 5), padding=2)   # (8, 10, 28, 28)
    """
    x, added = _batched(input, "conv2d")
    weight = _tensor(weight)
    bias = None if bias is None else _tensor(bias)
    _check_conv(x, weight, bias, groups)
    kernel = tuple(weight.shape[2:])
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    pads = _conv_padding(padding, kernel, stride, dilation)
    span = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    padded = (x.shape[2] + pads[0] + pads[1], x.shape[3] + pads[2] + pads[3])
    if span[0] > padded[0] or span[1] > padded[1]:
        raise RuntimeError(
            f"conv2d: kernel size {kernel} (dilated {span}) can't be greater than the padded input size "
            f"{padded} (input shape {tuple(x.shape)}, padding {pads})"
        )
    out = conv_ops.Conv2d.apply(x, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=int(groups))
    return _unbatched(out, added)


# ------------------------------------------------------------------------------------------ conv1d
def _single(value, name, op, minimum=1):
    """An int or a 1-tuple of ints, as an int at least `minimum`."""
    if not isinstance(value, (int, np.integer)):
        value = tuple(value)
        if len(value) != 1:
            raise TypeError(f"{op}: {name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    return _pair(value, name, op, minimum)[0]


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """1-D cross-correlation, as torch.nn.functional.conv1d: conv2d over a height of one.

    Args:
        input: (N, C, L) or unbatched (C, L). weight: (out_channels, C / groups, K). bias: (out_channels,).
        stride, dilation: an int or a 1-tuple. padding: an int, a 1-tuple, 'valid' or 'same' (stride 1).
    Returns:
        (N, out_channels, OL), OL = (L + 2*pad - dilation*(K-1) - 1) // stride + 1.

    Example:
        >>> y = conv1d(ddp.randn(8, 4, 100), ddp.randn(16, 4, 5), padding=2)   # (8, 16, 100)
    """
    x, weight = _tensor(input), _tensor(weight)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"conv1d: expected a 2-D (unbatched) or 3-D (batched) input, got shape {tuple(x.shape)}")
    added = x.ndim == 2
    x = unsqueeze(x, 0) if added else x
    bias = None if bias is None else _tensor(bias)
    _check_conv(x, weight, bias, groups, "conv1d")
    stride, dilation = _single(stride, "stride", "conv1d"), _single(dilation, "dilation", "conv1d")
    if isinstance(padding, str):
        if padding == "same" and stride != 1:
            raise RuntimeError("conv1d: padding='same' is not supported for strided convolutions")
    else:
        padding = (0, _single(padding, "padding", "conv1d", minimum=0))
    out = conv2d(unsqueeze(x, 2), unsqueeze(weight, 2), bias, (1, stride), padding, (1, dilation), groups)
    return _unbatched(name_node(squeeze(out, 2), "ConvolutionBackward0"), added)


# -------------------------------------------------------------------------------- conv_transpose2d
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    """2-D transposed convolution ("deconvolution"), as torch.nn.functional.conv_transpose2d: the gradient
    of conv2d with respect to its input, so that it undoes conv2d's change of size.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W). weight: (C, out_channels / groups, kH, kW).
        bias: (out_channels,) or None. stride, padding, dilation: an int or a pair.
        output_padding: extra rows/columns at the bottom/right, smaller than the stride or the dilation.
    Returns:
        (N, out_channels, OH, OW), OH = (H - 1)*stride - 2*pad + dilation*(kH-1) + output_padding + 1.
    Raises:
        RuntimeError for a shape, channel or group mismatch, a bad output_padding or a
        non-positive output size.

    Example:
        >>> y = conv_transpose2d(ddp.randn(8, 16, 7, 7), ddp.randn(16, 8, 4, 4), stride=2, padding=1)  # 14x14
    """
    op = "conv_transpose2d"
    x, added = _batched(input, op)
    weight = _tensor(weight)
    bias = None if bias is None else _tensor(bias)
    _check_conv(x, weight, bias, groups, op, transposed=True)
    stride, dilation = _pair(stride, "stride", op), _pair(dilation, "dilation", op)
    pad = _pair(padding, "padding", op, minimum=0)
    extra = _pair(output_padding, "output_padding", op, minimum=0)
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={extra}, stride={stride}, dilation={dilation}")
    out_hw = tuple((size - 1) * s - 2 * p + d * (k - 1) + e + 1
                   for size, s, p, d, k, e in zip(x.shape[2:], stride, pad, dilation, weight.shape[2:], extra))
    if min(out_hw) < 1:
        raise RuntimeError(f"{op}: output size {out_hw} is too small (input shape {tuple(x.shape)}, weight "
                           f"shape {tuple(weight.shape)}, stride={stride}, padding={pad})")
    out = conv_ops.ConvTranspose2d.apply(x, weight, bias, stride=stride, padding=(pad[0], pad[0], pad[1], pad[1]),
                                         dilation=dilation, groups=int(groups), out_hw=out_hw)
    return _unbatched(out, added)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    """1-D transposed convolution, as torch.nn.functional.conv_transpose1d: conv_transpose2d over a height
    of one. input (N, C, L) or (C, L); weight (C, out_channels / groups, K); the settings are ints or 1-tuples.

    Example:
        >>> y = conv_transpose1d(ddp.randn(8, 16, 50), ddp.randn(16, 4, 4), stride=2, padding=1)   # (8, 4, 100)
    """
    op = "conv_transpose1d"
    x, weight = _tensor(input), _tensor(weight)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"{op}: expected a 2-D (unbatched) or 3-D (batched) input, got shape {tuple(x.shape)}")
    added = x.ndim == 2
    x = unsqueeze(x, 0) if added else x
    bias = None if bias is None else _tensor(bias)
    _check_conv(x, weight, bias, groups, op, transposed=True)
    stride, dilation = (1, _single(stride, "stride", op)), (1, _single(dilation, "dilation", op))
    padding = (0, _single(padding, "padding", op, minimum=0))
    output_padding = (0, _single(output_padding, "output_padding", op, minimum=0))
    out = conv_transpose2d(unsqueeze(x, 2), unsqueeze(weight, 2), bias, stride, padding, output_padding, groups,
                           dilation)
    return _unbatched(squeeze(out, 2), added)
