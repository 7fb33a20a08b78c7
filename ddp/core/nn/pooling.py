"""Pooling layers, 2-D (`MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`, `AdaptiveMaxPool2d`) and 1-D (`MaxPool1d`,
`AvgPool1d`, `AdaptiveAvgPool1d`, `AdaptiveMaxPool1d`), without parameters, with PyTorch's arguments."""
from .functional_conv import _single
from .functional_pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d
from .functional_pool1d import adaptive_avg_pool1d, adaptive_max_pool1d, avg_pool1d, max_pool1d
from .module import Module


class MaxPool2d(Module):
    """Maximum over sliding windows; see `ddp.nn.functional.max_pool2d` for the arguments.

    Example:
        >>> MaxPool2d(2)(ddp.randn(8, 10, 24, 24)).shape
        ddp.Size([8, 10, 12, 12])
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x):
        return max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """Mean over sliding windows; see `ddp.nn.functional.avg_pool2d` for the arguments.

    Example:
        >>> AvgPool2d(2)(ddp.randn(8, 10, 24, 24)).shape
        ddp.Size([8, 10, 12, 12])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x):
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                          self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Mean over the windows that split H and W into `output_size` (an int, a pair, None keeps a size).

    Example:
        >>> AdaptiveAvgPool2d((1, 1))(ddp.randn(8, 64, 7, 7)).shape
        ddp.Size([8, 64, 1, 1])
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Maximum over the windows that split H and W into `output_size` (an int, a pair, None keeps a size);
    return_indices=True also returns the flat (H*W) index of each maximum.

    Example:
        >>> AdaptiveMaxPool2d((1, 1))(ddp.randn(8, 64, 7, 7)).shape
        ddp.Size([8, 64, 1, 1])
    """

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, x):
        return adaptive_max_pool2d(x, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class MaxPool1d(MaxPool2d):
    """Maximum over sliding windows of (N, C, L) or (C, L) inputs; see `ddp.nn.functional.max_pool1d`."""

    def forward(self, x):
        return max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)


class AvgPool1d(AvgPool2d):
    """Mean over sliding windows of (N, C, L) or (C, L) inputs; see `ddp.nn.functional.avg_pool1d`."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        kernel = (_single(kernel_size, "kernel_size", "AvgPool1d"),)
        stride = kernel if stride is None else (_single(stride, "stride", "AvgPool1d"),)
        super().__init__(kernel, stride, (_single(padding, "padding", "AvgPool1d", minimum=0),), ceil_mode,
                         count_include_pad)

    def forward(self, x):
        return avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Mean over the windows that split L into `output_size`."""

    def forward(self, x):
        return adaptive_avg_pool1d(x, self.output_size)


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Maximum over the windows that split L into `output_size` (return_indices: also their index in L)."""

    def forward(self, x):
        return adaptive_max_pool1d(x, self.output_size, self.return_indices)
