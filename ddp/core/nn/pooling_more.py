"""Max unpooling (`MaxUnpool1d/2d/3d`) and power-average pooling (`LPPool1d/2d/3d`) layers, with PyTorch's
arguments and reprs; no parameters."""
from .functional_conv import _ntuple
from .functional_pool_more import lp_pool1d, lp_pool2d, lp_pool3d, max_unpool1d, max_unpool2d, max_unpool3d
from .module import Module


class _MaxUnpoolNd(Module):
    """Shared by MaxUnpool1d/2d/3d: kernel_size, stride (default: kernel_size) and padding as tuples."""

    dims, fn = 2, None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name, d = type(self).__name__, self.dims
        self.kernel_size = _ntuple(kernel_size, d, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else _ntuple(stride, d, "stride", name)
        self.padding = _ntuple(padding, d, "padding", name, minimum=0)

    def forward(self, input, indices, output_size=None):  # noqa: A002
        return type(self).fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of MaxPool1d: forward(input, indices, output_size=None) puts each value back at
    its index, zeros elsewhere."""

    dims, fn = 1, max_unpool1d


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of MaxPool2d: forward(input, indices, output_size=None) puts each value back at
    its index (flat into H*W), zeros elsewhere.

    Example:
        >>> pool, unpool = MaxPool2d(2, return_indices=True), MaxUnpool2d(2)
        >>> unpool(*pool(ddp.randn(1, 1, 4, 4))).shape
        ddp.Size([1, 1, 4, 4])
    """

    fn = max_unpool2d


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of MaxPool3d (indices flat into D*H*W)."""

    dims, fn = 3, max_unpool3d


class _LPPoolNd(Module):
    """Shared by LPPool1d/2d/3d: the arguments as given (PyTorch's repr shows them so)."""

    fn = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, x):
        return type(self).fn(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """The p-norm of each sliding window of the last dim, (sum x^p)^(1/p).

    Example:
        >>> LPPool1d(2, 3)(ddp.randn(4, 3, 10).abs()).shape
        ddp.Size([4, 3, 3])
    """

    fn = lp_pool1d


class LPPool2d(_LPPoolNd):
    """The p-norm of each sliding 2-D window, (sum x^p)^(1/p)."""

    fn = lp_pool2d


class LPPool3d(_LPPoolNd):
    """The p-norm of each sliding 3-D window, (sum x^p)^(1/p)."""

    fn = lp_pool3d
