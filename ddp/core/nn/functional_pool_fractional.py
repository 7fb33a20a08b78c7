"""Fractional max pooling, functional forms (re-exported by ddp.nn.functional): `fractional_max_pool2d` and
`fractional_max_pool3d` (and their `_with_indices` names), with torch.nn.functional's arguments; the op
lives in ops/fractional_pool.py."""
import numpy as np

from .. import random_draws as draws
from ..ops.fractional_pool import FractionalMaxPool, interval_starts
from ..random import generator_of
from ..tensor import Tensor
from .functional_conv import _batched, _ntuple, _unbatched

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

_AXES = {2: ("height", "width"), 3: ("time", "height", "width")}
# which sample of a plane drives which axis: PyTorch's 2-D kernel reads (W, H), its 3-D kernel (T, H, W)
_SAMPLE_OF_AXIS = {2: (1, 0), 3: (0, 1, 2)}


def _sizes(value, d, name, op, minimum):
    """An int or d ints as a tuple of d ints; a wrong count is PyTorch's RuntimeError, a non-int its TypeError."""
    if not isinstance(value, (int, np.integer, tuple, list)):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {d} ints, got {value!r}")
    values = (value,) * d if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != d:
        raise RuntimeError(f"{op}: {name} must either be a single int or a tuple of {d} ints, got {value!r}")
    return _ntuple(values, d, name, op, minimum)


def _output_size(op, x, d, output_size, output_ratio):
    """The output's spatial shape: output_size as given, else int(size * ratio) per axis."""
    if output_size is None:
        ratio = (output_ratio,) * d if isinstance(output_ratio, (int, float, np.number)) else tuple(output_ratio)
        if len(ratio) != d:
            raise ValueError(f"{op} requires output_ratio to either be a single number or a tuple of {d} numbers, "
                             f"got {output_ratio!r}")
        output_size = tuple(int(size * r) for size, r in zip(x.shape[2:], ratio))
    return _sizes(output_size, d, "output_size", op, minimum=0)


def _samples(op, x, d, samples):
    """The (N, C, d) samples in [0, 1) of x's dtype: those given (their first N rows), else fresh ones."""
    n, c = x.shape[:2]
    if samples is None:
        return draws.uniform(generator_of(), (n, c, d), x.dtype)  # PyTorch's torch.rand(n, c, d)
    u = samples._data if isinstance(samples, Tensor) else np.asarray(samples)
    if u.ndim != 3:
        raise RuntimeError(f"{op}: Expect _random_samples to have 3 dimensions, got {u.ndim}")
    if u.dtype != x.dtype:
        raise RuntimeError(f"{op}: Expect _random_samples to have the same dtype as input, got {u.dtype} and "
                           f"{x.dtype}")
    if u.shape[2] != d:
        raise RuntimeError(f"{op}: Expect _random_samples.size(2) equals to {d}; got {u.shape[2]}.")
    if u.shape[0] < n:
        raise RuntimeError(f"{op}: Expect _random_samples.size(0) no less then input batch size, got "
                           f"{u.shape[0]} samples for a batch of {n}.")
    if u.shape[1] != c:
        raise RuntimeError(f"{op}: Expect _random_samples.size(1) equals to input channel size, got {u.shape[1]} "
                           f"and {c} channels.")
    return u[:n]


def fractional_max_pool(op, input, d, kernel_size, output_size=None, output_ratio=None,  # noqa: A002
                        return_indices=False, _random_samples=None):
    """fractional_max_pool2d/3d's shared body, for `d` spatial dims."""
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    x, added = _batched(input, op, d)
    empty = [axis for axis in range(1, x.ndim) if x.shape[axis] == 0]
    if empty:
        raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, but got "
                           f"{list(x.shape)} with dimension {empty[0]} being empty.")
    kernel = _sizes(kernel_size, d, "kernel_size", op, minimum=1)
    out = _output_size(op, x, d, output_size, output_ratio)
    strict = d == 3  # PyTorch's 3-D check is o + k - 1 < size, its 2-D one o + k - 1 <= size
    for name, k, o, size in zip(_AXES[d], kernel, out, x.shape[2:]):
        if o + k - 1 > size - strict:
            raise RuntimeError(f"{op}(): pool {name} {k} too large relative to input {name} {size} "
                               f"(output {name} {o})")
    u = _samples(op, x, d, _random_samples).reshape(-1, d)
    starts = [interval_starts(u[:, _SAMPLE_OF_AXIS[d][axis]], size, o, k)
              for axis, (size, o, k) in enumerate(zip(x.shape[2:], out, kernel))]
    keep = [] if return_indices else None
    y = _unbatched(FractionalMaxPool.apply(x, starts=starts, kernel=kernel, keep=keep), added)
    if not return_indices:
        return y
    return y, _unbatched(Tensor(keep[0]), added)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,  # noqa: A002
                          _random_samples=None):
    """Max pooling over kH x kW windows at pseudo-random steps (Graham's fractional max pooling), as
    torch.nn.functional.fractional_max_pool2d.

    Along each axis the window starts are int((i + u) * alpha) - int(u * alpha), alpha = (in - k) /
    (out - 1), with the last window flush with the end; u is one sample in [0, 1) per plane and axis.

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size: an int or a pair (kH, kW).
        output_size: an int or a pair (oH, oW); or else
        output_ratio: a number or a pair; the output size is int(size * ratio) per axis.
        return_indices: also return the flat index (into H*W) of each maximum, int64 (for max_unpool2d).
        _random_samples: (N, C, 2) samples of input's dtype (u for W, then for H, as PyTorch); drawn from
            the default generator when None.
    Returns:
        the pooled tensor (N, C, oH, oW), or (pooled, indices). The gradient goes to each chosen maximum.
    Raises:
        ValueError without output_size and output_ratio; RuntimeError for a window too large for the input,
        an input with an empty non-batch dim, or samples of the wrong shape or dtype.

    Example:
        >>> y = fractional_max_pool2d(ddp.randn(2, 3, 10, 10), 3, output_size=(6, 5))    # (2, 3, 6, 5)
    """
    return fractional_max_pool("fractional_max_pool2d", input, 2, kernel_size, output_size, output_ratio,
                               return_indices, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,  # noqa: A002
                          _random_samples=None):
    """Fractional max pooling over kT x kH x kW windows, as torch.nn.functional.fractional_max_pool3d; see
    fractional_max_pool2d. Input (N, C, T, H, W) or (C, T, H, W); _random_samples (N, C, 3), u for T, H, W;
    indices flat into T*H*W.

    Example:
        >>> y = fractional_max_pool3d(ddp.randn(1, 2, 8, 8, 8), 2, output_ratio=0.5)    # (1, 2, 4, 4, 4)
    """
    return fractional_max_pool("fractional_max_pool3d", input, 3, kernel_size, output_size, output_ratio,
                               return_indices, _random_samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,  # noqa: A002
                                       return_indices=False, _random_samples=None):
    """fractional_max_pool2d's (pooled, indices); return_indices is ignored, as PyTorch."""
    return fractional_max_pool("fractional_max_pool2d", input, 2, kernel_size, output_size, output_ratio, True,
                               _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,  # noqa: A002
                                       return_indices=False, _random_samples=None):
    """fractional_max_pool3d's (pooled, indices); return_indices is ignored, as PyTorch."""
    return fractional_max_pool("fractional_max_pool3d", input, 3, kernel_size, output_size, output_ratio, True,
                               _random_samples)
