"""torch.nn.utils.parametrize: make a module's parameter or buffer the output of a small module.

After `register_parametrization(m, "weight", P())`, reading `m.weight` returns `P()(original)`, where the
unconstrained tensor lives at `m.parametrizations.weight.original` (state-dict key
`parametrizations.weight.original`, or `original0`, `original1`, ... when P's `right_inverse` returns
several tensors). As in PyTorch, the module's class is replaced by a subclass `Parametrized<Class>` that
holds `weight` as a property, and restored when the last parametrization is removed.
"""
import contextlib
import copy
import threading
from collections.abc import Sequence

import numpy as np

from ... import autograd
from ...tensor import Tensor
from ..container import ModuleDict, ModuleList
from ..module import Parameter

class _Cache(threading.local):
    """Per thread (simulated ranks are threads): how deep in `cached()` we are, and the values kept."""

    depth = 0

    def __init__(self):
        self.values = {}


_cache = _Cache()


@contextlib.contextmanager
def cached():
    """Inside this context each parametrized tensor is computed once and reused (its value is kept until
    the outermost `cached()` exits): useful when a weight is read many times per step (an RNN's loop)."""
    _cache.depth += 1
    try:
        yield
    finally:
        _cache.depth -= 1
        if not _cache.depth:
            _cache.values.clear()


def _set_values(dest, src):
    """`dest` (the same object, so optimizers holding it stay valid) takes a copy of `src`'s values."""
    array = src._data
    if dest._data.shape == array.shape:
        np.copyto(dest._data, array)
    else:
        dest._data = np.array(array, dtype=dest._data.dtype)
    dest._bump_version()


def _register(module, name, tensor):
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


def _right_inverse_of(parametrization, value, required):
    """parametrization.right_inverse(value); `value` itself where it has none (or raises NotImplementedError)
    unless `required`."""
    inverse = getattr(parametrization, "right_inverse", None)
    if inverse is None:
        if required:
            raise RuntimeError(f"cannot assign to a parametrized tensor: {type(parametrization).__name__} has "
                               "no right_inverse")
        return value
    try:
        return inverse(value)
    except NotImplementedError:
        if required:
            raise
        return value


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, and the tensor(s) they start from: `original`,
    or `original0..n` when the first one's right_inverse returns a sequence. Built by
    register_parametrization; not meant to be made by hand."""

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList needs at least one parametrization")
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = tuple(original.shape), original.dtype
        with autograd.no_grad():
            new = original
            for module in reversed(list(self)):
                new = _right_inverse_of(module, new, required=False)
        if isinstance(new, Tensor):
            if new.dtype != dtype:
                raise ValueError(f"register_parametrization: right_inverse changed the dtype from {dtype} to "
                                 f"{new.dtype}; a single returned tensor must keep it")
            self.is_tensor, self.ntensors = True, 1
            if new is not original:
                _set_values(original, new)
            _register(self, "original", original)
        elif isinstance(new, Sequence):
            self.is_tensor, self.ntensors = False, len(new)
            for i, part in enumerate(new):
                if not isinstance(part, Tensor):
                    raise ValueError(f"register_parametrization: right_inverse returned a sequence whose item {i} "
                                     f"is a {type(part).__name__}, not a Tensor")
                own = Tensor(np.array(part._data))  # the originals own their memory
                if isinstance(original, Parameter):
                    own = Parameter(own, requires_grad=original.requires_grad)
                _register(self, f"original{i}", own)
        else:
            raise ValueError("register_parametrization: right_inverse must return a Tensor or a sequence of "
                             f"Tensors, got {type(new).__name__}")
        if not unsafe:
            _check_same(self(), shape, dtype, "the unparametrized tensor")

    def right_inverse(self, value):
        """Set the original(s) so that the parametrized tensor becomes `value` (every parametrization must
        have a right_inverse)."""
        with autograd.no_grad():
            for module in reversed(list(self)):
                value = _right_inverse_of(module, value, required=True)
            if self.is_tensor:
                if not isinstance(value, Tensor) or value.dtype != self.original.dtype:
                    raise ValueError(f"right_inverse must return a Tensor of dtype {self.original.dtype}, got "
                                     f"{getattr(value, 'dtype', type(value).__name__)}")
                _set_values(self.original, value)
                return
            if not isinstance(value, Sequence) or len(value) != self.ntensors:
                raise ValueError(f"right_inverse must return a sequence of {self.ntensors} tensors, got "
                                 f"{type(value).__name__}")
            for i, part in enumerate(value):
                target = getattr(self, f"original{i}")
                if part.dtype != target.dtype:
                    raise ValueError(f"right_inverse's tensor {i} has dtype {part.dtype}, original{i} has "
                                     f"{target.dtype}")
                _set_values(target, part)

    def forward(self):
        stages = list(self)
        if self.is_tensor:
            x = stages[0](self.original)
        else:
            x = stages[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for stage in stages[1:]:
            x = stage(x)
        return x


def _check_same(value, shape, dtype, what):
    if not isinstance(value, Tensor):
        raise ValueError(f"register_parametrization: a parametrization must return a Tensor, got "
                         f"{type(value).__name__}")
    if value.dtype != dtype or tuple(value.shape) != shape:
        raise ValueError(f"register_parametrization: the parametrized tensor ({value.dtype}, shape "
                         f"{tuple(value.shape)}) must keep the dtype and shape of {what} ({dtype}, shape {shape}) "
                         "unless unsafe=True")


def _deepcopy(self, memo):
    """A copy with a class of its own, so that removing a parametrization from one leaves the other whole."""
    cls = type(self)
    members = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
    copied = object.__new__(type(cls.__name__, cls.__bases__, members))
    memo[id(self)] = copied
    copied.__dict__ = copy.deepcopy(self.__dict__, memo)
    return copied


def _refuse_pickle(self):
    raise RuntimeError("a parametrized module cannot be pickled (its class is made at run time): save its "
                       "state_dict() instead")


def _inject_class(module):
    """Give `module` its own subclass, on which properties for parametrized tensors can be set."""
    cls = type(module)
    members = {"__getstate__": _refuse_pickle, "__module__": __name__}
    if "__deepcopy__" not in dir(cls):
        members["__deepcopy__"] = _deepcopy
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), members)


def _inject_property(module, name):
    def get(self):
        plist = self._modules["parametrizations"][name]
        if not _cache.depth:
            return plist()
        key = (id(self), name)
        if key not in _cache.values:
            _cache.values[key] = plist()
        return _cache.values[key]

    def set_(self, value):
        self._modules["parametrizations"][name].right_inverse(value)

    setattr(type(module), name, property(get, set_, doc=f"the parametrized {name!r}"))


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make `module.<tensor_name>` read as `parametrization(original)`; a second call on the same tensor
    appends to the chain. Returns the module.

    Args:
        module: holds a parameter or buffer named `tensor_name` (or one parametrized already).
        parametrization: a Module mapping the original tensor(s) to the tensor; its optional
            `right_inverse(X)` gives the original(s) for a wanted X (used at registration and on assignment).
        unsafe: allow the parametrization to change the shape or dtype (no checks).
    Raises:
        ValueError: no such parameter or buffer, or the parametrization changes shape or dtype.

    Example:
        >>> class Double(ddp.nn.Module):
        ...     def forward(self, X):
        ...         return 2 * X
        >>> m = register_parametrization(ddp.nn.Conv1d(3, 3, 1), "bias", Double())
        >>> list(m.state_dict())
        ['weight', 'parametrizations.bias.original']
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            current = getattr(module, tensor_name)
            shape, dtype = tuple(current.shape), current.dtype
            _check_same(parametrization(current), shape, dtype, f"module.{tensor_name}")
            if hasattr(parametrization, "right_inverse"):
                back = _right_inverse_of(parametrization, current, required=False)
                _check_same(back, shape, dtype, f"module.{tensor_name} (checking right_inverse)")
        plist = module.parametrizations[tensor_name]
        plist.append(parametrization)
        plist.unsafe = plist.unsafe or unsafe
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(f"register_parametrization: {type(module).__name__} has no parameter or buffer named "
                         f"{tensor_name!r}")
    original = getattr(module, tensor_name)
    if original is None:
        raise ValueError(f"register_parametrization: {type(module).__name__}.{tensor_name} is None")
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        _inject_class(module)
        module.parametrizations = ModuleDict()
    _inject_property(module, tensor_name)
    module.parametrizations[tensor_name] = plist
    return module


def is_parametrized(module, tensor_name=None):
    """Whether `module` has any parametrization (or one on `tensor_name`)."""
    plists = module._modules.get("parametrizations")
    if not isinstance(plists, ModuleDict):
        return False
    return len(plists) > 0 if tensor_name is None else tensor_name in plists


def type_before_parametrizations(module):
    """The module's class before parametrizations replaced it."""
    return type(module).__bases__[0] if is_parametrized(module) else type(module)


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo the parametrizations of `tensor_name`: it becomes a plain parameter (or buffer) again, holding
    the parametrized value (leave_parametrized=True) or the original one. Returns the module.

    Raises:
        ValueError: `tensor_name` is not parametrized, or leave_parametrized=False for a tensor made from
            several originals.
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"remove_parametrizations: {type(module).__name__} has no parametrization on "
                         f"{tensor_name!r}")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with autograd.no_grad():
                _set_values(original, getattr(module, tensor_name))
    elif leave_parametrized:
        with autograd.no_grad():
            value = getattr(module, tensor_name)
        first = plist.original0
        original = Parameter(value, first.requires_grad) if isinstance(first, Parameter) else value
    else:
        raise ValueError(f"remove_parametrizations: {tensor_name!r} is made from {plist.ntensors} tensors, so it "
                         "cannot be left unparametrized (use leave_parametrized=True)")
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type(module).__bases__[0]
    return module
