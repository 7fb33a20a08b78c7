"""The public diagonal ops (`ddp.diagonal`, `x.diag_embed()`, `ddp.trace`, `x.fill_diagonal_(v)`,
`ddp.tril_indices`): argument checks, then the Functions of ops/diagonal.py or ops composed from them."""
import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .dtypes import as_dtype
from .elementwise_functional import masked_fill
from .ops import diagonal as dg
from .reduce_functional import sum as _sum
from .shape_functional import reshape
from .tensor import Tensor

__all__ = """
diagonal diag_embed diagflat trace fill_diagonal_ diagonal_scatter tril_indices triu_indices
""".split()


def _diagonal_dims(ndim, dim1, dim2, name):
    d1, d2 = _dim(dim1, ndim, name), _dim(dim2, ndim, name)
    if d1 == d2:
        raise RuntimeError(f"{name}: the two diagonal dims must differ, got dim1={dim1} and dim2={dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The `offset` diagonal of dims (dim1, dim2) as the last dim, the other dims kept (a view).

    offset > 0 is above the main diagonal, < 0 below; an offset past the edge gives an empty diagonal.

    Example:
        >>> ddp.diagonal(ddp.arange(9.0).reshape(3, 3), 1)
        tensor([1., 5.])
    """
    x = _tensor(input)
    d1, d2 = _diagonal_dims(x.ndim, dim1, dim2, "diagonal")
    return dg.Diagonal.apply(x, offset=int(offset), dim1=d1, dim2=d2)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of input whose `offset` diagonal of (dim1, dim2) is src (src has `diagonal(...)`'s shape).

    Raises:
        RuntimeError: src's shape is not that of the diagonal.
    """
    x, src = _tensor(input), _tensor(src)
    d1, d2 = _diagonal_dims(x.ndim, dim1, dim2, "diagonal_scatter")
    expected = np.diagonal(np.empty(x.shape, dtype=np.bool_), offset, d1, d2).shape
    if tuple(src.shape) != expected:
        raise RuntimeError(f"diagonal_scatter: src must have the diagonal's shape {expected}, got "
                           f"{tuple(src.shape)} (input shape {tuple(x.shape)}, offset {offset})")
    return dg.DiagonalScatter.apply(x, src.to(x.dtype), offset=int(offset), dim1=d1, dim2=d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor with one more dim whose `offset` diagonal of (dim1, dim2) holds input's last dim, 0 elsewhere.

    Example:
        >>> ddp.diag_embed(ddp.tensor([[1.0, 2.0]])).shape
        ddp.Size([1, 2, 2])
    """
    x = _tensor(input)
    d1, d2 = _diagonal_dims(x.ndim + 1, dim1, dim2, "diag_embed")
    n = x.shape[-1] + abs(int(offset))
    shape = list(x.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    zeros = Tensor(np.zeros(shape, dtype=x.dtype))
    return dg.DiagonalScatter.apply(zeros, x, offset=int(offset), dim1=d1, dim2=d2)


def diagflat(input, offset=0):
    """The flattened input as the `offset` diagonal of a square matrix."""
    return diag_embed(reshape(_tensor(input), -1), offset)


def trace(input):
    """The sum of the main diagonal of a matrix; integer inputs sum to int64."""
    x = _tensor(input)
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix (2 dims), got a tensor of shape {tuple(x.shape)}")
    if x.dtype == np.bool_:
        raise NotImplementedError("trace: not implemented for bool tensors")
    d = diagonal(x)
    return _sum(d)


def fill_diagonal_(input, fill_value, wrap=False):
    """Write fill_value on the main diagonal of input in place (the elements whose indices are all equal).

    For a tall matrix, `wrap=True` starts the diagonal again below each square block (after one blank row),
    as numpy's fill_diagonal. Tensors of more than 2 dims must have all dims of equal size.

    Raises:
        RuntimeError: input has fewer than 2 dims, or unequal dims beyond 2.
    """
    if input.ndim < 2:
        raise RuntimeError(f"fill_diagonal_: needs at least 2 dims, got shape {tuple(input.shape)}")
    if input.ndim > 2 and len(set(input.shape)) != 1:
        raise RuntimeError(f"fill_diagonal_: a tensor of more than 2 dims must have all dims of equal size, "
                           f"got shape {tuple(input.shape)}")
    mask = np.zeros(input.shape, dtype=np.bool_)
    np.fill_diagonal(mask, True, wrap=wrap)
    return input._inplace(masked_fill, mask, fill_value)


def _triangle_indices(row, col, offset, dtype, lower, name):
    dtype = as_dtype(dtype)
    if dtype.kind not in "iu":
        raise NotImplementedError(f"{name}: dtype must be an integer type, got {dtype}")
    if row < 0 or col < 0:
        raise RuntimeError(f"{name}: row and col must be non-negative, got row={row}, col={col}")
    where = np.tril_indices(row, offset, col) if lower else np.triu_indices(row, offset, col)
    return Tensor(np.stack(where).astype(dtype))


def tril_indices(row, col, offset=0, *, dtype=np.int64, device=None, layout=None):
    """The (2, N) row and column indices of the lower triangle (on and below `offset`) of a row x col matrix,
    in row-major order.

    Example:
        >>> ddp.tril_indices(2, 2)
        tensor([[0, 1, 1],
                [0, 0, 1]])
    """
    return _triangle_indices(row, col, offset, dtype, True, "tril_indices")


def triu_indices(row, col, offset=0, *, dtype=np.int64, device=None, layout=None):
    """The (2, N) row and column indices of the upper triangle (on and above `offset`), in row-major order."""
    return _triangle_indices(row, col, offset, dtype, False, "triu_indices")
