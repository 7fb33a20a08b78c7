"""`Conv3d` and `ConvTranspose3d`, with PyTorch's arguments, parameter names and default initialisation
(the shared `_ConvNd` of conv.py, three spatial dims)."""
from .conv import _ConvNd, _ConvTransposeNd
from .functional_conv3d import conv3d, conv_transpose3d


class Conv3d(_ConvNd):
    """3-D convolution (cross-correlation) over an (N, C, D, H, W) or (C, D, H, W) input; see Conv2d for the
    arguments (ints or triples here). Parameters: weight (out_channels, in_channels/groups, kD, kH, kW) and
    bias (out_channels,), both U(-k, k) with k = 1/sqrt(in_channels/groups * kD*kH*kW).

    Example:
        >>> Conv3d(3, 8, 3, padding=1)(ddp.randn(2, 3, 8, 16, 16)).shape
        ddp.Size([2, 8, 8, 16, 16])
    """

    dims = 3

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype)

    def forward(self, x):
        x, padding = self._padded(x)
        return conv3d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution over an (N, C, D, H, W) or (C, D, H, W) input; see ConvTranspose2d (ints or
    triples here). Parameters: weight (in_channels, out_channels/groups, kD, kH, kW), bias (out_channels,).
    forward(x, output_size=None): output_size (its last three entries) picks output_padding.

    Example:
        >>> ConvTranspose3d(8, 4, 4, stride=2, padding=1)(ddp.randn(2, 8, 4, 4, 4)).shape
        ddp.Size([2, 4, 8, 8, 8])
    """

    dims, _transposed_conv = 3, staticmethod(conv_transpose3d)
