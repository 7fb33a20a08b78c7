"""`Parameter` and `Module`: the base of every layer, with PyTorch's registration, traversal and state dicts.

A Module keeps its parameters, buffers and submodules in three ordered dicts filled by `__setattr__`, so
that `named_parameters()` and `state_dict()` list names in the order attributes were assigned, as in PyTorch.
"""
from collections import OrderedDict
from itertools import chain

import numpy as np

from ..device import check_device, cpu_only_error, preserve_format, to_arguments
from ..cast_shorthands import FloatCasts
from ..dtypes import as_dtype, dtype_of_type, get_default_dtype
from ..memory_format import array_in_format, check_memory_format
from ..tensor import Tensor
from .module_hooks import GLOBAL_HOOKS, ModuleHooks, call_with_hooks, init_hook_dicts, registered
from .module_lookup import ModuleLookup
from .module_state import ModuleState


class Parameter(Tensor):
    """A Tensor that a Module registers as a parameter: a leaf that requires grad (by default).

    `Parameter(data)` shares the memory of `data` (a Tensor or numpy array); it never copies or casts.

    Example:
        >>> w = Parameter(ddp.zeros(3, 2))
        >>> w.requires_grad
        True
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=get_default_dtype())
        array = data._data if isinstance(data, Tensor) else np.asarray(data)
        super().__init__(array, requires_grad=requires_grad)
        if isinstance(data, Tensor):
            self._version_cell = data._version_cell

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __getstate__(self):
        """A copy of a Parameter (copy.deepcopy of a model) has no gradient, as PyTorch's: a snapshot taken
        after backward must not carry the gradient into its first step."""
        state = super().__getstate__()
        state.pop("_grad", None)
        return state


def _addindent(text, spaces):
    lines = text.split("\n")
    return "\n".join(lines[:1] + [" " * spaces + line for line in lines[1:]])


class Module(ModuleHooks, ModuleState, ModuleLookup, FloatCasts):
    """Base class of all layers and models: subclass it, assign layers and Parameters in `__init__`, and
    define `forward`. Calling the module runs its forward pre-hooks, `forward`, then its forward hooks
    (module_hooks.py, with the backward hooks).

    Example:
        >>> class Net(Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = ddp.nn.Linear(4, 2)
        ...     def forward(self, x):
        ...         return self.fc(x).relu()
        >>> [name for name, _ in Net().named_parameters()]
        ['fc.weight', 'fc.bias']
    """

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments {args} {kwargs}")
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", OrderedDict())
        setattr_(self, "_buffers", OrderedDict())
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", OrderedDict())
        init_hook_dicts(self)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # ----------------------------------------------------------------------------------- calling
    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks
                or GLOBAL_HOOKS._forward_pre_hooks or GLOBAL_HOOKS._forward_hooks or GLOBAL_HOOKS._backward_hooks
                or GLOBAL_HOOKS._backward_pre_hooks):
            return self.forward(*args, **kwargs)  # the usual call: straight to forward
        return call_with_hooks(self, args, kwargs)

    def __setstate__(self, state):
        self.__dict__.update(state)
        init_hook_dicts(self)

    # ------------------------------------------------------------------------------ registration
    def _check_name(self, name, kind):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f'{kind} name can\'t contain "." or be empty, got {name!r}')
        if hasattr(self, name) and name not in getattr(self, f"_{kind}s", {}):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Add a Parameter (or None: a declared but absent parameter, as a bias=False Linear's bias)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' (ddp.nn.Parameter or None required)"
            )
        self._parameters[name] = registered("parameter", self, name, param)

    def register_buffer(self, name, tensor, persistent=True):
        """Add a Tensor that is state but not a parameter (BatchNorm's running_mean); non-persistent
        buffers are left out of `state_dict()`."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)")
        self._buffers[name] = registered("buffer", self, name, tensor)
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module under `name` (None declares an absent child)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module")
        self._modules[name] = registered("module", self, name, module)

    register_module = add_module

    def __setattr__(self, name, value):
        params, buffers, modules = (self.__dict__.get(k) for k in ("_parameters", "_buffers", "_modules"))
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep=params)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' (ddp.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep=modules)
            modules[name] = registered("module", self, name, value)
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' (Module or None expected)")
            modules[name] = None
        elif getattr(value, "_is_buffer", False) and isinstance(value, Tensor):  # nn.Buffer(t): register it
            if buffers is None:
                raise AttributeError("cannot assign buffers before Module.__init__() call")
            self._forget(name, keep=buffers)
            self.register_buffer(name, value, persistent=value.persistent)
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
            buffers[name] = registered("buffer", self, name, value)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, keep):
        """Drop `name` from every store but `keep`, so that reassigning keeps its place in the order."""
        self.__dict__.pop(name, None)
        for store in (self._parameters, self._buffers, self._modules):
            if store is not keep:
                store.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name):
        # Only called when normal lookup fails: parameters, buffers and children live in the dicts.
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    # --------------------------------------------------------------------------------- traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(name, module) for self and every descendant, depth first; a shared module is listed once."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self):
        for _, child in self.named_children():
            yield child

    def _named_members(self, members, prefix, recurse, remove_duplicate=True):
        seen = set()
        owners = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for owner_prefix, module in owners:
            for name, value in members(module):
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{owner_prefix}.{name}" if owner_prefix else name), value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(qualified name, Parameter) pairs in registration order, each shared parameter once."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call `fn(module)` on every descendant, children first, then on self (for custom init). Returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def compile(self, *args, **kwargs):
        """PyTorch's in-place `module.compile()`: nothing to do (ddp has no compiler); returns None."""

    # ------------------------------------------------------------------------------------ modes
    def train(self, mode=True):
        """Set training mode on self and every descendant (Dropout and BatchNorm behave differently). Returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {type(mode).__name__}")
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """`train(False)`."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default) or to zeros in place."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = p.grad.detach()
                p.grad._data[...] = 0

    # ------------------------------------------------------------------------------------ dtypes
    def _apply(self, fn, recurse=True):
        """Replace the array of every parameter, gradient and buffer with `fn(array)` (the objects stay); only
        this module's own without `recurse`."""
        for module in self.modules() if recurse else [self]:
            for t in chain(module._parameters.values(), module._buffers.values()):
                if t is None:
                    continue
                t._data = fn(t._data)
                if t.grad is not None:
                    t.grad._data = fn(t.grad._data)
        return self

    def to(self, *args, **kwargs):
        """Cast floating parameters and buffers: `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(tensor)`;
        `to(memory_format=ddp.channels_last)` lays out the 4-D and 5-D ones in that format (as PyTorch).

        In place, returning self (as PyTorch). The CPU is the only device: any other raises RuntimeError.

        Raises:
            TypeError: `dtype` is not a floating point dtype.
            RuntimeError: channels_last with a 5-D parameter (channels_last_3d with a 4-D one).
        """
        memory_format = kwargs.pop("memory_format", None)
        if args and isinstance(args[0], Tensor):
            args = (args[0].dtype,) + args[1:]
        dtype, _ = to_arguments("Module.to", args, kwargs)
        dtype = as_dtype(dtype)
        if dtype is not None and dtype.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
        if memory_format is not None:
            check_memory_format(memory_format, "Module.to")
        if dtype is None and memory_format in (None, preserve_format):
            return self

        def convert(a):
            if dtype is not None and a.dtype.kind == "f":
                a = a.astype(dtype, copy=False)
            if memory_format is not None and a.ndim in (4, 5):
                a = array_in_format(a, memory_format)
            return a

        return self._apply(convert)

    def type(self, dst_type):
        """Cast every parameter and buffer (integer ones too, as PyTorch) to `dst_type`."""
        dst_type = dtype_of_type(dst_type)
        return self._apply(lambda a: a.astype(dst_type, copy=False))

    def cpu(self):
        return self

    def cuda(self, device=None):
        raise cpu_only_error("Module.cuda()")

    def share_memory(self):
        return self  # simulated ranks are threads: parameters are shared already

    def to_empty(self, *, device=None, recurse=True):
        """Give every parameter and buffer new, uninitialised memory of its shape and dtype (PyTorch's way
        to materialise a module built on another device; ddp's only device is the CPU). In place; self."""
        if device is not None:
            check_device(device, "Module.to_empty")
        return self._apply(np.empty_like, recurse)

    # ------------------------------------------------------------------------------- state dicts
    # (module_state.py: state_dict, load_state_dict, their hooks and extra state)
    def _state_items(self):
        """This module's own entries of the state dict: parameters, then persistent buffers."""
        buffers = ((n, b) for n, b in self._buffers.items() if n not in self._non_persistent_buffers_set)
        return [(n, t) for n, t in chain(self._parameters.items(), buffers) if t is not None]

    # -------------------------------------------------------------------------------------- repr
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside this module's parentheses in `repr` (layers show their arguments)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        lines += [f"({name}): " + _addindent(repr(child), 2) for name, child in self._modules.items()]
        if not self._modules and len(lines) <= 1:
            return f"{self._get_name()}({extra})"
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"
