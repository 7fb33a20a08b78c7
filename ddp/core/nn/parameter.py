"""torch.nn.parameter's other tensors: `Buffer` (a tensor that Module assignment registers as a buffer) and
the placeholders of lazy modules, `UninitializedParameter` and `UninitializedBuffer`, whose shape is known
only once `materialize(shape)` gives them memory (lazy.py calls it on the first forward)."""
import numpy as np

from ..dtypes import as_dtype, get_default_dtype
from ..tensor import Tensor
from .module import Parameter


class _BufferMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and getattr(obj, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """Mark a tensor as a buffer: `module.name = Buffer(t)` registers it as `register_buffer` would.

    As in PyTorch, `Buffer(t)` returns a plain Tensor sharing t's memory, flagged for Module.__setattr__;
    `isinstance(x, Buffer)` is True for such tensors.

    Args:
        data: the tensor (an empty float32 tensor when None).
        persistent: whether the buffer is part of the module's state_dict.

    Example:
        >>> m = ddp.nn.Module()
        >>> m.steps = Buffer(ddp.zeros(()))
        >>> list(m.state_dict())
        ['steps']
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = Tensor(np.empty((0,), dtype=get_default_dtype()))
        if not isinstance(data, Tensor):
            raise TypeError(f"nn.Buffer expects a Tensor (or None), got {type(data).__name__}")
        out = data.detach()
        if data.requires_grad:
            out.requires_grad_(True)
        out._is_buffer = True
        out.persistent = persistent
        return out


class _Uninitialized:
    """What UninitializedParameter and UninitializedBuffer share: an empty placeholder array that keeps the
    dtype (so Module.to() still works), errors for shape queries, and `materialize`.

    Not a base class: `_placeholder` copies these members into the two classes, which derive from Parameter
    and Tensor alone, because a mixin base before them would give them a layout that `__class__`
    assignment (in `materialize`) refuses."""

    def _unknown(self, what):
        raise ValueError(
            f"{type(self).__name__} has no {what} yet: it belongs to a lazy module whose first forward (or "
            "load_state_dict) has not run; call the module on a batch first")

    @property
    def shape(self):
        raise RuntimeError(
            f"the shape of an {type(self).__name__} is unknown until the lazy module's first forward (or "
            "load_state_dict) gives it one")

    @property
    def ndim(self):
        self._unknown("number of dims")

    def size(self, dim=None):
        self._unknown("size")

    def dim(self):
        self._unknown("number of dims")

    def numel(self):
        self._unknown("number of elements")

    def detach(self):
        return self  # a lazy module's state_dict holds the placeholder itself, as PyTorch's does

    def materialize(self, shape, device=None, dtype=None):
        """Give this placeholder memory of `shape` (uninitialised values) and turn it into its ordinary
        class (Parameter or Tensor) in place, so that references to it stay valid."""
        dtype = as_dtype(dtype) or self._data.dtype
        self._data = np.empty(tuple(shape), dtype=dtype)
        self._bump_version()
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        copy = type(self)(requires_grad=self.requires_grad, dtype=self._data.dtype)
        memo[id(self)] = copy
        return copy


def _placeholder(cls):
    for name, member in vars(_Uninitialized).items():
        if name not in ("__dict__", "__weakref__", "__module__", "__doc__", "__qualname__") and name not in vars(cls):
            setattr(cls, name, member)
    return cls


@_placeholder
class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (held by lazy modules such as LazyLinear).

    Example:
        >>> w = UninitializedParameter()
        >>> w.materialize((3, 2))
        >>> type(w).__name__, tuple(w.shape)
        ('Parameter', (3, 2))
    """

    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        super().__init__(np.empty((0,), dtype=as_dtype(dtype) or get_default_dtype()), requires_grad)


@_placeholder
class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (a lazy BatchNorm's running_mean); `materialize` makes it a
    Tensor."""

    cls_to_become = Tensor

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        super().__init__(np.empty((0,), dtype=as_dtype(dtype) or get_default_dtype()))
        self.persistent = persistent
        if requires_grad:
            self.requires_grad_(True)

    def __deepcopy__(self, memo):
        copy = UninitializedBuffer(self.requires_grad, dtype=self._data.dtype, persistent=self.persistent)
        memo[id(self)] = copy
        return copy


def is_lazy(t):
    """Whether `t` is a placeholder of a lazy module (UninitializedParameter or UninitializedBuffer)."""
    return isinstance(t, (UninitializedParameter, UninitializedBuffer))
