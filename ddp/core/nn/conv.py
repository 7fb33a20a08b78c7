"""`Conv1d`, `Conv2d`, `ConvTranspose1d` and `ConvTranspose2d`, with PyTorch's arguments, parameter names and
default initialisation."""
import numpy as np

from ..dtypes import as_dtype, get_default_dtype
from . import init
from .functional_conv import _ntuple, conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .functional_padding import pad
from .module import Module, Parameter

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """Shared by the convolutions: argument checks, parameters, init and repr. Subclasses set `dims`
    (1, 2 or 3) and `transposed`."""

    dims, transposed = 2, False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                 padding_mode, dtype, output_padding=0):
        super().__init__()
        name = type(self).__name__
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: groups={groups} must be positive and divide in_channels={in_channels} "
                             f"and out_channels={out_channels}")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")
        if padding_mode != "zeros" and self.transposed:
            raise ValueError(f'Only "zeros" padding mode is supported for {name}, got {padding_mode!r}')
        tup = lambda v, n, op, minimum=1: _ntuple(v, self.dims, n, op, minimum)  # noqa: E731
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = tup(kernel_size, "kernel_size", name)
        self.stride = tup(stride, "stride", name)
        self.dilation = tup(dilation, "dilation", name)
        if isinstance(padding, str) and not self.transposed:
            if padding not in ("valid", "same"):
                raise ValueError(f"{name}: padding must be 'valid', 'same', an int or a tuple, got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = tup(padding, "padding", name, minimum=0)
        self.output_padding = tup(output_padding, "output_padding", name, minimum=0)
        self.groups, self.padding_mode = groups, padding_mode
        self._mode_padding = self._reversed_padding() if padding_mode != "zeros" else None
        dtype = as_dtype(dtype) or get_default_dtype()
        channels = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(np.empty(channels + self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((out_channels,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)  # fan_in from weight dim 1 onwards, as PyTorch

    def _reversed_padding(self):
        """F.pad's widths (last dim first) for a padding_mode other than zeros; 'same' puts any odd extra
        at the end, as PyTorch does."""
        if self.padding == "valid":
            return (0, 0) * self.dims
        if self.padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pairs = [(t // 2, t - t // 2) for t in totals]
        else:
            pairs = [(p, p) for p in self.padding]
        return tuple(w for pair in reversed(pairs) for w in pair)

    def _padded(self, x):
        """x, and the padding left for the convolution: done here by F.pad for a non-zeros padding_mode."""
        if self._mode_padding is None:
            return x, self.padding
        return pad(x, self._mode_padding, self.padding_mode), 0

    def _output_padding(self, x, output_size):
        """A transposed convolution's output_padding that gives `output_size`, checked to be reachable."""
        if output_size is None:
            return self.output_padding
        d = self.dims
        wanted = tuple(int(s) for s in output_size)[-d:]
        extra = []
        for size, want, k, s, p, dil in zip(x.shape[-d:], wanted, self.kernel_size, self.stride, self.padding,
                                            self.dilation):
            smallest = (size - 1) * s - 2 * p + dil * (k - 1) + 1
            if not smallest <= want < smallest + s:
                raise ValueError(f"{type(self).__name__}: requested an output size of {wanted}, but valid sizes "
                                 f"range from {smallest} to {smallest + s - 1} (for an input of "
                                 f"{tuple(x.shape[-d:])})")
            extra.append(want - smallest)
        return tuple(extra)

    def extra_repr(self):
        zeros, ones = (0,) * self.dims, (1,) * self.dims
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != zeros:
            s += f", padding={self.padding}"
        if self.dilation != ones:
            s += f", dilation={self.dilation}"
        if self.output_padding != zeros:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation) over an (N, C, L) or (C, L) input; see Conv2d for the arguments
    (ints or 1-tuples here). Parameters: weight (out_channels, in_channels/groups, K), bias (out_channels,).

    Example:
        >>> Conv1d(4, 16, 5, padding=2)(ddp.randn(8, 4, 100)).shape
        ddp.Size([8, 16, 100])
    """

    dims = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype)

    def forward(self, x):
        x, padding = self._padded(x)
        return conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) over an (N, C, H, W) or (C, H, W) input.

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size, stride, dilation: an int or a pair.
        padding: an int, a pair, 'valid' or 'same' (stride 1 only); implicit zeros.
        groups: in_channels and out_channels are split into this many independent convolutions.
        bias: whether to learn an additive bias.
        padding_mode: 'zeros', or 'reflect', 'replicate', 'circular' (padding by F.pad before the product).
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
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype)

    def forward(self, x):
        x, padding = self._padded(x)
        return conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class _ConvTransposeNd(_ConvNd):
    """Shared by the transposed convolutions: PyTorch's argument order (output_padding before groups) and a
    forward that takes output_size; subclasses set `dims` and `_transposed_conv`, their functional form."""

    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype, output_padding)

    def forward(self, x, output_size=None):
        return self._transposed_conv(x, self.weight, self.bias, self.stride, self.padding,
                                     self._output_padding(x, output_size), self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution over an (N, C, H, W) or (C, H, W) input: the gradient of a Conv2d with
    respect to its input, used to upsample (stride 2 doubles H and W with kernel 4, padding 1).

    Args: as Conv2d (padding: an int or a pair), plus output_padding (an int or a pair, smaller than
        the stride or the dilation): rows and columns added at the bottom/right of the output.
    Parameters: weight (in_channels, out_channels/groups, kH, kW) and bias (out_channels,), both
        U(-k, k) with k = 1/sqrt(out_channels/groups*kH*kW) (PyTorch's fan_in of this weight layout).
    forward(x, output_size=None): output_size (the last two entries are used) picks output_padding.

    Example:
        >>> ConvTranspose2d(16, 8, 4, stride=2, padding=1)(ddp.randn(2, 16, 7, 7)).shape
        ddp.Size([2, 8, 14, 14])
    """

    _transposed_conv = staticmethod(conv_transpose2d)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over an (N, C, L) or (C, L) input; see ConvTranspose2d (ints or 1-tuples
    here). Parameters: weight (in_channels, out_channels/groups, K), bias (out_channels,).

    Example:
        >>> ConvTranspose1d(16, 4, 4, stride=2, padding=1)(ddp.randn(8, 16, 50)).shape
        ddp.Size([8, 4, 100])
    """

    dims, _transposed_conv = 1, staticmethod(conv_transpose1d)
