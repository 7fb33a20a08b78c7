"""Sliding blocks of image batches, functional forms (re-exported by ddp.nn.functional): `unfold` (im2col)
and `fold` (col2im), with torch.nn.functional's arguments, layouts and errors.

Validation lives here; ops/fold.py gets pairs for kernel, dilation, padding and stride. Unbatched inputs
((C, H, W) for unfold, (C*KH*KW, L) for fold) are accepted, as in PyTorch, by adding a batch dimension.
"""
import numpy as np

from ..functional import _tensor
from ..ops import fold as fold_ops
from ..shape_functional import squeeze, unsqueeze
from .functional_conv import _pair as _conv_pair

__all__ = ["unfold", "fold"]


def _pair(value, name, op, minimum=1):
    """An int or a pair of ints as a tuple of two; RuntimeError for another length (as PyTorch)."""
    if not isinstance(value, (int, np.integer, tuple, list)):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if isinstance(value, (tuple, list)) and len(value) != 2:
        raise RuntimeError(f"{op}: {name} must be one int or a pair (2 values), got {len(value)} values")
    return _conv_pair(value, name, op, minimum)


def _settings(op, kernel_size, dilation, padding, stride):
    return (_pair(kernel_size, "kernel_size", op), _pair(dilation, "dilation", op),
            _pair(padding, "padding", op, minimum=0), _pair(stride, "stride", op))


def _floating(x, op, dims):
    """x as a Tensor of `dims` (unbatched, batched) dims, non-empty but for the batch, floating point."""
    x = _tensor(x)
    if x.ndim not in dims or 0 in x.shape[x.ndim - dims[0]:]:
        raise RuntimeError(f"{op}: expected a {dims[0]}-D (unbatched) or {dims[1]}-D (batched) input with "
                           f"non-zero sizes but for the batch, got shape {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"{op}: expected a floating point input, got {x.dtype}")
    return x


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):  # noqa: A002 - PyTorch's name
    """The sliding blocks of an image batch as columns (im2col), as torch.nn.functional.unfold.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        kernel_size, dilation, padding, stride: an int or a pair, as in conv2d (zero padding).
    Returns:
        (N, C*kH*kW, L) (or (C*kH*kW, L)): column l holds block l (row-major over the OH x OW blocks),
        channel-major: row c*kH*kW + i*kW + j is tap (i, j) of channel c. OH = (H + 2*pad - dilation*(kH-1)
        - 1) // stride + 1. Its gradient is `fold` of the output gradient.
    Raises:
        RuntimeError for a bad shape or setting, or when no block fits; NotImplementedError for an integer input.

    Example:
        >>> unfold(ddp.randn(2, 3, 5, 5), kernel_size=3).shape   # 3*3*3 rows, 3*3 blocks
        ddp.Size([2, 27, 9])
    """
    x = _floating(input, "unfold", (3, 4))
    kernel, dilation, padding, stride = _settings("unfold", kernel_size, dilation, padding, stride)
    out_hw = fold_ops.blocks(x.shape[-2:], kernel, dilation, padding, stride)
    if min(out_hw) < 1:
        raise RuntimeError(f"unfold: no sliding block fits: an input of spatial size {tuple(x.shape[-2:])} with "
                           f"kernel_size={kernel}, dilation={dilation}, padding={padding} gives {out_hw} blocks "
                           f"(each side needs at least one)")
    added = x.ndim == 3
    out = fold_ops.Unfold.apply(unsqueeze(x, 0) if added else x, kernel=kernel, dilation=dilation,
                                padding=padding, stride=stride)
    return squeeze(out, 0) if added else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):  # noqa: A002
    """Sum columns of sliding blocks back into an image batch (col2im), as torch.nn.functional.fold: the
    adjoint of `unfold`, so fold(unfold(x)) multiplies each pixel by the number of blocks covering it.

    Args:
        input: (N, C*kH*kW, L) or unbatched (C*kH*kW, L), laid out as unfold's output.
        output_size: (H, W) of the image (an int or a pair).
        kernel_size, dilation, padding, stride: an int or a pair, as in unfold; L must be the number of blocks
            they fit into the padded (H, W) image.
    Returns:
        (N, C, H, W) (or (C, H, W)). Its gradient is `unfold` of the output gradient.
    Raises:
        RuntimeError for a bad shape or setting, rows not divisible by kH*kW or L not the number of blocks;
        NotImplementedError for an integer input.

    Example:
        >>> fold(ddp.ones(1, 4, 9), output_size=4, kernel_size=2).shape
        ddp.Size([1, 1, 4, 4])
    """
    x = _floating(input, "fold", (2, 3))
    image_hw = _pair(output_size, "output_size", "fold")
    kernel, dilation, padding, stride = _settings("fold", kernel_size, dilation, padding, stride)
    rows, length = x.shape[-2:]
    if rows % (kernel[0] * kernel[1]):
        raise RuntimeError(f"fold: dim {x.ndim - 2} of the input ({rows}) must be a multiple of the kernel's "
                           f"kh * kw (kernel_size={kernel})")
    out_hw = fold_ops.blocks(image_hw, kernel, dilation, padding, stride)
    if min(out_hw) < 1 or out_hw[0] * out_hw[1] != length:
        raise RuntimeError(
            f"fold: output_size={image_hw}, kernel_size={kernel}, dilation={dilation}, padding={padding} and "
            f"stride={stride} make {max(out_hw[0], 0)} * {max(out_hw[1], 0)} = "
            f"{max(out_hw[0], 0) * max(out_hw[1], 0)} sliding blocks, but dim {x.ndim - 1} of the input has "
            f"{length}")
    added = x.ndim == 2
    out = fold_ops.Fold.apply(unsqueeze(x, 0) if added else x, image_hw=image_hw, kernel=kernel,
                              dilation=dilation, padding=padding, stride=stride)
    return squeeze(out, 0) if added else out
