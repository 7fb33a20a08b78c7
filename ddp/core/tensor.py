"""Tensor: a numpy array plus its place in the autograd graph."""

import warnings

import numpy as np

from . import autograd, autograd_views, printing, tensor_attributes
from . import random_draws as draws
from .cast_shorthands import CastShorthands
from .device import CPU, contiguous_format, cpu_only_error, to_arguments
from .dtypes import as_dtype, dtype_of, dtype_of_type, get_default_dtype, is_floating, type_name
from .dtypes import dtype as dtype_class
from .legacy_overloads import alpha_first
from .memory_format import is_contiguous_as, to_memory_format
from .methods import TensorOps, bind_functional
from .numpy_aliases import dim_alias
from .ops.elementwise import Cast
from .random import generator_of
from .sizes import size_arg
from .tensor_attributes import TensorAttributes


class Tensor(TensorAttributes, TensorOps, CastShorthands):
    """An n-dimensional array that records the ops applied to it, for `backward()`.

    `Tensor(array)` wraps a numpy array without copying it; `ddp.tensor(data)` is the copying factory that
    picks PyTorch's default dtypes. Ops follow PyTorch's names and broadcasting rules. This class holds the
    graph state, conversions and in-place machinery; the op methods and operators (`x.exp()`, `x + y`)
    are defined in its base class `TensorOps` (methods.py and its bases), and memory facts, flags, complex
    views, `new`, `resize_` and `apply_` in its base class `TensorAttributes` (tensor_attributes.py).

    Example:
        >>> x = ddp.tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4.])
    """

    __array_priority__ = 1000  # numpy scalars defer to Tensor's operators
    __hash__ = object.__hash__
    _hooks = None  # dicts of a leaf's hooks, made on the first registration (most tensors have none)
    _post_accumulate_hooks = None
    _accumulator = None  # the leaf's AccumulateGrad node, made when next_functions first shows it
    _grad_buffer = None  # where a fresh gradient may be written directly (see Context.grad_buffer)
    # a fresh tensor's graph state, on the class so that wrapping each op's result sets only two attributes
    _grad_fn = None
    _requires_grad = False
    _grad = None
    _view_of = None  # a view's (root, steps to read it from the root): see autograd_views.py
    _view_version = 0  # the shared version at which a view's graph was last read from its root
    _inference = False  # made inside inference_mode (see autograd.inference_mode)

    def __init__(self, data=(), *sizes, requires_grad=False):
        if isinstance(data, np.ndarray):  # ddp's own use, on every op result: wrap, no copy
            self._data = data
        elif type(data) in (list, tuple, int, float, bool, Size) or isinstance(data, Tensor):
            self._data = _legacy_data(data, sizes)
        else:  # numpy scalars
            self._data = np.asarray(data)
        self._version_cell = [0]
        if _thread.inference:
            self._inference = True
        if requires_grad:
            self.requires_grad = True

    # ------------------------------------------------------------------------------------ graph state
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if not self.is_leaf:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            )
        if flag and self._inference and not _thread.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        if flag and not (is_floating(self.dtype) or self.dtype.kind == "c"):
            raise RuntimeError(f"only Tensors of floating point and complex dtype can require gradients, not "
                               f"{self.dtype}")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        """The gradient accumulated by backward (None until one arrives)."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:  # PyTorch's checks of an assigned gradient
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: {tuple(value.shape)} for a tensor "
                                   f"of {tuple(self.shape)}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: {value.dtype} for a tensor of "
                                   f"{self.dtype}")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def _version(self):
        return self._version_cell[0]

    def _bump_version(self):
        self._version_cell[0] += 1

    @property
    def _base(self):
        """The tensor whose memory this view reads (None for a tensor that is not a view), as PyTorch's."""
        return None if self._view_of is None else self._view_of[0]

    def _is_view(self):
        return self._view_of is not None

    def _check_writable(self):
        """PyTorch's RuntimeError for an in-place write into an expanded view (numpy's would be a ValueError
        about read-only memory), or into memory that is read-only for another reason. A view whose root was
        written since it was made first reads its graph afresh, so the write is recorded against the new one."""
        if self._view_of is not None and self._view_version != self._version_cell[0] and autograd.is_grad_enabled():
            autograd_views.refresh(self)
        if self._inference and not _thread.inference:
            raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed. You can make "
                               "a clone to get a normal tensor before doing inplace update.")
        data = self._data
        if data.flags.writeable:
            return
        if any(s == 0 and n > 1 for s, n in zip(data.strides, data.shape)):
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")
        raise RuntimeError("this tensor's memory is read-only (a view that numpy made so, or a read-only buffer): "
                           "clone() the tensor before writing into it in place")

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (or only into those of `inputs`). `gradient` is
        required unless self is scalar; `create_graph` records the gradients so they can be differentiated."""
        autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a returned Tensor replaces the gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if not self.is_leaf:
            node = self._grad_fn
            if "hooks" not in vars(node):
                node.hooks = {}
            handle = autograd.add_hook(node.hooks, hook)
            if self._retains_grad:  # retain_grad keeps the gradient after every hook, as PyTorch's
                keep = self._retain_handle.id
                node.hooks[keep] = node.hooks.pop(keep)
            return handle
        if self._hooks is None:
            self._hooks = {}
        return autograd.add_hook(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call `hook(tensor)` on a leaf once its `.grad` holds the gradient of the current backward."""
        if not self.is_leaf:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = {}
        return autograd.add_hook(self._post_accumulate_hooks, hook)

    def retain_grad(self):
        """Keep the gradient of a non-leaf tensor in `.grad` after backward (once, however often it is called).

        Raises:
            RuntimeError: the tensor does not require grad (as PyTorch).
        """
        if not self._requires_grad:
            raise RuntimeError("retain_grad(): this tensor does not require grad, so it will have no gradient to keep")
        if self.is_leaf or self._retains_grad:
            return

        def keep(grad):
            self.grad = Tensor(grad._data.copy()) if self.grad is None else self.grad + grad

        self._retain_handle = self.register_hook(keep)
        self._retains_grad = True

    _retains_grad = False
    _retain_handle = None

    @property
    def retains_grad(self):
        """Whether `retain_grad()` made this non-leaf keep its `.grad` (False for leaves, which always do)."""
        return self._retains_grad

    @property
    def output_nr(self):
        """Which output of its grad_fn this tensor is: always 0, as every ddp op has one output."""
        return 0

    def detach(self):
        """A tensor that shares this one's memory but is cut from the graph."""
        out = Tensor(self._data)
        out._version_cell = self._version_cell
        return out

    @property
    def data(self):
        """Shares memory, detached, with its own version counter: autograd does not see writes through it."""
        return Tensor(self._data)

    @data.setter
    def data(self, value):
        value = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._data = value

    def detach_(self):
        self._grad_fn = None
        self._requires_grad = False
        return self

    # --------------------------------------------------------------------------------- array facts
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None, *, axis=None):
        dim = dim if axis is None else dim_alias("size", dim, axis)  # numpy's name, which PyTorch takes too
        return self.shape if dim is None else self._data.shape[dim]

    @property
    def dtype(self):
        return dtype_of(self._data.dtype)

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    @property
    def device(self):
        return CPU

    is_cuda = False

    def is_floating_point(self):
        return is_floating(self.dtype)

    def is_contiguous(self, memory_format=contiguous_format):
        """Whether the elements lie densely in memory in `memory_format`'s order (C order by default)."""
        return is_contiguous_as(self._data, memory_format)

    def element_size(self):
        return self._data.itemsize

    def stride(self, dim=None, *, axis=None):
        """Steps in elements (not bytes, unlike numpy) between neighbours along each dim (or along `dim`, which
        numpy's name `axis` also gives)."""
        dim = dim if axis is None else dim_alias("stride", dim, axis)
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[dim]

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getstate__(self):
        """What copy.deepcopy and pickle keep: data, grad, flags and Python attributes, not the ties to this
        tensor's place in a graph or a trainer (its AccumulateGrad node, post-accumulate hooks such as
        DistributedDataParallel's, a bucket view): PyTorch's copies have none of those either."""
        state = dict(self.__dict__)
        for tie in ("_accumulator", "_post_accumulate_hooks", "_grad_buffer", "_retain_handle"):
            state.pop(tie, None)
        return state

    def __reversed__(self):
        """reversed(x): x flipped along dim 0, a Tensor (a 0-d tensor as it is), as PyTorch's."""
        return self if self._data.ndim == 0 else self.flip(0)

    # ------------------------------------------------------------------------------- conversions
    def numpy(self, *, force=False):
        """The underlying numpy array (no copy; `force` is accepted: it never needs a copy on the CPU)."""
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        if self._requires_grad:  # PyTorch 2.13's warning (item() and int() give none)
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                          "Consider using tensor.detach() first.", UserWarning, stacklevel=2)
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        """The one element, for float(x) and int(x): a ValueError otherwise, as PyTorch's (item() raises
        RuntimeError)."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __index__(self):
        if self.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} elements is ambiguous"
            )
        return bool(self._data.reshape(()))

    def to(self, *args, **kwargs):
        """This tensor in another dtype: `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)`.

        Returns self when nothing changes (unless `copy=True`); `non_blocking` is accepted, and
        `memory_format=ddp.channels_last` lays the result out channels-last. The CPU is the only device: any
        other raises RuntimeError.
        """
        memory_format = kwargs.pop("memory_format", None)
        if len(args) == 1 and not kwargs and args[0].__class__ is dtype_class:  # fast path: to(dtype), as copy_ calls
            dtype, copy = args[0], False
        else:
            if args and isinstance(args[0], Tensor):
                args = (args[0].dtype,) + args[1:]
            dtype, copy = to_arguments("to", args, kwargs)
            dtype = as_dtype(dtype)
        if dtype is None or dtype == self.dtype:
            out = self.clone() if copy else self
        else:
            out = Cast.apply(self, dtype=dtype)
        return out if memory_format is None else to_memory_format(out, memory_format, "to")

    def type(self, dtype=None, non_blocking=False):
        """With no argument, the legacy type name ("ddp.FloatTensor"); else this tensor cast to `dtype`.

        `dtype` may be a dtype, a legacy type (`ddp.LongTensor`) or its name ("torch.LongTensor").
        """
        if dtype is None:
            return type_name(self.dtype)
        return self.to(dtype_of_type(dtype))

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        raise cpu_only_error("Tensor.cuda()")

    def get_device(self):
        """-1: the CPU, as PyTorch numbers it."""
        return -1

    def pin_memory(self):
        return self  # pinned memory speeds host-to-GPU copies; there are none

    def is_pinned(self):
        return False

    def share_memory_(self):
        """Marks the tensor shared (`is_shared()`): simulated ranks are threads, so its memory already is."""
        self._shared = True
        return self

    _shared = False

    def is_shared(self):
        return self._shared

    def __repr__(self):
        return _format(self)

    # --------------------------------------------------------------------------------- in-place
    def _inplace(self, op, *args):
        """Run `op(self, *args)` out of place and write the result into self's memory.

        With recording on, self takes the op's place in the graph; a leaf that requires grad refuses.
        """
        self._check_writable()
        records = autograd.is_grad_enabled() and (
            self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)
        )
        if records:
            if self._view_of is not None:
                return autograd_views.write(self, op, args)
            if self.is_leaf and self._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            before = Tensor(self._data.copy())
            before._grad_fn, before._requires_grad = self._grad_fn, self._requires_grad
            out = op(before, *args)
            self._check_fits(out)
            self._grad_fn, self._requires_grad = out._grad_fn, out._requires_grad
        else:
            with autograd.no_grad():
                out = op(self, *args)
            self._check_fits(out)
        np.copyto(self._data, out._data, casting="unsafe")
        self._bump_version()
        return self

    def _check_fits(self, out):
        """An in-place result must have self's shape (or broadcast to it) and a dtype that casts to self's within
        its kind (float into an integer tensor does not), as PyTorch requires."""
        if out.dtype != self.dtype and not np.can_cast(out.dtype, self.dtype, "same_kind"):
            raise RuntimeError(f"in-place op: its result is {out.dtype}, which cannot be written into this "
                               f"{self.dtype} tensor")
        if out.shape != self.shape:
            try:
                fits = np.broadcast_shapes(out.shape, self.shape) == self.shape
            except ValueError:
                fits = False
            if not fits:
                raise RuntimeError(f"in-place op: its result has shape {tuple(out.shape)}, which cannot be written "
                                   f"into this tensor of shape {tuple(self.shape)}")

    def add_(self, other, alpha=1):
        other, alpha = alpha_first("add_", other, alpha)  # also PyTorch's deprecated add_(alpha, other)
        return self._inplace(lambda t, o: t + o * alpha if alpha != 1 else t + o, other)

    def sub_(self, other, alpha=1):
        other, alpha = alpha_first("sub_", other, alpha)
        return self._inplace(lambda t, o: t - o * alpha if alpha != 1 else t - o, other)

    def mul_(self, other):
        return self._inplace(lambda t, o: t * o, other)

    def div_(self, other, rounding_mode=None):
        return self._inplace(lambda t, o: F.div(t, o, rounding_mode), other)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda t: t.clamp(min, max))

    clip_ = clamp_

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        self._check_writable()
        if autograd.is_grad_enabled() and self._requires_grad:
            return self._inplace(lambda t: t * 0 + value)
        self._data[...] = value.item() if isinstance(value, Tensor) else value
        self._bump_version()
        return self

    def copy_(self, src):
        """Copy `src` (broadcast to self's shape) into self."""
        src = src if isinstance(src, Tensor) else Tensor(np.asarray(src))
        return self._inplace(lambda t, s: F.clone(F.expand(s.to(t.dtype), t.shape)), src)

    def __setitem__(self, index, value):
        self._check_writable()
        if not (autograd.is_grad_enabled() and (self._requires_grad or getattr(value, "_requires_grad", False))):
            assign(self._data, F.as_index(index), value._data if isinstance(value, Tensor) else value)
            self._bump_version()
            return
        value = value if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype=self.dtype))
        self._inplace(lambda t, v: index_assign(t, index, v), value)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        self._check_writable()
        self._data[...] = draws.uniform(generator_of(generator), self.shape, self._data.dtype, a, b)
        self._bump_version()
        return self

    def normal_(self, mean=0.0, std=1.0, generator=None):
        self._check_writable()
        self._data[...] = draws.normal(generator_of(generator), self.shape, self._data.dtype, mean, std,
                                       contiguous=self._data.flags.c_contiguous)
        self._bump_version()
        return self


autograd.Tensor = tensor_attributes.Tensor = Tensor
_thread = autograd._local  # this thread's autograd state (inference mode), read when tensors are made
autograd._views = autograd_views


def _legacy_data(data, sizes):
    """PyTorch's legacy constructor: `Tensor([1, 2])` is data in the default float dtype, `Tensor(2, 3)` (or
    `Tensor(x.shape)`) a new tensor of that shape (zeros here; uninitialised in PyTorch), `Tensor()` an
    empty one, and `Tensor(t)` shares t's memory."""
    if isinstance(data, Tensor):
        return data._data
    if type(data) in (float, bool):
        raise TypeError(f"Tensor(): data must be a sequence (got {type(data).__name__}); ddp.tensor({data!r}) "
                        f"makes a 0-d tensor")
    if type(data) is int or type(data) is Size:
        shape = tuple(data) if type(data) is Size else (data,) + sizes
        return np.zeros(size_arg(shape, "Tensor"), dtype=get_default_dtype())
    if sizes:
        raise TypeError(f"Tensor(): expected one sequence of data or ints (sizes), got {data!r} and {sizes!r}")
    return np.array(data, dtype=get_default_dtype())


class Size(tuple):
    """A tensor's shape: a tuple that prints as PyTorch's `torch.Size([...])`."""

    def __repr__(self):
        return f"ddp.Size({list(self)})"

    # slices, concatenations and repeats of a Size are Sizes, as PyTorch's (a tuple's would be tuples)
    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, times):
        return Size(tuple.__mul__(self, times))

    __rmul__ = __mul__

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


def _format(t):
    """PyTorch's repr: the dtype unless the default float (or its complex), int64 or bool; an empty tensor's
    size unless 1-D; the node or requires_grad."""
    extras, default = [], get_default_dtype()
    if t._data.size == 0:
        if t._data.ndim != 1:
            extras.append(f"size={t._data.shape}")
        if t.dtype != default:
            extras.append(f"dtype={t.dtype}")
    elif t.dtype not in (default, np.int64, np.bool_, np.result_type(default, np.complex64)):
        extras.append(f"dtype={t.dtype}")
    if t._grad_fn is not None:
        extras.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return printing.tensor_repr(t._data, extras)


from . import functional as F  # noqa: E402  (last: functional's modules import Tensor and Size)
from .shape_functional import assign, index_assign  # noqa: E402

bind_functional(F)  # TensorOps' methods call the ops in functional
