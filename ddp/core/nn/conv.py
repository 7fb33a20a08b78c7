"""`Conv2d`, with PyTorch's arguments, parameter names and default initialisation."""
import numpy as np

from ..dtypes import as_dtype
from . import init
from .functional_conv import _pair, conv2d
from .module import Module, Parameter

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Conv2d(Module):
    """2-D convolution (cross-correlation) over an (N, C, H, W) or (C, H, W) input.

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size, stride, dilation: an int or a pair.
        padding: an int, a pair, 'valid' or 'same' (stride 1 only); implicit zeros.
        groups: in_channels and out_channels are split into this many independent convolutions.
        bias: whether to learn an additive bias. padding_mode: only 'zeros' is implemented.
        dtype: of the parameters (float32 by default).
    Parameters: weight (out_channels, in_channels/groups, kH, kW) ~ kaiming_uniform_(a=sqrt(5)), i.e.
        U(-k, k) with k = 1/sqrt(fan_in), fan_in = in_channels/groups*kH*kW; bias (out_channels,) ~ U(-k, k).

    Example:
        >>> conv = Conv2d(1, 32, 3, padding=1)
        >>> conv(ddp.randn(8, 1, 28, 28)).shape
        ddp.Size([8, 32, 28, 28])
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: groups={groups} must be positive and divide in_channels={in_channels} "
                             f"and out_channels={out_channels}")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"Conv2d: padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv2d: padding_mode={padding_mode!r} is not implemented (only 'zeros')")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = _pair(stride, "stride", "Conv2d")
        self.dilation = _pair(dilation, "dilation", "Conv2d")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Conv2d: padding must be 'valid', 'same', an int or a pair, got {padding!r}")
            if padding == "same" and self.stride != (1, 1):
                raise ValueError("Conv2d: padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = _pair(padding, "padding", "Conv2d", minimum=0)
        self.groups, self.padding_mode = groups, padding_mode
        dtype = as_dtype(dtype) or np.float32
        shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((out_channels,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, x):
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s
