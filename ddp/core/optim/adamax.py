"""Adamax: Adam with the second moment replaced by a decaying infinity norm of the gradients."""
import numpy as np

from ..tensor import Tensor
from .checks import check_betas, check_flags, check_lr, check_non_negative, kernel_flags
from .optimizer import Optimizer, count_step, lerp_, step_counter


class Adamax(Optimizer):
    """Adamax, with PyTorch's update rule.

    At step t, with d = grad (+ weight_decay * p): m = lerp(m, d, 1 - beta1),
    u = max(beta2 * u, |d| + eps), and p -= lr / (1 - beta1^t) * m / u.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): learning rate (default 2e-3).
        betas (tuple): decay rates of the first moment and of the infinity norm (default (0.9, 0.999)).
        eps (float): added to |d| (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        maximize (bool): ascend the objective instead.
        foreach, capturable: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, betas not a pair, an option that is not a bool.
        ValueError: a negative lr, eps or weight_decay, or a beta outside [0, 1).

    Example:
        >>> opt = ddp.optim.Adamax(model.parameters(), lr=2e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        lr = check_lr("Adamax", lr)
        check_non_negative("Adamax", eps=eps)
        betas = check_betas("Adamax", betas)
        check_non_negative("Adamax", weight_decay=weight_decay)
        check_flags("Adamax", maximize=maximize)
        flags = kernel_flags("Adamax", foreach=foreach, differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, **flags)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = step_counter()
            state["exp_avg"] = Tensor(np.zeros_like(p))
            state["exp_inf"] = Tensor(np.zeros_like(p))
        step = count_step(state)
        beta1, beta2 = group["betas"]
        ws0, ws1 = self._scratch(p, 0), self._scratch(p, 1)
        d = self._direction(p, grad, group, out=ws0)
        m, u = state["exp_avg"].numpy(), state["exp_inf"].numpy()
        lerp_(m, d, 1 - beta1, tmp=ws1)
        u *= beta2
        np.maximum(u, np.add(np.abs(d, out=ws1), group["eps"], out=ws1), out=u)
        clr = group["lr"] / (1 - beta1**step)
        update = np.divide(m, u, out=ws0)  # d is no longer needed
        update *= -clr
        p += update
