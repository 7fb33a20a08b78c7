"""Group, instance, local response and RMS normalisation, functional forms (re-exported by
ddp.nn.functional), with torch.nn.functional's arguments and errors. Group and instance norm run
ops.norm.GroupNorm (instance norm by running statistics ops.norm.BatchNorm in evaluation mode), RMS norm
ops.rms_norm.RMSNorm; local response norm is composed."""
import math

import numpy as np

from .. import shape_functional as S
from ..functional import _tensor
from ..ops import norm
from ..ops.rms_norm import RMSNorm
from .functional_pool import avg_pool2d

__all__ = ["group_norm", "instance_norm", "local_response_norm", "rms_norm"]


def _check_affine(op, x, weight, bias):
    c = x.shape[1]
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"{op}: Expected {name} to be a vector of size equal to the number of channels in "
                               f"input, but got {name} of shape {tuple(t.shape)} and input of shape {tuple(x.shape)}")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """Normalise x (N, C, ...) over each group of C / num_groups channels and the spatial dims, per sample,
    then scale and shift per channel.

    Raises:
        RuntimeError for an input of fewer than 2 dims, C not divisible by num_groups, or weight/bias not (C,).

    Example:
        >>> y = group_norm(ddp.randn(8, 32, 7, 7), 4)
    """
    x = _tensor(input)
    if x.ndim < 2:
        raise RuntimeError(f"group_norm: Expected at least 2 dimensions for input tensor but received {x.ndim}")
    if not isinstance(num_groups, (int, np.integer)) or num_groups < 1 or x.shape[1] % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible by num_groups, but "
                           f"got input of shape {tuple(x.shape)} and num_groups={num_groups}")
    _check_affine("group_norm", x, weight, bias)
    return norm.GroupNorm.apply(x, weight, bias, groups=int(num_groups), eps=eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,  # noqa: A002
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample of x (N, C, ...) over its spatial dims, then scale and shift.

    With use_input_stats (the default) the statistics come from x, and running_mean / running_var, when
    given, move (in place, by `momentum`) towards the batch average of the per-instance mean and unbiased
    variance. Otherwise x is normalised by the running statistics.

    Raises:
        ValueError for a single spatial element when using the input's statistics; RuntimeError when
        use_input_stats=False without running statistics, or for weight/bias/statistics not of C elements.
    """
    x = _tensor(input)
    if x.ndim < 2:
        raise ValueError(f"instance_norm: expected an input of at least 2 dims (N, C, ...), got shape "
                         f"{tuple(x.shape)}")
    _check_affine("instance_norm", x, weight, bias)
    _check_affine("instance_norm", x, running_mean, running_var)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("instance_norm: Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        return norm.BatchNorm.apply(x, weight, bias, running_mean._data, running_var._data, False, momentum, eps)
    if math.prod(x.shape[2:]) == 1:  # the spatial size alone, so that an empty batch passes as in PyTorch
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {tuple(x.shape)}")
    out = norm.GroupNorm.apply(x, weight, bias, groups=int(x.shape[1]), eps=eps)
    if running_mean is not None or running_var is not None:
        a = x._data.reshape(x.shape[0], x.shape[1], math.prod(x.shape[2:]))
        for t, stat in ((running_mean, lambda: a.mean(axis=2)), (running_var, lambda: a.var(axis=2, ddof=1))):
            if t is not None:
                t._data *= 1 - momentum
                t._data += momentum * stat().mean(axis=0).astype(t.dtype, copy=False)
                t._bump_version()
    return out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):  # noqa: A002
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta, as AlexNet's LRN.

    The window over channels c - size//2 .. c + (size-1)//2 is zero-padded at the ends and its mean always
    divides by `size`, as PyTorch. Composed of differentiable ops (square, pad, avg_pool2d, pow, div).

    Raises:
        ValueError for an input of fewer than 3 dims.
    """
    x = _tensor(input)
    if x.ndim < 3:
        raise ValueError(f"local_response_norm: Expected 3D or higher dimensionality input (got {x.ndim} "
                         f"dimensions, shape {tuple(x.shape)})")
    n, c = x.shape[:2]
    sq = S.reshape(x * x, n, 1, c, math.prod(x.shape[2:]))  # channels as rows of one image: the window slides down them
    sq = S.pad(sq, (0, 0, size // 2, (size - 1) // 2))
    div = S.reshape(avg_pool2d(sq, (size, 1), stride=1), x.shape)
    return x / (div * alpha + k) ** beta


def rms_norm(input, normalized_shape, weight=None, eps=None):  # noqa: A002
    """x / sqrt(mean(x^2) + eps) over the last len(normalized_shape) dims, times `weight` (elementwise).

    eps=None uses the machine epsilon of x's dtype, as PyTorch.

    Raises:
        ValueError for an input with fewer dims than normalized_shape; RuntimeError when the input does not
        end with normalized_shape or weight is not of that shape.

    Example:
        >>> y = rms_norm(ddp.randn(2, 10, 64), (64,))
    """
    x = _tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    if len(shape) > x.ndim:
        raise ValueError(f"rms_norm: input of shape {tuple(x.shape)} has fewer dims than normalized_shape {shape}")
    if tuple(x.shape[x.ndim - len(shape):]) != shape:
        raise RuntimeError(f"rms_norm: input of shape {tuple(x.shape)} does not end with normalized_shape {shape}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"rms_norm: weight has shape {tuple(weight.shape)}, expected normalized_shape {shape}")
    if x.dtype.kind != "f":
        raise RuntimeError(f"rms_norm: expected a floating point input, got {x.dtype}")
    eps = float(np.finfo(x.dtype).eps) if eps is None else float(eps)
    return RMSNorm.apply(x, weight, dims=len(shape), eps=eps)
