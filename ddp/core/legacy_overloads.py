"""PyTorch's deprecated scalar-first overloads, which old scripts and hand-written optimizers still call:
`p.data.add_(-lr, p.grad)` is add_(Number alpha, Tensor other) (PyTorch's word_language_model example) and
`v.addcmul_(1 - beta, g, g)` is addcmul_(Number value, Tensor tensor1, Tensor tensor2). PyTorch runs them
with a UserWarning; these helpers put the arguments back in today's order and warn the same way."""
import numbers
import warnings


def _warn(op, old, new):
    warnings.warn(f"This overload of {op} is deprecated:\n\t{op}({old})\nConsider using one of the following "
                  f"signatures instead:\n\t{op}({new})", UserWarning, stacklevel=4)


def alpha_first(op, other, alpha):
    """(other, alpha) for `op(other, alpha=...)`; a call op(Number alpha, Tensor other) is swapped, with the
    warning. (When both are numbers the order does not matter: alpha * other is the same.)"""
    if type(alpha) is int:  # the usual call (alpha=1): skip the abstract Number checks, on every x + y
        return other, alpha
    if isinstance(other, numbers.Number) and not isinstance(alpha, numbers.Number):
        _warn(op, "Number alpha, Tensor other", "Tensor other, *, Number alpha = 1")
        return alpha, other
    return other, alpha


def value_first(op, tensor1, tensor2, value):
    """(tensor1, tensor2, value) for `op(tensor1, tensor2, value=...)`; a call op(Number value, Tensor
    tensor1, Tensor tensor2) is reordered, with the warning."""
    if type(value) is int:  # the usual call (value=1): skip the abstract Number checks
        return tensor1, tensor2, value
    if isinstance(tensor1, numbers.Number) and not isinstance(value, numbers.Number):
        _warn(op, "Number value, Tensor tensor1, Tensor tensor2",
              "Tensor tensor1, Tensor tensor2, *, Number value = 1")
        return tensor2, value, tensor1
    return tensor1, tensor2, value
