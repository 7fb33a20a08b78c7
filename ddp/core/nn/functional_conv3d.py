"""3-D convolution, functional forms (re-exported by ddp.nn.functional): conv3d and conv_transpose3d over
(N, C, D, H, W) or unbatched (C, D, H, W) inputs, by the N-d ops of ops/conv_nd.py. Checks follow the 2-D
forms (functional_conv.py) and PyTorch."""
from ..functional import _tensor
from ..ops import conv_nd
from .functional_conv import _batched, _check_conv, _ntuple, _unbatched

__all__ = ["conv3d", "conv_transpose3d"]


def _padding(op, padding, kernel, stride, dilation):
    """(before, after) per spatial dim, flattened, from an int, a triple, 'valid' or 'same' (any odd
    extra at the end, as PyTorch)."""
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise RuntimeError(f"{op}: padding must be 'valid', 'same', an int or a triple, got {padding!r}")
        if padding == "valid":
            return (0,) * (2 * len(kernel))
        if any(s != 1 for s in stride):
            raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return tuple(w for t in totals for w in (t // 2, t - t // 2))
    return tuple(w for p in _ntuple(padding, len(kernel), "padding", op, minimum=0) for w in (p, p))


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """3-D cross-correlation of `input` with `weight`, as torch.nn.functional.conv3d.

    Args:
        input: (N, C, D, H, W) or unbatched (C, D, H, W). weight: (out_channels, C / groups, kD, kH, kW).
        bias: (out_channels,) or None. stride, dilation: an int or a triple.
        padding: an int, a triple, 'valid' or 'same' (stride 1 only). groups: independent channel groups.
    Returns:
        (N, out_channels, OD, OH, OW), each O = (size + 2*pad - dilation*(k-1) - 1) // stride + 1.
    Raises:
        RuntimeError for a shape, channel, group or size mismatch (as PyTorch); TypeError for bad argument types.

    Example:
        >>> y = conv3d(ddp.randn(2, 3, 8, 16, 16), ddp.randn(6, 3, 3, 3, 3), padding=1)   # (2, 6, 8, 16, 16)
    """
    op = "conv3d"
    x, added = _batched(input, op, 3)
    weight = _tensor(weight)
    bias = None if bias is None else _tensor(bias)
    _check_conv(x, weight, bias, groups, op)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _ntuple(stride, 3, "stride", op), _ntuple(dilation, 3, "dilation", op)
    pads = _padding(op, padding, kernel, stride, dilation)
    padded = tuple(s + pads[2 * i] + pads[2 * i + 1] for i, s in enumerate(x.shape[2:]))
    span = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    if any(s > p for s, p in zip(span, padded)):
        raise RuntimeError(f"{op}: kernel size {kernel} (dilated {span}) can't be greater than the padded input "
                           f"size {padded} (input shape {tuple(x.shape)}, padding {pads})")
    out = conv_nd.ConvNd.apply(x, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=int(groups))
    return _unbatched(out, added)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    """3-D transposed convolution, as torch.nn.functional.conv_transpose3d: the gradient of conv3d with
    respect to its input.

    Args:
        input: (N, C, D, H, W) or (C, D, H, W). weight: (C, out_channels / groups, kD, kH, kW).
        bias: (out_channels,) or None. stride, padding, dilation: an int or a triple.
        output_padding: extra planes at the far end of each dim, smaller than the stride or the dilation.
    Returns:
        (N, out_channels, OD, OH, OW), each O = (size - 1)*stride - 2*pad + dilation*(k-1) + output_padding + 1.

    Example:
        >>> y = conv_transpose3d(ddp.randn(2, 8, 4, 4, 4), ddp.randn(8, 4, 4, 4, 4), stride=2, padding=1)  # 8^3
    """
    op = "conv_transpose3d"
    x, added = _batched(input, op, 3)
    weight = _tensor(weight)
    bias = None if bias is None else _tensor(bias)
    _check_conv(x, weight, bias, groups, op, transposed=True)
    stride, dilation = _ntuple(stride, 3, "stride", op), _ntuple(dilation, 3, "dilation", op)
    pad = _ntuple(padding, 3, "padding", op, minimum=0)
    extra = _ntuple(output_padding, 3, "output_padding", op, minimum=0)
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={extra}, stride={stride}, dilation={dilation}")
    out_shape = tuple((size - 1) * s - 2 * p + d * (k - 1) + e + 1
                      for size, s, p, d, k, e in zip(x.shape[2:], stride, pad, dilation, weight.shape[2:], extra))
    if min(out_shape) < 1:
        raise RuntimeError(f"{op}: output size {out_shape} is too small (input shape {tuple(x.shape)}, weight "
                           f"shape {tuple(weight.shape)}, stride={stride}, padding={pad})")
    out = conv_nd.ConvTransposeNd.apply(x, weight, bias, stride=stride, padding=tuple(w for p in pad for w in (p, p)),
                                        dilation=dilation, groups=int(groups), out_shape=out_shape)
    return _unbatched(out, added)
