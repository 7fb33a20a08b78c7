"""Broadcasting as ops (`ddp.broadcast_to`, `ddp.broadcast_tensors`, `ddp.meshgrid`): composed of reshape
and expand, so the gradient is summed back to each input by the engine (no op of their own)."""
import warnings

import numpy as np

from .shape_functional import expand, reshape
from .tensor import Size, Tensor

__all__ = ["broadcast_to", "broadcast_tensors", "broadcast_shapes", "meshgrid"]


def _tensors(tensors, op):
    """The Tensor arguments of `op(*tensors)` (or of `op([tensors])`), refusing anything else as PyTorch."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


def broadcast_shapes(*shapes):
    """The shape (a `ddp.Size`) that tensors of `shapes` (tuples, or ints for 1-D) broadcast to.

    Raises:
        RuntimeError: two sizes differ at a dim where neither is 1.
    """
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(f"broadcast_shapes: shapes {', '.join(str(s) for s in shapes)} cannot be broadcast "
                           f"together (sizes at a dim must match or be 1)") from None


def broadcast_to(x, shape):
    """x as a read-only view of `shape` (-1 keeps a size), as `x.expand(shape)`; the gradient is summed back.

    Example:
        >>> ddp.broadcast_to(ddp.tensor([1.0, 2.0, 3.0]), (2, 3)).shape
        ddp.Size([2, 3])
    """
    return expand(x, tuple(shape))


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape (a tuple of views).

    Raises:
        TypeError: an argument is not a Tensor. RuntimeError: the shapes do not broadcast together.

    Example:
        >>> a, b = ddp.broadcast_tensors(ddp.zeros(2, 1), ddp.zeros(3))
        >>> a.shape, b.shape
        (ddp.Size([2, 3]), ddp.Size([2, 3]))
    """
    tensors = _tensors(tensors, "broadcast_tensors")
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D (or 0-D) tensors: output k holds tensor k's values along dim k.

    Args:
        tensors: N tensors of one dtype, as separate arguments or one list.
        indexing: 'ij' (dims in argument order) or 'xy' (the first two dims swapped, as numpy's default).
            Omitted, it is 'ij' with PyTorch's warning that it will have to be given.
    Returns:
        A tuple of N read-only views, each of shape (n_0, ..., n_{N-1}) ('xy': n_1, n_0, ...).
    Raises:
        TypeError for a non-Tensor; RuntimeError for no tensors, mixed dtypes, a tensor of 2 or more dims,
        or another indexing.

    Example:
        >>> ys, xs = ddp.meshgrid(ddp.arange(2), ddp.arange(3), indexing="ij")
        >>> ys.shape
        ddp.Size([2, 3])
    """
    tensors = _tensors(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("meshgrid: pass indexing='ij' or 'xy'; without it 'ij' is used, and PyTorch plans to "
                      "require the argument", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if not tensors:
        raise RuntimeError("meshgrid: expects at least one tensor (a non-empty TensorList)")
    for i, t in enumerate(tensors):
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expected 0D or 1D tensors, but tensor {i} has shape {tuple(t.shape)}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"meshgrid expects all tensors to have the same dtype, got {tensors[0].dtype} "
                               f"(tensor 0) and {t.dtype} (tensor {i})")
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        axes[0], axes[1] = 1, 0  # tensor 0 runs along dim 1, tensor 1 along dim 0
    shape = [0] * len(tensors)
    for t, axis in zip(tensors, axes):
        shape[axis] = t.numel()
    grids = []
    for t, axis in zip(tensors, axes):
        column = [1] * len(tensors)
        column[axis] = t.numel()
        grids.append(expand(reshape(t, tuple(column)), tuple(shape)))
    return tuple(grids)
