"""Lazy modules: layers that infer their input size (in_features, in_channels, num_features) from the first
batch, then turn into the ordinary layer (`type(LazyLinear(3))` becomes Linear after one call), as PyTorch's.

Until then their parameters are UninitializedParameter placeholders: build the optimizer after the first
forward (or after `load_state_dict`, which gives the placeholders the checkpoint's shapes).
"""
import numpy as np

from .. import autograd
from ..tensor import Tensor
from . import init
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .conv3d import Conv3d, ConvTranspose3d
from .linear import Linear
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d,
                            InstanceNorm3d)
from .parameter import UninitializedBuffer, UninitializedParameter, is_lazy


class LazyModuleMixin:
    """Mixed in before a layer class: a forward pre-hook calls `initialize_parameters(*args)` on the first
    call, then removes itself and sets the module's class to `cls_to_become`."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters)

    def has_uninitialized_params(self):
        """Whether any parameter or buffer of this module is still a placeholder."""
        tensors = list(self._parameters.values()) + list(self._buffers.values())
        return any(is_lazy(t) for t in tensors)

    def initialize_parameters(self, *args):
        raise NotImplementedError(f"{type(self).__name__} must define initialize_parameters(input)")

    @staticmethod
    def _infer_parameters(module, args):
        with autograd.no_grad():
            module.initialize_parameters(*args)
        if module.has_uninitialized_params():
            raise RuntimeError(f"{module._get_name()}: initialize_parameters left some parameters uninitialized")
        module._initialize_hook.remove()
        del module._initialize_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Give placeholders the shapes of the checkpoint's tensors, then load as usual."""
        for store in (self._parameters, self._buffers):
            for name, t in store.items():
                value = state_dict.get(prefix + name)
                if is_lazy(t) and value is not None and not is_lazy(value):
                    t.materialize(value.shape)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)


class LazyLinear(LazyModuleMixin, Linear):
    """Linear whose in_features is the last dim of the first input.

    Example:
        >>> fc = LazyLinear(4)
        >>> fc(ddp.randn(2, 7)).shape, type(fc).__name__, fc.in_features
        (ddp.Size([2, 4]), 'Linear', 7)
    """

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, 0, False, device, dtype)
        self.out_features = out_features
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        self.in_features = input.shape[-1]
        if self.has_uninitialized_params():
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()


class _LazyConvNd(LazyModuleMixin):
    """Shared by the lazy convolutions: in_channels is dim 1 of a batched input (dim 0 unbatched)."""

    def _lazy_init(self, out_channels, bias, dtype):
        self.out_channels = out_channels
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args):
        name, d = type(self).__name__, self.dims
        if input.ndim not in (d + 1, d + 2):
            raise RuntimeError(f"{name} expects a {d + 1}D (unbatched) or {d + 2}D (batched) input, got one of "
                               f"shape {tuple(input.shape)}")
        self.in_channels = input.shape[1] if input.ndim == d + 2 else input.shape[0]
        if self.in_channels % self.groups:
            raise ValueError(f"{name}: the input's {self.in_channels} channels are not divisible by "
                             f"groups={self.groups}")
        if self.has_uninitialized_params():
            if self.transposed:
                channels = (self.in_channels, self.out_channels // self.groups)
            else:
                channels = (self.out_channels, self.in_channels // self.groups)
            self.weight.materialize(channels + tuple(self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


class LazyConv1d(_LazyConvNd, Conv1d):
    """Conv1d whose in_channels comes from the first input."""

    cls_to_become = Conv1d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, dtype)


class LazyConv2d(_LazyConvNd, Conv2d):
    """Conv2d whose in_channels comes from the first input.

    Example:
        >>> conv = LazyConv2d(8, 3)
        >>> conv(ddp.randn(1, 3, 5, 5)).shape, conv.weight.shape
        (ddp.Size([1, 8, 3, 3]), ddp.Size([8, 3, 3, 3]))
    """

    cls_to_become = Conv2d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, dtype)


class LazyConv3d(_LazyConvNd, Conv3d):
    """Conv3d whose in_channels comes from the first input.

    Example:
        >>> conv = LazyConv3d(4, 3)
        >>> conv(ddp.randn(1, 2, 5, 5, 5)).shape, conv.weight.shape
        (ddp.Size([1, 4, 3, 3, 3]), ddp.Size([4, 2, 3, 3, 3]))
    """

    cls_to_become = Conv3d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, dtype)


class LazyConvTranspose1d(_LazyConvNd, ConvTranspose1d):
    """ConvTranspose1d whose in_channels comes from the first input."""

    cls_to_become = ConvTranspose1d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation,
                         padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, dtype)


class LazyConvTranspose2d(_LazyConvNd, ConvTranspose2d):
    """ConvTranspose2d whose in_channels comes from the first input."""

    cls_to_become = ConvTranspose2d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation,
                         padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, dtype)


class LazyConvTranspose3d(_LazyConvNd, ConvTranspose3d):
    """ConvTranspose3d whose in_channels comes from the first input."""

    cls_to_become = ConvTranspose3d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation,
                         padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, dtype)


class _LazyNorm(LazyModuleMixin):
    """Shared by the lazy batch and instance norms: num_features is the input's channel dim."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None,
                 *, bias=True):
        super().__init__(0, eps, momentum, False, False, device, dtype)
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
            self.num_batches_tracked = Tensor(np.zeros((), dtype=np.int64))

    def _channel_dim(self, input):
        return 1

    def reset_parameters(self):
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def initialize_parameters(self, input):
        self._check_input_dim(input)
        self.num_features = input.shape[self._channel_dim(input)]
        if self.has_uninitialized_params():
            for t in (self.weight, self.bias, self.running_mean, self.running_var):
                if t is not None:
                    t.materialize((self.num_features,))
            self.reset_parameters()


class _LazyInstanceNorm(_LazyNorm):
    def _channel_dim(self, input):
        return 0 if input.ndim == self.spatial + 1 else 1  # an unbatched input has no batch dim


class LazyBatchNorm1d(_LazyNorm, BatchNorm1d):
    """BatchNorm1d whose num_features comes from the first input."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNorm, BatchNorm2d):
    """BatchNorm2d whose num_features comes from the first input.

    Example:
        >>> bn = LazyBatchNorm2d()
        >>> _ = bn(ddp.randn(4, 3, 2, 2))
        >>> bn.num_features, type(bn).__name__
        (3, 'BatchNorm2d')
    """

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNorm, BatchNorm3d):
    """BatchNorm3d whose num_features comes from the first input."""

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyInstanceNorm, InstanceNorm1d):
    """InstanceNorm1d whose num_features comes from the first input (affine and track_running_stats
    default to True here, as in PyTorch's lazy form)."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNorm, InstanceNorm2d):
    """InstanceNorm2d whose num_features comes from the first input (affine and track_running_stats True)."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyInstanceNorm, InstanceNorm3d):
    """InstanceNorm3d whose num_features comes from the first input (affine and track_running_stats True)."""

    cls_to_become = InstanceNorm3d
