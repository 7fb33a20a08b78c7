"""Tensor's attributes beyond the graph and the array (`x.nbytes`, `x.data_ptr()`, `x.H`, `x.new(2, 3)`,
`x.resize_(4)`, `x.apply_(fn)`): `TensorAttributes`, a base class of `Tensor`, as `TensorOps` is.

These answer PyTorch's questions about memory (sizes in bytes, addresses, offsets, dim order), its layout
and kind flags (ddp has strided CPU arrays only), complex views (a real tensor is its own conjugate and real
part), and hold the legacy constructor, resizing, and the per-element Python fills. `Tensor` is bound by
tensor.py once the class exists.
"""
import warnings

import numpy as np

from .device import check_device, strided
from .ops.strided import address, storage_root
from .sizes import size_arg

Tensor = None  # ddp.core.tensor.Tensor, bound by tensor.py (it derives from TensorAttributes)


class TensorAttributes:
    """Memory facts, flags, complex views, the legacy constructor `new`, `resize_`, and `apply_`/`map_`."""

    __slots__ = ()

    # ------------------------------------------------------------------------------ memory facts
    def ndimension(self):
        return self._data.ndim

    @property
    def nbytes(self):
        """numel() * itemsize: the bytes of the elements (a broadcast view counts each of its elements)."""
        return int(self._data.nbytes)

    @property
    def itemsize(self):
        return self._data.itemsize

    def data_ptr(self):
        """The address of the first element (0 for an empty tensor, as PyTorch)."""
        return int(self._data.__array_interface__["data"][0]) if self._data.size else 0

    def storage_offset(self):
        """How many elements the first element lies past the start of the memory this tensor views (the array
        that owns it, as as_strided counts its storage_offset)."""
        base = storage_root(self._data)
        if base is self._data or not self._data.size:
            return 0
        return (self.data_ptr() - address(base)) // self._data.itemsize

    def untyped_storage(self):
        """The memory under this tensor, as bytes (its data_ptr() tells tensors that share memory apart)."""
        from .storage import UntypedStorage

        return UntypedStorage(storage_root(self._data))

    def storage(self):
        """The memory under this tensor as elements of its dtype (PyTorch's deprecated TypedStorage)."""
        from .storage import typed_storage

        return typed_storage(storage_root(self._data), self.dtype)

    def dim_order(self, *, ambiguity_check=False):
        """The dims from the outermost in memory to the innermost: by decreasing stride (ties by decreasing
        size, then in order); dims of stride 0 (broadcast) keep their place.

        Raises:
            RuntimeError: with ambiguity_check=True, when two dims could be swapped (equal strides).
        """
        steps, shape = self.stride(), self.shape
        moving = [d for d in range(self.ndim) if steps[d]]
        ranked = iter(sorted(moving, key=lambda d: (-steps[d], -shape[d])))
        order = tuple(next(ranked) if steps[d] else d for d in range(self.ndim))
        if ambiguity_check is True and len(set(steps)) < self.ndim:
            raise RuntimeError(f"dim_order(): strides {steps} of shape {tuple(shape)} do not fix one dim order")
        return order

    # PyTorch's layout and kind flags: ddp has strided numpy arrays on the CPU only
    layout = strided
    is_cpu = True
    is_sparse = is_sparse_csr = is_quantized = is_meta = is_mkldnn = is_nested = False
    name = None  # PyTorch's named-tensor attribute: ddp tensors have no names

    def to_dense(self, dtype=None, *, masked_grad=None):
        """self (or self in `dtype`): a dense tensor is its own dense form, as in PyTorch; ddp has no sparse ones."""
        return self if dtype is None else self.to(dtype)

    # ---------------------------------------------------------------------------- complex views
    def conj(self):
        """self for a real tensor (conjugation is the identity there); else the conjugate (differentiable)."""
        if self.dtype.kind != "c":
            return self
        from .ops.complex_views import Conj

        return Conj.apply(self)

    conj_physical = conj

    def resolve_conj(self):
        return self  # ddp conjugates eagerly: there is no lazy conjugation to resolve

    def resolve_neg(self):
        return self

    @property
    def real(self):
        """A real tensor's real part is the tensor itself; a complex one's is a view of its real parts (through
        view_as_real, so that gradients flow)."""
        if self.dtype.kind != "c":
            return self
        from .complex_views_functional import view_as_real

        return view_as_real(self)[..., 0]

    @property
    def imag(self):
        """The imaginary parts of a complex tensor, as a view.

        Raises:
            RuntimeError: for a real tensor, as PyTorch.
        """
        if self.dtype.kind != "c":
            raise RuntimeError(f"imag: only complex tensors have an imaginary part; this one is {self.dtype}")
        from .complex_views_functional import view_as_real

        return view_as_real(self)[..., 1]

    def adjoint(self):
        """The conjugate transpose of the last two dims.

        Raises:
            RuntimeError: for fewer than 2 dims.
        """
        if self.ndim < 2:
            raise RuntimeError(f"adjoint(): needs a matrix or a batch of matrices, got a {self.ndim}-D tensor")
        return self.conj().transpose(-2, -1)

    @property
    def mH(self):
        if self.ndim < 2:
            raise RuntimeError(f"mH: needs a matrix or a batch of matrices, got a {self.ndim}-D tensor")
        return self.adjoint()

    @property
    def H(self):
        """The conjugate transpose of a matrix (use mH for batches).

        Raises:
            RuntimeError: for a tensor of 1 or more than 2 dims (0-d ones warn and give conj(), as PyTorch).
        """
        if self.ndim == 0:
            warnings.warn("Tensor.H of a 0-d tensor is deprecated: use conj()", UserWarning, stacklevel=2)
            return self.conj()
        if self.ndim != 2:
            raise RuntimeError(f"H: needs a matrix (2-D tensor), got a {self.ndim}-D tensor; for batches of "
                               f"matrices use mH")
        return self.adjoint()

    # --------------------------------------------------------------- legacy constructor, resizing
    def new(self, *args, device=None):
        """PyTorch's legacy constructor, in this tensor's dtype: `x.new(2, 3)` (or a Size) a new tensor of that
        shape (zeros here; uninitialised in PyTorch), `x.new([1, 2])` data, `x.new()` an empty one, and
        `x.new(t)` t's memory (t must have x's dtype).

        Raises:
            TypeError: a number that is not an int, or a tensor of another dtype.
        """
        check_device(device, "new")
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].dtype != self.dtype:
                raise TypeError(f"new(): expected a tensor of this tensor's dtype {self.dtype}, got {args[0].dtype}")
            return args[0].detach()
        if not args:
            return Tensor(np.zeros(0, dtype=self.dtype))
        if len(args) == 1 and type(args[0]) in (list, tuple):
            return Tensor(np.array(args[0], dtype=self.dtype))
        if any(type(a) in (float, bool, complex) for a in args):
            raise TypeError(f"new(): expected sizes (ints) or one sequence of data, got {args!r}")
        return Tensor(np.zeros(size_arg(args, "new"), dtype=self.dtype))

    def resize_(self, *sizes, memory_format=None):
        """Give self the shape `sizes`, keeping its elements in order: fewer keep the first ones (a view of the
        same memory), more append zeros (uninitialised in PyTorch) in new memory.

        Raises:
            RuntimeError: the tensor requires grad (as PyTorch), or a size is negative.
        """
        if self._requires_grad:
            raise RuntimeError("resize_(): cannot resize a tensor that requires grad; resize its detach()")
        shape = size_arg(sizes, "resize_")
        count, flat = int(np.prod(shape, dtype=np.int64)), self._data.reshape(-1)
        if count > flat.size:
            flat = np.concatenate([flat, np.zeros(count - flat.size, dtype=self.dtype)])
        self._data = flat[:count].reshape(shape)
        self._bump_version()
        return self

    def resize_as_(self, the_template, memory_format=None):
        return self.resize_(the_template.shape)

    # ------------------------------------------------------------------------ per-element Python calls
    def _python_fill(self, op, fn, *others):
        """Write fn(x, *others' elements) into each element x, calling fn with Python numbers."""
        if self._requires_grad:
            raise RuntimeError(f"{op}(): cannot call a Python function per element of a tensor that requires "
                               f"grad; use x.detach().{op}(...)")
        try:
            columns = [np.broadcast_to(o._data, self.shape).reshape(-1).tolist() for o in others]
        except ValueError:
            shapes = [tuple(o.shape) for o in others]
            raise RuntimeError(f"{op}(): the tensors of shapes {shapes} do not broadcast to "
                               f"{tuple(self.shape)}") from None
        values = list(map(fn, self._data.reshape(-1).tolist(), *columns))
        np.copyto(self._data, np.asarray(values).reshape(self.shape), casting="unsafe")
        self._bump_version()
        return self

    def apply_(self, callable):  # noqa: A002 - PyTorch's name
        """Replace each element x by callable(x). Slow, as in PyTorch: one Python call per element."""
        return self._python_fill("apply_", callable)

    def map_(self, tensor, callable):  # noqa: A002
        """Replace each element x by callable(x, y), y the matching element of `tensor` (broadcast). Slow."""
        return self._python_fill("map_", callable, tensor)

    def map2_(self, x, y, callable):  # noqa: A002
        """Replace each element a by callable(a, b, c) with b, c from x and y (broadcast). Slow."""
        return self._python_fill("map2_", callable, x, y)
