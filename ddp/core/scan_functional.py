"""The public products, running reductions and orderings (`ddp.prod`, `x.cumsum(0)`, `x.sort()`, `x.topk(3)`):
argument checks, then one `Function.apply` from ops/scan.py (orderings pick their values with a gather)."""

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .autograd import name_node
from .elementwise_functional import ne, sub
from .numpy_aliases import dim_alias, keepdim_alias
from .ops import scan
from .return_types import named
from .shape_functional import cat, clone, gather, index, reshape
from .tensor import Tensor

__all__ = ["prod", "cumsum", "cumprod", "logcumsumexp", "cummax", "cummin", "diff", "sort", "argsort", "msort",
           "topk"]

SortResult = named("sort", ["values", "indices"])
TopKResult = named("topk", ["values", "indices"])


def _cast(x, dtype):
    return x if dtype is None else x.to(dtype)


def prod(x, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
    """Product of the elements over `dim` (None: all); integers and bools give int64."""
    dim = dim if axis is None else dim_alias("prod", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("prod", keepdim, keepdims)
    x = _cast(_tensor(x), dtype)
    if x.dtype.kind in "ub" or x.dtype.kind == "i" and dtype is None:
        x = x.to(np.int64)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod: dim must be a single int, got {dim!r}")
    return scan.Prod.apply(x, dim=_dim(dim, x.ndim, "prod"), keepdim=keepdim)


def _running(fn, name):
    def op(x, dim=None, dtype=None, *, axis=None):
        dim = dim if axis is None and dim is not None else dim_alias(name, dim, axis)
        x = _cast(_tensor(x), dtype)
        if x.dtype.kind in "ub" or x.dtype.kind == "i" and dtype is None:
            x = x.to(np.int64)  # PyTorch's running sums and products of integers are int64
        if x.ndim == 0:
            return fn.apply(x.reshape(1), dim=0).reshape(())
        return fn.apply(x, dim=_dim(dim, x.ndim, name))

    op.__name__ = name
    op.__doc__ = f"Running {name[3:]} along `dim` (same shape as x); integers and bools give int64."
    return op


cumsum = _running(scan.CumSum, "cumsum")
cumprod = _running(scan.CumProd, "cumprod")


def logcumsumexp(x, dim=None, *, axis=None):
    """log(cumsum(exp(x), dim)), computed without overflow; same shape as x.

    Raises:
        NotImplementedError: x is not floating point. IndexError: dim out of range.

    Example:
        >>> ddp.logcumsumexp(ddp.tensor([0.0, 0.0, 1000.0]), 0)
        tensor([0.0000e+00, 6.9315e-01, 1.0000e+03])
    """
    dim = dim if axis is None and dim is not None else dim_alias("logcumsumexp", dim, axis)
    x = _tensor(x)
    if x.dtype.kind != "f":
        raise NotImplementedError(f"logcumsumexp: needs a floating point input, got {x.dtype}")
    if x.ndim == 0:
        _dim(dim, 0, "logcumsumexp")
        return reshape(scan.LogCumSumExp.apply(reshape(x, (1,)), dim=0), ())
    return scan.LogCumSumExp.apply(x, dim=_dim(dim, x.ndim, "logcumsumexp"))


def _running_extreme(x, dim, largest, name):
    """(values, indices) of the running max (min) along dim: the index is the last position holding the
    running extreme (ties move it on), and from a NaN on the values are NaN, indexed at the latest NaN."""
    x = _tensor(x)
    if x.ndim == 0:
        _dim(dim, 0, name)
        values, indices = _running_extreme(reshape(x, (1,)), 0, largest, name)
        return named(name)(reshape(values, ()), Tensor(indices._data.reshape(())))
    d = _dim(dim, x.ndim, name)
    a = x._data
    running = (np.maximum if largest else np.minimum).accumulate(a, axis=d)
    holds = a == running
    if a.dtype.kind == "f":
        holds |= np.isnan(a)
    shape = [1] * a.ndim
    shape[d] = a.shape[d]
    positions = np.where(holds, np.arange(a.shape[d]).reshape(shape), 0)
    indices = Tensor(np.maximum.accumulate(positions, axis=d).astype(np.int64, copy=False))
    return named(name)(gather(x, d, indices), indices)


def cummax(x, dim=None, *, axis=None):
    """The running maximum along `dim` and where it sits, as a named tuple (values, indices); the gradient
    goes to the indexed elements. Among equal elements the index is the latest; a NaN propagates.

    Example:
        >>> ddp.cummax(ddp.tensor([1.0, 3.0, 2.0]), 0).values
        tensor([1., 3., 3.])
    """
    dim = dim if axis is None and dim is not None else dim_alias("cummax", dim, axis)
    return _running_extreme(x, dim, True, "cummax")


def cummin(x, dim=None, *, axis=None):
    """The running minimum along `dim` and where it sits, as `cummax`.

    Example:
        >>> ddp.cummin(ddp.tensor([2.0, 3.0, 1.0]), 0).indices
        tensor([0, 0, 2])
    """
    dim = dim if axis is None and dim is not None else dim_alias("cummin", dim, axis)
    return _running_extreme(x, dim, False, "cummin")


def diff(x, n=1, dim=-1, prepend=None, append=None, *, axis=None):
    """The n-th forward difference along `dim`: out[i] = x[i + 1] - x[i], applied n times (bools: x[i + 1] !=
    x[i]); `prepend` / `append` are joined to x along `dim` first. Composed of slices and `sub`, so the
    gradient comes from them.

    Args:
        x: at least 1-D. n: the order, an int >= 0 (0 returns x). dim: the differencing dim.
        prepend, append: tensors with x's number of dims and sizes except along `dim`.
    Returns:
        x's shape with `dim` shortened by n (never below 0).
    Raises:
        TypeError: n is not an int, or prepend / append is not a Tensor. RuntimeError: a 0-d x, n < 0, or
        prepend / append of other dims or sizes.

    Example:
        >>> ddp.diff(ddp.tensor([1.0, 3.0, 6.0, 10.0]))
        tensor([2., 3., 4.])
    """
    dim = dim if axis is None else dim_alias("diff", dim, axis, -1)
    x = _tensor(x)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"diff(): argument 'n' must be int, not {type(n).__name__}")
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _dim(dim, x.ndim, "diff")
    ends = []
    for name, t in (("prepend", prepend), ("append", append)):
        if t is None:
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(t).__name__}")
        if t.ndim != x.ndim:
            raise RuntimeError(f"diff expects prepend or append to be the same dimension as input, got "
                               f"{name} of shape {tuple(t.shape)} for input of shape {tuple(x.shape)}")
        for i, (a, b) in enumerate(zip(x.shape, t.shape)):
            if i != d and a != b:
                raise RuntimeError(f"diff expects the shape of tensor to prepend or append to match that of "
                                   f"input except along the differencing dimension; input.size({i}) = {a}, "
                                   f"but got tensor.size({i}) = {b}")
        ends.append((name, t))
    if ends:
        x = cat([t for name, t in ends if name == "prepend"] + [x] + [t for name, t in ends if name == "append"], d)
    lead = (slice(None),) * d
    for _ in range(n):
        if x.shape[d] == 0:
            break
        upper, lower = index(x, lead + (slice(1, None),)), index(x, lead + (slice(None, -1),))
        x = ne(upper, lower) if x.dtype == np.bool_ else sub(upper, lower)
    return x


def _order(x, dim, descending, stable, name):
    """The indices that sort x along dim (int64); descending keeps equal elements in their order."""
    a = x._data
    if a.ndim == 0:
        return np.zeros((), dtype=np.int64)
    key, axis = a, _dim(dim, a.ndim, name)
    if descending:
        key = -(a.astype(np.int64) if a.dtype.kind in "ub" else a)
    order = np.argsort(key, axis=axis, kind="stable" if stable else None).astype(np.int64)
    if descending and a.dtype.kind in "fc" and np.isnan(a).any():  # NaN is the largest, as PyTorch orders it
        nan_first = np.argsort(~np.isnan(np.take_along_axis(a, order, axis)), axis=axis, kind="stable")
        order = np.take_along_axis(order, nan_first, axis)
    return order


def argsort(x, dim=-1, descending=False, stable=False, *, axis=None):
    """The int64 indices that sort x along `dim`."""
    dim = dim if axis is None else dim_alias("argsort", dim, axis, -1)
    x = _tensor(x)
    return Tensor(_order(x, dim, descending, stable, "argsort"))


def sort(x, dim=-1, descending=False, stable=False, *, axis=None):
    """(values, indices) of x sorted along `dim`; the values carry the gradient back to their places."""
    dim = dim if axis is None else dim_alias("sort", dim, axis, -1)
    x = _tensor(x)
    order = _order(x, dim, descending, stable, "sort")
    if x.ndim == 0:
        return SortResult(clone(x), Tensor(order))
    return SortResult(name_node(gather(x, dim, Tensor(order)), "SortBackward0"), Tensor(order))


def msort(x):
    """x sorted along its first dim."""
    return sort(x, dim=0).values


def topk(x, k, dim=-1, largest=True, sorted=True, *, axis=None):  # noqa: A002 - PyTorch's name
    """(values, indices) of the k largest (or smallest) elements along `dim`, largest first."""
    dim = dim if axis is None else dim_alias("topk", dim, axis, -1)
    x = _tensor(x)
    if x.ndim == 0:
        if k not in (0, 1):
            raise RuntimeError(f"topk: selected index k out of range (k = {k}, a 0-d tensor has 1 element)")
        return TopKResult(clone(x), Tensor(np.zeros((), dtype=np.int64)))
    d = _dim(dim, x.ndim, "topk")
    if not 0 <= k <= x.shape[d]:
        raise RuntimeError(f"topk: selected index k out of range (k = {k}, dim {d} has size {x.shape[d]})")
    order = _order(x, d, largest, True, "topk")
    index = Tensor(np.ascontiguousarray(np.take(order, np.arange(k), axis=d)))
    return TopKResult(name_node(gather(x, d, index), "TopkBackward0"), index)
