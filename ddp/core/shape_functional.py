"""The public shape ops: views, joins, splits, indexing and gather, with checked arguments."""
import builtins
import functools
import math
import warnings

import numpy as np

from .arguments import as_tensor_arg as _t
from .arguments import normalize_dim as _dim
from .numpy_aliases import dim_alias
from .ops import shape as sh
from .sizes import keyword_vararg
from .tensor import Tensor
from .autograd import name_node

__all__ = [
    "reshape", "view", "flatten", "squeeze", "unsqueeze", "transpose", "permute", "t", "expand", "expand_as",
    "contiguous", "clone", "cat", "concat", "stack", "split", "chunk", "as_index", "index", "gather",
    "index_select", "pad", "movedim",
]


def _shape_arg(shape):
    """Accept reshape(2, 3) and reshape((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _resolve(shape, numel, op):
    """The shape with -1 filled in; PyTorch's error when it does not fit `numel` elements."""
    known = math.prod(s for s in shape if s != -1)
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"{op}: invalid shape dimension {s} at index {i} of shape {list(shape)} "
                               f"(sizes must be >= 0, or -1 to infer one)")
    if shape.count(-1) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred, got shape {list(shape)}")
    if -1 in shape:
        if numel == 0 and known == 0:
            raise RuntimeError(f"{op}: cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                               f"unspecified dimension size -1 can be any value and is ambiguous")
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(x, *args, shape=None):
    """x with a new shape of the same number of elements (-1 infers one dimension); the shape comes as ints,
    one sequence, or by keyword (`shape=`)."""
    x = _t(x)
    shape = _resolve(_shape_arg(keyword_vararg("reshape", args, shape, "shape")), x.numel(), "reshape")
    return x if shape == x.shape else sh.Reshape.apply(x, shape=shape)


def view(x, *args, size=None):
    """x's memory seen with another shape, never a copy: where the strides do not allow it (a transposed
    tensor flattened), RuntimeError as in PyTorch, whose advice is reshape. PyTorch's keyword is `size=`."""
    x = _t(x)
    shape = _resolve(_shape_arg(keyword_vararg("view", args, size, "size")), x.numel(), "view")
    try:
        np.reshape(x._data, shape, copy=False)
    except ValueError:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.") from None
    return sh.Reshape.apply(x, shape=shape)


def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    x = _t(x)
    if x.ndim == 0:
        return reshape(x, 1)
    s, e = _dim(start_dim, x.ndim, "flatten"), _dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise RuntimeError(f"flatten() has invalid args: start_dim ({start_dim}) cannot come after end_dim ({end_dim})")
    # the merged size spelled out (not -1): a -1 next to a zero-size dim is ambiguous, as in PyTorch
    shape = x._data.shape
    shape = shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]  # valid by construction: no checks
    return x if shape == x._data.shape else sh.Reshape.apply(x, shape=shape)


def squeeze(x, dim=None, *, axis=None):
    """Drop size-1 dims (all, or the given one when it has size 1)."""
    dim = dim if axis is None else dim_alias("squeeze", dim, axis)
    x = _t(x)
    if dim is None:
        shape = tuple(s for s in x.shape if s != 1)
    else:
        dims = {_dim(d, x.ndim, "squeeze") for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    return name_node(reshape(x, shape), "SqueezeBackward0" if dim is None else "SqueezeBackward1")


def unsqueeze(x, dim=None, *, axis=None):
    """Insert a size-1 dim at `dim`."""
    dim = dim if axis is None and dim is not None else dim_alias("unsqueeze", dim, axis)
    x = _t(x)
    dim = _dim(dim, x.ndim + 1, "unsqueeze")
    return name_node(sh.Reshape.apply(x, shape=x.shape[:dim] + (1,) + x.shape[dim:]), "UnsqueezeBackward0")


def permute(x, *args, dims=None):
    """Reorder the dims (as ints, one sequence, or `dims=`)."""
    x = _t(x)
    dims = _shape_arg(keyword_vararg("permute", args, dims, "dims"))
    if sorted(_dim(d, x.ndim, "permute") for d in dims) != list(range(x.ndim)):
        raise RuntimeError(f"permute: dims {list(dims)} are not a permutation of the {x.ndim} dims of {tuple(x.shape)}")
    return sh.Permute.apply(x, dims=tuple(_dim(d, x.ndim, "permute") for d in dims))


def transpose(x, dim0, dim1):
    """Swap two dims."""
    x = _t(x)
    order = list(range(x.ndim))
    a, b = _dim(dim0, x.ndim, "transpose"), _dim(dim1, x.ndim, "transpose")
    order[a], order[b] = order[b], order[a]
    return name_node(sh.Permute.apply(x, dims=tuple(order)), "TransposeBackward0")


def t(x):
    """Transpose a tensor of at most 2 dims."""
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return name_node(transpose(x, 0, 1), "TBackward0") if x.ndim == 2 else x


def movedim(x, source, destination):
    """Move the dims `source` (an int, or a tuple or list) to the positions `destination` (the same kind);
    the other dims keep their order."""
    x = _t(x)
    sequences = isinstance(source, (tuple, list)), isinstance(destination, (tuple, list))
    if sequences[0] != sequences[1]:
        raise TypeError(f"movedim: source and destination must both be ints or both sequences, got "
                        f"{type(source).__name__} and {type(destination).__name__}")
    src = _dim(tuple(source) if sequences[0] else (source,), x.ndim, "movedim")
    dst = _dim(tuple(destination) if sequences[1] else (destination,), x.ndim, "movedim")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: source {list(source)} and destination {list(destination)} must name as "
                           f"many dims")
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in {name} {list(given)}")
    if x.ndim == 0:
        return x
    order = [None] * x.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(x.ndim) if i not in src)
    return permute(x, [next(rest) if o is None else o for o in order])


def expand(x, *args, size=None):
    """A broadcast view of x with the shape `args` (or `size=`; -1 keeps a dim)."""
    x = _t(x)
    shape = _shape_arg(keyword_vararg("expand", args, size, "size"))
    lead = len(shape) - x.ndim
    if lead < 0:
        raise RuntimeError(f"expand: the shape {list(shape)} has fewer dims than the tensor's {tuple(x.shape)}")
    full = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    for i, s in enumerate(x.shape):
        if s != 1 and s != full[i + lead]:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({full[i + lead]}) must match the existing size ({s}) "
                f"at non-singleton dimension {i + lead}. Target sizes: {list(shape)}. Tensor sizes: {list(x.shape)}"
            )
    return sh.Expand.apply(x, shape=full)  # a new view even of the same shape, as PyTorch's


def expand_as(x, other):
    return expand(x, other.shape)


def contiguous(x):
    """x itself when C-contiguous, else a contiguous copy."""
    return x if x._data.flags.c_contiguous else sh.Contiguous.apply(x)


def clone(x):
    """A copy of x in new memory that stays in the graph (the gradient passes through unchanged)."""
    return sh.Clone.apply(_t(x))


def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing dim; all other dims must match."""
    dim = dim if axis is None else dim_alias("cat", dim, axis, 0)
    tensors = [_t(x) for x in tensors]
    if not tensors:
        raise RuntimeError("cat: expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    tensors = _without_legacy_empties(tensors)
    first = tensors[0]
    dim = _dim(dim, first.ndim, "cat")
    for i, x in enumerate(tensors):
        if x.ndim != first.ndim or any(a != b for j, (a, b) in enumerate(zip(x.shape, first.shape)) if j != dim):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {dim}: tensor 0 has shape "
                f"{tuple(first.shape)} but tensor {i} has shape {tuple(x.shape)}"
            )
    return sh.Cat.apply(*tensors, dim=dim)


concat = cat


def _without_legacy_empties(tensors):
    """PyTorch's legacy rule: 1-D empty tensors (`torch.tensor([])`, an accumulator's start) join anything and
    are left out, though their dtypes still count in the result's."""
    kept = [x for x in tensors if not (x.ndim == 1 and x.shape[0] == 0)]
    if not kept or len(kept) == len(tensors):
        return tensors
    from .query_functional import promote_types

    dtype = functools.reduce(promote_types, (x.dtype for x in tensors))
    return [x if x.dtype == dtype else x.to(dtype) for x in kept]


def stack(tensors, dim=0, *, axis=None):
    """Join same-shaped tensors along a new dim."""
    dim = dim if axis is None else dim_alias("stack", dim, axis, 0)
    tensors = [_t(x) for x in tensors]
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack: expects each tensor to be equal size, but got {tuple(tensors[0].shape)} at entry 0 "
                f"and {tuple(x.shape)} at entry {i}"
            )
    return sh.Stack.apply(*tensors, dim=_dim(dim, tensors[0].ndim + 1, "stack"))


def split(x, split_size_or_sections, dim=0):
    """Cut x along `dim` into pieces of a given size (the last may be smaller) or of the listed sizes."""
    dim = _dim(dim, x.ndim, "split")
    n = x.shape[dim]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0 or (size == 0 and n):
            raise RuntimeError(f"split: split_size must be positive (0 only for a dim of size 0), got {size} "
                               f"for dim {dim} of size {n}")
        sizes = [builtins.min(size, n - s) for s in range(0, n, size)] if size else [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split: sizes {sizes} do not sum to {n}, the size of dim {dim} of {tuple(x.shape)}")
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * dim + (slice(start, start + size),)
        pieces.append(sh.Index.apply(x, index=index))
        start += size
    return tuple(name_node(p, "SplitBackward0") for p in pieces)


def chunk(x, chunks, dim=0, *, axis=None):
    """Cut x into `chunks` pieces of equal size (the last may be smaller)."""
    dim = dim if axis is None else dim_alias("chunk", dim, axis, 0)
    n = x.shape[_dim(dim, x.ndim, "chunk")]
    if chunks <= 0:
        raise RuntimeError(f"chunk: expects `chunks` to be greater than 0, got: {chunks}")
    return split(x, builtins.max(-(-n // chunks), 1), dim)


def _list_as_tuple(index):
    """PyTorch's (and old numpy's) rule: a short list holding a slice, None, Ellipsis, a Tensor or another
    sequence indexes several dims, like the tuple of its items (`t[[slice(None), mask]]`, pruning's idiom)."""
    if not isinstance(index, list) or len(index) >= 32:
        return False
    return any(i is None or i is Ellipsis or isinstance(i, (slice, Tensor, list, tuple, np.ndarray)) for i in index)


def as_index(index):
    """A numpy index from a PyTorch-style one: Tensors and lists become arrays."""
    def one(i):
        if isinstance(i, Tensor):
            return i._data
        if isinstance(i, list):
            return np.asarray(i)
        return i

    if _list_as_tuple(index):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated in PyTorch: write "
                      "x[tuple(seq)] instead of x[seq]", UserWarning, stacklevel=3)
        index = tuple(index)
    return tuple(one(i) for i in index) if isinstance(index, tuple) else one(index)


def _is_integer(i):
    """An index entry PyTorch applies as an integer: a Python or numpy int, or a 0-d integer tensor."""
    if isinstance(i, np.ndarray):
        return i.ndim == 0 and i.dtype.kind in "iu"
    return isinstance(i, (int, np.integer)) and not isinstance(i, bool)


def integers_first(idx):
    """PyTorch applies an index's integers before its integer arrays and masks (`x[0, :, [1, 2]]` is
    `x[0][:, [1, 2]]`, of shape (4, 2) for x of (3, 4, 5)); numpy broadcasts them with the arrays instead, which
    moves the result's dims to the front when a slice stands between them ((2, 4)). For an index (from
    as_index) that mixes the two: (first, rest), basic and advanced, with PyTorch's x[idx] = x[first][rest];
    None for any other index, where numpy and PyTorch agree."""
    if not isinstance(idx, tuple) or not any(_is_integer(i) for i in idx) or \
            not any(isinstance(i, np.ndarray) and i.ndim or isinstance(i, (bool, np.bool_)) for i in idx):
        return None
    first, rest = [], []
    for i in idx:
        if _is_integer(i):
            first.append(int(i))
        elif i is None or isinstance(i, (bool, np.bool_)):  # adds a dim, takes none
            rest.append(i)
        elif i is Ellipsis:
            first.append(i)
            rest.append(i)
        else:  # a slice or an array: a mask takes as many dims as it has
            first.extend([slice(None)] * (i.ndim if isinstance(i, np.ndarray) and i.dtype == np.bool_ else 1))
            rest.append(i)
    return tuple(first), tuple(rest)


def assign(array, idx, value):
    """array[idx] = value in place (an index from as_index), with PyTorch's order of integers (integers_first)."""
    split = integers_first(idx)
    if split is None:
        sh.put(array, idx, value)
    else:
        sh.put(array[split[0]], split[1], value)  # array[first] is a view: writing into it writes into array


def index(x, idx):
    """x[idx]: slices, ints, None, Ellipsis, integer arrays and boolean masks."""
    idx = as_index(idx)
    split = integers_first(idx)
    if split is not None:
        return index(index(x, split[0]), split[1])
    parts = idx if isinstance(idx, tuple) else (idx,)
    for p in parts:
        if isinstance(p, np.ndarray) and p.dtype.kind not in "iub":
            raise IndexError(f"index: tensors used as indices must be long, int or bool, got {p.dtype}")
    try:
        return sh.Index.apply(x, index=idx)
    except IndexError as e:
        raise IndexError(f"index: {e} (tensor of shape {tuple(x.shape)})") from None


def index_assign(x, idx, value):
    """A copy of x with x[idx] = value, for any index `x[idx]` takes (`x[idx] = value` while recording;
    `ddp.index_put`, with a tuple of index tensors and `accumulate`, is in select_functional.py)."""
    idx = as_index(idx)
    split = integers_first(idx)
    if split is None:
        return sh.IndexPut.apply(x, value, index=idx)
    first, rest = split
    return sh.IndexPut.apply(x, sh.IndexPut.apply(sh.Index.apply(x, index=first), value, index=rest), index=first)


def gather(x, dim=None, index=None, *, axis=None):
    """out[i][j] = x[i][index[i][j]] along `dim` (take_along_axis)."""
    if axis is not None or dim is None or index is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("gather", dim, axis, index=index)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim != x.ndim:
        raise RuntimeError(f"gather: index has {idx.ndim} dims but input has {x.ndim} (shapes {idx.shape}, {tuple(x.shape)})")
    dim = _dim(dim, x.ndim, "gather")
    if idx.size and (idx.min() < -x.shape[dim] or idx.max() >= x.shape[dim]):
        raise RuntimeError(f"gather: index out of range for dim {dim} of size {x.shape[dim]} "
                         f"(index values from {idx.min()} to {idx.max()}, input shape {tuple(x.shape)})")
    return sh.Gather.apply(x, index=idx, dim=dim)


def index_select(x, dim=None, index=None, *, axis=None):
    """The slices of x at `index` (a 1-D integer tensor) along `dim`."""
    if axis is not None or dim is None or index is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("index_select", dim, axis, index=index)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    dim = _dim(dim, x.ndim, "index_select")
    return name_node(sh.Index.apply(x, index=(slice(None),) * dim + (idx,)), "IndexSelectBackward0")


def pad(x, pad, mode="constant", value=0.0):
    """Constant padding with PyTorch's `pad` order: (left, right) of the last dim, then of the one before."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not supported (only 'constant')")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: padding {pad} must have an even length of at most 2 * {x.ndim}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return name_node(sh.Pad.apply(x, widths=tuple(widths), value=value), "ConstantPadNdBackward0")
