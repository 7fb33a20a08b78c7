"""Tensor's shape, layout and indexing methods (`x.view(2, 3)`, `x.permute(1, 0)`, `x.gather(1, i)`,
`x.diagonal()`, `x.tensor_split(3)`): `ShapeMethods`, a base of `TensorOps` (methods.py says how they are
built). numpy's `axis=` for `dim` passes on to the functional form, as PyTorch's natively bound methods take
it; split and unflatten are Python in PyTorch and do not."""
from .device import contiguous_format, preserve_format
from .dtypes import as_dtype
from .memory_format import clone_as, to_memory_format
from .numpy_aliases import dim_alias
from .sizes import keyword_vararg

F = None  # ddp.core.functional, bound by methods.bind_functional


def _shape(size):
    return size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


class ShapeMethods:
    """Views, reshapes, joins and splits, element picking, diagonals and scatter variants as methods."""

    __slots__ = ()

    # ----------------------------------------------------------------------------- shape and layout
    def reshape(self, *args, shape=None): return F.reshape(self, *args, shape=shape)
    def reshape_as(self, other): return F.reshape(self, other.shape)
    def view_as(self, other): return F.view(self, other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return F.flatten(self, start_dim, end_dim)
    def unflatten(self, dim, sizes): return F.unflatten(self, dim, sizes)
    def squeeze(self, dim=None, *, axis=None): return F.squeeze(self, dim, axis=axis)
    def unsqueeze(self, dim=None, *, axis=None): return F.unsqueeze(self, dim, axis=axis)
    def transpose(self, dim0, dim1): return F.transpose(self, dim0, dim1)
    def permute(self, *args, dims=None): return F.permute(self, *args, dims=dims)
    def movedim(self, source, destination): return F.movedim(self, source, destination)
    def t(self): return F.t(self)
    def expand(self, *args, size=None): return F.expand(self, *args, size=size)
    def expand_as(self, other): return F.expand(self, other.shape)
    def broadcast_to(self, shape): return F.broadcast_to(self, shape)
    def repeat(self, *args, repeats=None): return F.repeat(self, *args, repeats=repeats)
    def tile(self, *args, dims=None): return F.tile(self, _shape(keyword_vararg("tile", args, dims, "dims")))
    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None, axis=None):
        return F.repeat_interleave(self, repeats, dim, output_size=output_size, axis=axis)
    def contiguous(self, memory_format=contiguous_format): return to_memory_format(self, memory_format, "contiguous")
    def clone(self, *, memory_format=preserve_format): return clone_as(self, memory_format)
    def split(self, split_size, dim=0): return F.split(self, split_size, dim)
    def chunk(self, chunks, dim=0, *, axis=None): return F.chunk(self, chunks, dim, axis=axis)
    def unbind(self, dim=0, *, axis=None): return F.unbind(self, dim, axis=axis)
    def narrow(self, dim=None, start=None, length=None, *, axis=None):
        return F.narrow(self, dim, start, length, axis=axis)
    def flip(self, *args, dims=None): return F.flip(self, *args, dims=dims)
    def fliplr(self): return F.fliplr(self)
    def flipud(self): return F.flipud(self)
    def roll(self, shifts, dims=None): return F.roll(self, shifts, dims)
    def tril(self, diagonal=0): return F.tril(self, diagonal)
    def triu(self, diagonal=0): return F.triu(self, diagonal)
    def diag(self, diagonal=0): return F.diag(self, diagonal)
    def rot90(self, k=1, dims=(0, 1)): return F.rot90(self, k, dims)
    swapaxes = swapdims = transpose

    def view(self, *args, size=None):
        """A view with a new shape (ints, one sequence, or `size=`), or with `view(dtype)` the same bytes read as
        another dtype (no gradient)."""
        if len(args) == 1 and not isinstance(args[0], (int, tuple, list)) and not hasattr(args[0], "__index__"):
            return type(self)(self._data.view(as_dtype(args[0])))
        return F.view(self, *args, size=size)

    @property
    def T(self): return F.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self): return F.transpose(self, -2, -1)

    def type_as(self, other): return self.to(other.dtype)

    # ----------------------------------------------------------------------------- picking elements
    def gather(self, dim=None, index=None, *, axis=None): return F.gather(self, dim, index, axis=axis)
    def take_along_dim(self, indices, dim=None, *, axis=None): return F.take_along_dim(self, indices, dim, axis=axis)
    def index_select(self, dim=None, index=None, *, axis=None): return F.index_select(self, dim, index, axis=axis)
    def masked_select(self, mask): return F.masked_select(self, mask)
    def nonzero(self, as_tuple=False): return F.nonzero(self, as_tuple=as_tuple)
    def nonzero_static(self, *, size, fill_value=-1): return F.nonzero_static(self, size=size, fill_value=fill_value)
    def unsafe_chunk(self, chunks, dim=0): return F.chunk(self, chunks, dim)
    def unsafe_split(self, split_size, dim=0): return F.split(self, split_size, dim)
    def unsafe_split_with_sizes(self, split_sizes, dim=0): return F.split_with_sizes(self, split_sizes, dim)
    def argwhere(self): return F.nonzero(self)
    def scatter(self, dim=None, index=None, src=None, value=None, *, reduce=None, axis=None):
        return F.scatter(self, dim, index, src, value, reduce=reduce, axis=axis)
    def scatter_add(self, dim=None, index=None, src=None, *, axis=None):
        return F.scatter_add(self, dim, index, src, axis=axis)
    def index_fill(self, dim=None, index=None, value=None, *, axis=None):
        return F.index_fill(self, dim, index, value, axis=axis)
    def index_add(self, dim=None, index=None, source=None, alpha=1, *, axis=None):
        return F.index_add(self, dim, index, source, alpha, axis=axis)

    # -------------------------------------------- diagonals, selection, scatter variants and splits
    def diagonal(self, offset=0, dim1=0, dim2=1): return F.diagonal(self, offset, dim1, dim2)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1): return F.diag_embed(self, offset, dim1, dim2)
    def diagflat(self, offset=0): return F.diagflat(self, offset)
    def trace(self): return F.trace(self)
    def fill_diagonal_(self, fill_value, wrap=False): return F.fill_diagonal_(self, fill_value, wrap)
    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1): return F.diagonal_scatter(self, src, offset, dim1, dim2)
    def select(self, dim=None, index=None, *, axis=None): return F.select(self, dim, index, axis=axis)
    def select_scatter(self, src, dim=None, index=None, *, axis=None):
        return F.select_scatter(self, src, dim, index, axis=axis)
    def slice_scatter(self, src, dim=0, start=None, end=None, step=1, *, axis=None):
        return F.slice_scatter(self, src, dim, start, end, step, axis=axis)
    def take(self, index): return F.take(self, index)
    def put(self, index, source, accumulate=False): return F.put(self, index, source, accumulate)
    def put_(self, index, source, accumulate=False): return self._inplace(F.put, index, source, accumulate)
    def index_copy(self, dim=None, index=None, source=None, *, axis=None):
        return F.index_copy(self, dim, index, source, axis=axis)
    def index_copy_(self, dim=None, index=None, source=None, *, axis=None):
        dim = dim if axis is None else dim_alias("index_copy_", dim, axis)
        return self._inplace(F.index_copy, dim, index, source)
    def index_put(self, indices, values, accumulate=False): return F.index_put(self, indices, values, accumulate)
    def index_put_(self, indices, values, accumulate=False): return F.index_put_(self, indices, values, accumulate)
    def masked_scatter(self, mask, source): return F.masked_scatter(self, mask, source)
    def masked_scatter_(self, mask, source):
        return self._inplace(F.masked_scatter, F.broadcast_to(mask, self.shape), source)
    def scatter_reduce(self, dim=None, index=None, src=None, reduce=None, *, include_self=True, axis=None):
        return F.scatter_reduce(self, dim, index, src, reduce, include_self=include_self, axis=axis)
    def scatter_reduce_(self, dim=None, index=None, src=None, reduce=None, *, include_self=True, axis=None):
        dim = dim if axis is None else dim_alias("scatter_reduce_", dim, axis)
        return self._inplace(lambda t, s: F.scatter_reduce(t, dim, index, s, reduce, include_self=include_self), src)
    def index_reduce(self, dim=None, index=None, source=None, reduce=None, *, include_self=True, axis=None):
        return F.index_reduce(self, dim, index, source, reduce, include_self=include_self, axis=axis)
    def index_reduce_(self, dim=None, index=None, source=None, reduce=None, *, include_self=True, axis=None):
        dim = dim if axis is None else dim_alias("index_reduce_", dim, axis)
        return self._inplace(lambda t, s: F.index_reduce(t, dim, index, s, reduce, include_self=include_self), source)
    def bincount(self, weights=None, minlength=0): return F.bincount(self, weights, minlength)
    def tensor_split(self, indices_or_sections=None, dim=0, *, sections=None, indices=None,
                     tensor_indices_or_sections=None, axis=None):
        return F.tensor_split(self, indices_or_sections, dim, sections=sections, indices=indices,
                              tensor_indices_or_sections=tensor_indices_or_sections, axis=axis)
    def hsplit(self, indices_or_sections): return F.hsplit(self, indices_or_sections)
    def vsplit(self, indices_or_sections): return F.vsplit(self, indices_or_sections)
    def dsplit(self, indices_or_sections): return F.dsplit(self, indices_or_sections)
    def split_with_sizes(self, split_sizes, dim=0, *, axis=None):
        return F.split_with_sizes(self, split_sizes, dim, axis=axis)
    def ravel(self): return F.ravel(self)
    def moveaxis(self, source, destination): return F.movedim(self, source, destination)
    def unfold(self, dimension, size, step): return F.unfold(self, dimension, size, step)
    def sum_to_size(self, *size): return F.sum_to_size(self, *size)
    def narrow_copy(self, dim=None, start=None, length=None, *, axis=None):
        return F.narrow_copy(self, dim, start, length, axis=axis)
    def as_strided(self, size, stride, storage_offset=None): return F.as_strided(self, size, stride, storage_offset)
    def as_strided_(self, size, stride, storage_offset=None): return F.as_strided_(self, size, stride, storage_offset)
    def squeeze_(self, dim=None, *, axis=None):
        return self._inplace_view(F.squeeze, dim if axis is None else dim_alias("squeeze_", dim, axis))
    def unsqueeze_(self, dim=None, *, axis=None):
        dim = dim if axis is None and dim is not None else dim_alias("unsqueeze_", dim, axis)
        return self._inplace_view(F.unsqueeze, dim)
    def t_(self): return self._inplace_view(F.t)
    def transpose_(self, dim0, dim1): return self._inplace_view(F.transpose, dim0, dim1)
    swapaxes_ = swapdims_ = transpose_

    def _inplace_view(self, view, *args):
        """Make self the view `view(before, *args)` of its former self (squeeze_, t_, ...): its shape and graph
        node change, its memory and values do not. `before` keeps the old shape, which the engine reads when
        it hands the view's gradient back. With recording on, a leaf that requires grad refuses; the version
        goes up, so that backward through an op that saved self fails, both as in PyTorch. An op recorded on
        self before this call still sends a gradient of the old shape, which the engine checks against the
        shape recorded with self's old node."""
        before = type(self)(self._data)
        before._grad_fn, before._requires_grad = self._grad_fn, self._requires_grad
        before._version_cell = self._version_cell
        out = view(before, *args)
        if out._grad_fn is not None and out is not before:
            if self._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            self._grad_fn = out._grad_fn
        self._data = out._data
        self._bump_version()
        return self
