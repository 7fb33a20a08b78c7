"""L-BFGS: a quasi-Newton method that builds its curvature estimate from the last few steps and gradients."""
import copy

import numpy as np

from ..autograd import enable_grad, no_grad
from ..tensor import Tensor
from .checks import check_lr, check_non_negative
from .line_search import strong_wolfe
from .optimizer import Optimizer


class LBFGS(Optimizer):
    """L-BFGS, with PyTorch's algorithm: up to `max_iter` iterations per `step(closure)`.

    Each iteration takes the direction d = -H g, with H the inverse-Hessian estimate from the last
    `history_size` pairs (s = step, y = change of gradient; a pair is kept only if y.s > 1e-10) by the
    two-loop recursion, and moves by t * d: t = lr (the first iteration ever: min(1, 1 / |g|_1) * lr), or
    the step a strong-Wolfe line search finds. It stops at `max_iter` iterations, `max_eval` closure calls,
    max |g| <= tolerance_grad, or a step or loss change below tolerance_change. The parameters are handled
    as one flat float vector; scalars are float32 as in PyTorch, so both take the same branches.

    Args:
        params: the parameters (one group only).
        lr (float): step length (default 1).
        max_iter (int): iterations per `step` (default 20).
        max_eval (int): closure calls per `step` (default max_iter * 5 // 4).
        tolerance_grad (float): stop when the largest gradient entry is at most this (default 1e-7).
        tolerance_change (float): stop when the step or the loss change is below this (default 1e-9).
        history_size (int): number of (s, y) pairs kept (default 100).
        line_search_fn (str): None (fixed steps) or "strong_wolfe".

    Raises:
        TypeError: a hyper-parameter of the wrong type (e.g. max_iter=2.5).
        ValueError: a negative lr or tolerance, max_iter, max_eval or history_size below 1, or
            parameter groups.
        RuntimeError: an unknown line_search_fn ("only 'strong_wolfe' is supported").

    Example:
        >>> opt = ddp.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); return loss
        >>> opt.step(closure)
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        lr = check_lr("LBFGS", lr)
        if max_eval is None and _is_int(max_iter):
            max_eval = max_iter * 5 // 4
        for name, value in (("max_iter", max_iter), ("max_eval", max_eval), ("history_size", history_size)):
            if not _is_int(value):
                raise TypeError(f"LBFGS: {name} must be an int, but got {type(value).__name__} ({value!r})")
            if value < 1:
                raise ValueError(f"LBFGS: {name} must be at least 1, but got {value}")
        check_non_negative("LBFGS", tolerance_grad=tolerance_grad, tolerance_change=tolerance_change)
        if line_search_fn not in (None, "strong_wolfe"):
            raise RuntimeError(f"LBFGS: only 'strong_wolfe' is supported as line_search_fn, but got {line_search_fn!r}")
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group):
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # ------------------------------------------------------------------------------------ flat vectors
    def _flat_grad(self):
        return np.concatenate([np.zeros(p.numel(), p.dtype) if p.grad is None else p.grad.numpy().reshape(-1)
                               for p in self._params])

    def _add(self, t, d):
        """Parameters += t * d, d being a flat vector."""
        offset = 0
        for p in self._params:
            array = p.numpy()
            array += np.multiply(d[offset:offset + array.size].reshape(array.shape), t)
            offset += array.size
            p._bump_version()

    def _copy_params(self):
        return [p.numpy().copy() for p in self._params]

    def _set_params(self, arrays):
        for p, array in zip(self._params, arrays):
            np.copyto(p.numpy(), array)
            p._bump_version()

    # -------------------------------------------------------------------------------------------- step
    @no_grad()
    def step(self, closure):
        """Run up to `max_iter` iterations; `closure()` re-evaluates the loss (with backward) and returns it.

        Returns:
            the loss `closure()` returned before the first iteration.
        """
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change, history = group["tolerance_grad"], group["tolerance_change"], group["history_size"]

        def evaluate():
            with enable_grad():
                loss = closure()
            return loss, float(loss.item() if hasattr(loss, "item") else loss), self._flat_grad()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss, loss, g = evaluate()
        evals = 1
        state["func_evals"] += 1
        if np.abs(g).max() <= tol_grad:
            return orig_loss

        d, t = _array(state.get("d")), state.get("t")
        old_dirs = [_array(y) for y in state.get("old_dirs", [])]
        old_stps = [_array(s) for s in state.get("old_stps", [])]
        ro, h_diag = list(state.get("ro", [])), state.get("H_diag")
        prev_g, prev_loss = _array(state.get("prev_flat_grad")), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = -g, [], [], [], 1
            else:
                y, s = g - prev_g, d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == history:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                d = _two_loop(-g, old_dirs, old_stps, ro, h_diag, state.setdefault("al", [None] * history))
            if prev_g is None:
                prev_g = g.copy()
            else:
                np.copyto(prev_g, g)
            prev_loss = loss
            t = min(1.0, 1.0 / np.abs(g).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = g.dot(d)
            if gtd > -tol_change:  # not a descent direction
                break
            if group["line_search_fn"] == "strong_wolfe":
                start = self._copy_params()

                def along(step_length):
                    self._add(step_length, d)
                    _, value, grad = evaluate()
                    self._set_params(start)
                    return value, grad

                loss, g, t, ls_evals = strong_wolfe(along, t, d, loss, g, gtd, max_ls=max_eval - evals)
                self._add(t, d)
                done = np.abs(g).max() <= tol_grad
            else:
                self._add(t, d)
                ls_evals, done = 0, False
                if n_iter != max_iter:  # the last iteration's loss is left for the next step to compute
                    _, loss, g = evaluate()
                    ls_evals, done = 1, np.abs(g).max() <= tol_grad
            evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or evals >= max_eval or done:
                break
            if np.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        state.update(d=_tensor(d), t=t, old_dirs=[Tensor(y) for y in old_dirs],
                     old_stps=[Tensor(s) for s in old_stps], ro=ro, H_diag=h_diag, prev_flat_grad=_tensor(prev_g),
                     prev_loss=prev_loss)
        return orig_loss

    def _load_value(self, p, name, value):
        """A private copy of a saved value: arrays (flat vectors, not shaped like `p`) stay arrays."""
        if isinstance(value, list):
            return [self._load_value(p, name, v) for v in value]
        if isinstance(value, (Tensor, np.ndarray)) and np.ndim(value) > 0:
            return Tensor(np.array(value, dtype=p.dtype, copy=True))
        return copy.deepcopy(value)


def _two_loop(q, old_dirs, old_stps, ro, h_diag, al):
    """H q by the L-BFGS two-loop recursion over the kept pairs (q is overwritten); `al` is scratch."""
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q -= old_dirs[i] * al[i]
    r = q * h_diag
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        r += old_stps[i] * (al[i] - be_i)
    return r


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _array(value):
    return value.numpy() if isinstance(value, Tensor) else value


def _tensor(value):
    return None if value is None else Tensor(value)
