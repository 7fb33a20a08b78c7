"""Adagrad: per-coordinate steps scaled by the root of the sum of all past squared gradients."""
import numpy as np

from ..tensor import Tensor
from .checks import check_flags, check_lr, check_non_negative, kernel_flags
from .optimizer import Optimizer, count_step, step_counter


class Adagrad(Optimizer):
    """Adagrad, with PyTorch's update rule.

    At step t, with d = grad (+ weight_decay * p): sum += d^2 and
    p -= lr / (1 + (t - 1) * lr_decay) * d / (sqrt(sum) + eps). The state exists from construction.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): learning rate (default 1e-2).
        lr_decay (float): learning rate decay (default 0).
        weight_decay (float): L2 penalty (default 0).
        initial_accumulator_value (float): starting value of the sum (default 0).
        eps (float): added to the denominator (default 1e-10).
        maximize (bool): ascend the objective instead.
        foreach, fused: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, or an option that is not a bool.
        ValueError: a negative lr, lr_decay, weight_decay, initial_accumulator_value or eps.

    Example:
        >>> opt = ddp.optim.Adagrad(model.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        lr = check_lr("Adagrad", lr)
        check_non_negative("Adagrad", lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        check_flags("Adagrad", maximize=maximize)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, maximize=maximize,
                        **kernel_flags("Adagrad", foreach=foreach, differentiable=differentiable, fused=fused))
        super().__init__(params, defaults)

    def _init_param(self, p, group):
        array = p.numpy()
        self.state[p] = {"step": step_counter(), "sum": Tensor(np.full_like(array, group["initial_accumulator_value"]))}

    def _update(self, p, grad, group, state):
        step = count_step(state)
        ws0, ws1 = self._scratch(p, 0), self._scratch(p, 1)
        d = self._direction(p, grad, group, out=ws0)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"].numpy()
        total += np.multiply(d, d, out=ws1)
        std = np.sqrt(total, out=ws1)
        std += group["eps"]
        update = np.multiply(d, -clr, out=ws0)
        update /= std
        p += update
