"""Trigonometric and hyperbolic ops beyond ops/elementwise.py and ops/unary.py: tan, the inverse hyperbolic
functions and the normalised sinc. Each works in its input's dtype."""
import numpy as np

from ..autograd import Function


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
