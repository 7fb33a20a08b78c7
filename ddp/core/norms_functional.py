"""Norms of differences, slices and matrices composed from other ops (`ddp.dist`, `ddp.renorm`,
`ddp.nuclear_norm`, `ddp.frobenius_norm`): argument checks, then vector norms or the singular values of
ddp.linalg, so each is differentiable through the ops it is made of. Registered through matrix_functional."""
import numbers

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .elementwise_functional import _check_broadcast, add, div, gt, mul, sub, where
from .linalg import svdvals
from .numpy_aliases import dim_alias, keepdim_alias
from .reduce_functional import sum as _sum
from .reduce_functional import vector_norm
from .shape_functional import permute, reshape
from .tensor import Tensor

__all__ = ["dist", "renorm", "nuclear_norm", "frobenius_norm"]


def dist(input, other, p=2):  # noqa: A002 - PyTorch's name
    """The p-norm of input - other (broadcast), over all elements: any real p, inf and -inf (largest and
    smallest |difference|), 0 (the number of differing elements). Differentiable.

    Raises:
        TypeError: an argument that is not a Tensor. RuntimeError: shapes that do not broadcast, or integer
        inputs.

    Example:
        >>> ddp.dist(ddp.tensor([1.0, 2.0]), ddp.tensor([4.0, 6.0]))
        tensor(5.)
    """
    for name, t in (("input", input), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"dist: {name} must be a Tensor, got {type(t).__name__}")
    p = p.item() if isinstance(p, Tensor) else p
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"dist: p must be a real number, got {p!r}")
    _check_broadcast("dist", input, other)
    difference = sub(input, other)
    if difference.dtype.kind != "f":
        raise RuntimeError(f"dist: needs floating point inputs, got {input.dtype} and {other.dtype}")
    return vector_norm(difference, p)


def renorm(input, p, dim=None, maxnorm=None, *, axis=None):  # noqa: A002 - PyTorch's name
    """Each slice input.select(dim, i) whose p-norm is above maxnorm scaled down to norm maxnorm (by
    maxnorm / (norm + 1e-7)); the others unchanged. Differentiable (through the norms too).

    Raises:
        RuntimeError: an integer input, fewer than 2 dims, p <= 0 or maxnorm < 0. IndexError: `dim` out of
        range.

    Example:
        >>> ddp.renorm(ddp.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0)
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
    """
    if axis is not None or dim is None or maxnorm is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("renorm", dim, axis, maxnorm=maxnorm)
    x = _tensor(input)
    if x.dtype.kind != "f":
        raise RuntimeError(f"renorm: needs a floating point input, got {x.dtype}")
    if x.ndim < 2:
        raise RuntimeError(f"renorm: needs an input of at least 2 dims, got shape {tuple(x.shape)}")
    if not p > 0:
        raise RuntimeError(f"renorm: p must be > 0, got {p}")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: maxnorm must be >= 0, got {maxnorm}")
    d = _dim(dim, x.ndim, "renorm")
    norms = vector_norm(x, p, tuple(i for i in range(x.ndim) if i != d), keepdim=True)
    return mul(x, where(gt(norms, maxnorm), div(maxnorm, add(norms, 1e-7)), 1.0))


def _matrix_dims(x, dim, op):
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: needs a floating point input, got {x.dtype}")
    if x.ndim < 2:
        raise RuntimeError(f"{op}: needs an input of at least 2 dims, got shape {tuple(x.shape)}")
    if not isinstance(dim, (list, tuple)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a pair of dims, got {dim!r}")
    rows, cols = _dim(tuple(dim), x.ndim, op)
    if rows == cols:
        raise RuntimeError(f"{op}: the two dims must differ, got {tuple(dim)}")
    return rows, cols


def nuclear_norm(input, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A002
    """The sum of the singular values of the matrices in dims `dim` (default the last two) of input.
    Differentiable (through ddp.linalg.svdvals). `nuclear_norm(x, True)` reads True as keepdim, as PyTorch.

    Raises:
        RuntimeError: an integer input, fewer than 2 dims, or a dim that is not a pair of different dims.

    Example:
        >>> ddp.nuclear_norm(ddp.tensor([[3.0, 0.0], [0.0, -2.0]]))
        tensor(5.)
    """
    dim = dim if axis is None else dim_alias("nuclear_norm", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("nuclear_norm", keepdim, keepdims)
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    x = _tensor(input)
    rows, cols = _matrix_dims(x, (-2, -1) if dim is None else dim, "nuclear_norm")
    batch = [i for i in range(x.ndim) if i not in (rows, cols)]
    out = _sum(svdvals(permute(x, tuple(batch + [rows, cols]))), -1)
    if keepdim:
        out = reshape(out, tuple(1 if i in (rows, cols) else s for i, s in enumerate(x.shape)))
    return out


def frobenius_norm(input, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A002
    """The square root of the sum of squares over one or two dims `dim` (an empty dim: all elements).
    Differentiable.

    Raises:
        RuntimeError: an integer input, more than two dims, or a dim named twice.

    Example:
        >>> ddp.frobenius_norm(ddp.tensor([[3.0, 0.0], [4.0, 0.0]]), dim=(0, 1))
        tensor(5.)
    """
    dim = dim if axis is None and dim is not None else dim_alias("frobenius_norm", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("frobenius_norm", keepdim, keepdims)
    x = _tensor(input)
    if x.dtype.kind != "f":
        raise RuntimeError(f"frobenius_norm: needs a floating point input, got {x.dtype}")
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"frobenius_norm: takes at most 2 dims, got {dims}")
    dims = _dim(dims, x.ndim, "frobenius_norm")
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"frobenius_norm: dim names a dim twice: {dim}")
    return vector_norm(x, 2, dims if dims else None, keepdim)
