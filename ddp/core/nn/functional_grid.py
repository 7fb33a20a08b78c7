"""Spatial transformers, functional forms (re-exported by ddp.nn.functional): `affine_grid` makes a sampling
grid from affine matrices, `grid_sample` samples images at a grid (ops/grid_sample.py), with
torch.nn.functional's arguments; both are differentiable (in theta, and in the images and the grid)."""
import warnings

import numpy as np

from ..functional import _tensor
from ..linalg_functional import matmul
from ..ops.grid_sample import GridSample, GridSample3d
from ..shape_functional import reshape, transpose
from ..tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")


def _align(align_corners, op):
    if align_corners is None:
        warnings.warn(f"{op}: align_corners is False unless given (PyTorch's default since 1.3.0); pass it "
                      "to choose", UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def _base(size, align_corners, dtype):
    """Pixel-centre coordinates in [-1, 1] along one side of `size`, rounded as PyTorch's are (its float32
    linspace from -1 to 1, then times (size - 1) / size in two roundings): with an identity theta the points
    fall on pixel centres, where bilinear sampling has a kink, so the last bit decides a gradient's side."""
    t = np.dtype(dtype).type
    if size == 1:
        return np.zeros(1, dtype) if align_corners else np.zeros(1, dtype)
    step, i = t(2.0 / (size - 1)), np.arange(size)
    line = np.where(i < size // 2, -1.0 + np.float64(step) * i, 1.0 - np.float64(step) * (size - 1 - i)).astype(dtype)
    if align_corners:
        return line
    return ((line * t(size - 1)).astype(dtype) / t(size)).astype(dtype)


def affine_grid(theta, size, align_corners=None):
    """The (N, H, W, 2) grid of (x, y) points that `grid_sample` reads, each output pixel's coordinates in
    [-1, 1] mapped by the (N, 2, 3) affine matrices `theta`; `size` is the output's (N, C, H, W). For
    volumes, theta (N, 3, 4) and size (N, C, D, H, W) give an (N, D, H, W, 3) grid of (x, y, z) points.

    Raises:
        ValueError: theta not (N, 2, 3) (or (N, 3, 4)) floating point, or `size` not 4 (or 5) numbers with
        theta's N.

    Example:
        >>> grid = affine_grid(ddp.eye(2, 3)[None], (1, 3, 8, 8), align_corners=False)  # the identity
    """
    theta = _tensor(theta)
    size = tuple(int(s) for s in size)
    if len(size) not in (4, 5):
        raise ValueError(f"affine_grid: size must be (N, C, H, W) or (N, C, D, H, W), got {size}")
    k = len(size) - 2  # 2 or 3 spatial dims
    if theta.dtype.kind != "f" or tuple(theta.shape) != (size[0], k, k + 1):
        raise ValueError(f"affine_grid: theta must be a floating point (N, {k}, {k + 1}) tensor with N = {size[0]} "
                         f"for a size of {len(size)} numbers, got {theta.dtype} of shape {tuple(theta.shape)}")
    align = _align(align_corners, "affine_grid")
    spatial = size[2:]
    axes = np.meshgrid(*[_base(n, align, theta.dtype) for n in spatial], indexing="ij")  # (z,) y, x
    points = np.stack(list(axes[::-1]) + [np.ones_like(axes[0])], axis=-1)  # (x, y, (z,) 1) per output point
    base = points.reshape(1, -1, k + 1)
    return reshape(matmul(Tensor(base), transpose(theta, 1, 2)), size[0], *spatial, k)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):  # noqa: A002
    """Sample (N, C, H, W) images at the (x, y) points of `grid` (N, Ho, Wo, 2), x and y in [-1, 1] (-1 the
    left or top edge), giving (N, C, Ho, Wo); or (N, C, D, H, W) volumes at the (x, y, z) points of an
    (N, Do, Ho, Wo, 3) grid, trilinearly ('bilinear') or at the nearest voxel, giving (N, C, Do, Ho, Wo).

    Args:
        mode: 'bilinear' (the four neighbours, weighted), 'nearest' (rounding halves to even) or 'bicubic'
            (the 16 neighbours, Keys' kernel with a = -0.75, as PyTorch's).
        padding_mode: what points outside the image read: 'zeros', 'border' (the nearest edge pixel) or
            'reflection' (the image mirrored at its edges).
        align_corners: -1 and 1 mean the centres of the corner pixels (True) or their outer edges (False,
            the default, with PyTorch's warning when not given).
    Raises:
        ValueError: an unknown mode or padding_mode, or shapes that do not fit (4-D input,
        (N, Ho, Wo, 2) grid with the input's N); RuntimeError: input and grid of different dtypes.

    Example:
        >>> out = grid_sample(images, affine_grid(theta, images.shape, False), align_corners=False)
    """
    x, g = _tensor(input), _tensor(grid)
    if mode not in _MODES:
        raise ValueError(f"grid_sample: mode must be 'bilinear', 'nearest' or 'bicubic', got {mode!r}")
    if padding_mode not in _PADDINGS:
        raise ValueError(f"grid_sample: padding_mode must be 'zeros', 'border' or 'reflection', got {padding_mode!r}")
    k = x.ndim - 2
    if x.ndim not in (4, 5) or g.ndim != x.ndim or g.shape[-1] != k or g.shape[0] != x.shape[0]:
        raise ValueError(f"grid_sample: expected a 4-D input (N, C, H, W) with a grid (N, Ho, Wo, 2), or a 5-D "
                         f"input (N, C, D, H, W) with a grid (N, Do, Ho, Wo, 3), with the same N; got "
                         f"{tuple(x.shape)} and {tuple(g.shape)}")
    if x.dtype != g.dtype:
        raise RuntimeError(f"grid_sample: input and grid must have one dtype, got {x.dtype} and {g.dtype}")
    if k == 3 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    align = _align(align_corners, "grid_sample")
    sample = GridSample if k == 2 else GridSample3d
    return sample.apply(x, g, mode=mode, padding=padding_mode, align_corners=align)
