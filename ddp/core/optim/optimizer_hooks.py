"""Optimizer hooks, as PyTorch's: step pre- and post-hooks (per optimizer, and global ones for every optimizer)
and state-dict and load-state-dict hooks. `OptimizerHooks` is a base of `Optimizer`; every subclass's `step`
runs the step hooks once (a subclass step that calls super().step() does not run them twice)."""
import functools
import types
from collections import OrderedDict

from ..autograd import add_hook

_EMPTY = types.MappingProxyType({})
_global_step_pre_hooks, _global_step_post_hooks = OrderedDict(), OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """`hook(optimizer, args, kwargs)` before every optimizer's step; may return new (args, kwargs)."""
    return add_hook(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """`hook(optimizer, args, kwargs)` after every optimizer's step."""
    return add_hook(_global_step_post_hooks, hook)


def with_step_hooks(step):
    """`step` running the global and the optimizer's own step hooks around it (once per outermost call). The
    hooks see `args` with the optimizer first, as PyTorch's do."""
    @functools.wraps(step)
    def hooked(self, *args, **kwargs):
        if self.__dict__.get("_in_hooked_step"):
            return step(self, *args, **kwargs)
        self.__dict__["_in_hooked_step"] = True
        args = (self, *args)
        try:
            for hook in [*_global_step_pre_hooks.values(), *self._optimizer_step_pre_hooks.values()]:
                new = hook(self, args, kwargs)
                if new is not None:
                    if not (isinstance(new, tuple) and len(new) == 2):
                        raise RuntimeError(f"a step pre-hook must return None or (args, kwargs), but got {new}.")
                    args, kwargs = new
            out = step(*args, **kwargs)
            self.__dict__["_opt_called"] = True  # what a scheduler's first step checks
            for hook in [*self._optimizer_step_post_hooks.values(), *_global_step_post_hooks.values()]:
                hook(self, args, kwargs)
            return out
        finally:
            self.__dict__["_in_hooked_step"] = False

    hooked.hooked = True
    return hooked


def _own(optimizer, name):
    """The optimizer's own dict of hooks `name`, made on first registration."""
    if name not in optimizer.__dict__:
        optimizer.__dict__[name] = OrderedDict()
    return optimizer.__dict__[name]


def _register(optimizer, name, hook, prepend=False):
    hooks = _own(optimizer, name)
    handle = add_hook(hooks, hook)
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


class OptimizerHooks:
    """The hook registration of Optimizer; every class that defines `step` gets it wrapped by `with_step_hooks`."""

    _optimizer_step_pre_hooks = _optimizer_step_post_hooks = _EMPTY
    _optimizer_state_dict_pre_hooks = _optimizer_state_dict_post_hooks = _EMPTY
    _optimizer_load_state_dict_pre_hooks = _optimizer_load_state_dict_post_hooks = _EMPTY

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = with_step_hooks(step)

    def register_step_pre_hook(self, hook):
        """`hook(optimizer, args, kwargs)` before each step; may return new (args, kwargs)."""
        return _register(self, "_optimizer_step_pre_hooks", hook)

    def register_step_post_hook(self, hook):
        """`hook(optimizer, args, kwargs)` after each step."""
        return _register(self, "_optimizer_step_post_hooks", hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """`hook(optimizer)` before `state_dict()` is built."""
        return _register(self, "_optimizer_state_dict_pre_hooks", hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """`hook(optimizer, state_dict)` after `state_dict()` is built; a returned dict replaces it."""
        return _register(self, "_optimizer_state_dict_post_hooks", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """`hook(optimizer, state_dict)` before `load_state_dict`; a returned dict is loaded instead."""
        return _register(self, "_optimizer_load_state_dict_pre_hooks", hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """`hook(optimizer)` after `load_state_dict`."""
        return _register(self, "_optimizer_load_state_dict_post_hooks", hook, prepend)

    def _state_dict_hooked(self, build):
        for hook in list(self._optimizer_state_dict_pre_hooks.values()):
            hook(self)
        state_dict = build()
        for hook in list(self._optimizer_state_dict_post_hooks.values()):
            new = hook(self, state_dict)
            if new is not None:
                state_dict = new
        return state_dict

    def _load_state_dict_hooked(self, load, state_dict):
        for hook in list(self._optimizer_load_state_dict_pre_hooks.values()):
            new = hook(self, state_dict)
            if new is not None:
                state_dict = new
        load(state_dict)
        for hook in list(self._optimizer_load_state_dict_post_hooks.values()):
            hook(self)
