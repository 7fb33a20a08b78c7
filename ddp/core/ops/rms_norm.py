"""Root-mean-square normalisation as one fused Function (the normalisation of LLaMA-style transformers)."""
import numpy as np

from ..autograd import Function
from .elementwise import Sqrt
from .reduce import Mean, Sum


class RMSNorm(Function):
    """y = x r w with r = 1 / sqrt(mean(x^2) + eps) over the last `dims` dims, w optional (elementwise).

    With u = g w: d/dx = r (u - x r^2 mean(u x)) over the same dims, and d/dw = sum over the leading dims
    of g x r.
    """

    @staticmethod
    def forward(ctx, x, weight=None, dims=1, eps=1e-6):
        axes = tuple(range(x.ndim - dims, x.ndim))
        r = 1 / np.sqrt(np.square(x).mean(axis=axes, keepdims=True) + x.dtype.type(eps))
        xr = x * r
        ctx.axes, ctx.eps = axes, eps
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, r, weight)
        return xr * weight if weight is not None else xr

    @staticmethod
    def backward(ctx, g):
        x, r, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        u = g * weight if weight is not None else g
        gx = gw = None
        if needs[0]:
            gx = r * (u - x * (r * r) * (u * x).mean(axis=ctx.axes, keepdims=True))
        if len(needs) > 1 and needs[1]:
            lead = tuple(range(x.ndim - len(ctx.axes)))
            gw = (g * x * r).sum(axis=lead)
        return gx, gw

    @staticmethod
    def differentiable_backward(ctx, g):
        x_saved, r_saved, weight_saved = ctx.saved_tensors
        needs, axes = ctx.needs_input_grad, ctx.axes
        x = ctx.operand(0, x_saved)
        r = 1 / Sqrt.apply(Mean.apply(x * x, dim=axes, keepdim=True) + ctx.eps) if needs[0] else r_saved
        weight = ctx.operand(1, weight_saved) if len(needs) > 1 else None
        u = g * weight if weight is not None else g
        gx = gw = None
        if needs[0]:
            gx = r * (u - x * (r * r) * Mean.apply(u * x, dim=axes, keepdim=True))
        if len(needs) > 1 and needs[1]:
            lead = tuple(range(x_saved.ndim - len(axes)))
            gw = Sum.apply(g * x * r, dim=lead) if lead else g * x * r
        return (gx, gw)[:len(needs)]
