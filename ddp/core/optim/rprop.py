"""Rprop: per-coordinate step sizes that grow while the gradient keeps its sign and shrink when it flips."""
import numpy as np

from ..tensor import Tensor
from .checks import check_flags, check_lr, check_number, kernel_flags
from .optimizer import Optimizer, count_step, step_counter


class Rprop(Optimizer):
    """Resilient backpropagation, with PyTorch's update rule (the variant without weight backtracking).

    With d = grad (-grad if maximizing) and s = sign(d * d_prev): each step size is multiplied by etaplus
    where s > 0, by etaminus where s < 0, and kept where s == 0, then clipped to `step_sizes`; where s < 0
    the gradient is taken as 0 (no move, and no sign to compare next time). p -= sign(d) * step_size.
    Only the sign of the gradient matters, so Rprop suits full-batch training.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): the initial step size (default 1e-2).
        etas (tuple): (etaminus, etaplus), with 0 < etaminus < 1 < etaplus (default (0.5, 1.2)).
        step_sizes (tuple): the (minimum, maximum) step size (default (1e-6, 50)).
        maximize (bool): ascend the objective instead.
        foreach, capturable: accepted for PyTorch's API (ddp has one implementation of the rule).
        differentiable (bool): must be False.

    Raises:
        TypeError: a hyper-parameter that is not a number, etas or step_sizes not pairs, an option not a bool.
        ValueError: a negative lr, or etas not ordered as 0 < etaminus < 1 < etaplus.

    Example:
        >>> opt = ddp.optim.Rprop(model.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        lr = check_lr("Rprop", lr)
        for name, pair in (("etas", etas), ("step_sizes", step_sizes)):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"Rprop: {name} must be a tuple of two floats, but got {pair!r}")
            check_number("Rprop", **{f"{name}[0]": pair[0], f"{name}[1]": pair[1]})
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_flags("Rprop", maximize=maximize)
        flags = kernel_flags("Rprop", capturable=capturable, foreach=foreach, differentiable=differentiable)
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize, **flags)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = step_counter()
            state["prev"] = Tensor(np.zeros_like(p))
            state["step_size"] = Tensor(np.full_like(p, group["lr"]))
        count_step(state)
        (etaminus, etaplus), (low, high) = group["etas"], group["step_sizes"]
        ws0, ws1 = self._scratch(p, 0), self._scratch(p, 1)
        d = ws0  # a copy of the gradient: its flipped coordinates are zeroed below
        if group["maximize"]:
            np.negative(grad, out=d)
        else:
            np.copyto(d, grad)
        prev, step_size = state["prev"].numpy(), state["step_size"].numpy()
        factor = np.sign(np.multiply(d, prev, out=ws1), out=ws1)
        flipped, mask = self._scratch(p, 2, dtype=bool), self._scratch(p, 3, dtype=bool)
        np.less(factor, 0, out=flipped)
        np.copyto(factor, etaplus, where=np.greater(factor, 0, out=mask))
        np.copyto(factor, etaminus, where=flipped)
        np.copyto(factor, 1, where=np.equal(factor, 0, out=mask))
        step_size *= factor
        np.clip(step_size, low, high, out=step_size)
        np.copyto(d, 0, where=flipped)
        np.copyto(prev, d)
        p -= np.multiply(np.sign(d, out=ws1), step_size, out=ws1)
