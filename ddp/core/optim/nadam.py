"""NAdam: Adam with Nesterov momentum, whose momentum factor warms up with `momentum_decay`."""
import numpy as np

from ..tensor import Tensor
from .checks import check_betas, check_flags, check_lr, check_non_negative, kernel_flags
from .adam import adam_moments
from .optimizer import Optimizer, step_counter


class NAdam(Optimizer):
    """NAdam, with PyTorch's update rule.

    At step t, with d = grad (+ weight_decay * p as L2, or p *= 1 - lr * weight_decay when decoupled):
    mu_t = beta1 * (1 - 0.96^(t * momentum_decay) / 2), P_t = mu_1 ... mu_t, m = lerp(m, d, 1 - beta1),
    v = beta2 * v + (1 - beta2) d^2, denom = sqrt(v / (1 - beta2^t)) + eps, and
    p -= lr * (1 - mu_t) / (1 - P_t) * d / denom + lr * mu_{t+1} / (1 - P_t mu_{t+1}) * m / denom.
    The product P_t is kept in float32, as PyTorch keeps it.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): learning rate (default 2e-3).
        betas (tuple): decay rates of the first and second moments (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0).
        momentum_decay (float): how fast mu_t approaches beta1 (default 4e-3).
        decoupled_weight_decay (bool): decay the weights directly (NAdamW) instead of an L2 term.
        maximize (bool): ascend the objective instead.
        foreach, capturable: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, betas not a pair, an option that is not a bool.
        ValueError: a negative lr, eps, weight_decay or momentum_decay, or a beta outside [0, 1).

    Example:
        >>> opt = ddp.optim.NAdam(model.parameters(), lr=2e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        lr = check_lr("NAdam", lr)
        check_non_negative("NAdam", eps=eps)
        betas = check_betas("NAdam", betas)
        check_non_negative("NAdam", weight_decay=weight_decay, momentum_decay=momentum_decay)
        check_flags("NAdam", decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        flags = kernel_flags("NAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, **flags)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = step_counter()
            state["mu_product"] = 1.0
            state["exp_avg"] = Tensor(np.zeros_like(p))
            state["exp_avg_sq"] = Tensor(np.zeros_like(p))
        step, d, m, v, ws0, ws1 = adam_moments(self, p, grad, group, state)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * group["momentum_decay"]))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * group["momentum_decay"]))
        mu_product = float(np.float32(state["mu_product"]) * np.float32(mu))
        state["mu_product"] = mu_product
        denom = np.sqrt(np.divide(v, 1 - beta2**step, out=ws1), out=ws1)
        denom += group["eps"]
        grad_step = np.divide(d, denom, out=ws0)  # d's last use
        grad_step *= -lr * (1.0 - mu) / (1.0 - mu_product)
        p += grad_step
        momentum_step = np.divide(m, denom, out=ws0)
        momentum_step *= -lr * mu_next / (1.0 - mu_product * mu_next)
        p += momentum_step
