"""Embedding lookup: rows of a weight matrix picked by integer indices."""
import numpy as np

from ..autograd import Function


class Embedding(Function):
    """weight[indices]; d/dweight scatters g back to the picked rows, summing repeats (the padding row,
    if any, gets no gradient)."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None):
        ctx.save_for_backward(indices)
        ctx.rows, ctx.padding_idx = weight.shape[0], padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        gw = np.zeros((ctx.rows, g.shape[-1]), dtype=g.dtype)
        np.add.at(gw, indices.reshape(-1), g.reshape(-1, g.shape[-1]))
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0
        return gw, None, None
