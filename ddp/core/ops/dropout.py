"""The affine map by a random mask that the dropout variants apply (the masks are drawn by the wrappers)."""
from ..autograd import Function


class MaskAffine(Function):
    """x * scale + shift, with constant arrays that broadcast against x (shift may be None); d/dx = scale.

    Channel dropout passes scale = keep / (1 - p) of shape (N, C, 1, ...); alpha dropout also a shift."""

    @staticmethod
    def forward(ctx, x, scale=None, shift=None):
        ctx.scale = scale
        out = x * scale
        return out + shift if shift is not None else out

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * ctx.scale
