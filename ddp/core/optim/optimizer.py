"""Optimizer: the base class that holds parameter groups and per-parameter state, as torch.optim does."""
import copy
from collections import defaultdict

import numpy as np

from ..autograd import enable_grad, no_grad
from ..tensor import Tensor
from .optimizer_hooks import (  # noqa: F401  (torch.optim.optimizer's global hooks)
    OptimizerHooks, register_optimizer_step_post_hook, register_optimizer_step_pre_hook,
)


class _Required:
    """Marks a hyper-parameter that has no default and must be given per group."""

    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer(OptimizerHooks):
    """Base class of all optimizers: parameter groups, per-parameter state and their state dict.

    A subclass passes its hyper-parameter `defaults` and implements `_update(p, grad, group, state)`, which
    updates the float array `p` in place from its gradient array `grad`. `step()` calls it, under
    `no_grad`, for every parameter whose `.grad` is not None.

    Args:
        params: an iterable of Tensors, or of dicts (parameter groups) with a "params" key and per-group
            hyper-parameters that override `defaults`.
        defaults (dict): hyper-parameters used by groups that do not set them.

    Raises:
        TypeError: `params` is a single Tensor, or holds something that is not a Tensor.
        ValueError: `params` is empty, a parameter is not a leaf or appears in two groups.

    Example:
        >>> opt = ddp.optim.SGD(model.parameters(), lr=0.1)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got Tensor"
            )
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)  # parameter -> its state (Tensors whose arrays the steps update)
        self.param_groups = []
        self._workspace = {}  # (dtype, slot) -> flat scratch array, reused by every parameter and step
        self._scratch_views = {}  # (dtype, slot, shape) -> the view of it that `_scratch` last handed out
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines += [""] * bool(i) + [f"Parameter Group {i}"]  # a blank line between groups, as PyTorch's
            lines += [f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params"]
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------------------------------------- groups
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with "params" and optional hyper-parameters) to optimize.

        Raises:
            TypeError: the group is not a dict, its params are a set or hold a non-Tensor.
            ValueError: a parameter is not a leaf, is already in another group, or a required
                hyper-parameter is missing.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of "
                "tensors in sets will change between runs. Please use a list instead."
            )
        group["params"] = list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            group.setdefault(name, default)
        if len({id(p) for p in group["params"]}) != len(group["params"]):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)
        for p in group["params"]:
            self._init_param(p, group)

    def _init_param(self, p, group):
        """Hook for optimizers that create a parameter's state eagerly (Adagrad)."""

    # --------------------------------------------------------------------------------------------- steps
    def zero_grad(self, set_to_none=True):
        """Reset the gradient of every parameter: to None (default) or, in place, to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns `closure()` (re-evaluated loss) if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._step()
        return loss

    @no_grad()
    def _step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad, data = p.grad._data, p._data
                if grad.shape != data.shape:
                    raise RuntimeError(
                        f"{type(self).__name__}.step: gradient of shape {grad.shape} does not match its "
                        f"parameter of shape {tuple(p.shape)}"
                    )
                self._update(data, grad, group, self.state[p])
                p._bump_version()

    def _update(self, p, grad, group, state):
        """Update array `p` in place from array `grad`, with the group's hyper-parameters and `state`."""
        raise NotImplementedError

    def _scratch(self, like, slot, dtype=None):
        """A scratch array shaped as `like` (of its dtype or `dtype`); each slot is a buffer kept between steps."""
        dtype = like.dtype if dtype is None else np.dtype(dtype)
        view = self._scratch_views.get((dtype, slot, like.shape))
        if view is not None:
            return view
        key = (dtype, slot)
        buf = self._workspace.get(key)
        if buf is None or buf.size < like.size:
            buf = self._workspace[key] = np.empty(like.size, dtype)
            self._scratch_views = {k: v for k, v in self._scratch_views.items() if k[:2] != key}  # old buffer's
        view = self._scratch_views[(dtype, slot, like.shape)] = buf[: like.size].reshape(like.shape)
        return view

    def _direction(self, p, grad, group, out):
        """The gradient to follow: -grad if maximizing, plus weight_decay * p (L2); `grad` itself if neither."""
        wd = group.get("weight_decay", 0)
        if wd != 0:
            np.multiply(p, wd, out=out)
            return np.subtract(out, grad, out=out) if group.get("maximize") else np.add(out, grad, out=out)
        return np.negative(grad, out=out) if group.get("maximize") else grad

    # ----------------------------------------------------------------------------------------- state dict
    def state_dict(self):
        """The optimizer's state as PyTorch lays it out: parameters are replaced by their index (with the
        state-dict hooks run around it).

        Returns:
            dict: {"state": {index: {name: Tensor or number}}, "param_groups": [{hyper-parameters,
            "params": [indices]}]}. The Tensors share memory with the optimizer's state.
        """
        return self._state_dict_hooked(self._build_state_dict)

    def _build_state_dict(self):
        index, groups = {}, []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if s and id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load hyper-parameters and state saved by `state_dict()`, copying the arrays (with the
        load-state-dict hooks run around it).

        Raises:
            ValueError: the number of groups, or of parameters in a group, differs from this optimizer's;
                a saved state array does not match its parameter's shape.
        """
        self._load_state_dict_hooked(self._load, state_dict)

    def _load(self, state_dict):
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups ({len(saved_groups)}) than "
                f"the optimizer ({len(self.param_groups)})"
            )
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group that doesn't match the size of optimizer's "
                    f"group: group {i} has {len(saved['params'])} parameters, expected {len(group['params'])}"
                )
        params = {}
        for group, saved in zip(self.param_groups, saved_groups):
            params.update(zip(saved["params"], group["params"]))
        saved_state = {int(k): v for k, v in state_dict["state"].items()}
        new_state = {}
        for index, values in saved_state.items():
            if index not in params:
                raise ValueError(f"loaded state dict has state for parameter {index}, which no group holds")
            p = params[index]
            new_state[p] = {name: self._load_value(p, name, value) for name, value in values.items()}
        for group, saved in zip(self.param_groups, saved_groups):
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})
        self.state = defaultdict(dict, new_state)

    @staticmethod
    def _load_value(p, name, value):
        """A private copy of a saved state value; arrays shaped like `p` take its dtype."""
        if isinstance(value, Tensor):
            value = value.numpy()
        if not isinstance(value, np.ndarray):
            return copy.deepcopy(value)
        if value.shape == tuple(p.shape):  # also a 0-d parameter's 0-d state
            return Tensor(np.array(value, dtype=p.dtype, copy=True))
        if value.ndim == 0:  # a number saved as a tensor, as PyTorch saves "step"
            return step_counter(value.item()) if name == "step" else value.item()
        raise ValueError(
            f"loaded state {name!r} has shape {value.shape}, but its parameter has shape {tuple(p.shape)}"
        )


def step_counter(value=0):
    """A parameter's step count as PyTorch keeps it in the state: a 0-d float32 Tensor (programs log
    `state["step"].item()`); exact up to 2^24 steps, as PyTorch's."""
    return Tensor(np.array(value, dtype=np.float32))


def count_step(state):
    """Add one to state["step"] (a counter made at 0 if absent, or from a plain number) and return the new
    count as an int, for the update rule."""
    counter = state.get("step")
    if not isinstance(counter, Tensor):
        counter = state["step"] = step_counter(0 if counter is None else counter)
    counter._data += 1
    return int(counter._data)


def lerp_(a, b, weight, tmp):
    """a += weight * (b - a) in place, in PyTorch's two-sided form (exact at weight 0 and 1)."""
    diff = np.subtract(b, a, out=tmp)
    if abs(weight) < 0.5:
        a += np.multiply(diff, weight, out=tmp)
    else:
        np.multiply(diff, 1 - weight, out=tmp)
        np.subtract(b, tmp, out=a)
    return a
