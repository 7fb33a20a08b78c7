"""Resampling, functional forms (re-exported by ddp.nn.functional): `interpolate` (nearest, nearest-exact,
linear, bilinear, bicubic, area), `pixel_shuffle` / `pixel_unshuffle` and `channel_shuffle`, with
torch.nn.functional's arguments and errors."""
import math

import numpy as np

from ..functional import _tensor
from ..ops import resample
from ..shape_functional import permute, reshape, squeeze, unsqueeze
from .functional_pool import adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]

MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "area")
_LINEAR_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4}  # the interpolating modes and their input ranks
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _per_dim(value, spatial, what, x):
    """`value` (a number or a sequence) as one entry per spatial dim."""
    if isinstance(value, (list, tuple)):
        if len(value) != spatial:
            raise ValueError(f"interpolate: Input and {what} must have the same number of spatial dimensions, but "
                             f"got input with spatial dimensions of {list(x.shape[2:])} and {what} of "
                             f"{tuple(value)}.")
        return tuple(value)
    return (value,) * spatial


def _geometry(x, size, scale_factor, recompute_scale_factor):
    """Output sizes and the coordinate scale (input per output pixel) of each spatial dim."""
    spatial = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    if size is not None:
        out = tuple(int(s) for s in _per_dim(size, spatial, "output size", x))
        scales = tuple(i / o if o > 0 else 0.0 for i, o in zip(x.shape[2:], out))
    else:
        factors = tuple(float(f) for f in _per_dim(scale_factor, spatial, "scale_factor", x))
        out = tuple(math.floor(i * f) for i, f in zip(x.shape[2:], factors))
        scales = tuple(i / o if o > 0 else 0.0 for i, o in zip(x.shape[2:], out)) if recompute_scale_factor \
            else tuple(1 / f for f in factors)
    if min(out) < 1:
        raise RuntimeError(f"interpolate: Input and output sizes should be greater than 0, but got input "
                           f"{tuple(x.shape[2:])} output {out}")
    return out, scales


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,  # noqa: A002
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of x (N, C, L) or (N, C, H, W) to `size` or by `scale_factor`.

    Args:
        mode: 'nearest' (src = floor(dst * scale)), 'nearest-exact' (floor((dst + 0.5) * scale)),
            'linear' (3-D input), 'bilinear' or 'bicubic' (4-D input; cubic convolution with a = -0.75,
            which can overshoot the input's range) or 'area' (adaptive average pooling).
        align_corners: for the interpolating modes, map corner pixel centres onto each other (default False).
        recompute_scale_factor: with scale_factor, map coordinates by in/out instead of 1/scale_factor.
    Returns:
        (N, C, *size), size = floor(in * scale_factor) when scale_factor is given.
    Raises:
        ValueError for both or neither of size and scale_factor, or align_corners with nearest;
        NotImplementedError for an unsupported mode or input rank.

    Example:
        >>> y = interpolate(ddp.randn(2, 3, 8, 8), scale_factor=2, mode="bilinear")    # (2, 3, 16, 16)
    """
    x = _tensor(input)
    if mode not in MODES or x.ndim not in (3, 4):
        raise NotImplementedError(f"interpolate: Input Error: only 3D and 4D inputs are supported (got {x.ndim}D) "
                                  f"for the modes {MODES} (got {mode!r}); PyTorch's modes are {_ALL_MODES}")
    linear = mode in _LINEAR_RANK
    if align_corners is not None and not linear:
        raise ValueError("interpolate: align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if linear and x.ndim != _LINEAR_RANK[mode]:
        raise NotImplementedError(f"interpolate: Got {x.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR_RANK[mode]}D input")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not implemented")
    if x.dtype.kind != "f":
        raise TypeError(f"interpolate: expected a floating point input, got {x.dtype}")
    out, scales = _geometry(x, size, scale_factor, recompute_scale_factor)
    one_d = x.ndim == 3
    if one_d:  # a height of one: the row map is the 1 x 1 identity
        x, out, scales = unsqueeze(x, 2), (1,) + out, (1.0,) + scales
    sizes = x.shape[2:]
    if mode == "area":
        y = adaptive_avg_pool2d(x, out)
    elif linear:
        weights = resample.cubic_matrix if mode == "bicubic" else resample.linear_matrix
        rows, cols = (weights(i, o, s, bool(align_corners), x.dtype) for i, o, s in zip(sizes, out, scales))
        y = resample.Linear2d.apply(x, rows=rows, cols=cols)
    else:
        rows, cols = (resample.nearest_index(i, o, s, exact=mode == "nearest-exact")
                      for i, o, s in zip(sizes, out, scales))
        y = resample.Nearest2d.apply(x, rows=rows, cols=cols)
    return squeeze(y, 2) if one_d else y


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):  # noqa: A002
    """The deprecated name of interpolate."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def _factor(value, op, name):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise RuntimeError(f"{op}: {name} must be a positive int, got {value!r}")
    return int(value)


def pixel_shuffle(input, upscale_factor):  # noqa: A002
    """(*, C r^2, H, W) -> (*, C, H r, W r): each group of r^2 channels becomes an r x r block of pixels."""
    x, r = _tensor(input), _factor(upscale_factor, "pixel_shuffle", "upscale_factor")
    if x.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{x.ndim} dimension(s)")
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    k = len(lead)
    y = reshape(x, *lead, c // (r * r), r, r, h, w)
    y = permute(y, *range(k), k, k + 3, k + 1, k + 4, k + 2)
    return reshape(y, *lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):  # noqa: A002
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of pixel_shuffle."""
    x, r = _tensor(input), _factor(downscale_factor, "pixel_unshuffle", "downscale_factor")
    if x.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{x.ndim} dimension(s)")
    *lead, c, h, w = x.shape
    for name, dim, size in (("height", -2, h), ("width", -1, w)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({dim})={size} is not divisible by {r}")
    k = len(lead)
    y = reshape(x, *lead, c, h // r, r, w // r, r)
    y = permute(y, *range(k), k, k + 2, k + 4, k + 1, k + 3)
    return reshape(y, *lead, c * r * r, h // r, w // r)


def channel_shuffle(input, groups):  # noqa: A002
    """Interleave the channels of `groups` groups (ShuffleNet), as torch.nn.functional.channel_shuffle.

    (N, C, *) -> (N, C, *): viewed as (N, groups, C / groups, *), the two channel axes swap, so output
    channel k*groups + g is input channel g*(C / groups) + k. Any dtype; differentiable (a reshape/permute).

    Raises:
        RuntimeError for an input of fewer than 3 dims, groups < 1 or C not divisible by groups;
        TypeError for a non-int groups.

    Example:
        >>> channel_shuffle(ddp.arange(6.).reshape(1, 6, 1), 2).flatten().tolist()
        [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    """
    x = _tensor(input)
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool):
        raise TypeError(f"channel_shuffle: groups must be an int, got {groups!r}")
    if x.ndim < 3:
        raise RuntimeError(f"channel_shuffle: the input needs more than 2 dims (N, C, *), got shape {list(x.shape)}")
    if groups < 1:
        raise RuntimeError(f"channel_shuffle: groups must be positive, got {groups}")
    n, c, *rest = x.shape
    if c % groups:
        raise RuntimeError(f"channel_shuffle: the channels must split evenly into groups, got {c} channels and "
                           f"{groups} groups (input shape {tuple(x.shape)})")
    y = reshape(x, n, int(groups), c // int(groups), *rest)
    y = permute(y, 0, 2, 1, *range(3, y.ndim))
    return reshape(y, n, c, *rest)
