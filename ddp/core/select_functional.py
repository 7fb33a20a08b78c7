"""The public ops that pick one slice or write values at chosen places of a copy (`x.select`, `ddp.take`,
`x.put_`, `ddp.index_copy`, `ddp.index_put`, `x.masked_scatter`, `ddp.scatter_reduce`, `x.index_reduce`):
argument checks, then the Functions of ops/select.py, ops/scatter_reduce.py and ops/shape.py. Also exports
counting_functional's isin, bincount, unravel_index and combinations."""
import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .counting_functional import bincount, combinations, isin, unravel_index
from .numpy_aliases import dim_alias
from .ops import shape as sh
from .ops.scatter_reduce import ScatterReduce
from .ops.select import MaskedScatter, Put
from .shape_functional import expand, reshape
from .tensor import Tensor

__all__ = """
select select_scatter slice_scatter take put index_copy index_put index_put_ masked_scatter scatter_reduce
index_reduce
""".split()
__all__ += ["isin", "bincount", "unravel_index", "combinations"]  # counting_functional's, re-exported


def _index(index, name, kinds=("int64",)):
    """index as an integer numpy array of one of the dtypes `kinds` (RuntimeError otherwise)."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.name not in kinds:
        raise RuntimeError(f"{name}: expected an index tensor of dtype {' or '.join(kinds)}, got {idx.dtype}")
    return idx


def _same_dtype(x, src, name):
    if src.dtype != x.dtype:
        raise RuntimeError(f"{name}: expected the values to have input's dtype {x.dtype}, got {src.dtype}")


def _broadcasts_to(shape, target):
    return len(shape) <= len(target) and all(s in (1, t) for s, t in zip(shape[::-1], target[::-1]))


def _in_range(idx, size, name, error=IndexError, negative=True):
    low = -size if negative else 0
    if idx.size and (idx.min() < low or idx.max() >= size):
        bad = idx.max() if idx.max() >= size else idx.min()
        raise error(f"{name}: index {bad} is out of range for a dim of size {size}")


def select(input, dim=None, index=None, *, axis=None):
    """The slice of input at `index` along `dim`, that dim removed (a view); a negative index counts back."""
    if axis is not None or dim is None or index is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("select", dim, axis, index=index)
    x = _tensor(input)
    if x.ndim == 0:
        raise IndexError("select: cannot select from a 0-dim tensor")
    d = _dim(dim, x.ndim, "select")
    _in_range(np.asarray(index), x.shape[d], f"select (tensor of shape {tuple(x.shape)}, dim {d})")
    return sh.Index.apply(x, index=(slice(None),) * d + (int(index),))


def _scatter_slice(x, src, where, name):
    x, src = _tensor(x), _tensor(src)
    expected = np.empty(x.shape, dtype=np.bool_)[where].shape
    if tuple(src.shape) != expected:
        raise RuntimeError(f"{name}: src must have the slice's shape {expected}, got {tuple(src.shape)} "
                           f"(input shape {tuple(x.shape)})")
    return Put.apply(x, src.to(x.dtype), index=where)


def select_scatter(input, src, dim=None, index=None, *, axis=None):
    """A copy of input whose slice at `index` along `dim` is src (of `select`'s shape)."""
    if axis is not None or dim is None or index is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("select_scatter", dim, axis, index=index)
    x = _tensor(input)
    d = _dim(dim, x.ndim, "select_scatter")
    _in_range(np.asarray(index), x.shape[d], "select_scatter")
    return _scatter_slice(x, src, (slice(None),) * d + (int(index),), "select_scatter")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1, *, axis=None):
    """A copy of input whose slice start:end:step along `dim` is src (bounds clamp as Python's slices)."""
    dim = dim if axis is None else dim_alias("slice_scatter", dim, axis, 0)
    x = _tensor(input)
    d = _dim(dim, x.ndim, "slice_scatter")
    if step <= 0:
        raise RuntimeError(f"slice_scatter: step must be positive, got {step}")
    return _scatter_slice(x, src, (slice(None),) * d + (slice(start, end, step),), "slice_scatter")


def take(input, index):
    """The elements of the flattened input at `index` (int64; negative counts back), in index's shape."""
    x = _tensor(input)
    idx = _index(index, "take")
    _in_range(idx, x.numel(), f"take (tensor of {x.numel()} elements)")
    return sh.Index.apply(reshape(x, -1), index=idx)


def put(input, index, source, accumulate=False):
    """A copy of input with source written at the flat positions `index` (or, with accumulate, added)."""
    x, source = _tensor(input), _tensor(source)
    idx = _index(index, "put")
    if idx.size != source.numel():
        raise IndexError(f"put: expected as many source elements as indices, got {source.numel()} and {idx.size}")
    _same_dtype(x, source, "put")
    _in_range(idx, x.numel(), f"put (tensor of {x.numel()} elements)")
    flat = Put.apply(reshape(x, -1), reshape(source, -1), index=idx.reshape(-1), accumulate=bool(accumulate))
    return reshape(flat, x.shape)


def index_copy(input, dim=None, index=None, source=None, *, axis=None):
    """A copy of input with the slices of source along `dim` written at `index` (1-D int64)."""
    if axis is not None or dim is None or index is None or source is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("index_copy", dim, axis, index=index, source=source)
    x, source = _tensor(input), _tensor(source)
    idx = _index(index, "index_copy")
    if idx.ndim > 1:
        raise IndexError(f"index_copy: index must have 0 or 1 dims, got shape {idx.shape}")
    d = _dim(dim, x.ndim, "index_copy")
    if x.ndim == 0 and source.ndim == 0:
        x1 = index_copy(reshape(x, 1), 0, idx.reshape(1), reshape(source, 1))
        return reshape(x1, ())
    if source.ndim != x.ndim:
        raise IndexError(f"index_copy: source must have input's {x.ndim} dims, got shape {tuple(source.shape)}")
    if source.shape[d] != idx.size:
        raise IndexError(f"index_copy: {idx.size} indices for source of size {source.shape[d]} along dim {d}")
    if any(a != b for i, (a, b) in enumerate(zip(x.shape, source.shape)) if i != d):
        raise RuntimeError(f"index_copy: source of shape {tuple(source.shape)} must match input's shape "
                           f"{tuple(x.shape)} outside dim {d}")
    _same_dtype(x, source, "index_copy")
    _in_range(idx, x.shape[d], f"index_copy (dim {d})")
    return Put.apply(x, source, index=(slice(None),) * d + (idx.reshape(-1),))


def _index_tuple(x, indices, name):
    """The numpy index of a tuple of index tensors (bool masks become their nonzero positions), and the
    shape it selects."""
    if not isinstance(indices, (tuple, list)) or not all(isinstance(i, Tensor) for i in indices):
        raise TypeError(f"{name}: indices must be a tuple of tensors, got {type(indices).__name__}")
    parts = []
    for i in indices:
        a = i._data
        if a.dtype.kind not in "iub":
            raise IndexError(f"{name}: index tensors must be integer or bool, got {a.dtype}")
        parts.extend(np.nonzero(a) if a.dtype == np.bool_ else (a,))
    if not parts or len(parts) > x.ndim:
        raise IndexError(f"{name}: {len(parts)} indexed dims for a tensor of shape {tuple(x.shape)}")
    for k, a in enumerate(parts):
        _in_range(a, x.shape[k], f"{name} (dim {k})")
    return tuple(parts), np.broadcast_shapes(*(a.shape for a in parts)) + tuple(x.shape[len(parts):])


def index_put(input, indices, values, accumulate=False):
    """A copy of input with values (broadcast) written at input[indices], or with accumulate added there.

    Args:
        indices: a tuple of int64 or bool tensors, one per leading dim indexed (as `input[i, j]`).
        values: a tensor of input's dtype.
    """
    x = _tensor(input)
    where, selected = _index_tuple(x, indices, "index_put")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put: values must be a tensor, got {type(values).__name__}")
    _same_dtype(x, values, "index_put")
    if not _broadcasts_to(tuple(values.shape), selected):
        raise RuntimeError(f"index_put: values of shape {tuple(values.shape)} cannot be broadcast to the "
                           f"indexed shape {selected}")
    return Put.apply(x, values, index=where, accumulate=bool(accumulate))


def index_put_(input, indices, values, accumulate=False):
    """index_put in place: input[indices] = values (or += with accumulate); returns input."""
    return input._inplace(index_put, indices, values, accumulate)


def masked_scatter(input, mask, source):
    """A copy of input (broadcast with mask) with source's elements, in order, written where mask holds."""
    x, source = _tensor(input), _tensor(source)
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter: mask must be a bool tensor, got {m.dtype}")
    _same_dtype(x, source, "masked_scatter")
    try:
        shape = np.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise RuntimeError(f"masked_scatter: mask of shape {m.shape} does not broadcast with input of shape "
                           f"{tuple(x.shape)}") from None
    m = np.broadcast_to(m, shape)
    if np.count_nonzero(m) > source.numel():
        raise RuntimeError(f"masked_scatter: source has {source.numel()} elements for "
                           f"{np.count_nonzero(m)} True entries of the mask")
    return MaskedScatter.apply(expand(x, shape), source, mask=m)


REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(input, dim=None, index=None, src=None, reduce=None, *, include_self=True, axis=None):
    """A copy of input with src[..., j, ...] reduced into out[..., index[..., j, ...], ...] along `dim`.

    Args:
        reduce: "sum", "prod", "mean", "amax" or "amin" (integer means round down).
        include_self: whether input's own element takes part (positions nothing goes to keep it anyway).
    Gradients follow PyTorch: amax and amin split the gradient evenly among tied elements.

    Example:
        >>> ddp.scatter_reduce(ddp.zeros(2), 0, ddp.tensor([0, 0, 1]), ddp.tensor([1.0, 3.0, 5.0]), "amax")
        tensor([3., 5.])
    """
    if axis is not None or dim is None or index is None or src is None or reduce is None:
        dim = dim_alias("scatter_reduce", dim, axis, index=index, src=src, reduce=reduce)
    x, src = _tensor(input), _tensor(src)
    if reduce not in REDUCTIONS:
        raise RuntimeError(f"scatter_reduce: reduce must be one of {', '.join(REDUCTIONS)}, got {reduce!r}")
    idx = _index(index, "scatter_reduce", ("int64", "int32"))
    if not idx.ndim == x.ndim == src.ndim:
        raise RuntimeError(f"scatter_reduce: index, input and src must have the same number of dims, got "
                           f"shapes {idx.shape}, {tuple(x.shape)} and {tuple(src.shape)}")
    d = _dim(dim, x.ndim, "scatter_reduce")
    if x.ndim == 0:
        return reshape(scatter_reduce(reshape(x, 1), 0, idx.reshape(1), reshape(src, 1), reduce,
                                      include_self=include_self), ())
    if any(i > s for i, s in zip(idx.shape, src.shape)) or any(
            i > n for k, (i, n) in enumerate(zip(idx.shape, x.shape)) if k != d):
        raise RuntimeError(f"scatter_reduce: index of shape {idx.shape} must be no larger than src "
                           f"{tuple(src.shape)}, nor than input {tuple(x.shape)} outside dim {d}")
    _same_dtype(x, src, "scatter_reduce")
    _in_range(idx, x.shape[d], f"scatter_reduce (dim {d})", RuntimeError, negative=False)
    return ScatterReduce.apply(x, src, index=idx, dim=d, reduce=reduce, include_self=bool(include_self))


def index_reduce(input, dim=None, index=None, source=None, reduce=None, *, include_self=True, axis=None):
    """A copy of input with source's slices along `dim` reduced into the slices at `index` (1-D):
    reduce is "prod", "mean", "amax" or "amin", as `scatter_reduce`."""
    if axis is not None or dim is None or index is None or source is None or reduce is None:
        dim = dim_alias("index_reduce", dim, axis, index=index, source=source, reduce=reduce)
    x, source = _tensor(input), _tensor(source)
    if reduce not in REDUCTIONS[1:]:
        raise RuntimeError(f"index_reduce: reduce must be one of {', '.join(REDUCTIONS[1:])}, got {reduce!r}")
    idx = _index(index, "index_reduce", ("int64", "int32")).reshape(-1)
    d = _dim(dim, x.ndim, "index_reduce")
    if x.ndim == 0:
        x, source, d = reshape(x, 1), reshape(source, 1), 0
        return reshape(index_reduce(x, d, idx, source, reduce, include_self=include_self), ())
    if source.ndim != x.ndim or any(a != b for k, (a, b) in enumerate(zip(x.shape, source.shape)) if k != d):
        raise RuntimeError(f"index_reduce: source of shape {tuple(source.shape)} must match input's shape "
                           f"{tuple(x.shape)} outside dim {d}")
    if source.shape[d] != idx.size:
        raise RuntimeError(f"index_reduce: {idx.size} indices for source of size {source.shape[d]} along dim {d}")
    _same_dtype(x, source, "index_reduce")
    _in_range(idx, x.shape[d], f"index_reduce (dim {d})", negative=False)
    full = np.broadcast_to(idx.reshape((-1,) + (1,) * (x.ndim - d - 1)), source.shape[d:])
    full = np.ascontiguousarray(np.broadcast_to(full, source.shape))
    return ScatterReduce.apply(x, source, index=full, dim=d, reduce=reduce, include_self=bool(include_self))
