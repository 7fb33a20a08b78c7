"""The public ops that pick, place or rearrange elements (`x.narrow`, `x.scatter_add`, `x.flip`, `x.repeat`,
`ddp.tril`, `ddp.nonzero`): argument checks, then Functions of ops/shape.py or views composed from them."""
import builtins
import math
import warnings

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .autograd import name_node
from .numpy_aliases import dim_alias
from .ops import elementwise as ew
from .ops import shape as sh
from .shape_functional import _shape_arg, contiguous, expand, gather, index_select, reshape, transpose
from .sizes import keyword_vararg
from .tensor import Tensor

__all__ = """
narrow unbind unflatten swapaxes swapdims flip fliplr flipud roll repeat tile repeat_interleave tril triu diag
scatter scatter_add index_fill index_add masked_select nonzero nonzero_static argwhere rot90 take_along_dim
""".split()


def narrow(x, dim=None, start=None, length=None, *, axis=None):
    """The slice start:start+length of x along `dim` (a view); a negative start counts from the end."""
    if axis is not None or dim is None or start is None or length is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("narrow", dim, axis, start=start, length=length)
    x = _tensor(x)
    d = _dim(dim, x.ndim, "narrow")
    size = x.shape[d]
    start = start + size if start < 0 else start
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return sh.Index.apply(x, index=(slice(None),) * d + (slice(start, start + length),))


def unbind(x, dim=0, *, axis=None):
    """The slices of x along `dim`, as a tuple of tensors with that dim removed."""
    dim = dim if axis is None else dim_alias("unbind", dim, axis, 0)
    x = _tensor(x)
    d = _dim(dim, x.ndim, "unbind")
    return tuple(name_node(sh.Index.apply(x, index=(slice(None),) * d + (i,)), "UnbindBackward0")
                 for i in range(x.shape[d]))


def unflatten(x, dim=None, sizes=None, *, axis=None):
    """Split dim `dim` of x into `sizes` (one of them may be -1). (torch.unflatten takes numpy's `axis` for
    dim; Tensor.unflatten, written in Python in PyTorch, does not.)"""
    if axis is not None or dim is None or sizes is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("unflatten", dim, axis, sizes=sizes)
    x = _tensor(x)
    d = _dim(dim, x.ndim, "unflatten")
    sizes = tuple(int(s) for s in sizes)
    known = math.prod(s for s in sizes if s != -1)
    n = x.shape[d]
    if (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({n}) in the input tensor of shape {tuple(x.shape)}")
    return reshape(x, x.shape[:d] + tuple(sizes) + x.shape[d + 1:])


def swapaxes(x, axis0, axis1):
    """Swap two dims (PyTorch's alias of transpose)."""
    return transpose(x, axis0, axis1)


swapdims = swapaxes


def flip(x, *args, dims=None):
    """A copy of x with the order of the elements along `dims` (ints, one sequence, or `dims=`) reversed."""
    x = _tensor(x)
    dims = {_dim(d, x.ndim, "flip") for d in _shape_arg(keyword_vararg("flip", args, dims, "dims"))}
    index = tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(x.ndim))
    return name_node(contiguous(sh.Index.apply(x, index=index)), "FlipBackward0")


def fliplr(x):
    return flip(x, 1)


def flipud(x):
    return flip(x, 0)


def rot90(x, k=1, dims=(0, 1)):
    """x rotated by k quarter turns in the plane of `dims`, from the first dim towards the second (numpy's
    rot90): one turn flips `dims[1]` and swaps the two. Composed of flip and transpose, so differentiable.

    Raises:
        TypeError: k is not an int. RuntimeError: x has fewer than 2 dims, `dims` is not two different
        dims. IndexError: a dim out of range.

    Example:
        >>> ddp.rot90(ddp.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([[2., 4.],
                [1., 3.]])
    """
    x = _tensor(x)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"rot90: k must be an int, got {type(k).__name__}")
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected 2 rotation dims, got dims = {list(dims)}")
    if x.ndim < 2:
        raise RuntimeError(f"rot90: expected a tensor of at least 2 dims, got shape {tuple(x.shape)}")
    a, b = (_dim(d, x.ndim, "rot90") for d in dims)
    if a == b:
        raise RuntimeError(f"rot90: the rotation dims must differ, got dims = {list(dims)}")
    k %= 4
    if k == 0:
        return sh.Clone.apply(x)
    if k == 2:
        return flip(x, a, b)
    return transpose(flip(x, b if k == 1 else a), a, b)


def take_along_dim(x, indices, dim=None, *, axis=None):
    """The elements of x at `indices` along `dim` (numpy's take_along_axis), x and indices broadcast against
    each other over the other dims; with dim None, of the flattened x (a 1-D result). The gradient is scattered
    back as gather's.

    Args:
        x: any tensor. indices: an int64 tensor, of x's number of dims when `dim` is given; entries in
            [-size, size) along `dim` ([0, numel) when flattened). dim: an int or None.
    Raises:
        RuntimeError: indices not int64, of another number of dims, out of range, or shapes that do not
        broadcast. IndexError: dim out of range, or given for a 0-d x.

    Example:
        >>> ddp.take_along_dim(ddp.tensor([[10.0, 30.0, 20.0]]), ddp.tensor([[1, 2]]), 1)
        tensor([[30., 20.]])
    """
    dim = dim if axis is None else dim_alias("take_along_dim", dim, axis)
    x = _tensor(x)
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype != np.int64:
        raise RuntimeError(f"take_along_dim: indices must be int64, got {idx.dtype}")
    if dim is None:
        flat = idx.reshape(-1)
        if flat.size and (flat.min() < 0 or flat.max() >= x.numel()):
            raise RuntimeError(f"take_along_dim: index {flat.min() if flat.min() < 0 else flat.max()} is out of "
                               f"range for the {x.numel()} elements of a tensor of shape {tuple(x.shape)}")
        return gather(reshape(x, (-1,)), 0, flat)
    if idx.ndim != x.ndim:
        raise RuntimeError(f"take_along_dim: indices of shape {idx.shape} need the {x.ndim} dims of the input "
                           f"of shape {tuple(x.shape)}")
    if x.ndim == 0:
        raise IndexError(f"take_along_dim: dim {dim} was given but the input is 0-d (give dim=None)")
    d = _dim(dim, x.ndim, "take_along_dim")
    try:
        common = list(np.broadcast_shapes(x.shape[:d] + (1,) + x.shape[d + 1:], idx.shape[:d] + (1,) + idx.shape[d + 1:]))
    except ValueError:
        raise RuntimeError(f"take_along_dim: input of shape {tuple(x.shape)} and indices of shape {idx.shape} do "
                           f"not broadcast outside dim {d}") from None
    n = x.shape[d]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise RuntimeError(f"take_along_dim: index {idx.min() if idx.min() < -n else idx.max()} is out of range "
                           f"for dim {d} of size {n}")
    x_shape, idx_shape = list(common), list(common)
    x_shape[d], idx_shape[d] = n, idx.shape[d]
    return gather(expand(x, tuple(x_shape)), d, np.ascontiguousarray(np.broadcast_to(idx, tuple(idx_shape))))


def roll(x, shifts, dims=None):
    """x with its elements shifted by `shifts` along `dims`, wrapping round (None: over the flattened x)."""
    x = _tensor(x)
    if dims is None:
        return sh.Roll.apply(x, shifts=int(shifts if not isinstance(shifts, (tuple, list)) else shifts[0]))
    if isinstance(dims, (tuple, list)):
        shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
        if len(shifts) != len(dims):
            raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}")
        return sh.Roll.apply(x, shifts=shifts, dims=tuple(_dim(d, x.ndim, "roll") for d in dims))
    return sh.Roll.apply(x, shifts=int(shifts), dims=_dim(dims, x.ndim, "roll"))


def repeat(x, *args, repeats=None):
    """x tiled `sizes[i]` times along dim i (leading sizes add new dims; `repeats=` by keyword), as PyTorch's
    Tensor.repeat: always a copy in new, writable memory."""
    x = _tensor(x)
    sizes = _shape_arg(keyword_vararg("repeat", args, repeats, "repeats"))
    if any(r < 0 for r in sizes):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {list(sizes)} for a tensor of shape "
                           f"{tuple(x.shape)}")
    if len(sizes) < x.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor "
            f"(repeat: sizes {list(sizes)} for a tensor of shape {tuple(x.shape)})"
        )
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    spread = tuple(s for n in shape for s in (1, n))  # a size-1 dim before each one, to expand into
    tiled = tuple(s for r, n in zip(sizes, shape) for s in (r, n))
    y = reshape(expand(reshape(x, spread), tiled), tuple(r * n for r, n in zip(sizes, shape)))
    # the reshape stays a view of x (read-only, with zero strides) where numpy can: copy it, as PyTorch does
    return name_node(sh.Clone.apply(y) if np.may_share_memory(y._data, x._data) else y, "RepeatBackward0")


def tile(x, dims):
    """As repeat, with missing leading sizes taken as 1 (numpy's tile)."""
    x = _tensor(x)
    dims = tuple(dims)
    return repeat(x, (1,) * builtins.max(x.ndim - len(dims), 0) + dims)


def repeat_interleave(x, repeats=None, dim=None, *, output_size=None, axis=None):
    """Each element (or slice along `dim`) of x repeated `repeats` times in place (an int or a 1-D tensor).
    With x alone (a 1-D integer tensor of counts): each index i repeated x[i] times, PyTorch's other overload.
    `output_size` (the result's length along dim) is checked, as PyTorch uses it to skip a sync."""
    dim = dim if axis is None else dim_alias("repeat_interleave", dim, axis)
    if repeats is None:
        counts = _tensor(x)
        if counts.ndim != 1 or counts.dtype.kind not in "iu":
            raise RuntimeError(f"repeat_interleave: repeats must be a 1-D integer tensor, got shape "
                               f"{tuple(counts.shape)} and dtype {counts.dtype}")
        x, repeats = Tensor(np.arange(counts.shape[0])), counts
    out = _repeat_interleave(_tensor(x), repeats, dim)
    if output_size is not None and out.shape[0 if dim is None else _dim(dim, out.ndim, "repeat_interleave")] \
            != output_size:
        raise RuntimeError(f"repeat_interleave: allocated size does not match required size: output_size "
                           f"{output_size}, result {tuple(out.shape)}")
    return out


def _repeat_interleave(x, repeats, dim):
    if dim is None:
        x, dim = reshape(x, -1), 0
    d = _dim(dim, x.ndim, "repeat_interleave")
    counts = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if counts.ndim > 0 and counts.shape != (x.shape[d],):
        raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along dim {d}, "
                           f"got {counts.shape[0]} repeats for size {x.shape[d]}")
    return index_select(x, d, np.repeat(np.arange(x.shape[d]), counts))


def _triangle(x, diagonal, lower, name):
    x = _tensor(x)
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions (got shape {tuple(x.shape)})")
    rows, cols = x.shape[-2:]
    keep = np.tri(rows, cols, diagonal, dtype=bool) if lower else ~np.tri(rows, cols, diagonal - 1, dtype=bool)
    return ew.Where.apply(keep, x, np.zeros((), dtype=x.dtype))


def tril(x, diagonal=0):
    """The lower triangle of the last two dims (on and below `diagonal`), the rest 0."""
    return name_node(_triangle(x, diagonal, True, "tril"), "TrilBackward0")


def triu(x, diagonal=0):
    """The upper triangle of the last two dims (on and above `diagonal`), the rest 0."""
    return name_node(_triangle(x, diagonal, False, "triu"), "TriuBackward0")


def diag(x, diagonal=0):
    """A 1-D x as the `diagonal` of a square matrix, or the `diagonal` of a 2-D x as a 1-D tensor."""
    x = _tensor(x)
    if x.ndim == 1:
        n = x.shape[0] + builtins.abs(diagonal)
        rows = np.arange(x.shape[0]) + builtins.max(-diagonal, 0)
        zeros = Tensor(np.zeros((n, n), dtype=x.dtype))
        return sh.IndexPut.apply(zeros, x, index=(rows, rows + diagonal))
    if x.ndim == 2:
        start_r, start_c = builtins.max(-diagonal, 0), builtins.max(diagonal, 0)
        steps = np.arange(builtins.max(builtins.min(x.shape[0] - start_r, x.shape[1] - start_c), 0))
        return sh.Index.apply(x, index=(steps + start_r, steps + start_c))
    raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {tuple(x.shape)}")


def _index_array(index, name):
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index, got {idx.dtype}")
    return idx


def _scatter(x, dim, index, src, accumulate, name):
    x = _tensor(x)
    idx = _index_array(index, name)
    if x.ndim == 0:  # a 0-d tensor scatters as one of one element
        return _scatter(x.reshape(1), _dim(dim, 0, name), idx.reshape(-1), src, accumulate, name).reshape(())
    d = _dim(dim, x.ndim, name)
    if idx.ndim == 0 and x.ndim == 1:  # PyTorch takes a 0-d index (and a 0-d src) as one element
        idx = idx.reshape(1)
        if isinstance(src, Tensor) and src.ndim == 0:
            src = src.reshape(1)
    if idx.ndim != x.ndim:
        raise RuntimeError(f"{name}: Index tensor must have the same number of dimensions as self tensor "
                           f"(index shape {idx.shape}, self shape {tuple(x.shape)})")
    if idx.size and (idx.min() < -x.shape[d] or idx.max() >= x.shape[d]):
        raise RuntimeError(f"{name}: index {idx.max() if idx.max() >= x.shape[d] else idx.min()} is out of "
                           f"bounds for dimension {d} with size {x.shape[d]}")
    if not isinstance(src, Tensor):
        src = Tensor(np.full(idx.shape, src, dtype=x.dtype))
    elif any(i > s for i, s in zip(idx.shape, src.shape)) or src.ndim != idx.ndim:
        raise RuntimeError(f"{name}: index of shape {idx.shape} is larger than src of shape {tuple(src.shape)}")
    return sh.Scatter.apply(x, src.to(x.dtype), index=idx, dim=d, accumulate=accumulate)


def scatter(x, dim=None, index=None, src=None, value=None, *, reduce=None, axis=None):
    """x with src (a tensor, or a number `value`) written along `dim` at `index`: out[..index[j]..] = src[..j..].
    PyTorch's deprecated `reduce="add"` or `"multiply"` combines instead (scatter_reduce's sum or prod)."""
    if axis is not None or dim is None or index is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("scatter", dim, axis, index=index)
    src = value if src is None else src
    if reduce is not None:
        return _scatter_by(x, dim, index, src, reduce)
    return _scatter(x, dim, index, src, False, "scatter")


def _scatter_by(x, dim, index, src, reduce):
    """scatter(..., reduce=): the old reductions, through scatter_reduce (including x's own values)."""
    from .select_functional import scatter_reduce

    if reduce not in ("add", "multiply"):
        raise RuntimeError(f"scatter(): reduce argument must be either add or multiply, got {reduce!r}")
    x = _tensor(x)
    if isinstance(src, Tensor):
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a "
                      "future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                      UserWarning, stacklevel=3)
    else:
        src = Tensor(np.full(np.shape(getattr(index, "_data", index)), src, dtype=x.dtype))
    return scatter_reduce(x, dim, index, src, "sum" if reduce == "add" else "prod")


def scatter_add(x, dim=None, index=None, src=None, *, axis=None):
    """x with src added along `dim` at `index` (repeated indices accumulate)."""
    if axis is not None or dim is None or index is None or src is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("scatter_add", dim, axis, index=index, src=src)
    return _scatter(x, dim, index, src, True, "scatter_add")


def index_fill(x, dim=None, index=None, value=None, *, axis=None):
    """x with the slices at `index` along `dim` set to `value`."""
    if axis is not None or dim is None or index is None or value is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("index_fill", dim, axis, index=index, value=value)
    x = _tensor(x)
    idx = _index_array(index, "index_fill").reshape(-1)
    d = _dim(dim, x.ndim, "index_fill")
    value = value if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype=x.dtype))
    return sh.IndexPut.apply(x, value.to(x.dtype), index=(slice(None),) * d + (idx,))


def index_add(x, dim=None, index=None, source=None, alpha=1, *, axis=None):
    """x with alpha * source's slices added at `index` along `dim` (repeated indices accumulate)."""
    if axis is not None or dim is None or index is None or source is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("index_add", dim, axis, index=index, source=source)
    x, source = _tensor(x), _tensor(source)
    idx = _index_array(index, "index_add").reshape(-1)
    d = _dim(dim, x.ndim, "index_add")
    if source.ndim != x.ndim or source.shape[d] != idx.size:
        raise RuntimeError(f"index_add: source of shape {tuple(source.shape)} does not match {idx.size} indices "
                           f"along dim {d} of a tensor of shape {tuple(x.shape)}")
    full = np.broadcast_to(idx.reshape((1,) * d + (-1,) + (1,) * (x.ndim - d - 1)), source.shape)
    src = source if alpha == 1 else source * alpha
    return sh.Scatter.apply(x, src.to(x.dtype), index=np.ascontiguousarray(full), dim=d, accumulate=True)


def masked_select(x, mask):
    """The elements of x where the (broadcast) bool mask holds, as a 1-D tensor."""
    x = _tensor(x)
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {m.dtype}")
    try:
        shape = np.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise RuntimeError(f"masked_select: mask of shape {m.shape} cannot be broadcast with input of shape "
                           f"{tuple(x.shape)}") from None
    return sh.Index.apply(expand(x, shape), index=np.broadcast_to(m, shape))


def nonzero(x, as_tuple=False):
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with as_tuple one 1-D per dim."""
    a = _tensor(x)._data
    if a.ndim == 0:  # as PyTorch: one element and no dims
        n = int(a != 0)
        return (Tensor(np.zeros(n, dtype=np.int64)),) if as_tuple else Tensor(np.zeros((n, 0), dtype=np.int64))
    where = [w.astype(np.int64) for w in np.nonzero(a)]
    return tuple(Tensor(w) for w in where) if as_tuple else Tensor(np.stack(where, axis=1))


def nonzero_static(input, *, size, fill_value=-1):  # noqa: A002
    """nonzero's (n, ndim) indices with exactly `size` rows, whatever n is: the first `size` of them, or all of
    them padded with rows of `fill_value` (a shape fixed in advance, for compiled graphs in PyTorch)."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be a non-negative int, got {size!r}")
    found = nonzero(input)._data[:size]
    out = np.full((int(size), found.shape[1]), fill_value, dtype=np.int64)
    out[: len(found)] = found
    return Tensor(out)


def argwhere(x):
    return nonzero(x)
