"""scatter_reduce: src reduced into a copy of x along a dim (sum, prod, mean, amax, amin), with its gradients.

Each output position reduces its scattered src elements, and x's own element unless `include_self` is
False; a position nothing is scattered to keeps x's element either way.
"""
import numpy as np

from ..autograd import Function
from .elementwise import select
from .shape import Index, IndexPut, Pad, _along

UFUNCS = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce, dtype):
    """The start value of a reduction that leaves x's own element out."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    largest = reduce == "amin"
    if dtype.kind == "f":
        return np.inf if largest else -np.inf
    if dtype.kind == "b":
        return largest
    info = np.iinfo(dtype)
    return info.max if largest else info.min


def _others(m, zeros, nonzero_prod):
    """d(prod)/dm for a factor m of a product with `zeros` zero factors whose nonzero factors multiply to
    `nonzero_prod`: the product of the other factors, exact where zeros are (no division by 0)."""
    alone = np.where(zeros == 0, nonzero_prod / np.where(m == 0, 1, m), 0)
    return np.where((zeros == 1) & (m == 0), nonzero_prod, alone)


class ScatterReduce(Function):
    """out = x with src[..., j, ...] reduced into out[..., index[..., j, ...], ...] along `dim`.

    Gradients: sum passes g; mean g / count; amax and amin split g evenly among the elements equal to the
    result (ties); prod gives each factor the product of the others (exact with zeros). x's elements left
    out of the reduction (include_self=False, at scattered positions) get 0.
    """

    @staticmethod
    def forward(ctx, x, src, *, index, dim, reduce, include_self=True):
        where = _along(index, dim)
        part = src[tuple(slice(0, n) for n in index.shape)]
        out = x.copy()
        if not include_self:
            out[where] = _identity(reduce, x.dtype)
        UFUNCS[reduce].at(out, where, part)
        ctx.where, ctx.reduce, ctx.include_self, ctx.src_shape = where, reduce, include_self, src.shape
        if reduce == "mean":
            count = np.full(x.shape, int(include_self), dtype=x.dtype if x.dtype.kind == "f" else np.int64)
            np.add.at(count, where, 1)
            ctx.count = np.maximum(count, 1)  # 0 only where nothing reduces: out keeps x's element there
            out = out / ctx.count if x.dtype.kind == "f" else np.floor_divide(out, ctx.count).astype(x.dtype)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            if reduce in ("amax", "amin"):
                ctx.save_for_backward(x, part, out)
            elif reduce == "prod":
                ctx.save_for_backward(x, part)
        return out

    @staticmethod
    def backward(ctx, g):
        where, reduce, include_self = ctx.where, ctx.reduce, ctx.include_self
        if reduce in ("sum", "mean"):
            share = g / ctx.count if reduce == "mean" else g
            gx, gpart = share, share[where]
        elif reduce == "prod":
            x, part = ctx.saved_tensors
            zeros = (x == 0).astype(g.dtype) if include_self else np.zeros(g.shape, dtype=g.dtype)
            np.add.at(zeros, where, part == 0)
            nonzero = np.where(x == 0, 1, x).astype(g.dtype) if include_self else np.ones(g.shape, dtype=g.dtype)
            np.multiply.at(nonzero, where, np.where(part == 0, 1, part))
            gx = g * _others(x, zeros, nonzero)
            gpart = g[where] * _others(part, zeros[where], nonzero[where])
        else:
            part_wins, x_wins, ties = _winners(ctx, g.dtype)
            share = g / ties
            gx = np.where(x_wins, share, 0)
            gpart = np.where(part_wins, share[where], 0)
        if not include_self:  # x's element counts only where nothing was scattered
            gx = g.copy()
            gx[where] = 0
        gsrc = None
        if ctx.needs_input_grad[1]:
            gsrc = np.zeros(ctx.src_shape, dtype=g.dtype)
            gsrc[tuple(slice(0, n) for n in gpart.shape)] = gpart
        return (gx if ctx.needs_input_grad[0] else None), gsrc

    @staticmethod
    def differentiable_backward(ctx, g):
        where, reduce, include_self = ctx.where, ctx.reduce, ctx.include_self
        if reduce in ("sum", "mean"):
            share = g / ctx.count if reduce == "mean" else g
            gx, gpart = share, Index.apply(share, index=where)
        elif reduce in ("amax", "amin"):  # piecewise linear: the winners' shares are constants of the forward
            part_wins, x_wins, ties = _winners(ctx, g._data.dtype)
            share = g / ties
            gx = select(x_wins, share)
            gpart = select(part_wins, Index.apply(share, index=where))
        else:
            raise NotImplementedError("create_graph=True through scatter_reduce(reduce='prod'): ddp differentiates "
                                      "it only once")
        if not include_self:
            gx = IndexPut.apply(g, np.zeros((), dtype=g._data.dtype), index=where)
        gsrc = None
        if ctx.needs_input_grad[1]:
            widths = tuple((0, s - n) for s, n in zip(ctx.src_shape, gpart.shape))
            gsrc = Pad.apply(gpart, widths=widths) if any(w for _, w in widths) else gpart
        return (gx if ctx.needs_input_grad[0] else None), gsrc


def _winners(ctx, dtype):
    """amax / amin: where the scattered part and x hold the result, and how many tie for each output (at
    least 1), which share its gradient evenly."""
    x, part, out = ctx.saved_tensors
    part_wins = part == out[ctx.where]
    x_wins = (x == out) if ctx.include_self else np.zeros(out.shape, dtype=bool)
    ties = x_wins.astype(dtype)
    np.add.at(ties, ctx.where, part_wins)
    return part_wins, x_wins, np.maximum(ties, 1)
