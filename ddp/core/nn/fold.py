"""Sliding-block layers without parameters: `Unfold` (im2col) and `Fold` (col2im), the module forms of
ddp.nn.functional's unfold and fold."""
from . import functional_fold as R
from .module import Module


class Unfold(Module):
    """(N, C, H, W) -> (N, C*kH*kW, L): the sliding blocks of an image batch as columns (see F.unfold).

    Example:
        >>> Unfold(kernel_size=2, stride=2)(ddp.randn(1, 3, 4, 4)).shape
        ddp.Size([1, 12, 4])
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):  # noqa: A002 - PyTorch's name
        return R.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """(N, C*kH*kW, L) -> (N, C, H, W) with (H, W) = output_size: columns of blocks summed back into images
    (see F.fold); the adjoint of Unfold with the same settings.

    Example:
        >>> Fold(output_size=4, kernel_size=2, stride=2)(ddp.randn(1, 12, 4)).shape
        ddp.Size([1, 3, 4, 4])
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):  # noqa: A002
        return R.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
