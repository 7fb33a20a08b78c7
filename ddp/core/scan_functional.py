"""The public products, running reductions and orderings (`ddp.prod`, `x.cumsum(0)`, `x.sort()`, `x.topk(3)`):
argument checks, then one `Function.apply` from ops/scan.py (orderings pick their values with a gather)."""
from collections import namedtuple

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .ops import scan
from .shape_functional import clone, gather
from .tensor import Tensor

__all__ = ["prod", "cumsum", "cumprod", "sort", "argsort", "msort", "topk"]

SortResult = namedtuple("sort", ["values", "indices"])
TopKResult = namedtuple("topk", ["values", "indices"])


def _cast(x, dtype):
    return x if dtype is None else x.to(dtype)


def prod(x, dim=None, keepdim=False, dtype=None):
    """Product of the elements over `dim` (None: all); integers and bools give int64."""
    x = _cast(_tensor(x), dtype)
    if x.dtype.kind in "ub" or x.dtype.kind == "i" and dtype is None:
        x = x.to(np.int64)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod: dim must be a single int, got {dim!r}")
    return scan.Prod.apply(x, dim=_dim(dim, x.ndim, "prod"), keepdim=keepdim)


def _running(fn, name):
    def op(x, dim, dtype=None):
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


def _order(x, dim, descending, stable, name):
    """The indices that sort x along dim (int64); descending keeps equal elements in their order."""
    a = x._data
    if a.ndim == 0:
        return np.zeros((), dtype=np.int64)
    key = a
    if descending:
        key = -(a.astype(np.int64) if a.dtype.kind in "ub" else a)
    return np.argsort(key, axis=_dim(dim, a.ndim, name), kind="stable" if stable else None).astype(np.int64)


def argsort(x, dim=-1, descending=False, stable=False):
    """The int64 indices that sort x along `dim`."""
    x = _tensor(x)
    return Tensor(_order(x, dim, descending, stable, "argsort"))


def sort(x, dim=-1, descending=False, stable=False):
    """(values, indices) of x sorted along `dim`; the values carry the gradient back to their places."""
    x = _tensor(x)
    order = _order(x, dim, descending, stable, "sort")
    if x.ndim == 0:
        return SortResult(clone(x), Tensor(order))
    return SortResult(gather(x, dim, Tensor(order)), Tensor(order))


def msort(x):
    """x sorted along its first dim."""
    return sort(x, dim=0).values


def topk(x, k, dim=-1, largest=True, sorted=True):  # noqa: A002 - PyTorch's name
    """(values, indices) of the k largest (or smallest) elements along `dim`, largest first."""
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
    return TopKResult(gather(x, d, index), index)
