"""fill: a new tensor of x's shape and dtype holding one value."""
import numpy as np

from ..autograd import Function, Tensor


class Fill(Function):
    """`value` (a number or a 0-d array) in every element of a new array of x's shape and dtype.

    d/dx = 0 (x gives only its shape); d/dvalue = the sum of g."""

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        needs = ctx.needs_input_grad
        return (np.zeros_like(g) if needs[0] else None), (g.sum() if needs[1] else None)

    @staticmethod
    def differentiable_backward(ctx, g):
        needs = ctx.needs_input_grad
        return (Tensor(np.zeros_like(g._data)) if needs[0] else None), (g.sum() if needs[1] else None)
