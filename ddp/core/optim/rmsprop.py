"""RMSprop: scale steps by a running root-mean-square of the gradients (optionally centered, with momentum)."""
import numpy as np

from ..tensor import Tensor
from .checks import check_flags, check_lr, check_non_negative, kernel_flags
from .optimizer import Optimizer, count_step, lerp_, step_counter


class RMSprop(Optimizer):
    """RMSprop, with PyTorch's update rule.

    With d = grad (+ weight_decay * p): v = alpha * v + (1 - alpha) d^2; with `centered`, g = lerp(g, d,
    1 - alpha) and avg = sqrt(v - g^2) + eps, else avg = sqrt(v) + eps. Then p -= lr * d / avg, or with
    momentum buf = momentum * buf + d / avg and p -= lr * buf.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): learning rate (default 1e-2).
        alpha (float): smoothing constant (default 0.99).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        momentum (float): momentum factor (default 0).
        centered (bool): normalize by an estimate of the gradient's variance.
        maximize (bool): ascend the objective instead.
        capturable, foreach: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, or an option that is not a bool.
        ValueError: a negative lr, eps, momentum, weight_decay or alpha.

    Example:
        >>> opt = ddp.optim.RMSprop(model.parameters(), lr=1e-2, momentum=0.9)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        lr = check_lr("RMSprop", lr)
        check_non_negative("RMSprop", eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        check_flags("RMSprop", centered=centered, maximize=maximize)
        flags = kernel_flags("RMSprop", capturable=capturable, foreach=foreach, differentiable=differentiable)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize, **flags)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = step_counter()
            state["square_avg"] = Tensor(np.zeros_like(p))
            if group["momentum"] > 0:
                state["momentum_buffer"] = Tensor(np.zeros_like(p))
            if group["centered"]:
                state["grad_avg"] = Tensor(np.zeros_like(p))
        count_step(state)
        alpha, ws0, ws1 = group["alpha"], self._scratch(p, 0), self._scratch(p, 1)
        d = self._direction(p, grad, group, out=ws0)
        v = state["square_avg"].numpy()
        v *= alpha
        v += np.multiply(np.multiply(d, 1 - alpha, out=ws1), d, out=ws1)
        if group["centered"]:
            g = lerp_(state["grad_avg"].numpy(), d, 1 - alpha, tmp=ws1)
            avg = np.subtract(v, np.multiply(g, g, out=ws1), out=ws1)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(v, out=ws1)
        avg += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"].numpy()
            buf *= group["momentum"]
            buf += np.divide(d, avg, out=ws1)
            p -= np.multiply(buf, group["lr"], out=ws1)
        else:
            update = np.multiply(d, -group["lr"], out=ws0)
            update /= avg
            p += update
