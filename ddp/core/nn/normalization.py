"""BatchNorm1d/2d/3d (running statistics as buffers, train/eval behaviour), InstanceNorm1d/2d/3d, GroupNorm,
LayerNorm and LocalResponseNorm, with PyTorch's parameter and buffer names."""
import numpy as np

from ..dtypes import as_dtype, get_default_dtype
from ..tensor import Tensor
from . import functional as F
from .module import Module, Parameter


class _NormBase(Module):
    """What batch and instance normalisation share: the affine weight and bias, the running statistics as
    buffers, and their state-dict layout (version 2). Subclasses check the input's dims and normalise."""

    _version = 2  # layout 2 added num_batches_tracked

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        dtype = as_dtype(dtype) or get_default_dtype()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(np.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.zeros((), dtype=np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def _check_input_dim(self, x):
        raise NotImplementedError

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        key = prefix + "num_batches_tracked"
        version = local_metadata.get("version")
        if (version is None or version < 2) and self.track_running_stats and key not in state_dict:
            # checkpoints of layout 1 (or without metadata) lack the counter: it keeps its value, as PyTorch's
            state_dict[key] = self.num_batches_tracked if self.num_batches_tracked is not None else np.zeros((), np.int64)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """Shared by BatchNorm1d/2d/3d (and SyncBatchNorm): batch statistics in training, running ones in eval."""

    def forward(self, x):
        self._check_input_dim(x)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # a cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        # without running statistics, eval mode normalises by the batch as well
        use_batch = self.training or self.running_mean is None
        return F.batch_norm(
            x, self.running_mean if not self.training or self.track_running_stats else None,
            self.running_var if not self.training or self.track_running_stats else None,
            self.weight, self.bias, use_batch, factor, self.eps,
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs over N (and L), per channel C.

    Training normalises by the batch statistics and updates running_mean / running_var (unbiased variance)
    by `momentum` (None: a cumulative average); eval mode normalises by the running statistics.
    Parameters weight (C,) = 1 and bias (C,) = 0 (when affine; bias=False drops the bias); buffers running_mean, running_var, num_batches_tracked.
    """

    def _check_input_dim(self, x):
        if x.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {x.ndim}D input of shape {tuple(x.shape)})")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs over N, H and W, per channel C (see BatchNorm1d)."""

    def _check_input_dim(self, x):
        if x.ndim != 4:
            raise ValueError(f"expected 4D input (got {x.ndim}D input of shape {tuple(x.shape)})")


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs over N, D, H and W, per channel C (see BatchNorm1d)."""

    def _check_input_dim(self, x):
        if x.ndim != 5:
            raise ValueError(f"expected 5D input (got {x.ndim}D input of shape {tuple(x.shape)})")


class _InstanceNorm(_NormBase):
    """Shared by InstanceNorm1d/2d/3d: each channel of each sample is normalised over its spatial dims.

    Training (or track_running_stats=False) uses the input's statistics, updating running_mean /
    running_var when tracked (num_batches_tracked stays 0, as in PyTorch); eval with tracked statistics
    normalises by them. Subclasses set `spatial`, the number of spatial dims; one dim less is unbatched.
    """

    spatial = 0

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, x):
        if x.ndim not in (self.spatial + 1, self.spatial + 2):
            raise ValueError(f"expected {self.spatial + 1}D or {self.spatial + 2}D input (got {x.ndim}D input of "
                             f"shape {tuple(x.shape)})")

    def forward(self, x):
        self._check_input_dim(x)
        unbatched = x.ndim == self.spatial + 1
        if unbatched:
            x = x.unsqueeze(0)
        if self.affine and x.shape[1] != self.num_features:
            raise ValueError(f"expected input's size at dim={0 if unbatched else 1} to match num_features "
                             f"({self.num_features}), but got: {x.shape[1]}.")
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats, self.momentum or 0.0, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or unbatched (C, L) inputs (affine=False and
    track_running_stats=False by default, as PyTorch)."""

    spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or unbatched (C, H, W) inputs over H and W, per sample and
    channel (affine=False and track_running_stats=False by default, as PyTorch).

    Example:
        >>> InstanceNorm2d(3)(ddp.randn(8, 3, 32, 32)).shape
        ddp.Size([8, 3, 32, 32])
    """

    spatial = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or unbatched (C, D, H, W) inputs."""

    spatial = 3


class GroupNorm(Module):
    """Normalise each sample over groups of num_channels / num_groups channels (and the spatial dims), then
    scale and shift per channel. Parameters weight (C,) = 1 and bias (C,) = 0 when affine.

    Example:
        >>> GroupNorm(4, 32)(ddp.randn(8, 32, 7, 7)).shape
        ddp.Size([8, 32, 7, 7])
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        dtype = as_dtype(dtype) or get_default_dtype()
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        self.register_parameter("weight", Parameter(np.ones(num_channels, dtype=dtype)) if affine else None)
        self.register_parameter("bias", Parameter(np.zeros(num_channels, dtype=dtype)) if affine and bias else None)

    def forward(self, x):
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, " \
               f"bias={self.bias is not None}"


class LayerNorm(Module):
    """Normalise over the last dims given by `normalized_shape`, then scale and shift elementwise.

    Parameters weight = 1 and bias = 0, of shape normalized_shape (when elementwise_affine).

    Example:
        >>> LayerNorm(16)(ddp.randn(4, 16)).shape
        ddp.Size([4, 16])
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = as_dtype(dtype) or get_default_dtype()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        text = f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        return text + f", bias={self.bias is not None}"


class LocalResponseNorm(Module):
    """Normalise each channel by its neighbours' energy: x / (k + alpha * mean over `size` channels of
    x^2)^beta (AlexNet). No parameters."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x):
        return F.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
