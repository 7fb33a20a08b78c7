"""The randomized leaky ReLU of training: each non-positive element gets its own slope, drawn uniformly."""
import numpy as np

from ..autograd import Function


class RandomizedLeakyRelu(Function):
    """x a with a ~ U(lower, upper) where x <= 0 and a = 1 elsewhere (one draw per element, from the numpy
    Generator `generator`); d/dx = a."""

    @staticmethod
    def forward(ctx, x, lower=0.125, upper=1 / 3, generator=None):
        drawn = generator.random(x.shape, dtype=np.float64 if x.dtype == np.float64 else np.float32)
        slope = np.where(x <= 0, (lower + (upper - lower) * drawn).astype(x.dtype, copy=False), x.dtype.type(1))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(slope)
        return x * slope

    @staticmethod
    def backward(ctx, g):
        (slope,) = ctx.saved_tensors
        return g * slope
