"""Products built from other ops (`ddp.tensordot`, `ddp.inner`, `ddp.vdot`, `ddp.kron`, `ddp.cross`,
`ddp.cartesian_prod`, `ddp.block_diag`): argument checks, then permute / reshape / broadcast multiply / matmul / pad / cat, so each
is differentiable through the ops it is made of and has no `Function` of its own."""
import math
import numbers
import warnings

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim
from .broadcast_functional import _tensors, meshgrid
from .dtypes import get_default_dtype
from .elementwise_functional import mul, sub
from .index_functional import roll
from .linalg_functional import dot, matmul
from .numpy_aliases import dim_alias
from .reduce_functional import sum as _sum
from .shape_functional import cat, pad, permute, reshape, stack
from .tensor import Tensor

__all__ = ["tensordot", "inner", "vdot", "kron", "cross", "cartesian_prod", "block_diag"]


# ------------------------------------------------------------------------------------------ tensordot
def _contracted_dims(dims, a, b):
    """`dims` (an int, a pair of int lists, or a Tensor holding either) as two lists of dims of a and b."""
    if isinstance(dims, Tensor):
        dims = dims.item() if dims.numel() == 1 else dims.tolist()
    if isinstance(dims, numbers.Integral):
        if dims < 0:
            raise RuntimeError(f"tensordot: dims must be >= 0, got {dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot: dims={dims} is more than the dims of the inputs "
                               f"({tuple(a.shape)} and {tuple(b.shape)})")
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    if not isinstance(dims, (list, tuple)):
        raise RuntimeError(f"tensordot: dims must be an int, a pair of lists of ints or a Tensor, got {dims!r}")
    if len(dims) != 2:
        raise ValueError(f"tensordot: dims must hold two lists (dims of a, dims of b), got {len(dims)}")
    for which, d in zip("ab", dims):
        if not isinstance(d, (list, tuple)) or not all(isinstance(i, numbers.Integral) for i in d):
            raise TypeError(f"tensordot: the dims of {which} must be a list of ints, got {d!r}")
    dims_a, dims_b = normalize_dim(tuple(dims[0]), a.ndim, "tensordot"), normalize_dim(tuple(dims[1]), b.ndim,
                                                                                       "tensordot")
    if len(dims_a) != len(dims_b):
        raise RuntimeError(f"tensordot: {len(dims_a)} dims of a {list(dims[0])} but {len(dims_b)} dims of b "
                           f"{list(dims[1])}; both lists need the same length")
    for which, d in zip("ab", (dims_a, dims_b)):
        if len(set(d)) != len(d):
            raise RuntimeError(f"tensordot: the dims of {which} {list(d)} name a dim more than once")
    return list(dims_a), list(dims_b)


def tensordot(a, b, dims=2):
    """Sum of a * b over pairs of dims, as one matrix product (BLAS), differentiable in a and b.

    Args:
        a, b: tensors of one dtype.
        dims: an int n (the last n dims of a with the first n of b), a pair of lists ([dims of a], [dims of b])
            or a Tensor holding either.
    Returns:
        A tensor of a's other dims followed by b's other dims, in order.
    Raises:
        RuntimeError: mixed dtypes, dims < 0 or more than an input has, lists of different lengths, a dim
        named twice, or paired sizes that differ with neither 1 (a size-1 dim is summed against the other).
        IndexError: a dim out of range. TypeError / ValueError: a malformed pair of lists.

    Example:
        >>> ddp.tensordot(ddp.ones(3, 4, 5), ddp.ones(4, 5, 6)).shape
        ddp.Size([3, 6])
    """
    a, b = _tensor(a), _tensor(b)
    if a.dtype != b.dtype:
        raise RuntimeError(f"tensordot: a and b need the same dtype, got {a.dtype} and {b.dtype}")
    dims_a, dims_b = _contracted_dims(dims, a, b)
    for da, db in zip(dims_a, dims_b):
        na, nb = a.shape[da], b.shape[db]
        if na == nb:
            continue
        if na == 1:  # PyTorch broadcasts a size-1 contracted dim: sum the other side over it first
            b = _sum(b, db, keepdim=True)
        elif nb == 1:
            a = _sum(a, da, keepdim=True)
        else:
            raise RuntimeError(f"tensordot: contracted sizes differ: dim {da} of a {tuple(a.shape)} has {na}, "
                               f"dim {db} of b {tuple(b.shape)} has {nb}")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    rows = [a.shape[d] for d in free_a]
    cols = [b.shape[d] for d in free_b]
    k = math.prod(a.shape[d] for d in dims_a)
    a2 = reshape(permute(a, tuple(free_a + dims_a)), (math.prod(rows), k))
    b2 = reshape(permute(b, tuple(dims_b + free_b)), (k, math.prod(cols)))
    return reshape(matmul(a2, b2), tuple(rows + cols))


# ------------------------------------------------------------------------------------- inner, vdot
def inner(input, other):  # noqa: A002 - PyTorch's name
    """The sum of products over the last dims of both inputs: out[i..., j...] = sum_k input[i..., k] *
    other[j..., k]; a 0-d input multiplies the other one instead. Differentiable (tensordot / mul).

    Raises:
        RuntimeError: different dtypes, or last dims of different sizes.

    Example:
        >>> ddp.inner(ddp.tensor([[1.0, 2.0]]), ddp.tensor([[3.0, 4.0], [5.0, 6.0]]))
        tensor([[11., 17.]])
    """
    a, b = _tensor(input), _tensor(other)
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    if a.dtype != b.dtype:
        raise RuntimeError(f"inner: both inputs need the same dtype, got {a.dtype} and {b.dtype}")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner: the last dims must have the same size, got shapes {tuple(a.shape)} and "
                           f"{tuple(b.shape)}")
    return tensordot(a, b, ([a.ndim - 1], [b.ndim - 1]))


def vdot(input, other):  # noqa: A002 - PyTorch's name
    """The dot product of two 1-D tensors of one size and dtype, the first conjugated: sum(conj(a) * b) (for
    real tensors the same as `dot`). Differentiable.

    Raises:
        RuntimeError: an input that is not 1-D, different sizes or dtypes.

    Example:
        >>> ddp.vdot(ddp.tensor([1.0, 2.0]), ddp.tensor([3.0, 4.0]))
        tensor(11.)
    """
    a, b = _tensor(input), _tensor(other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"vdot: expected two 1-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"vdot: both inputs need the same dtype, got {a.dtype} and {b.dtype}")
    return dot(a.conj() if a.dtype.kind == "c" else a, b)


# ----------------------------------------------------------------------------------------------- kron
def kron(a, b):
    """The Kronecker product: out[i * b.shape + j] = a[i] * b[j] over every dim (the fewer-dim input is read
    with leading 1s); a broadcast multiply and a reshape, so the gradient is the engine's.

    Raises:
        TypeError: an argument is not a Tensor.

    Example:
        >>> ddp.kron(ddp.eye(2), ddp.ones(2, 3)).shape
        ddp.Size([4, 6])
    """
    for i, t in enumerate((a, b)):
        if not isinstance(t, Tensor):
            raise TypeError(f"kron: argument {i} must be a Tensor, got {type(t).__name__}")
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + tuple(a.shape), (1,) * (n - b.ndim) + tuple(b.shape)
    # a as (a0, 1, a1, 1, ...) and b as (1, b0, 1, b1, ...): their product holds a[i] * b[j] at (i0, j0, i1, j1, ..)
    spread_a = reshape(a, tuple(s for d in sa for s in (d, 1)))
    spread_b = reshape(b, tuple(s for d in sb for s in (1, d)))
    return reshape(mul(spread_a, spread_b), tuple(x * y for x, y in zip(sa, sb)))


# ---------------------------------------------------------------------------------------------- cross
def _cross(a, b, dim, op):
    """a x b along `dim` (size 3 in both) with broadcasting: c_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1}."""
    a, b = _tensor(a), _tensor(b)
    if a.ndim != b.ndim:
        raise RuntimeError(f"{op}: a {tuple(a.shape)} and b {tuple(b.shape)} need the same number of dims")
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op}: a and b need the same dtype, got {a.dtype} and {b.dtype}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast "
                           "together") from None
    d = normalize_dim(dim, a.ndim, op)
    if a.ndim == 0 or a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"{op}: dim {dim} needs size 3 in both inputs, got shapes {tuple(a.shape)} and "
                           f"{tuple(b.shape)}")
    return sub(mul(roll(a, -1, d), roll(b, -2, d)), mul(roll(a, -2, d), roll(b, -1, d)))


def cross(a, b, dim=None, *, axis=None):
    """The 3-vector cross product of a and b along `dim`, differentiable, broadcasting the other dims.

    Args:
        a, b: tensors of one dtype and the same number of dims, of size 3 at `dim`.
        dim: the dim holding the vectors. None (deprecated in PyTorch, so it warns) takes a's first dim of size
            3, unlike `ddp.linalg.cross`, whose default is -1.
    Raises:
        RuntimeError: no dim of size 3 in a (dim None), different numbers of dims or dtypes, shapes that do not
        broadcast, or a size other than 3 at `dim`. IndexError: `dim` out of range.

    Example:
        >>> ddp.cross(ddp.tensor([1.0, 0.0, 0.0]), ddp.tensor([0.0, 1.0, 0.0]), dim=0)
        tensor([0., 0., 1.])
    """
    dim = dim if axis is None else dim_alias("cross", dim, axis)
    if dim is None:
        warnings.warn("cross: calling it without dim is deprecated (PyTorch will change the default to -1, as "
                      "linalg.cross has); pass dim or use ddp.linalg.cross", UserWarning, stacklevel=2)
        sizes = tuple(_tensor(a).shape)
        if 3 not in sizes:
            raise RuntimeError(f"cross: without dim it uses the first dim of size 3, but a has shape {sizes}")
        dim = sizes.index(3)
    return _cross(a, b, dim, "cross")


# ------------------------------------------------------------------------------- joins of products
def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, as rows of an (n_0 * n_1 * ..., N) tensor (the
    last tensor varies fastest); one tensor is returned as it is. Differentiable (meshgrid + stack).

    Raises:
        TypeError: an argument is not a Tensor. RuntimeError: no tensors, a tensor not 1-D, or mixed dtypes.

    Example:
        >>> ddp.cartesian_prod(ddp.tensor([1, 2]), ddp.tensor([3, 4, 5])).shape
        ddp.Size([6, 2])
    """
    tensors = _tensors(tensors, "cartesian_prod")
    for i, t in enumerate(tensors):
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod: expected 1-D tensors, but tensor {i} has shape {tuple(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (g.numel(),)) for g in grids], dim=1)


def block_diag(*tensors):
    """The tensors as blocks down the diagonal of one 2-D tensor, zero elsewhere (a 0-D tensor is a 1x1 block,
    a 1-D one a row); dtypes promote as in `cat`. Differentiable (pad + cat).

    Raises:
        TypeError: an argument is not a Tensor. RuntimeError: a tensor of more than 2 dims.

    Example:
        >>> ddp.block_diag(ddp.ones(2, 2), ddp.tensor(3.0)).shape
        ddp.Size([3, 3])
    """
    tensors = _tensors(tensors, "block_diag")
    if not tensors:
        return Tensor(np.zeros((1, 0), dtype=get_default_dtype()))
    blocks = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"block_diag: expected tensors of at most 2 dims, but tensor {i} has shape "
                               f"{tuple(t.shape)}")
        blocks.append(reshape(t, (1, 1)) if t.ndim == 0 else reshape(t, (1, t.shape[0])) if t.ndim == 1 else t)
    width = sum(t.shape[1] for t in blocks)
    left, rows = 0, []
    for t in blocks:
        rows.append(pad(t, (left, width - left - t.shape[1])))
        left += t.shape[1]
    return cat(rows, dim=0)
