"""Reduction of consecutive rows into bags (sum, mean or max): embedding_bag's second half, after the
Embedding lookup. Arguments arrive normalised by ddp.core.nn.functional_embedding_bag."""
import numpy as np

from ..autograd import Function, Tensor
from .shape import Index, Unindex


class BagReduce(Function):
    """rows (M, D) -> (B, D): bag b reduces rows [start_b, start_b + counts[b]); an empty bag gives zeros.

    Backward: sum repeats g[b] over the bag's rows; mean repeats g[b] / counts[b]; max sends g[b, d] to the
    first row of the bag that holds the maximum in column d.
    """

    @staticmethod
    def forward(ctx, rows, counts=None, mode="sum"):
        full = counts > 0
        starts = (np.cumsum(counts) - counts)[full]  # first row of each non-empty bag, strictly increasing
        out = np.zeros((counts.size, rows.shape[1]), dtype=rows.dtype)
        ctx.counts, ctx.full, ctx.mode, ctx.first = counts, full, mode, None
        if not starts.size:
            return out
        reduce = np.maximum if mode == "max" else np.add
        out[full] = reduce.reduceat(rows, starts, axis=0)
        if mode == "mean":
            out[full] /= counts[full, None].astype(rows.dtype)
        if mode == "max" and ctx.needs_input_grad[0]:
            bag = np.repeat(np.arange(starts.size), counts[full])
            where = np.where(rows == out[full][bag], np.arange(rows.shape[0])[:, None], rows.shape[0])
            ctx.first = np.minimum.reduceat(where, starts, axis=0)  # (bags, D): row of each maximum
        return out

    @staticmethod
    def backward(ctx, g):
        counts, full = ctx.counts, ctx.full
        g = g[full]
        if ctx.mode == "max":
            gr = np.zeros((int(counts.sum()), g.shape[1]), dtype=g.dtype)
            if g.size:
                gr[ctx.first, np.arange(g.shape[1])] = g
            return gr
        if ctx.mode == "mean":
            g = g / counts[full, None].astype(g.dtype)
        return np.repeat(g, counts[full], axis=0)

    @staticmethod
    def differentiable_backward(ctx, g):
        counts, full = ctx.counts, ctx.full
        if ctx.mode == "max":
            shape = (int(counts.sum()), g.shape[1])
            if not full.any():
                return Tensor(np.zeros(shape, dtype=g._data.dtype))
            picked = Index.apply(g, index=np.flatnonzero(full))
            return Unindex.apply(picked, shape=shape, index=(ctx.first, np.arange(g.shape[1])))
        if ctx.mode == "mean":
            g = g * (1 / np.maximum(counts, 1)).astype(g._data.dtype)[:, None]
        return Index.apply(g, index=np.repeat(np.arange(counts.size), counts))
