"""Resampling, functional forms (re-exported by ddp.nn.functional): `interpolate` (nearest, nearest-exact,
linear, bilinear, bicubic, trilinear, area; antialiased bilinear, bicubic and lanczos) of 3-D, 4-D and 5-D
inputs, `pixel_shuffle` / `pixel_unshuffle` and `channel_shuffle`, with torch.nn.functional's arguments and
errors."""
import math

import numpy as np

from ..functional import _tensor
from ..ops import resample
from ..shape_functional import permute, reshape
from .functional_pool import adaptive_avg_pool2d
from .functional_pool1d import adaptive_avg_pool1d
from .functional_pool3d import adaptive_avg_pool3d

__all__ = ["interpolate", "upsample", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]

MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area", "lanczos")
_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5, "lanczos": 4}  # modes that need one rank
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_AREA_POOLS = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}


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
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size.")
        sizes = _per_dim(size, spatial, "output size", x)
        if isinstance(size, (list, tuple)) and not all(isinstance(s, (int, np.integer)) for s in sizes):
            raise TypeError(f"interpolate: expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                            f"Tuple[int, int, int], but got size with types {[type(s) for s in sizes]}")
        out = tuple(int(s) for s in sizes)
        scales = tuple(i / o if o > 0 else 0.0 for i, o in zip(x.shape[2:], out))
    else:
        factors = tuple(float(f) for f in _per_dim(scale_factor, spatial, "scale_factor", x))
        out = tuple(math.floor(i * f) for i, f in zip(x.shape[2:], factors))
        scales = tuple(i / o if o > 0 else 0.0 for i, o in zip(x.shape[2:], out)) if recompute_scale_factor \
            else tuple(1 / f for f in factors)
    return out, scales


def _check_mode(x, mode, align_corners, antialias):
    """PyTorch's errors for a mode that does not fit the input's rank or the options."""
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and x.ndim == 4):
        raise ValueError("interpolate: Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                         f"requires a 4-D tensor as input (got mode {mode!r} and a {x.ndim}-D input)")
    if mode == "lanczos" and x.ndim == 4:
        if align_corners:
            raise ValueError("interpolate: Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("interpolate: Lanczos mode requires antialias=True")
    if mode not in MODES or x.ndim not in (3, 4, 5):
        raise NotImplementedError(f"interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{x.ndim}D) for the modes: {_ALL_MODES} (got {mode!r})")
    if mode in _RANK and x.ndim != _RANK[mode]:
        raise NotImplementedError(f"interpolate: Got {x.ndim}D input, but {mode} mode needs {_RANK[mode]}D input")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,  # noqa: A002
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of x (N, C, L), (N, C, H, W) or (N, C, D, H, W) to `size` or by `scale_factor`.

    Args:
        mode: 'nearest' (src = floor(dst * scale)), 'nearest-exact' (floor((dst + 0.5) * scale)), 'area'
            (adaptive average pooling), or an interpolating mode: 'linear' (3-D input), 'bilinear' or
            'bicubic' (4-D; cubic convolution with a = -0.75, which can overshoot the input's range),
            'trilinear' (5-D), 'lanczos' (4-D, needs antialias).
        align_corners: for the interpolating modes, map corner pixel centres onto each other (default False).
        recompute_scale_factor: with scale_factor, map coordinates by in/out instead of 1/scale_factor.
        antialias: for bilinear, bicubic (and lanczos) on 4-D input: PyTorch's (and PIL's) resampling, whose
            filter widens by the shrink factor when downsampling, so every input pixel counts; bicubic then
            uses Keys' kernel with a = -0.5.
    Returns:
        (N, C, *size), size = floor(in * scale_factor) when scale_factor is given. Its gradient is the exact
        adjoint of the forward map. PyTorch's is not in three corner cases, where the gradients differ:
        its backward of 3-D and 5-D 'nearest' takes the out == in and out == 2 in shortcuts that only its
        4-D forward takes; its antialiased backward resamples axes whose size the forward kept; and with
        out == in its bicubic backward ignores a scale_factor that its forward uses.
    Raises:
        ValueError for both or neither of size and scale_factor, align_corners with a non-interpolating mode,
        or antialias outside bilinear / bicubic / lanczos on 4-D input; TypeError for a non-integer size or
        a non-float input; NotImplementedError for an unsupported mode or input rank; RuntimeError for an
        empty output.

    Example:
        >>> y = interpolate(ddp.randn(2, 3, 8, 8), scale_factor=2, mode="bilinear")    # (2, 3, 16, 16)
        >>> y = interpolate(ddp.randn(1, 3, 64, 64), size=(16, 16), mode="bicubic", antialias=True)
    """
    x = _tensor(input)
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("interpolate: align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if x.ndim not in (3, 4, 5):  # no kernel for this rank: say so before checking sizes against it
        _check_mode(x, mode, align_corners, antialias)
    out, scales = _geometry(x, size, scale_factor, recompute_scale_factor)
    _check_mode(x, mode, align_corners, antialias)
    if min(out) < 1:
        raise RuntimeError(f"interpolate: Input and output sizes should be greater than 0, but got input "
                           f"{tuple(x.shape[2:])} output {out}")
    if x.dtype.kind != "f":
        raise TypeError(f"interpolate: expected a floating point input, got {x.dtype}")
    sizes, dtype = x.shape[2:], x.dtype
    geometry = list(zip(sizes, out, scales))
    if mode == "area":
        return _AREA_POOLS[len(out)](x, out)
    if mode.startswith("nearest"):
        if mode == "nearest" and x.ndim == 4:
            index = [resample.nearest_index_2d(i, o, s) for i, o, s in geometry]
        else:
            index = [resample.nearest_index(i, o, s, mode == "nearest-exact", resample.opmath(dtype))
                     for i, o, s in geometry]
        return resample.Nearest.apply(x, index=index)
    if antialias:
        matrices = [resample.aa_matrix(i, o, s_aa, mode, dtype)
                    for (i, o, _), s_aa in zip(geometry, _aa_scales(geometry, align_corners))]
    elif mode == "bicubic":
        matrices = [resample.cubic_matrix(i, o, s, align_corners, dtype) for i, o, s in geometry]
    else:
        matrices = [resample.linear_matrix(i, o, s, align_corners, dtype) for i, o, s in geometry]
    return resample.Separable.apply(x, matrices=matrices)


def _aa_scales(geometry, align_corners):
    """The scale the antialiased kernels use: (in - 1) / (out - 1) with align_corners (0 for one pixel)."""
    if not align_corners:
        return [s for _, _, s in geometry]
    return [(i - 1) / (o - 1) if o > 1 else 0.0 for i, o, _ in geometry]


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
