"""Adam and AdamW: moment estimates with bias correction; L2 (Adam) or decoupled (AdamW) weight decay."""
import numpy as np

from ..tensor import Tensor
from .checks import check_betas, check_flags, check_lr, check_non_negative, kernel_flags
from .optimizer import Optimizer, count_step, lerp_, step_counter


class Adam(Optimizer):
    """Adam, with PyTorch's update rule.

    At step t, with d = grad (+ weight_decay * p as an L2 term; with `decoupled_weight_decay` p is
    scaled by 1 - lr * weight_decay instead): m = lerp(m, d, 1 - beta1), v = beta2 * v + (1 - beta2) d^2,
    (v_max = max(v_max, v) with `amsgrad`, used in place of v), then
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): learning rate (default 1e-3).
        betas (tuple): decay rates of the first and second moments (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0).
        amsgrad (bool): use the running maximum of the second moment.
        maximize (bool): ascend the objective instead.
        decoupled_weight_decay (bool): decay the weights directly, as AdamW.
        foreach, capturable, fused: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, betas not a pair, an option that is not a bool.
        ValueError: a negative lr, eps or weight_decay, or a beta outside [0, 1).

    Example:
        >>> opt = ddp.optim.Adam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        name = type(self).__name__
        lr = check_lr(name, lr)
        check_non_negative(name, eps=eps)
        betas = check_betas(name, betas)
        check_non_negative(name, weight_decay=weight_decay)
        check_flags(name, amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        flags = kernel_flags(name, foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, **flags, decoupled_weight_decay=decoupled_weight_decay)  # PyTorch's order
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = step_counter()
            state["exp_avg"] = Tensor(np.zeros_like(p))
            state["exp_avg_sq"] = Tensor(np.zeros_like(p))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = Tensor(np.zeros_like(p))
        step, d, m, v, ws0, ws1 = adam_moments(self, p, grad, group, state)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"].numpy(), v, out=state["max_exp_avg_sq"].numpy())
        step_size = lr / (1 - beta1**step)
        denom = np.sqrt(v, out=ws1)
        denom /= (1 - beta2**step) ** 0.5
        denom += group["eps"]
        update = np.multiply(m, -step_size, out=ws0)  # d is no longer needed
        update /= denom
        p += update


class AdamW(Adam):
    """Adam with decoupled weight decay (p *= 1 - lr * weight_decay each step); weight_decay defaults to 0.01.

    Args: as `Adam`, without `decoupled_weight_decay`.

    Example:
        >>> opt = ddp.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


def adam_moments(opt, p, grad, group, state):
    """The part of a step that the Adam family shares: count the step, apply the weight decay (p scaled
    by 1 - lr * weight_decay when decoupled, else an L2 term in d), and update the moments in place:
    m = lerp(m, d, 1 - beta1), v = beta2 v + (1 - beta2) d^2.

    Returns (step, d, m, v, ws0, ws1): d is `grad` or lives in scratch ws0; ws1 is free scratch.
    """
    step = count_step(state)
    lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
    ws0, ws1 = opt._scratch(p, 0), opt._scratch(p, 1)
    if wd != 0 and group["decoupled_weight_decay"]:
        p *= 1 - lr * wd
        d = np.negative(grad, out=ws0) if group["maximize"] else grad
    else:
        d = opt._direction(p, grad, group, out=ws0)
    m, v = state["exp_avg"].numpy(), state["exp_avg_sq"].numpy()
    lerp_(m, d, 1 - beta1, tmp=ws1)
    v *= beta2
    v += np.multiply(np.multiply(d, 1 - beta2, out=ws1), d, out=ws1)
    return step, d, m, v, ws0, ws1
