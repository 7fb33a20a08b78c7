"""Membership, counts and index arithmetic (`ddp.isin`, `ddp.bincount`, `ddp.unravel_index`,
`ddp.combinations`): integer and bool results from numpy, except combinations, which picks input's elements
through the differentiable index op. Re-exported by select_functional."""
import itertools

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .ops import shape as sh
from .tensor import Tensor

__all__ = ["isin", "bincount", "unravel_index", "combinations"]


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """A bool tensor of elements' shape: whether each element is among test_elements (NaN never is).

    Either argument may be a number, not both.
    """
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin: expected elements or test_elements to be a tensor, got two numbers")
    a, b = _tensor(elements)._data, _tensor(test_elements)._data
    return Tensor(np.asarray(np.isin(a, b, assume_unique=assume_unique, invert=invert)))


def bincount(input, weights=None, minlength=0):
    """How often each value 0..max occurs in a 1-D non-negative integer tensor (at least `minlength` bins).

    With weights (input's length), each bin sums its elements' weights: float32 weights give float32,
    other weights float64 (PyTorch's dtypes). No gradient flows to the weights, as in PyTorch.
    """
    x = _tensor(input)._data
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f"bincount: input must have an integer dtype, got {x.dtype}")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError(f"bincount: input must be 1-D with non-negative values, got shape {x.shape} "
                           f"and values from {x.min() if x.size else None}")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength must be non-negative, got {minlength}")
    w = None if weights is None else _tensor(weights)._data
    if w is not None and w.shape != x.shape:
        raise RuntimeError(f"bincount: weights must be 1-D with input's length {x.size}, got shape {w.shape}")
    if w is None or x.size == 0:  # PyTorch counts an empty input as int64 even with weights
        return Tensor(np.bincount(x, minlength=minlength).astype(np.int64))
    dtype = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    return Tensor(np.bincount(x, weights=w, minlength=minlength).astype(dtype, copy=False))


def unravel_index(indices, shape):
    """The coordinates in a tensor of `shape` of flat (row-major) `indices`: a tuple of int64 tensors of
    indices' shape, one per dim. Indices outside the tensor wrap round, as PyTorch's (-1 is the last).

    Example:
        >>> ddp.unravel_index(ddp.tensor([5, 7]), (2, 4))
        (tensor([1, 1]), tensor([1, 3]))
    """
    if not isinstance(indices, Tensor):
        raise TypeError(f"unravel_index: indices must be a tensor, got {type(indices).__name__}")
    flat = indices._data
    if flat.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: indices must have an integer dtype, got {flat.dtype}")
    shape = (shape,) if isinstance(shape, int) else shape
    if isinstance(shape, Tensor) or not all(isinstance(s, (int, np.integer)) for s in shape):
        raise TypeError(f"unravel_index: shape must be an int or a sequence of ints, got {shape!r}")
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"unravel_index: shape must not have negative sizes, got {shape}")
    if 0 in shape:
        raise RuntimeError(f"unravel_index: cannot unravel into a shape with a zero size, got {shape}")
    if not shape:
        return ()
    strides = np.cumprod((1,) + shape[:0:-1], dtype=np.int64)[::-1]  # elements per step of each dim
    coords = np.floor_divide.outer(flat.astype(np.int64), strides) % np.asarray(shape, dtype=np.int64)
    return tuple(Tensor(coords[..., k].copy()) for k in range(len(shape)))


def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of a 1-D tensor's elements, one per row (itertools' order).

    r=0 gives an empty 1-D tensor; r larger than the length (without replacement) a (0, r) tensor.
    The gradient flows back to input, summed over the rows that hold each element.
    """
    x = _tensor(input)
    if x.ndim != 1:
        raise RuntimeError(f"combinations: expected a 1-D tensor, got shape {tuple(x.shape)}")
    if r < 0:
        raise RuntimeError(f"combinations: r must be non-negative, got {r}")
    if r == 0:
        return sh.Index.apply(x, index=np.zeros(0, dtype=np.int64))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = np.fromiter(itertools.chain.from_iterable(pick(range(x.shape[0]), r)), dtype=np.int64)
    return sh.Index.apply(x, index=rows.reshape(-1, r))
