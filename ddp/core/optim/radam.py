"""RAdam: Adam whose adaptive step is switched on, and rectified, once the variance estimate is reliable."""
import numpy as np

from ..tensor import Tensor
from .checks import check_betas, check_flags, check_lr, check_non_negative, kernel_flags
from .adam import adam_moments
from .optimizer import Optimizer, step_counter


class RAdam(Optimizer):
    """RAdam, with PyTorch's update rule.

    At step t, with d = grad (+ weight_decay * p as L2, or p *= 1 - lr * weight_decay when decoupled):
    m = lerp(m, d, 1 - beta1), v = beta2 * v + (1 - beta2) d^2, rho_inf = 2 / (1 - beta2) - 1 and
    rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t). While rho_t <= 5, p -= lr * m / (1 - beta1^t) (momentum
    SGD); after, that step is multiplied by sqrt(1 - beta2^t) / (sqrt(v) + eps) and by the rectification
    sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t)).

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): learning rate (default 1e-3).
        betas (tuple): decay rates of the first and second moments (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0).
        decoupled_weight_decay (bool): decay the weights directly (as AdamW) instead of an L2 term.
        maximize (bool): ascend the objective instead.
        foreach, capturable: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, betas not a pair, an option that is not a bool.
        ValueError: a negative lr, eps or weight_decay, or a beta outside [0, 1).

    Example:
        >>> opt = ddp.optim.RAdam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        lr = check_lr("RAdam", lr)
        check_non_negative("RAdam", eps=eps)
        betas = check_betas("RAdam", betas)
        check_non_negative("RAdam", weight_decay=weight_decay)
        check_flags("RAdam", decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        flags = kernel_flags("RAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, **flags)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = step_counter()
            state["exp_avg"] = Tensor(np.zeros_like(p))
            state["exp_avg_sq"] = Tensor(np.zeros_like(p))
        step, d, m, v, ws0, ws1 = adam_moments(self, p, grad, group, state)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        correction2 = 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / correction2
        update = np.divide(m, 1 - beta1**step, out=ws0)  # d's last use
        update *= lr
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = np.sqrt(v, out=ws1)
            adaptive += group["eps"]
            np.divide(correction2**0.5, adaptive, out=adaptive)
            update *= adaptive
            update *= rect
        p -= update
