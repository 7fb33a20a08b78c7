"""Size arguments of the factories and `new_*` methods: ints (or one sequence of them), checked with
PyTorch's exception types and a message naming the call. It imports nothing of ddp, so that every layer
(methods.py included, which Tensor imports) can use it."""
import operator

__all__ = ["size_arg"]


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
