"""Trigonometric and hyperbolic ops beyond ops/elementwise.py and ops/unary.py: tan, the inverse hyperbolic
functions and the normalised sinc. Each works in its input's dtype."""
import numpy as np

from ..autograd import Function
from .elementwise import Where


class Tan(Function):
    """tan(x); d/dx = 1 + tan(x)^2."""

    @staticmethod
    def forward(ctx, x):
        out = np.tan(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 + out * out)

    @staticmethod
    def differentiable_backward(ctx, g):
        t = Tan.apply(ctx.parents[0])
        return g * (1 + t * t)


class Asinh(Function):
    """arcsinh(x); d/dx = 1 / sqrt(x^2 + 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore"):  # x^2 = inf gives the right limit, 0
            return g / np.sqrt(x * x + 1)

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return g / (x * x + 1).sqrt()


class Acosh(Function):
    """arccosh(x), nan below 1; d/dx = 1 / sqrt((x - 1)(x + 1))."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccosh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return g / np.sqrt((x - 1) * (x + 1))

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return g / ((x - 1) * (x + 1)).sqrt()


class Atanh(Function):
    """arctanh(x), +-inf at +-1 and nan beyond; d/dx = 1 / (1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.arctanh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return g / (1 - x * x)

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return g / (1 - x * x)


class Sinc(Function):
    """sin(pi x) / (pi x), 1 at 0; d/dx = (cos(pi x) - sinc(x)) / x, 0 at 0."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # pi x = inf gives nan, as PyTorch
            px = np.pi * x
            out = np.where(x == 0, x.dtype.type(1), np.sin(px) / px)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            slope = np.where(x == 0, x.dtype.type(0), (np.cos(np.pi * x) - out) / x)
        return g * slope

    @staticmethod
    def differentiable_backward(ctx, g):
        (x_saved, _), x = ctx.saved_tensors, ctx.parents[0]
        zero = x_saved == 0
        safe = Where.apply(zero, np.ones((), dtype=x_saved.dtype), x)  # keeps 0/0 out of the unused branch
        slope = ((np.pi * safe).cos() - Sinc.apply(safe)) / safe
        return g * Where.apply(zero, x * (-np.pi ** 2 / 3), slope)  # near 0 the slope is -pi^2 x / 3
