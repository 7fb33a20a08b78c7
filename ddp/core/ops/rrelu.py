"""The randomized leaky ReLU of training: each non-positive element gets its own slope, drawn uniformly."""
import numpy as np

from ..autograd import Function
from ..random_draws import uniform


class RandomizedLeakyRelu(Function):
    """x a with a ~ U(lower, upper) where x <= 0 and a = 1 elsewhere (one float64 draw per non-positive
    element, in order, from the Generator `generator`, as PyTorch's kernel); d/dx = a."""

    @staticmethod
    def forward(ctx, x, lower=0.125, upper=1 / 3, generator=None):
        negative = x <= 0
        slope = np.ones(x.shape, dtype=x.dtype)
        slope[negative] = uniform(generator, (int(negative.sum()),), np.float64, lower, upper)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(slope)
        return x * slope

    @staticmethod
    def backward(ctx, g):
        (slope,) = ctx.saved_tensors
        return g * slope
