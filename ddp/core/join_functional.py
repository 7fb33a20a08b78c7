"""The public stacking joins (`ddp.hstack`, `ddp.vstack`, `ddp.dstack`, `ddp.column_stack`) and the
`atleast_Nd` promotions they use: reshapes and one `cat`, so the gradient comes from those ops."""
from .shape_functional import cat, reshape
from .tensor import Tensor

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack", "column_stack"]


def _promoted_shape(shape, ndim):
    """`shape` with the size-1 dims that PyTorch's atleast_{ndim}d adds: (n,) -> (1, n) -> (1, n, 1)."""
    if len(shape) >= ndim:
        return shape
    if len(shape) == 0:
        return (1,) * ndim
    if len(shape) == 1:
        return (1,) + shape + (1,) * (ndim - 2)
    return shape + (1,)  # 2-D to 3-D


def _promote(x, ndim, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected Tensors, got {type(x).__name__}")
    return x if x.ndim >= ndim else reshape(x, _promoted_shape(tuple(x.shape), ndim))


def _atleast(tensors, ndim, name):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        return tuple(_promote(x, ndim, name) for x in tensors[0])
    if len(tensors) == 1:
        return _promote(tensors[0], ndim, name)
    return tuple(_promote(x, ndim, name) for x in tensors)


def atleast_1d(*tensors):
    """Each tensor viewed with at least 1 dim (a 0-d one becomes shape (1,)); others come back as they are.

    Args:
        tensors: one Tensor, several, or one list / tuple of them.
    Returns:
        a Tensor for one Tensor argument, else a tuple.
    Raises:
        TypeError: an argument is not a Tensor.

    Example:
        >>> ddp.atleast_1d(ddp.tensor(2.0))
        tensor([2.])
    """
    return _atleast(tensors, 1, "atleast_1d")


def atleast_2d(*tensors):
    """As `atleast_1d` with at least 2 dims: () -> (1, 1), (n,) -> (1, n).

    Example:
        >>> ddp.atleast_2d(ddp.zeros(3)).shape
        ddp.Size([1, 3])
    """
    return _atleast(tensors, 2, "atleast_2d")


def atleast_3d(*tensors):
    """As `atleast_1d` with at least 3 dims: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1).

    Example:
        >>> ddp.atleast_3d(ddp.zeros(2, 3)).shape
        ddp.Size([2, 3, 1])
    """
    return _atleast(tensors, 3, "atleast_3d")


def _join(tensors, name, prepare, dim):
    """cat of the prepared tensors along `dim` (a function of the first prepared one), with errors naming
    the op."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{name}: expected a list or tuple of Tensors, got {type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{name}: expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: expected Tensors, got {type(x).__name__} at position {i}")
    parts = [prepare(x) for x in tensors]
    d = dim(parts[0])
    first = parts[0]
    for i, x in enumerate(parts):
        if x.ndim != first.ndim or any(a != b for j, (a, b) in enumerate(zip(x.shape, first.shape)) if j != d):
            raise RuntimeError(f"{name}: tensor {i} (shape {tuple(tensors[i].shape)}, joined as "
                               f"{tuple(x.shape)}) does not match tensor 0 (shape {tuple(tensors[0].shape)}, "
                               f"joined as {tuple(first.shape)}) outside dim {d}")
    return cat(parts, d)


def hstack(tensors):
    """Join tensors column-wise: along dim 0 when they are 1-D (0-d ones count as 1-D), else along dim 1.

    Args:
        tensors: a non-empty list or tuple of Tensors.
    Raises:
        TypeError: `tensors` is not a list / tuple of Tensors. RuntimeError: it is empty, or the sizes
        differ outside the joined dim.

    Example:
        >>> ddp.hstack([ddp.tensor([1.0, 2.0]), ddp.tensor([3.0])])
        tensor([1., 2., 3.])
    """
    return _join(tensors, "hstack", lambda x: _promote(x, 1, "hstack"), lambda x: 0 if x.ndim == 1 else 1)


def vstack(tensors):
    """Join tensors row-wise: each is made at least 2-D (a 1-D (n,) becomes a row (1, n)), then joined along
    dim 0. Errors as `hstack`.

    Example:
        >>> ddp.vstack([ddp.tensor([1.0, 2.0]), ddp.tensor([3.0, 4.0])]).shape
        ddp.Size([2, 2])
    """
    return _join(tensors, "vstack", lambda x: _promote(x, 2, "vstack"), lambda x: 0)


row_stack = vstack


def dstack(tensors):
    """Join tensors depth-wise: each is made at least 3-D (see `atleast_3d`), then joined along dim 2.
    Errors as `hstack`.

    Example:
        >>> ddp.dstack([ddp.zeros(2, 3), ddp.ones(2, 3)]).shape
        ddp.Size([2, 3, 2])
    """
    return _join(tensors, "dstack", lambda x: _promote(x, 3, "dstack"), lambda x: 2)


def _as_column(x):
    return reshape(x, (x.numel(), 1)) if x.ndim <= 1 else x


def column_stack(tensors):
    """Join tensors as columns: 0-d and 1-D tensors become (n, 1) columns, then all are joined along dim 1.
    Errors as `hstack`.

    Example:
        >>> ddp.column_stack([ddp.tensor([1.0, 2.0]), ddp.tensor([3.0, 4.0])])
        tensor([[1., 3.],
                [2., 4.]])
    """
    return _join(tensors, "column_stack", _as_column, lambda x: 1)
