"""Order statistics over all elements: the element a median picks."""
import numpy as np

from ..autograd import Function


class SelectAll(Function):
    """The element at `flat_index` of the flattened x, chosen by an order statistic over all elements (median,
    nanmedian); d/dx = g shared evenly among the elements equal to it (among the NaNs when it is NaN), as
    PyTorch routes the gradient of a full median."""

    @staticmethod
    def forward(ctx, x, *, flat_index):
        value = np.asarray(x.reshape(-1)[flat_index])  # a 0-d copy, not a view of x
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
            ctx.value = value
        return value

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        mask = np.isnan(x) if np.isnan(ctx.value) else x == ctx.value
        return g * mask / np.count_nonzero(mask)

    @staticmethod
    def differentiable_backward(ctx, g):
        (x,) = ctx.saved_tensors
        mask = np.isnan(x) if np.isnan(ctx.value) else x == ctx.value
        return g * (mask / np.count_nonzero(mask)).astype(x.dtype)
