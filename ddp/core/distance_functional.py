"""Pairwise distances as an op (`ddp.cdist`): argument checks, then `Cdist` from ops/distance.py."""
import math

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .ops import distance

__all__ = ["cdist"]

_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of x1 and each row of x2.

    Args:
        x1: (..., P, M) and x2: (..., R, M), one floating dtype; the leading (batch) dims broadcast.
        p: the norm, any value >= 0 (0 counts differing coordinates, inf takes the largest difference).
        compute_mode: for p = 2, whether to use |a|^2 + |b|^2 - 2 a.b (one matrix product, less memory, less
            exact for nearly equal rows): 'use_mm_for_euclid_dist_if_necessary' (when P or R exceeds 25, as
            PyTorch), 'use_mm_for_euclid_dist' or 'donot_use_mm_for_euclid_dist'.
    Returns:
        (..., P, R) distances; the gradient is 0 where a distance is 0, as in PyTorch.
    Raises:
        RuntimeError for fewer than 2 dims, integer or mismatched dtypes, different M, p < 0 or batch dims
        that do not broadcast; ValueError for another compute_mode.

    Example:
        >>> ddp.cdist(ddp.tensor([[0.0, 0.0]]), ddp.tensor([[3.0, 4.0], [0.0, 1.0]]))
        tensor([[5., 1.]])
    """
    x1, x2 = _tensor(x1), _tensor(x2)
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
        if x.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {x.dtype}")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"cdist: X1 and X2 must have the same dtype, got {x1.dtype} and {x2.dtype}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if not p >= 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    if compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise RuntimeError(f"cdist: the batch dims of X1 {tuple(x1.shape)} and X2 {tuple(x2.shape)} cannot be "
                           f"broadcast together") from None
    use_mm = compute_mode == "use_mm_for_euclid_dist" or (
        compute_mode == _MODES[0] and (x1.shape[-2] > 25 or x2.shape[-2] > 25))
    p = math.inf if p == math.inf else float(p)
    return distance.Cdist.apply(x1, x2, p=p, use_mm=use_mm)
