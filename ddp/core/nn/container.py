"""Containers: `Sequential` (a chain), `ModuleList` and `ModuleDict` (registered collections of modules),
`ParameterList` and `ParameterDict` (of parameters)."""
import operator
from collections import OrderedDict

from ..dtypes import type_name
from ..tensor import Tensor
from .module import Module, Parameter, _addindent


def _index(idx, n, kind):
    """A non-negative position from an int index, with an IndexError naming the container's length."""
    idx = operator.index(idx)
    if not -n <= idx < n:
        raise IndexError(f"{kind}: index {idx} is out of range for a container of length {n}")
    return idx % n


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: children in order, named '0', '1', ... when appended."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)
        return self

    def _renumber(self, modules):
        """Hold `modules` under the names '0', '1', ... (as PyTorch keeps them after a removal)."""
        self._modules.clear()
        self.extend(modules)


class Sequential(_ModuleSequence):
    """Apply modules one after another: `Sequential(a, b)(x) == b(a(x))`.

    Children are named '0', '1', ... (or by the keys of an OrderedDict argument), so state-dict keys read
    '0.weight' as in PyTorch. Indexing returns a module; slicing returns a Sequential sharing the modules.

    Example:
        >>> net = Sequential(ddp.nn.Linear(4, 8), ddp.nn.ReLU(), ddp.nn.Linear(8, 2))
        >>> net(ddp.randn(5, 4)).shape
        ddp.Size([5, 2])
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def __getitem__(self, idx):
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return type(self)(OrderedDict(items[idx]))
        return items[_index(idx, len(items), "Sequential")][1]

    def __setitem__(self, idx, module):
        key = list(self._modules)[_index(idx, len(self), "Sequential")]
        self.add_module(key, module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        for key in keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys), "Sequential")]]:
            del self._modules[key]
        self._renumber(list(self._modules.values()))

    def forward(self, x):
        for module in self:
            x = module(x)
        return x


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain list would hide them from the parent).

    Example:
        >>> layers = ModuleList([ddp.nn.Linear(3, 3) for _ in range(2)])
        >>> len(list(layers.parameters()))
        4
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self), "ModuleList"))]

    def __setitem__(self, idx, module):
        self.add_module(str(_index(idx, len(self), "ModuleList")), module)

    def __delitem__(self, idx):
        modules = list(self._modules.values())
        del modules[idx if isinstance(idx, slice) else _index(idx, len(modules), "ModuleList")]
        self._renumber(modules)

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return type(self)(list(self) + list(other))

    def pop(self, index=-1):
        module = self[index]
        del self[index]
        return module

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward: iterate over it and call its modules")

    def __repr__(self):
        """As PyTorch prints it: a run of equal modules is one entry, `(0-5): 6 x TransformerEncoderLayer(...)`."""
        runs = []  # [first index, last index, repr], consecutive equal reprs merged
        for i, module in enumerate(self):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        if not runs:
            return self._get_name() + "()"
        lines = [f"({a}): {text}" if a == b else f"({a}-{b}): {b - a + 1} x {text}" for a, b, text in runs]
        return self._get_name() + "(\n  " + "\n  ".join(_addindent(line, 2) for line in lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules (insertion-ordered) whose parameters are registered.

    Example:
        >>> heads = ModuleDict({"a": ddp.nn.Linear(3, 1), "b": ddp.nn.Linear(3, 2)})
        >>> heads["b"](ddp.randn(4, 3)).shape
        ddp.Size([4, 2])
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def update(self, modules):
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module

    def pop(self, key):
        module = self._modules[key]
        del self._modules[key]
        return module

    def clear(self):
        self._modules.clear()

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward: look up its modules and call them")


def _as_parameter(value):
    """A Tensor (or array) as a Parameter, as PyTorch's parameter containers wrap what they are given."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value, requires_grad=True)
    raise TypeError(f"parameter containers hold Parameters or Tensors, got {type(value).__name__}")


def _describe(p, legacy=False):
    """One parameter's line, as PyTorch prints it: its dtype (ParameterList) or its legacy type name
    (ParameterDict: "ddp.FloatTensor") and its size."""
    size = "x".join(str(s) for s in p.shape) if p.ndim else "()"
    return f"Parameter containing: [{type_name(p.dtype) if legacy else p.dtype} of size {size}]"


class ParameterList(Module):
    """A list of Parameters registered under the names '0', '1', ... (Tensors are wrapped as Parameters),
    so that `named_parameters()` and state-dict keys read 'name.0' as in PyTorch.

    Example:
        >>> ps = ParameterList([Parameter(ddp.ones(3)) for _ in range(2)])
        >>> [name for name, _ in ps.named_parameters()]
        ['0', '1']
    """

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList(list(self._parameters.values())[idx])
        return self._parameters[str(_index(idx, len(self), "ParameterList"))]

    def __setitem__(self, idx, value):
        self._parameters[str(_index(idx, len(self), "ParameterList"))] = _as_parameter(value)

    def __iadd__(self, values):
        return self.extend(values)

    def append(self, value):
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values):
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):  # indented by two more spaces than other modules' lines, as PyTorch prints it
        return "\n".join(f"  ({k}): {_describe(p)}" for k, p in self._parameters.items())

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterList has no forward: index it or iterate over it")


class ParameterDict(Module):
    """A dict of Parameters (Tensors are wrapped as Parameters) registered under their keys. As in PyTorch, a
    plain dict is added in sorted key order; an OrderedDict, ParameterDict or list of pairs in its own order.

    Example:
        >>> pd = ParameterDict({"scale": Parameter(ddp.ones(1))})
        >>> list(pd.state_dict())
        ['scale']
    """

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        if key not in self._parameters:
            raise AttributeError(f"'ParameterDict' object has no attribute {key!r}")
        return self._parameters[key]

    def __setitem__(self, key, value):
        if key in self._parameters:
            self._parameters[key] = _as_parameter(value)
        else:
            self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key):
        del self._parameters[key]

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def values(self):
        return self._parameters.values()

    def items(self):
        return self._parameters.items()

    def get(self, key, default=None):
        return self._parameters.get(key, default)

    def pop(self, key):
        return self._parameters.pop(key)

    def clear(self):
        self._parameters.clear()

    def update(self, parameters):
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = parameters.items()
        elif hasattr(parameters, "items"):
            pairs = sorted(parameters.items())
        else:
            pairs = parameters
        for key, value in pairs:
            self[key] = value

    def extra_repr(self):
        return "\n".join(f"  ({k}): {_describe(p, legacy=True)}" for k, p in self._parameters.items())

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterDict has no forward: look up its parameters")
