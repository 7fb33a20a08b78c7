"""Argument checks shared by the optimizers and schedulers: PyTorch's ValueError messages for bad values
("Invalid learning rate: -1"), and TypeErrors naming the optimizer or scheduler for values of the wrong type."""
import numbers

import numpy as np

from ..tensor import Tensor


def check_number(op, **hyper):
    """Raise TypeError naming `op` for a hyper-parameter that is not a real number (a str, None, a bool, ...)."""
    for name, value in hyper.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{op}: {name} must be a real number, but got {type(value).__name__} ({value!r})")


def check_non_negative(op, **hyper):
    """Raise PyTorch's ValueError ("Invalid learning rate: -1") for a negative (or NaN) hyper-parameter."""
    check_number(op, **hyper)
    for name, value in hyper.items():
        if not value >= 0:
            label = {"lr": "learning rate", "eps": "epsilon value"}.get(name, f"{name} value")
            raise ValueError(f"Invalid {label}: {value}")


def check_lr(op, lr):
    """The learning rate as a number: a one-element Tensor gives its value; negative or not a number raises."""
    if isinstance(lr, Tensor):
        if lr.numel() != 1:
            raise ValueError(f"{op}: Tensor lr must be 1-element, but got {lr.numel()} elements")
        lr = lr.item()
    check_non_negative(op, lr=lr)
    return lr


def check_betas(op, betas, name="beta"):
    """Raise TypeError unless `betas` is a pair of numbers, ValueError ("Invalid beta parameter at index 0: 1.0")
    unless each lies in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"{op}: betas must be a tuple of two floats, but got {betas!r}")
    for i, beta in enumerate(betas):
        check_number(op, **{f"betas[{i}]": beta})
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid {name} parameter at index {i}: {beta}")
    return tuple(betas)


def check_flags(op, **flags):
    """Raise TypeError naming `op` for an on/off option that is not a bool (a string "False" is true)."""
    for name, value in flags.items():
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{op}: {name} must be a bool, but got {type(value).__name__} ({value!r})")


def kernel_flags(op, **flags):
    """Check PyTorch's kernel options (foreach, fused, capturable, differentiable) and return them for `defaults`.

    They choose among PyTorch's implementations of one update rule; ddp has a single in-place numpy one, so
    foreach, fused and capturable are accepted and kept in the groups (as in PyTorch's state dicts).
    differentiable=True asks for steps recorded by autograd, which ddp's in-place updates are not.
    """
    for name, value in flags.items():
        if value is None and name in ("foreach", "fused"):
            continue
        check_flags(op, **{name: value})
    if flags.get("differentiable"):
        raise RuntimeError(f"{op}: differentiable=True is not supported: ddp updates parameters in place under no_grad")
    return flags


def check_int(op, minimum=None, **values):
    """Raise TypeError naming `op` for a value that is not an int, ValueError for one below `minimum`."""
    for name, value in values.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{op}: {name} must be an int, but got {type(value).__name__} ({value!r})")
        if minimum is not None and value < minimum:
            raise ValueError(f"{op}: {name} must be at least {minimum}, but got {value}")


def check_real(op, positive=False, **values):
    """Raise TypeError naming `op` for a value that is not a real number, ValueError for a non-positive one
    where `positive` (or a NaN)."""
    for name, value in values.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{op}: {name} must be a real number, but got {type(value).__name__} ({value!r})")
        if value != value or (positive and not value > 0):
            raise ValueError(f"{op}: {name} must be {'positive' if positive else 'a number'}, but got {value}")
