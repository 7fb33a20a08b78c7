"""Adadelta: steps scaled by the ratio of running RMS of past updates to running RMS of gradients."""
import numpy as np

from ..tensor import Tensor
from .checks import check_flags, check_lr, check_non_negative, kernel_flags
from .optimizer import Optimizer, count_step, step_counter


class Adadelta(Optimizer):
    """Adadelta, with PyTorch's update rule.

    With d = grad (+ weight_decay * p): v = rho * v + (1 - rho) d^2,
    delta = sqrt(u + eps) / sqrt(v + eps) * d, u = rho * u + (1 - rho) delta^2, and p -= lr * delta.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): scales the update (default 1.0).
        rho (float): decay of the running averages, in [0, 1] (default 0.9).
        eps (float): added inside both roots (default 1e-6).
        weight_decay (float): L2 penalty (default 0).
        maximize (bool): ascend the objective instead.
        foreach, capturable: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, or an option that is not a bool.
        ValueError: a negative lr, eps or weight_decay, or rho outside [0, 1].

    Example:
        >>> opt = ddp.optim.Adadelta(model.parameters())
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        lr = check_lr("Adadelta", lr)
        check_non_negative("Adadelta", rho=rho)
        if not rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative("Adadelta", eps=eps, weight_decay=weight_decay)
        check_flags("Adadelta", maximize=maximize)
        flags = kernel_flags("Adadelta", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, **flags)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = step_counter()
            state["square_avg"] = Tensor(np.zeros_like(p))
            state["acc_delta"] = Tensor(np.zeros_like(p))
        count_step(state)
        rho, eps = group["rho"], group["eps"]
        ws0, ws1, ws2 = self._scratch(p, 0), self._scratch(p, 1), self._scratch(p, 2)
        d = self._direction(p, grad, group, out=ws0)
        v, u = state["square_avg"].numpy(), state["acc_delta"].numpy()
        v *= rho
        v += np.multiply(np.multiply(d, 1 - rho, out=ws1), d, out=ws1)
        std = np.sqrt(np.add(v, eps, out=ws1), out=ws1)
        delta = np.sqrt(np.add(u, eps, out=ws2), out=ws2)
        delta /= std
        delta *= d
        u *= rho
        u += np.multiply(np.multiply(delta, 1 - rho, out=ws1), delta, out=ws1)
        p -= np.multiply(delta, group["lr"], out=ws1)
