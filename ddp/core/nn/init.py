"""Parameter initialisers (`ddp.nn.init`): fill a tensor in place, under no_grad, keeping its dtype.

Random draws are PyTorch's (`ddp.core.random_draws`, in the tensor's dtype and in PyTorch's order), so after
the same `manual_seed` a model starts from the very weights it starts from in PyTorch. Distributions follow
PyTorch's definitions (fan computation, gains, bounds).
Inside `skipped()` (used by nn.utils.skip_init) every initialiser leaves its tensor as it is.
"""
import contextlib
import math
import threading
import warnings

import numpy as np

from .. import random_draws as draws
from ..random import generator_of

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid")


_skip = threading.local()  # per thread: simulated ranks are threads


def _skipping():
    return getattr(_skip, "active", False)


@contextlib.contextmanager
def skipped():
    """Make every initialiser a no-op in this thread (modules built inside keep np.empty's values)."""
    previous, _skip.active = _skipping(), True
    try:
        yield
    finally:
        _skip.active = previous


def _fill(tensor, values):
    """Write `values` into `tensor`'s memory (cast to its dtype) and bump its version."""
    if _skipping():
        return tensor
    tensor._data[...] = values
    tensor._bump_version()
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The recommended scale of the weights before `nonlinearity`, so that activations keep their variance.

    linear/conv/sigmoid: 1, tanh: 5/3, relu: sqrt(2), leaky_relu: sqrt(2 / (1 + slope^2)) (slope 0.01 by
    default), selu: 3/4.
    """
    if nonlinearity in _LINEAR:
        return 1  # an int, as PyTorch's
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel): in * prod(kernel), out * prod(kernel)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape {tuple(tensor.shape)})"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with samples of U(a, b)."""
    if _skipping():
        return tensor
    return _fill(tensor, draws.uniform(generator_of(generator), tensor.shape, tensor._data.dtype, a, b))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with samples of N(mean, std^2)."""
    if _skipping():
        return tensor
    contiguous = tensor._data.flags.c_contiguous
    return _fill(tensor, draws.normal(generator_of(generator), tensor.shape, tensor._data.dtype, mean, std, contiguous))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with N(mean, std^2) samples truncated to [a, b], by PyTorch's rejection samplers (so the same
    seed gives the same values): where [a, b] holds more than 30% of the mass, normal draws of the whole
    tensor replace the samples outside until none are; otherwise uniform proposals in [a, b], each kept with
    probability pdf / pdf(mode)."""
    if _skipping():
        return tensor
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    gen, shape, dtype = generator_of(generator), tensor.shape, tensor._data.dtype
    cdf = lambda x: (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0  # noqa: E731
    if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
        low, high = dtype.type(a), dtype.type(b)
        result = draws.normal(gen, shape, dtype, mean, std)
        outside = (result < low) | (result > high)
        while outside.any():
            result = np.where(outside, draws.normal(gen, shape, dtype, mean, std), result)
            outside = (result < low) | (result > high)
        return _fill(tensor, result)
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2

    def log_ratio(x):  # log(pdf(x) / pdf(mode)), in the tensor's dtype as PyTorch's in-place chain
        return np.square((x - dtype.type(mean)) / dtype.type(std)) * dtype.type(-0.5) - dtype.type(log_peak)

    def rejected(candidates):
        with np.errstate(divide="ignore"):
            return np.log(draws.uniform(gen, shape, dtype)) > log_ratio(candidates)

    result = draws.uniform(gen, shape, dtype, a, b)
    pending = rejected(result)
    while pending.any():
        candidates = draws.uniform(gen, shape, dtype, a, b)
        result = np.where(pending, candidates, result)
        pending = np.where(pending, rejected(candidates), pending)
    return _fill(tensor, result)


def constant_(tensor, val):
    """Fill with `val`."""
    return _fill(tensor, val)


def zeros_(tensor):
    return _fill(tensor, 0)


def ones_(tensor):
    return _fill(tensor, 1)


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal of a rectangle)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got shape {tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan) and gain = calculate_gain(nonlinearity, a).

    `Linear` and `Conv2d` use a=sqrt(5), which gives b = 1 / sqrt(fan_in).
    """
    fan = _fan(tensor, mode)
    if fan == 0:
        return tensor  # PyTorch warns and leaves a zero-element tensor alone
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: N(0, std^2) with std = gain / sqrt(fan)."""
    fan = _fan(tensor, mode)
    if fan == 0:
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def orthogonal_(tensor, gain=1.0, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one (sign-corrected so that the
    distribution is uniform), scaled by `gain`; dims after the first are flattened. An empty tensor is left
    as it is, as in PyTorch."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, got {tuple(tensor.shape)}")
    if _skipping() or tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = draws.normal(generator_of(generator), (rows, cols), tensor._data.dtype)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill a 2-D tensor with N(0, std^2) samples, then zero ceil(sparsity * rows) random entries of each
    column (Martens, 2010)."""
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: only tensors with 2 dimensions are supported, got shape {tuple(tensor.shape)}")
    if _skipping():
        return tensor
    rows, cols = tensor.shape
    values = draws.normal(generator_of(generator), (rows, cols), tensor._data.dtype, 0.0, std)
    zeros = int(math.ceil(sparsity * rows))
    for col in range(cols):  # each column's rows from the default generator, as PyTorch (not `generator`)
        values[draws.permutation(generator_of(None), rows)[:zeros], col] = 0
    return _fill(tensor, values)


def dirac_(tensor, groups=1):
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta, so that the convolution keeps its
    input (as many channels as fit, in each of `groups` groups): 1 at the kernel centre of [g*out + d, d]."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only tensors with 3, 4 or 5 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    out_channels = tensor.shape[0]
    if out_channels % groups:
        raise ValueError(f"dirac_: dim 0 ({out_channels}) must be divisible by groups ({groups})")
    per_group = out_channels // groups
    values = np.zeros(tensor.shape)
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per_group, tensor.shape[1])):
            values[(g * per_group + d, d) + centre] = 1
    return _fill(tensor, values)


def default_layer_init_(weight, bias=None, generator=None):
    """PyTorch's default init of Linear and Conv layers: kaiming_uniform_(a=sqrt(5)) on the weight (bound
    1/sqrt(fan_in)), and the bias uniform in +-1/sqrt(fan_in)."""
    kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound, generator=generator)


def _deprecated(new):
    """PyTorch's old name of an initialiser (without the trailing underscore): warns, then calls `new`."""
    old = new.__name__[:-1]

    def old_form(*args, **kwargs):
        warnings.warn(f"nn.init.{old} is deprecated: use nn.init.{new.__name__}", FutureWarning, stacklevel=2)
        return new(*args, **kwargs)

    old_form.__name__ = old_form.__qualname__ = old
    old_form.__doc__ = f"Deprecated alias of `{new.__name__}`."
    return old_form


uniform, normal, constant = _deprecated(uniform_), _deprecated(normal_), _deprecated(constant_)
xavier_uniform, xavier_normal = _deprecated(xavier_uniform_), _deprecated(xavier_normal_)
kaiming_uniform, kaiming_normal = _deprecated(kaiming_uniform_), _deprecated(kaiming_normal_)
orthogonal, sparse, dirac, eye = _deprecated(orthogonal_), _deprecated(sparse_), _deprecated(dirac_), _deprecated(eye_)
