"""Ops that move data without arithmetic: views, joins, indexing, gather."""
import numpy as np

from ..autograd import Function


class Reshape(Function):
    """x.reshape(shape) (a view where numpy can); d/dx = g reshaped back."""

    node_name = "ViewBackward0"  # PyTorch's name for the node

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)

    @staticmethod
    def differentiable_backward(ctx, g):
        return Reshape.apply(g, shape=ctx.shape)



class Permute(Function):
    """x.transpose(dims); d/dx = g with the inverse permutation."""

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, x, *, dims):
        ctx.inverse = tuple(np.argsort(dims))
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(ctx.inverse)

    @staticmethod
    def differentiable_backward(ctx, g):
        return Permute.apply(g, dims=ctx.inverse)



class Expand(Function):
    """A broadcast (read-only) view of x with `shape` (a plain, writable view for x's own shape); the engine
    sums the gradient back."""

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, x, *, shape):
        return x.view() if x.shape == shape else np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g

    @staticmethod
    def differentiable_backward(ctx, g):
        return g



class Contiguous(Function):
    """A C-contiguous copy of x; d/dx = g."""

    node_name = "CloneBackward0"  # PyTorch's name for the node

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, x):
        return np.ascontiguousarray(x)

    @staticmethod
    def backward(ctx, g):
        return g

    @staticmethod
    def differentiable_backward(ctx, g):
        return g



class Clone(Function):
    """A copy of x in new memory; d/dx = g."""

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g

    @staticmethod
    def differentiable_backward(ctx, g):
        return g



class Cat(Function):
    """concatenate(xs, dim); each input gets its slice of the gradient."""

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        ctx.bounds = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.split(g, ctx.bounds, axis=ctx.dim))

    @staticmethod
    def differentiable_backward(ctx, g):
        dim = ctx.dim % g.ndim
        edges = [0, *(int(b) for b in ctx.bounds), g.shape[dim]]
        return tuple(Index.apply(g, index=(slice(None),) * dim + (slice(lo, hi),)) for lo, hi in zip(edges, edges[1:]))



class Stack(Function):
    """stack(xs, dim); each input gets its index of the gradient."""

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.moveaxis(g, ctx.dim, 0))

    @staticmethod
    def differentiable_backward(ctx, g):
        dim = ctx.dim % g.ndim
        return tuple(Index.apply(g, index=(slice(None),) * dim + (i,)) for i in range(g.shape[dim]))



def _is_basic(index):
    """Whether numpy indexes with `index` by view (no integer or boolean arrays)."""
    parts = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(p, (np.ndarray, list)) for p in parts)


class Index(Function):
    """x[index]; the gradient is scattered back (accumulating over repeated integer indices)."""

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def node_name(ctx):
        """PyTorch's name: its last basic step (Select for an int, Slice, Unsqueeze for None), Index for
        arrays and masks, Alias when nothing moves."""
        parts = ctx.index if isinstance(ctx.index, tuple) else (ctx.index,)
        last = None
        for p in parts:
            if isinstance(p, np.ndarray) or isinstance(p, (list, bool)):
                return "IndexBackward0"
            if p is None:
                last = "UnsqueezeBackward0"
            elif isinstance(p, slice):
                if p != slice(None):
                    last = "SliceBackward0"
            elif p is not Ellipsis:
                last = "SelectBackward0"
        if last is None:
            return "SliceBackward0" if parts == (slice(None),) else "AliasBackward0"
        return last

    @staticmethod
    def forward(ctx, x, *, index):
        ctx.shape, ctx.index = x.shape, index
        out = x[index]
        if not isinstance(out, np.ndarray):  # all-int index: a 0-d view, not a numpy scalar copy
            out = x[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]
        return out

    @staticmethod
    def backward(ctx, g):
        return _scatter_back(g, ctx.shape, ctx.index)

    @staticmethod
    def differentiable_backward(ctx, g):
        return Unindex.apply(g, shape=ctx.shape, index=ctx.index)



class Unindex(Function):
    """Zeros of `shape` with g written at `index` (added where integer indices repeat): Index's gradient as a
    recorded op, for create_graph=True; its own gradient is Index again."""

    @staticmethod
    def forward(ctx, g, *, shape, index):
        ctx.index = index
        return _scatter_back(g, shape, index)

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.index]

    @staticmethod
    def differentiable_backward(ctx, gg):
        return Index.apply(gg, index=ctx.index)


def _scatter_back(g, shape, index):
    gx = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        gx[index] = g
    else:
        np.add.at(gx, index, g)
    return gx


def put(out, index, v):
    """out[index] = v, where v may carry extra leading size-1 dims (as PyTorch allows)."""
    v = np.asarray(v)
    target = np.shape(out[index])
    extra = v.ndim - len(target)
    if extra > 0 and all(s == 1 for s in v.shape[:extra]):
        v = v.reshape(v.shape[extra:])
    try:
        out[index] = v
    except ValueError:  # numpy's "could not broadcast" / "setting an array element with a sequence"
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to indexing "
                           f"result of shape {list(target)}") from None


class IndexPut(Function):
    """x with x[index] = v (a copy); d/dx = g outside the index, d/dv = g[index]."""

    complex_grad = True  # linear: the gradient moves as it is

    @staticmethod
    def forward(ctx, x, v, *, index):
        ctx.index, ctx.vshape = index, np.shape(v)
        out = x.copy()
        put(out, index, v)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = None
        if ctx.needs_input_grad[0]:
            gx = g.copy()
            gx[ctx.index] = 0
        gv = None
        if ctx.needs_input_grad[1]:
            gv = np.asarray(g[ctx.index])
            gv = gv.reshape((1,) * (len(ctx.vshape) - gv.ndim) + gv.shape)  # v's extra leading 1s
        return gx, gv

    @staticmethod
    def differentiable_backward(ctx, g):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = IndexPut.apply(g, np.zeros((), dtype=g._data.dtype), index=ctx.index)
        if ctx.needs_input_grad[1]:
            gv = Index.apply(g, index=ctx.index)
            if gv.ndim < len(ctx.vshape):
                gv = Reshape.apply(gv, shape=(1,) * (len(ctx.vshape) - gv.ndim) + tuple(gv.shape))
        return gx, gv


class Gather(Function):
    """take_along_axis(x, index, dim); the gradient is scattered back with accumulation."""

    @staticmethod
    def forward(ctx, x, *, index, dim):
        ctx.shape, ctx.index, ctx.dim = x.shape, index, dim
        return np.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        gx = np.zeros(ctx.shape, dtype=g.dtype)
        grid = list(np.indices(ctx.index.shape, sparse=True))
        grid[ctx.dim] = ctx.index
        np.add.at(gx, tuple(grid), g)
        return gx

    @staticmethod
    def differentiable_backward(ctx, g):
        return Unindex.apply(g, shape=ctx.shape, index=_along(ctx.index, ctx.dim))


class Pad(Function):
    """Constant padding; `widths` is numpy's ((before, after), ...) per axis; d/dx = the inner slice of g."""

    @staticmethod
    def forward(ctx, x, *, widths, value=0.0):
        ctx.inner = tuple(slice(b, b + n) for (b, _), n in zip(widths, x.shape))
        return np.pad(x, widths, constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.inner]

    @staticmethod
    def differentiable_backward(ctx, g):
        return Index.apply(g, index=ctx.inner)



def _along(index, dim):
    """The advanced index that picks `index` along `dim` and every position along the other dims."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


class Scatter(Function):
    """x with src written (or, with accumulate, added) at `index` along `dim`: out[..., index[j], ...] =
    src[..., j, ...]. d/dx = g, zeroed where written unless accumulating; d/dsrc = g gathered at index."""

    @staticmethod
    def forward(ctx, x, src, *, index, dim, accumulate=False):
        where = _along(index, dim)
        part = src[tuple(slice(0, n) for n in index.shape)]
        out = x.copy()
        if accumulate:
            np.add.at(out, where, part)
        else:
            out[where] = part
        ctx.where, ctx.src_shape, ctx.accumulate = where, src.shape, accumulate
        return out

    @staticmethod
    def backward(ctx, g):
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            gx = g
            if not ctx.accumulate:
                gx = g.copy()
                gx[ctx.where] = 0
        if ctx.needs_input_grad[1]:
            picked = g[ctx.where]
            gsrc = np.zeros(ctx.src_shape, dtype=g.dtype)
            gsrc[tuple(slice(0, n) for n in picked.shape)] = picked
        return gx, gsrc

    @staticmethod
    def differentiable_backward(ctx, g):
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            gx = g if ctx.accumulate else IndexPut.apply(g, np.zeros((), dtype=g._data.dtype), index=ctx.where)
        if ctx.needs_input_grad[1]:
            picked = Index.apply(g, index=ctx.where)
            widths = tuple((0, s - n) for s, n in zip(ctx.src_shape, picked.shape))
            gsrc = Pad.apply(picked, widths=widths) if any(w for _, w in widths) else picked
        return gx, gsrc


class Roll(Function):
    """np.roll(x, shifts, dims) (dims None: over the flattened tensor); d/dx = g rolled back."""

    complex_grad = True  # a permutation: the gradient moves as it is

    @staticmethod
    def forward(ctx, x, *, shifts, dims=None):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, g):
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return np.roll(g, back, axis=ctx.dims)

    @staticmethod
    def differentiable_backward(ctx, g):
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return Roll.apply(g, shifts=back, dims=ctx.dims)
