"""The special functions as ops: erfc, erfcx, log_ndtr, lgamma, digamma, polygamma, the modified Bessel
functions i0, i0e, i1, i1e and entr. The kernels are in special.py, gamma.py and bessel.py; each backward
is the derivative in closed form (lgamma' = digamma, i0' = i1, ...)."""
import math

import numpy as np

from ..autograd import Function
from . import bessel, gamma
from .elementwise import Where
from .special import erfc, erfcx, log_ndtr

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Erfc(Function):
    """1 - erf(x), accurate in the tail; d/dx = -2 / sqrt(pi) exp(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erfc(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(under="ignore"):
            return g * (np.exp(-x * x) * -_TWO_OVER_SQRT_PI)

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return g * (-(x * x)).exp() * -_TWO_OVER_SQRT_PI


class Erfcx(Function):
    """exp(x^2) erfc(x); d/dx = 2 x erfcx(x) - 2 / sqrt(pi)."""

    @staticmethod
    def forward(ctx, x):
        out = erfcx(x)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return g * (2 * x * out - _TWO_OVER_SQRT_PI)

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return g * (2 * x * Erfcx.apply(x) - _TWO_OVER_SQRT_PI)


class LogNdtr(Function):
    """log Phi(x); d/dx = phi(x) / Phi(x) = sqrt(2 / pi) / erfcx(-x / sqrt 2), finite in both tails."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return log_ndtr(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (math.sqrt(2 / math.pi) / erfcx(-x / math.sqrt(2)))

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * math.sqrt(2 / math.pi) / Erfcx.apply(ctx.parents[0] * (-1 / math.sqrt(2)))


class Lgamma(Function):
    """log |Gamma(x)|; d/dx = digamma(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return gamma.lgamma(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * gamma.digamma(x)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * Polygamma.apply(ctx.parents[0], n=0)


class Polygamma(Function):
    """psi^(n)(x), the n-th derivative of digamma (n = 0: digamma); d/dx = psi^(n+1)(x)."""

    @staticmethod
    def forward(ctx, x, *, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return gamma.polygamma(n, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * gamma.polygamma(ctx.n + 1, x)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * Polygamma.apply(ctx.parents[0], n=ctx.n + 1)


class I0(Function):
    """I_0(x); d/dx = I_1(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return bessel.i0(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * bessel.i1(x)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * I1.apply(ctx.parents[0])


class I0e(Function):
    """exp(-|x|) I_0(x); d/dx = i1e(x) - sign(x) i0e(x)."""

    @staticmethod
    def forward(ctx, x):
        out = bessel.i0e(x)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return g * (bessel.i1e(x) - np.sign(x) * out)

    @staticmethod
    def differentiable_backward(ctx, g):
        (x_saved, _), x = ctx.saved_tensors, ctx.parents[0]
        return g * (I1e.apply(x) - I0e.apply(x) * np.sign(x_saved))


class I1(Function):
    """I_1(x); d/dx = I_0(x) - I_1(x) / x, 1/2 at 0."""

    @staticmethod
    def forward(ctx, x):
        out = bessel.i1(x)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = np.where(x == 0, x.dtype.type(0.5), bessel.i0(x) - out / x)
        return g * slope

    @staticmethod
    def differentiable_backward(ctx, g):
        (x_saved, _), x = ctx.saved_tensors, ctx.parents[0]
        zero = x_saved == 0
        safe = Where.apply(zero, np.ones((), dtype=x_saved.dtype), x)  # keeps 0/0 out of the unused branch
        return g * Where.apply(zero, np.full((), 0.5, dtype=x_saved.dtype), I0.apply(safe) - I1.apply(safe) / safe)


class I1e(Function):
    """exp(-|x|) I_1(x); d/dx = i0e(x) - i1e(x) (sign(x) + 1 / x), 1/2 at 0."""

    @staticmethod
    def forward(ctx, x):
        out = bessel.i1e(x)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = np.where(x == 0, x.dtype.type(0.5), bessel.i0e(x) - out * (np.sign(x) + 1 / x))
        return g * slope

    @staticmethod
    def differentiable_backward(ctx, g):
        (x_saved, _), x = ctx.saved_tensors, ctx.parents[0]
        zero = x_saved == 0
        safe = Where.apply(zero, np.ones((), dtype=x_saved.dtype), x)  # keeps 0/0 out of the unused branch
        slope = I0e.apply(safe) - I1e.apply(safe) * (1 / safe + np.sign(x_saved))
        return g * Where.apply(zero, np.full((), 0.5, dtype=x_saved.dtype), slope)


class Entr(Function):
    """-x log(x), 0 at 0 and -inf for x < 0 (as PyTorch); d/dx = -(log(x) + 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x > 0, -x * np.log(x), np.where(x == 0, x.dtype.type(0), x.dtype.type(-np.inf)))
        return np.where(np.isnan(x), x, out)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * -(np.log(x) + 1)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * -(ctx.parents[0].log() + 1)
