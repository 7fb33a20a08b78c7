"""Whole Python objects in a checkpoint, as PyTorch 2.6+ saves and loads them.

`ddp.save` writes plain data (dicts, lists, Tensors, numbers, ...) without pickle. Anything else (a whole
`Module`, a custom class) is pickled into the same zip archive as `data.pkl`, its arrays still stored as
`.npy` members. Unpickling can run arbitrary code, so `ddp.load` refuses such a file by default
(`weights_only=True`, PyTorch's default since 2.6) unless every class it names is allowed with
`add_safe_globals` / `safe_globals`; `weights_only=False` loads anything, for files from a trusted source.
"""
import collections
import contextlib
import io
import pickle

import numpy as np

from .tensor import Tensor

PICKLE_MEMBER = "data.pkl"
_user_safe = {}  # "module.qualname" -> the object add_safe_globals allowed
_scoped_safe = []  # dicts pushed by the safe_globals context manager


def _rebuild_tensor(cls, array, requires_grad):
    """A Tensor (or Parameter) of `array`: a leaf, without .grad or hooks, as PyTorch's pickles hold."""
    t = cls.__new__(cls)
    Tensor.__init__(t, array, requires_grad=bool(requires_grad))
    return t


def _rebuild_scalar(array):
    return array[()]


_BUILTIN_SAFE = {
    f"{_rebuild_tensor.__module__}._rebuild_tensor": _rebuild_tensor,
    f"{_rebuild_scalar.__module__}._rebuild_scalar": _rebuild_scalar,
    "collections.OrderedDict": collections.OrderedDict,
    "ddp.core.tensor.Tensor": Tensor,
}


def _name(obj):
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals):
    """Allow `ddp.load(..., weights_only=True)` to rebuild these classes or functions.

    Args:
        safe_globals: a list of classes/functions, or of `(obj, "module.name")` pairs naming where a file
            refers to them.
    """
    _user_safe.update(_entries(safe_globals))


def get_safe_globals():
    return list(_user_safe.values())


def clear_safe_globals():
    _user_safe.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Within the block, `weights_only=True` loading also allows `safe_globals` (as `add_safe_globals`)."""
    _scoped_safe.append(_entries(safe_globals))
    try:
        yield
    finally:
        _scoped_safe.pop()


def _entries(safe_globals):
    if not isinstance(safe_globals, (list, tuple, set)):
        raise TypeError(f"add_safe_globals: expected a list of classes or functions, got {type(safe_globals).__name__}")
    out = {}
    for entry in safe_globals:
        obj, name = entry if isinstance(entry, tuple) else (entry, None)
        out[name or _name(obj)] = obj
    return out


def _allowed(name):
    for table in [_BUILTIN_SAFE, _user_safe] + _scoped_safe:
        if name in table:
            return table[name]
    return None


def _parameter_class():
    from .nn.module import Parameter

    return Parameter


# ---------------------------------------------------------------------------------------------- writing
def dumps(obj, keep_array, protocol=4):
    """Pickle `obj`; every numpy array goes to `keep_array(array)` (which returns its reference) instead."""
    buffer = io.BytesIO()
    _Pickler(buffer, keep_array, protocol).dump(obj)
    return buffer.getvalue()


class _Pickler(pickle.Pickler):
    def __init__(self, file, keep_array, protocol):
        super().__init__(file, protocol=protocol)
        self.keep_array = keep_array

    def persistent_id(self, obj):
        if isinstance(obj, np.ndarray) and not obj.dtype.hasobject:
            return self.keep_array(obj)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return _rebuild_tensor, (type(obj), obj._data, obj._requires_grad)
        if isinstance(obj, np.generic) and not isinstance(obj, np.object_):
            return _rebuild_scalar, (np.asarray(obj),)
        return NotImplemented


# ---------------------------------------------------------------------------------------------- reading
def loads(data, read_array, weights_only, name, **load_args):
    """Unpickle `data`; persistent references are arrays that `read_array(ref)` returns."""
    unpickler = (_WeightsUnpickler if weights_only else _Unpickler)(io.BytesIO(data), **load_args)
    unpickler.read_array, unpickler.source = read_array, name
    return unpickler.load()


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        return self.read_array(pid)


class _WeightsUnpickler(_Unpickler):
    """Rebuilds only data and the allowed globals: ddp's Tensor/Parameter and what add_safe_globals lists."""

    def find_class(self, module, name):
        full = f"{module}.{name}"
        if full == "ddp.core.nn.module.Parameter":
            return _parameter_class()
        obj = _allowed(full)
        if obj is None:
            raise pickle.UnpicklingError(_refusal(self.source, full))
        return obj


def _refusal(source, full):
    return (
        f"Weights only load failed: {source} holds pickled Python objects (e.g. a whole Module), and the global "
        f"{full} they need is not allowed with weights_only=True, the default (as in PyTorch 2.6+). Unpickling "
        "can run arbitrary code, so do one of these only if you trust the source of the file:\n"
        "  (1) load it with ddp.load(..., weights_only=False);\n"
        f"  (2) allow that class: ddp.serialization.add_safe_globals([{full}]), or the "
        f"ddp.serialization.safe_globals([{full}]) context manager, and keep weights_only=True.\n"
        "Saving model.state_dict() instead of the model avoids pickle altogether."
    )
