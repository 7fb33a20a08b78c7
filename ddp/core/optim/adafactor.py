"""Adafactor (PyTorch 2.5+'s form): Adam-like steps whose second moment of a matrix is kept as row and column
means, so its memory grows as rows + columns instead of rows * columns."""
import numpy as np

from ..tensor import Tensor
from .checks import check_flags, check_number, kernel_flags
from .optimizer import Optimizer, count_step, lerp_, step_counter


class Adafactor(Optimizer):
    """Adafactor, with PyTorch's update rule (torch.optim.Adafactor).

    At step t, with g = grad (-grad if maximizing), beta2_t = 1 - t^beta2_decay, rho_t = min(lr, 1/sqrt(t))
    and alpha = max(eps2, RMS(p)) * rho_t (RMS before the weight decay, which scales p by 1 - lr *
    weight_decay): a parameter of two or more dims keeps the row means R = lerp(R, mean(g^2, -1), 1 - beta2_t)
    and column means C = lerp(C, mean(g^2, -2), 1 - beta2_t) of its last two dims, and estimates
    v = R C / max(mean(R), eps1); a vector (or scalar) keeps v = lerp(v, g^2, 1 - beta2_t) itself.
    Then u = g / sqrt(max(v, eps1^2)) and p -= alpha / max(1, RMS(u) / d) * u. There is no first moment.

    Args:
        params: parameters or parameter groups (see `Optimizer`).
        lr (float): the largest relative step (default 1e-2).
        beta2_decay (float): the decay exponent of beta2_t, <= 0 (default -0.8).
        eps (tuple): (eps1, eps2): eps1 keeps the variance estimate away from 0 (None: the machine epsilon
            of the parameter's dtype); eps2 is the smallest RMS(p) the step scales by (default (None, 1e-3)).
        d (float): the RMS of an update above which it is clipped, >= 1 (default 1.0).
        weight_decay (float): decoupled weight decay (default 0.0).
        foreach: accepted for PyTorch's API (ddp has one implementation of the rule).
        maximize (bool): ascend the objective instead.

    Raises:
        TypeError: a hyper-parameter that is not a number, eps not a pair, an option that is not a bool.
        ValueError: lr < 0, beta2_decay > 0, eps1 or eps2 < 0, d < 1 or weight_decay < 0 (PyTorch's messages).
        RuntimeError: at `step()`, for a complex parameter (as PyTorch).

    Example:
        >>> opt = ddp.optim.Adafactor(model.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        name = "Adafactor"
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not isinstance(eps, (tuple, list)) or len(eps) != 2:
            raise TypeError(f"Adafactor: eps must be a pair (eps1 or None, eps2), but got {eps!r}")
        check_number(name, beta2_decay=beta2_decay, d=d, weight_decay=weight_decay, eps2=eps[1])
        if eps[0] is not None:
            check_number(name, eps1=eps[0])
        lr = lr.item() if isinstance(lr, Tensor) else lr
        check_number(name, lr=lr)
        for ok, message in ((lr >= 0, f"Learning rate should be >= 0 but is: {lr}"),
                            (beta2_decay <= 0, f"beta2_decay should be <= 0 but is: {beta2_decay}"),
                            (eps[0] is None or eps[0] >= 0, f"epsilon1 should be >= 0 but is: {eps[0]}"),
                            (eps[1] >= 0, f"epsilon2 should be >= 0 but is: {eps[1]}"),
                            (d >= 1, f"Clipping threshold d should be >= 1 but is: {d}"),
                            (weight_decay >= 0, f"weight_decay should be >= 0 but is: {weight_decay}")):
            if not ok:
                raise ValueError(message)
        check_flags(name, maximize=maximize)
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=tuple(eps), d=d,
                        weight_decay=weight_decay, **kernel_flags(name, foreach=foreach), maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, state):
        if p.dtype.kind == "c":
            raise RuntimeError("Adafactor does not support complex parameters")
        factored = grad.ndim > 1
        if not state:
            state["step"] = step_counter()
            if factored:
                state["row_var"] = Tensor(np.zeros(grad.shape[:-1] + (1,), dtype=grad.dtype))
                state["col_var"] = Tensor(np.zeros(grad.shape[:-2] + (1,) + grad.shape[-1:], dtype=grad.dtype))
            else:
                state["variance"] = Tensor(np.zeros_like(grad))
        step = count_step(state)
        lr, (eps1, eps2), wd = group["lr"], group["eps"], group["weight_decay"]
        if eps1 is None:
            eps1 = float(np.finfo(p.dtype).eps)
        weight = float(step) ** group["beta2_decay"]  # 1 - beta2_t: the lerp weight of the new g^2
        rho = min(lr, 1 / float(step) ** 0.5)
        alpha = max(eps2, _norm(p) / p.size ** 0.5) * rho
        if wd != 0:
            p *= 1 - lr * wd
        g = np.negative(grad, out=self._scratch(p, 0)) if group["maximize"] else grad
        if factored:
            row_var, col_var = state["row_var"].numpy(), state["col_var"].numpy()
            square = np.multiply(g, g, out=self._scratch(p, 1))
            _lerp(row_var, square.mean(axis=-1, keepdims=True), weight)
            _lerp(col_var, square.mean(axis=-2, keepdims=True), weight)
            v = np.matmul(row_var, col_var)  # (..., rows, 1) @ (..., 1, cols): the rank-one estimate
            v /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
        else:
            variance = state["variance"].numpy()
            lerp_(variance, np.multiply(g, g, out=self._scratch(p, 1)), weight, tmp=self._scratch(p, 2))
            v = self._scratch(p, 1)
            np.copyto(v, variance)  # the estimate is clamped below; the state is not
        update = np.maximum(v, eps1 * eps1, out=v)
        np.sqrt(update, out=update)
        np.divide(1, update, out=update)  # rsqrt, then times g: PyTorch's order
        update *= g
        denom = max(1.0, _norm(update) / (update.size ** 0.5 * group["d"]))
        update *= -alpha / denom
        p += update

    def _load_value(self, p, name, value):
        """A private copy of a saved state value; the factored row_var and col_var are shaped as `p` with
        its last (row_var) or second-last (col_var) dim 1."""
        if name not in ("row_var", "col_var"):
            return super()._load_value(p, name, value)
        shape = tuple(p.shape)
        shape = shape[:-1] + (1,) if name == "row_var" else shape[:-2] + (1,) + shape[-1:]
        array = value.numpy() if isinstance(value, Tensor) else np.asarray(value)
        if array.shape != shape:
            raise ValueError(f"loaded state {name!r} has shape {array.shape}, but its parameter of shape "
                             f"{tuple(p.shape)} needs {shape}")
        return Tensor(np.array(array, dtype=p.dtype, copy=True))


def _norm(a):
    """The 2-norm of all of `a`'s entries, as a Python float."""
    return float(np.linalg.norm(a.ravel()))


def _lerp(a, b, weight):
    lerp_(a, b, weight, tmp=np.empty_like(a))

