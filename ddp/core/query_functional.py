"""Questions about a tensor as functions (`ddp.is_tensor(obj)`, `ddp.numel(x)`), as PyTorch has them."""
from .tensor import Tensor

__all__ = ["is_tensor", "is_floating_point", "numel"]


def _check(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def is_tensor(obj):
    """Whether `obj` is a ddp Tensor (a Parameter counts; a numpy array or a list does not)."""
    return isinstance(obj, Tensor)


def is_floating_point(x):
    """Whether the tensor's dtype is a floating-point one.

    Raises:
        TypeError: x is not a Tensor, as in PyTorch.
    """
    _check(x, "is_floating_point")
    return x.is_floating_point()


def numel(x):
    """The number of elements of the tensor (1 for a 0-d tensor).

    Raises:
        TypeError: x is not a Tensor, as in PyTorch.
    """
    _check(x, "numel")
    return x.numel()
