"""Size arguments of the factories and `new_*` methods (ints, or one sequence of them) and the shape of
nested data, checked with PyTorch's exception types and a message naming the call. It imports nothing of
ddp, so that every layer (methods.py included, which Tensor imports) can use it."""
import operator

import numpy as np

__all__ = ["size_arg", "ragged_error", "keyword_vararg"]


def keyword_vararg(op, args, value, name):
    """The varargs of a shape-like parameter (`x.permute(1, 0)`), or `(value,)` when it came by its PyTorch
    keyword `name` instead (`x.permute(dims=(1, 0))`); a TypeError when it came both ways."""
    if value is None:
        return args
    if args:
        raise TypeError(f"{op}() got multiple values for argument '{name}': {args!r} by position and {value!r}")
    return (value,)


def _index(s, op, size):
    if isinstance(s, bool):  # an int to Python, but PyTorch rejects it as a size
        raise TypeError(f"{op}(): size must be ints or one sequence of ints, but got a bool ({s!r}) in {size!r}")
    try:
        return operator.index(s)  # ints, numpy integers and one-element integer Tensors
    except TypeError:
        raise TypeError(f"{op}(): size must be ints or one sequence of ints, but got {type(s).__name__} ({s!r}) in "
                        f"{size!r}") from None


def size_arg(size, op):
    """A shape from varargs `(2, 3)`, one sequence `((2, 3),)` or one int; every entry an int >= 0.

    Raises:
        TypeError: an entry is not an integer (a float, None, a string, a bool).
        RuntimeError: an entry is negative (PyTorch's "Trying to create tensor with negative dimension").
    """
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = tuple(_index(s, op, size) for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"{op}(): Trying to create tensor with negative dimension {s}: {list(shape)} "
                               f"(every size must be >= 0)")
    return shape


def _is_sequence(item):
    return isinstance(item, (list, tuple)) or (isinstance(item, np.ndarray) and item.ndim > 0)


def _check_nested(item, shape, op, dim=0):
    """PyTorch's error for ragged nested data, where numpy's names no dim: a length that differs from the
    first element's at the same depth (ValueError), a number where a sequence was expected or the other way
    round (TypeError)."""
    if dim == len(shape):
        if _is_sequence(item):
            raise TypeError(f"{op}(): expected a number at dim {dim} (like the first element's), "
                            f"got a sequence of length {len(item)}")
        return
    if not _is_sequence(item):
        raise TypeError(f"{op}(): expected a sequence of length {shape[dim]} at dim {dim}, "
                        f"got {type(item).__name__} ({item!r}): not a sequence")
    if len(item) != shape[dim]:
        raise ValueError(f"{op}(): expected sequence of length {shape[dim]} at dim {dim} (got {len(item)})")
    for sub in item:
        _check_nested(sub, shape, op, dim + 1)


def ragged_error(data, op):
    """Raise the error for nested data numpy could not make a regular array of (the shape of the first
    elements at each depth is the one expected)."""
    shape, first = [], data
    while _is_sequence(first):
        shape.append(len(first))
        if not len(first):
            break
        first = first[0]
    _check_nested(data, shape, op)
