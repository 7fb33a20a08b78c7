"""Embedding lookup: rows of a weight matrix picked by integer indices."""
import numpy as np

from ..autograd import Function
from .elementwise import select
from .shape import Reshape, Unindex


class Embedding(Function):
    """weight[indices]; d/dweight scatters g back to the picked rows, summing repeats (divided by the
    repeat count with scale_grad_by_freq); the padding row, if any, gets no gradient. The recorded gradient
    is an Unindex of g's rows, whose own gradient gathers them again."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None, scale_grad_by_freq=False):
        ctx.save_for_backward(indices)
        ctx.rows, ctx.padding_idx, ctx.by_freq = weight.shape[0], padding_idx, scale_grad_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        flat = indices.reshape(-1)
        rows = g.reshape(-1, g.shape[-1])
        if ctx.by_freq:
            counts = np.bincount(flat, minlength=ctx.rows)
            rows = rows / counts[flat].astype(g.dtype)[:, None]
        gw = np.zeros((ctx.rows, g.shape[-1]), dtype=g.dtype)
        if flat.size:  # sum the rows of each index: sorted, then one reduceat (2x faster than np.add.at)
            order = np.argsort(flat, kind="stable")
            picked = flat[order]
            starts = np.flatnonzero(np.concatenate(([True], picked[1:] != picked[:-1])))
            gw[picked[starts]] = np.add.reduceat(rows[order], starts, axis=0)
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0
        return gw, None

    @staticmethod
    def differentiable_backward(ctx, g):
        (indices,) = ctx.saved_tensors
        flat = indices.reshape(-1)
        rows = Reshape.apply(g, shape=(flat.size, g.shape[-1]))
        if ctx.by_freq:
            counts = np.bincount(flat, minlength=ctx.rows)
            rows = rows * (1 / counts[flat]).astype(g._data.dtype)[:, None]
        if ctx.padding_idx is not None:
            rows = select((flat != ctx.padding_idx)[:, None], rows)
        return Unindex.apply(rows, shape=(ctx.rows, g.shape[-1]), index=flat), None
