"""The public set ops (`ddp.unique(x)`, `x.unique_consecutive(dim=0)`): the distinct elements, or slices along
a dim, of a tensor, with where each input one went and how often each occurs.

Both sort (unique only) and then mark where runs of equal values start; everything else is a cumsum or a
diff of that mask, so no Python loop visits the elements. Comparing with `!=` makes every NaN its own run,
as in PyTorch, and keeps the first of -0.0 and 0.0 in (stable) sorted order.
"""
import math

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .autograd import Function
from .tensor import Tensor

__all__ = ["unique", "unique_consecutive"]


class _NoDerivative(Function):
    """Passes a result computed outside the graph through it, as PyTorch records unique: the output requires
    grad when the input does, and backward through it raises (the op has no derivative)."""

    op = ""

    @staticmethod
    def forward(ctx, x, *, out):
        return out

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError(f"{ctx.fn.op} has no derivative: backward cannot pass through its output")


class Unique(_NoDerivative):
    """unique(x): no derivative (grad_fn `UniqueBackward`)."""

    op = "unique"


class UniqueConsecutive(_NoDerivative):
    """unique_consecutive(x): no derivative (grad_fn `UniqueConsecutiveBackward`)."""

    op = "unique_consecutive"


def _check_dim(a, dim, name):
    """dim as a non-negative int, with PyTorch's exception types for a bad type, a 0-d input, a dim out of
    range, and an empty dim other than `dim` (whose slices would all be empty)."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}: dim must be an int, got {type(dim).__name__}")
    if a.ndim == 0:
        raise IndexError(f"{name}: Dimension specified as {dim} but tensor has no dimensions")
    d = _dim(dim, a.ndim, name)
    if 0 in a.shape[:d] + a.shape[d + 1:]:
        raise RuntimeError(f"{name}: every dim other than dim {d} must be non-empty, got shape {tuple(a.shape)}")
    return d


def _runs(rows, order):
    """(first row of each run of equal rows, run index of every row in input order, run lengths), reading
    the rows (elements of a 1-D array, or rows of a 2-D one) in `order` (None: as they are)."""
    s = rows if order is None else rows[order]
    starts = np.ones(len(s), dtype=bool)
    differ = s[1:] != s[:-1]
    starts[1:] = differ if differ.ndim == 1 else differ.any(axis=1)
    run = np.cumsum(starts, dtype=np.int64) - 1
    inverse = run
    if order is not None:
        inverse = np.empty_like(run)
        inverse[order] = run
    counts = np.diff(np.append(np.flatnonzero(starts), len(s))).astype(np.int64)
    return s[starts], inverse, counts


def _distinct(x, dim, return_inverse, return_counts, sort, fn):
    """unique (sort=True) or unique_consecutive of x, recorded as the no-derivative Function `fn`."""
    a, name = x._data, fn.op
    if dim is None:
        flat = a.reshape(-1)
        values, inverse, counts = _runs(flat, np.argsort(flat, kind="stable") if sort else None)
        inverse = inverse.reshape(a.shape)
    else:
        d = _check_dim(a, dim, name)
        moved = np.moveaxis(a, d, 0)
        rows = moved.reshape(moved.shape[0], math.prod(moved.shape[1:]))  # -1 fails for 0 rows
        order = np.lexsort(rows.T[::-1]) if sort else None  # the last key is the primary one
        first, inverse, counts = _runs(rows, order)
        values = np.ascontiguousarray(np.moveaxis(first.reshape((len(first),) + moved.shape[1:]), 0, d))
    out = fn.apply(x, out=values)
    extras = ([Tensor(inverse)] if return_inverse else []) + ([Tensor(counts)] if return_counts else [])
    return (out, *extras) if extras else out


def unique(x, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002 - PyTorch's name
    """The distinct elements of x (dim None), or its distinct slices along `dim`, in ascending (lexicographic)
    order.

    Args:
        x: the input tensor (any dtype; the output keeps it).
        sorted: accepted for PyTorch's signature; the output is always sorted, as PyTorch's is on CPU.
        return_inverse: also return, for every element of x (dim None: x's shape) or slice along dim
            (shape `(x.size(dim),)`), the int64 index of its value in the output.
        return_counts: also return how often each output value occurs (int64).
        dim: the dim whose slices are compared; None flattens x.

    Returns:
        The output alone when neither flag is set, else the tuple (output, inverse?, counts?).

    Raises:
        IndexError: dim out of range, or any dim for a 0-d x. RuntimeError: a dim other than `dim` is empty.

    Example:
        >>> ddp.unique(ddp.tensor([3, 1, 3]), return_counts=True)
        (tensor([1, 3]), tensor([1, 2]))
    """
    return _distinct(_tensor(x), dim, return_inverse, return_counts, True, Unique)


def unique_consecutive(x, return_inverse=False, return_counts=False, dim=None):
    """Like `unique`, but only collapses runs of equal consecutive elements (or slices along `dim`), keeping
    the input's order.

    Example:
        >>> ddp.unique_consecutive(ddp.tensor([1, 1, 2, 1]), return_inverse=True)
        (tensor([1, 2, 1]), tensor([0, 0, 1, 2]))
    """
    return _distinct(_tensor(x), dim, return_inverse, return_counts, False, UniqueConsecutive)
