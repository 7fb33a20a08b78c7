"""SparseAdam: Adam whose moments and parameters move only where the gradient has entries (embedding rows)."""
import math

import numpy as np

from ..tensor import Tensor
from .checks import check_betas, check_flags, check_number
from .optimizer import Optimizer, count_step, step_counter


class SparseAdam(Optimizer):
    """Lazy Adam for row-sparse gradients, with torch.optim.SparseAdam's update rule, on ddp's dense gradients.

    PyTorch's SparseAdam takes the sparse gradients of `nn.Embedding(sparse=True)` and updates only the rows
    they list: there m = lerp(m, g, 1 - beta1), v = lerp(v, g^2, 1 - beta2) and
    p -= lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps), with t the parameter's step count; the
    other rows, and their moments, stay as they are. ddp's gradients are always dense, so the listed rows
    are taken to be those (slices along dim 0; all of a 0-d parameter) with a nonzero entry.

    Differences from PyTorch, both from the dense gradient:
      * PyTorch raises RuntimeError for a dense gradient ("consider Adam instead"); ddp accepts it.
      * A row that a sparse gradient would list with all-zero values (a lookup whose output got no
        gradient) is left alone here, whereas PyTorch decays its moments and moves it. Rows never looked up,
        and padding_idx rows, are left alone by both.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): learning rate, > 0 (default 1e-3).
        betas (tuple): decay rates of the first and second moments (default (0.9, 0.999)).
        eps (float): added to the denominator, > 0 (default 1e-8).
        maximize (bool): ascend the objective instead.

    Raises:
        TypeError: a hyper-parameter that is not a number, betas not a pair, maximize not a bool.
        ValueError: lr or eps not positive, a beta outside [0, 1), or a complex parameter (PyTorch's messages).

    Example:
        >>> opt = ddp.optim.SparseAdam(embedding.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor):
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
            lr = lr.item()
        check_number("SparseAdam", lr=lr, eps=eps)
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        betas = check_betas("SparseAdam", betas)
        check_flags("SparseAdam", maximize=maximize)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group["params"]) if p.dtype.kind == "c"]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support complex "
                             "parameters")

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = step_counter()
            state["exp_avg"] = Tensor(np.zeros_like(p))
            state["exp_avg_sq"] = Tensor(np.zeros_like(p))
        step = count_step(state)  # counted even when no row has a gradient, as PyTorch
        m, v = state["exp_avg"].numpy(), state["exp_avg_sq"].numpy()
        g = -grad if group["maximize"] else grad
        if p.ndim == 0:  # one row of one entry (views, so the updates land in place)
            p, g, m, v = p.reshape(1), g.reshape(1), m.reshape(1), v.reshape(1)
        rows = np.flatnonzero(np.any(g != 0, axis=tuple(range(1, g.ndim))))  # slices along dim 0 with an entry
        if not rows.size:
            return
        (beta1, beta2), lr = group["betas"], group["lr"]
        g = g[rows]
        m_old, v_old = m[rows], v[rows]
        m_step = (g - m_old) * (1 - beta1)
        v_step = (g * g - v_old) * (1 - beta2)
        m[rows] = m_old + m_step
        v[rows] = v_old + v_step
        numer = m_step + m_old
        denom = np.sqrt(v_step + v_old) + group["eps"]
        step_size = lr * math.sqrt(1 - beta2**step) / (1 - beta1**step)
        p[rows] += -step_size * (numer / denom)

