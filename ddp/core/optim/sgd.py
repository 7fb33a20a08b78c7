"""SGD with momentum, dampening, Nesterov momentum and L2 weight decay."""
import numpy as np

from ..blas import axpby, axpy
from ..tensor import Tensor
from .checks import check_flags, check_lr, check_non_negative, check_number, kernel_flags
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, with PyTorch's update rule.

    With d = grad + weight_decay * p (negated grad if `maximize`): the momentum buffer starts as d and then
    follows buf = momentum * buf + (1 - dampening) * d; the step is d + momentum * buf with `nesterov`,
    else buf; and p -= lr * step.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): learning rate (default 1e-3).
        momentum (float): momentum factor (default 0).
        dampening (float): dampening of the momentum (default 0).
        weight_decay (float): L2 penalty (default 0).
        nesterov (bool): use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize (bool): ascend the objective instead.
        foreach, fused: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, or an option that is not a bool.
        ValueError: a negative lr, momentum or weight_decay, or nesterov without momentum or with dampening.

    Example:
        >>> opt = ddp.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        lr = check_lr("SGD", lr)
        check_non_negative("SGD", momentum=momentum, weight_decay=weight_decay)
        check_number("SGD", dampening=dampening)
        check_flags("SGD", nesterov=nesterov, maximize=maximize)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize,
                        **kernel_flags("SGD", foreach=foreach, differentiable=differentiable, fused=fused))
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if group["weight_decay"] != 0 or group["maximize"]:
            d = self._direction(p, grad, group, out=self._scratch(p, 0))
        else:
            d = grad  # plain SGD follows the gradient itself: no copy
        momentum = group["momentum"]
        if momentum != 0:
            if state.get("momentum_buffer") is None:  # the first step takes d as it is, undampened
                buf = d.copy()
                state["momentum_buffer"] = Tensor(buf)
            else:
                buf, keep = state["momentum_buffer"].numpy(), 1 - group["dampening"]
                if not axpby(keep, d, momentum, buf):  # one BLAS pass for large parameters (blas.py)
                    buf *= momentum
                    buf += np.multiply(d, keep, out=self._scratch(p, 1)) if group["dampening"] != 0 else d
            if group["nesterov"]:
                d = np.add(d, np.multiply(buf, momentum, out=self._scratch(p, 1)), out=self._scratch(p, 0))
            else:
                d = buf
        if not axpy(-group["lr"], d, p):  # one BLAS pass for large parameters (blas.py)
            p -= np.multiply(d, group["lr"], out=self._scratch(p, 1))
