"""as_strided and as_strided_: views with any element strides over a tensor's storage.

A ddp tensor's storage is the numpy array that owns the memory its array views (followed through numpy's
`.base` chain): `x[2:].as_strided((3,), (2,), 0)` starts at x's first element in storage, as in PyTorch. The
view is checked to lie inside that memory; backward scatters the gradient through the storage positions.
"""
import operator

from . import autograd
from .ops.strided import AsStrided, geometry, storage_root
from .tensor import Tensor

__all__ = ["as_strided", "as_strided_"]


def _tensor(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _ints(values, what, op):
    """A sequence of ints as a tuple (TypeError naming the argument for anything else)."""
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{op}(): argument '{what}' must be a sequence of ints, got {values!r}") from None


def _storage(x, op):
    """(bytes of x's storage, x's offset in it in elements)."""
    root = storage_root(x._data)
    view = geometry(x._data, root)
    if view is None or not (root.flags.c_contiguous or root.flags.f_contiguous):
        raise RuntimeError(f"{op}(): the tensor's memory is not whole {x.dtype} elements of one block (a numpy "
                           f"view of another dtype, or of a non-contiguous buffer); use {op} on a clone()")
    return root.nbytes, view[2]


def as_strided(input, size, stride, storage_offset=None):  # noqa: A002 - PyTorch's name
    """A view of input's storage with shape `size`, element steps `stride` and first element at position
    `storage_offset` (default: input's own storage_offset()). Elements may overlap (stride 0, or steps smaller
    than the sizes below them): writes through such a view hit shared memory, and the gradient of overlapping
    elements accumulates. Differentiable.

    Args:
        input: the tensor whose storage is viewed (its own shape and strides do not matter for the forward).
        size, stride: sequences of ints, as many strides as sizes; every size and stride >= 0.
        storage_offset: an int >= 0, in elements.
    Returns:
        a view sharing input's memory.
    Raises:
        RuntimeError: sizes and strides of different lengths, a negative size, stride or offset, or a view
        reaching past the end of the storage (all as PyTorch). TypeError: a size or stride that is not an int.

    Example:
        >>> ddp.as_strided(ddp.arange(6.0), (2, 2), (1, 2))
        tensor([[0., 2.],
                [1., 3.]])
    """
    op = "as_strided"
    x = _tensor(input, op)
    size, stride = _ints(size, "size", op), _ints(stride, "stride", op)
    if len(size) != len(stride):
        raise RuntimeError(f"{op}(): mismatch in length of strides and shape: size {list(size)} has {len(size)} "
                           f"dims, stride {list(stride)} has {len(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"{op}(): sizes must be >= 0, got {list(size)}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"{op}(): Negative strides are not supported at the moment, got strides: {list(stride)}")
    nbytes, own = _storage(x, op)
    offset = own if storage_offset is None else operator.index(storage_offset)
    if offset < 0:
        raise RuntimeError(f"{op}(): invalid storage offset {offset} (it must be >= 0)")
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    needed = 0 if 0 in size else (last + 1) * x.itemsize
    if needed > nbytes:
        raise RuntimeError(f"{op}(): sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {x.itemsize} requiring a storage size of {needed} are out of bounds for "
                           f"storage of size {nbytes}")
    return AsStrided.apply(x, size=size, stride=stride, offset=offset)


def as_strided_(input, size, stride, storage_offset=None):  # noqa: A002
    """Make `input` itself the view `as_strided(input, size, stride, storage_offset)` and return it. Recorded for
    autograd as PyTorch does: input takes the view's place in the graph.

    Raises:
        RuntimeError: as as_strided, or input is a leaf that requires grad (while grad is recorded).
    """
    _tensor(input, "as_strided_")
    records = autograd.is_grad_enabled() and input.requires_grad
    if records and input.is_leaf:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    source = input
    if records:  # the view's node reads the old shape of input: hand it a tensor that keeps it
        source = Tensor(input._data)
        source._grad_fn, source._requires_grad = input._grad_fn, True
    view = as_strided(source, size, stride, storage_offset)
    input._data = view._data
    if records:
        input._grad_fn = view._grad_fn
    return input
