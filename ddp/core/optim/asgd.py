"""ASGD: SGD with a decaying step size and a running average of the iterates (Polyak-Ruppert averaging)."""
import numpy as np

from ..tensor import Tensor
from .checks import check_flags, check_lr, check_non_negative, check_number, kernel_flags
from .optimizer import Optimizer, count_step, step_counter


class ASGD(Optimizer):
    """Averaged SGD, with PyTorch's update rule.

    At step t, with d = grad (+ weight_decay * p): p = p * (1 - lambd * eta) - eta * d, then the average
    ax = ax + mu * (p - ax) (ax = p while mu is 1); then eta = lr / (1 + lambd * lr * t)^alpha and
    mu = 1 / max(1, t - t0). eta and mu start at lr and 1 and are kept in float32, as PyTorch keeps them.
    The averaged parameters are `optimizer.state[p]["ax"]`.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): learning rate (default 1e-2).
        lambd (float): decay term (default 1e-4).
        alpha (float): power of the step-size decay (default 0.75).
        t0 (float): the step at which averaging starts (default 1e6).
        weight_decay (float): L2 penalty (default 0).
        maximize (bool): ascend the objective instead.
        foreach, capturable: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, or an option that is not a bool.
        ValueError: a negative lr or weight_decay.

    Example:
        >>> opt = ddp.optim.ASGD(model.parameters(), lr=1e-2, t0=100)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        lr = check_lr("ASGD", lr)
        check_non_negative("ASGD", weight_decay=weight_decay)
        check_number("ASGD", lambd=lambd, alpha=alpha, t0=t0)
        check_flags("ASGD", maximize=maximize)
        flags = kernel_flags("ASGD", foreach=foreach, differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, maximize=maximize,
                        **flags)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = step_counter()
            state["eta"] = float(np.float32(group["lr"]))
            state["mu"] = 1.0
            state["ax"] = Tensor(np.zeros_like(p))
        step = count_step(state)
        lr, lambd, eta = group["lr"], group["lambd"], state["eta"]
        ws0, ws1 = self._scratch(p, 0), self._scratch(p, 1)
        d = self._direction(p, grad, group, out=ws0)
        p *= 1 - lambd * eta
        p -= np.multiply(d, eta, out=ws1)
        ax = state["ax"].numpy()
        if state["mu"] != 1:
            ax += np.multiply(np.subtract(p, ax, out=ws1), state["mu"], out=ws1)
        else:
            np.copyto(ax, p)
        state["eta"] = float(np.float32(lr / (1 + lambd * lr * step) ** group["alpha"]))
        state["mu"] = float(np.float32(1 / max(1, step - group["t0"])))
