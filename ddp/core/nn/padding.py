"""Padding layers, as torch.nn: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad and CircularPad in 1-D,
2-D and 3-D forms, thin wrappers of `ddp.nn.functional.pad`. No parameters."""
from .functional_padding import pad
from .module import Module


def _widths(padding, dims, name):
    """An int (every side) or a tuple of 2 * dims ints, as that tuple."""
    if isinstance(padding, int):
        return (padding,) * (2 * dims)
    widths = tuple(int(p) for p in padding)
    if len(widths) != 2 * dims:
        raise ValueError(f"{name}: padding must be an int or a tuple of {2 * dims} ints, got {padding!r}")
    return widths


class _Pad(Module):
    """A padding layer: `mode` and `dims` set by the subclass."""

    mode, dims = "constant", 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _widths(padding, self.dims, type(self).__name__)

    def forward(self, x):
        return pad(x, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPad(_Pad):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, x):
        return pad(x, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPad):
    """Pad the last dim with `value`."""


class ConstantPad2d(_ConstantPad):
    """Pad the last two dims with `value`; padding is (left, right, top, bottom) or an int."""

    dims = 2


class ZeroPad1d(_Pad):
    """Pad the last dim with zeros."""


class ZeroPad2d(_Pad):
    """Pad the last two dims with zeros; padding is (left, right, top, bottom) or an int."""

    dims = 2


class ReflectionPad1d(_Pad):
    """Pad the last dim with its mirror image about the edge elements."""

    mode = "reflect"


class ReflectionPad2d(_Pad):
    """Pad the last two dims with their mirror images about the edge elements.

    Example:
        >>> ReflectionPad2d(1)(ddp.randn(2, 3, 8, 8)).shape
        ddp.Size([2, 3, 10, 10])
    """

    mode, dims = "reflect", 2


class ReplicationPad1d(_Pad):
    """Pad the last dim by repeating its edge elements."""

    mode = "replicate"


class ReplicationPad2d(_Pad):
    """Pad the last two dims by repeating their edge elements."""

    mode, dims = "replicate", 2


class CircularPad1d(_Pad):
    """Pad the last dim by wrapping around."""

    mode = "circular"


class CircularPad2d(_Pad):
    """Pad the last two dims by wrapping around."""

    mode, dims = "circular", 2


class ZeroPad3d(_Pad):
    """Pad the last three dims with zeros; padding is (left, right, top, bottom, front, back) or an int."""

    dims = 3


class ConstantPad3d(_ConstantPad):
    """Pad the last three dims with `value`; padding is (left, right, top, bottom, front, back) or an int."""

    dims = 3


class ReflectionPad3d(_Pad):
    """Pad the last three dims with their mirror images about the edge elements."""

    mode, dims = "reflect", 3


class ReplicationPad3d(_Pad):
    """Pad the last three dims by repeating their edge elements."""

    mode, dims = "replicate", 3


class CircularPad3d(_Pad):
    """Pad the last three dims by wrapping around."""

    mode, dims = "circular", 3
