"""Activation ops of ddp.nn that are not core tensor ops: leaky ReLU, GELU (exact and tanh), dropout."""
import math

import numpy as np
from numpy.polynomial import chebyshev

from ..autograd import Function

_ERF_CLIP = 6.0  # erf(6) = 1 - 2e-17: exactly 1 in float64


def _erf_over_x(u):
    """erf(x)/x at x = 6 sqrt((u + 1) / 2), from math.erf (only evaluated at the interpolation nodes)."""
    x = _ERF_CLIP * np.sqrt((np.asarray(u) + 1) / 2)
    return np.array([math.erf(v) / v for v in x.ravel()]).reshape(x.shape)


# erf is odd and smooth: erf(x) = x P(x^2) on [-6, 6], with P a degree-34 Chebyshev interpolant of
# math.erf, built once at import. Its error is below 1e-13 everywhere (a test checks it against math.erf).
_ERF_COEFFS = chebyshev.chebinterpolate(_erf_over_x, 34)


def erf(x):
    """The error function, elementwise, in float64 (absolute error below 1e-13)."""
    x = np.clip(np.asarray(x, dtype=np.float64), -_ERF_CLIP, _ERF_CLIP)
    return x * chebyshev.chebval(2 * np.square(x / _ERF_CLIP) - 1, _ERF_COEFFS)


class LeakyRelu(Function):
    """x where x > 0, else slope * x; d/dx = 1 or slope."""

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        positive = x > 0
        ctx.save_for_backward(positive)
        ctx.slope = negative_slope
        return np.where(positive, x, x * x.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, g):
        (positive,) = ctx.saved_tensors
        return np.where(positive, g, g * g.dtype.type(ctx.slope))


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class Gelu(Function):
    """x Phi(x), Phi the standard normal CDF (exact, via erf) or its tanh approximation
    0.5 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). d/dx = Phi(x) + x phi(x) (exact) or the derivative of
    the tanh form. Computed in float64 and returned in x's dtype."""

    @staticmethod
    def forward(ctx, x, approximate="none"):
        x64 = x.astype(np.float64, copy=False)
        if approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (x64 + 0.044715 * x64**3))
            cdf = 0.5 * (1 + t)
            dcdf = 0.5 * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x64 * x64)
        else:
            cdf = 0.5 * (1 + erf(x64 / math.sqrt(2)))
            dcdf = _INV_SQRT_2PI * np.exp(-0.5 * x64 * x64)
        ctx.save_for_backward((cdf + x64 * dcdf).astype(x.dtype, copy=False))
        return (x64 * cdf).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (dydx,) = ctx.saved_tensors
        return g * dydx


class Dropout(Function):
    """Inverted dropout: zero each element with probability p and scale the rest by 1/(1-p), so that the
    expectation is unchanged; d/dx = the same scaled mask. `generator` is a numpy Generator."""

    @staticmethod
    def forward(ctx, x, p=0.5, generator=None):
        if p >= 1:
            mask = np.zeros(x.shape, dtype=x.dtype)
        else:
            keep = generator.random(x.shape, dtype=np.float32) >= p
            mask = keep.astype(x.dtype) * x.dtype.type(1 / (1 - p))
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask
