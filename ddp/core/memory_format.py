"""Memory formats: in what order a tensor's elements lie in memory, as PyTorch's `torch.memory_format`.

A ddp tensor's numpy array carries strides, so a layout is real: `contiguous_format` is C order (NCHW for an
image batch), `channels_last` keeps the shape (N, C, H, W) but puts the channels innermost in memory
(NHWC), `channels_last_3d` the same for (N, C, D, H, W). As in PyTorch, a layout changes no value: it is
what `stride()` and `is_contiguous(memory_format=...)` report, and what `contiguous`, `to` and `clone`
convert to. Ops other than those conversions return the layout numpy gives them.
"""
import numpy as np

from .device import channels_last, channels_last_3d, contiguous_format, preserve_format
from .ops import shape as sh

_FORMATS = (contiguous_format, channels_last, channels_last_3d, preserve_format)
_RANK = {channels_last: 4, channels_last_3d: 5}
_ORDER = {channels_last: (0, 2, 3, 1), channels_last_3d: (0, 2, 3, 4, 1)}  # dims, outermost first in memory


def check_memory_format(memory_format, op):
    """Raise TypeError unless `memory_format` is one of ddp's memory formats."""
    if memory_format not in _FORMATS:
        raise TypeError(f"{op}(): argument 'memory_format' must be one of ddp.contiguous_format, "
                        f"ddp.channels_last, ddp.channels_last_3d or ddp.preserve_format, not {memory_format!r}")


def is_contiguous_as(array, memory_format):
    """Whether `array` lies densely in memory in `memory_format`'s order (dims of size 1 may have any stride)."""
    check_memory_format(memory_format, "is_contiguous")
    if memory_format in (contiguous_format, preserve_format):
        return bool(array.flags.c_contiguous)
    if array.ndim != _RANK[memory_format]:
        return False
    expected = array.itemsize
    for d in reversed(_ORDER[memory_format]):
        if array.shape[d] != 1 and array.strides[d] != expected:
            return False
        expected *= array.shape[d]
    return True


def to_memory_format(x, memory_format, op):
    """Tensor `x` laid out in `memory_format` (x itself when it already is); stays in the autograd graph.

    Raises:
        TypeError: `memory_format` is not a memory format.
        RuntimeError: channels_last for a tensor that is not 4-D (channels_last_3d: not 5-D), as PyTorch.
    """
    check_memory_format(memory_format, op)
    if memory_format == preserve_format:
        return x
    if memory_format == contiguous_format:
        return x if x._data.flags.c_contiguous else sh.Contiguous.apply(x)
    if x.dim() != _RANK[memory_format]:
        raise RuntimeError(f"required rank {_RANK[memory_format]} tensor to use {memory_format} format")
    if is_contiguous_as(x._data, memory_format):
        return x
    order = _ORDER[memory_format]
    return x.permute(*order).contiguous().permute(*_inverse(order))


def array_in_format(array, memory_format):
    """numpy `array` laid out in `memory_format` (itself when it already is); errors as to_memory_format's."""
    check_memory_format(memory_format, "to")
    if memory_format == preserve_format or is_contiguous_as(array, memory_format):
        return array
    if memory_format == contiguous_format:
        return np.ascontiguousarray(array)
    if array.ndim != _RANK[memory_format]:
        raise RuntimeError(f"required rank {_RANK[memory_format]} tensor to use {memory_format} format")
    order = _ORDER[memory_format]
    return np.ascontiguousarray(array.transpose(order)).transpose(_inverse(order))


def _inverse(order):
    return tuple(order.index(d) for d in range(len(order)))


def clone_as(x, memory_format):
    """A copy of tensor `x` in new memory, in `memory_format`; preserve_format keeps a channels-last layout
    (any other layout becomes C order). d/dx = g."""
    check_memory_format(memory_format, "clone")
    if memory_format == preserve_format:
        memory_format = next((f for f in (channels_last, channels_last_3d)
                              if not x._data.flags.c_contiguous and is_contiguous_as(x._data, f)), contiguous_format)
    out = sh.Clone.apply(x)
    return out if memory_format == contiguous_format else to_memory_format(out, memory_format, "clone")
