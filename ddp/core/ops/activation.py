"""Activation ops of ddp.nn that are not core tensor ops: leaky ReLU, GELU (exact and tanh), dropout."""
import math

import numpy as np
from numpy.polynomial import chebyshev

from ..autograd import Function
from ..random_draws import dropout_mask
from .elementwise import Where

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

    @staticmethod
    def differentiable_backward(ctx, g):
        (positive,) = ctx.saved_tensors
        return Where.apply(positive, g, g * ctx.slope)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TAIL_Z = 10.0  # the fit's range of z = |x| / sqrt(2); beyond it Phi(-|x|) < 1e-44, below float32's range


def _erfcx_at_t(u):
    """erfcx(z) = exp(z^2) erfc(z) at t = 1 / (1 + z / 2), t mapped from u in [-1, 1] onto [t(10), 1]."""
    t_min = 1 / (1 + _TAIL_Z / 2)
    t = t_min + (np.asarray(u) + 1) / 2 * (1 - t_min)
    z = 2 / t - 2
    return np.array([math.erfc(v) * math.exp(v * v) for v in z.ravel()]).reshape(z.shape)


def _power_coeffs():
    """erfcx / 2 as a degree-7 polynomial in s = 1 / (2 sqrt 2 + |x|) = t / (2 sqrt 2) (power basis, highest
    last), fitted once at import: relative error below 1e-6."""
    t_min = 1 / (1 + _TAIL_Z / 2)
    in_u = chebyshev.cheb2poly(chebyshev.chebinterpolate(_erfcx_at_t, 7))
    u_of_t = np.polynomial.Polynomial([-(1 + t_min) / (1 - t_min), 2 / (1 - t_min)])
    in_t = np.polynomial.Polynomial(in_u)(u_of_t).coef
    return in_t / 2 * (2 * math.sqrt(2)) ** np.arange(len(in_t))


# erfc(z) = exp(-z^2) Q(t), t = 1 / (1 + z / 2): Q is smooth and slowly varying, so a degree-7 polynomial
# holds it to ~1e-6 relative, and exp(-x^2 / 2) = exp(-z^2) is the normal density the backward needs anyway.
# Stored for Phi(-|x|) = erfc(|x| / sqrt 2) / 2 = exp(-x^2 / 2) Q(t) / 2, in s = t / (2 sqrt 2).
_HALF_ERFCX = _power_coeffs()
_CHUNK = 65536  # elements per pass of the float32 kernels: their temporaries then stay in cache


def _normal_cdf32(x, scratch=None):
    """(Phi(x), exp(-x^2 / 2)) in x's float32 (or other non-float64) dtype, no float64 temporaries.

    Phi(-|x|) = erfc(|x| / sqrt 2) / 2 keeps its relative accuracy in the left tail; Phi(|x|) = 1 - that.
    `scratch` = three float arrays and one bool array shaped like x, written over (fresh ones if None).
    """
    f = x.dtype.type
    t, q, g, right = scratch or (np.empty_like(x), np.empty_like(x), np.empty_like(x), np.empty(x.shape, bool))
    np.abs(x, out=t)
    t += f(2 * math.sqrt(2))
    np.reciprocal(t, out=t)
    np.multiply(t, f(_HALF_ERFCX[-1]), out=q)
    for c in _HALF_ERFCX[-2:0:-1]:
        q += f(c)
        q *= t
    q += f(_HALF_ERFCX[0])
    np.square(x, out=g)
    g *= f(-0.5)
    np.exp(g, out=g)
    q *= g  # Phi(-|x|)
    np.greater(x, 0, out=right)
    q -= right  # right of 0: Phi = 1 - Phi(-|x|) = |q - 1|; left, q stays exact
    np.abs(q, out=q)
    return q, g


def _exact_cdf32(x, scratch=None):
    """(Phi(x), Phi'(x)) for `Gelu` in x's dtype."""
    cdf, g = _normal_cdf32(x, scratch)
    g *= x.dtype.type(_INV_SQRT_2PI)
    return cdf, g


def _chunked_gelu(kernel, x, want_grad):
    """(x Phi(x), d/dx or None) with kernel(x, scratch) = (Phi, Phi'), run over cache-sized chunks of x
    that reuse one set of scratch arrays."""
    flat = np.ascontiguousarray(x).reshape(-1)
    y = np.empty_like(flat)
    dydx = np.empty_like(flat) if want_grad else None
    size = min(_CHUNK, flat.size)
    buffers = [np.empty(size, flat.dtype) for _ in range(3)] + [np.empty(size, bool)]
    for start in range(0, flat.size, _CHUNK):
        part = slice(start, start + _CHUNK)
        xs = flat[part]
        cdf, dcdf = kernel(xs, tuple(b[: xs.size] for b in buffers))
        np.multiply(xs, cdf, out=y[part])
        if want_grad:
            dcdf *= xs
            np.add(dcdf, cdf, out=dydx[part])  # d/dx = Phi + x Phi'
    shape = np.shape(x)
    return y.reshape(shape), (dydx.reshape(shape) if want_grad else None)


def _tanh_cdf(x, scratch=None):
    """(0.5 (1 + tanh u), its derivative in x) with u = sqrt(2/pi) (x + 0.044715 x^3), in x's dtype.

    0.5 (1 + tanh u) = sigmoid(2u) is computed from e = exp(-2|u|), which keeps both tails accurate
    (1 + tanh u cancels in float32); its derivative 0.5 (1 - tanh^2 u) u' = 2 e / (1 + e)^2 u'.
    """
    f = x.dtype.type
    x2 = np.square(x)
    u = x2 * f(0.044715)
    u += f(1)
    u *= x
    u *= f(-2 * _SQRT_2_OVER_PI)
    right = u <= 0  # where u >= 0
    np.abs(u, out=u)
    np.negative(u, out=u)
    e = np.exp(u, out=u)
    r = e + f(1)
    np.reciprocal(r, out=r)  # sigmoid(2|u|)
    cdf = r * right
    cdf *= f(1) - e
    small = e * r  # sigmoid(-2|u|)
    cdf += small
    x2 *= f(3 * 0.044715)
    x2 += f(1)
    x2 *= f(2 * _SQRT_2_OVER_PI)
    small *= r
    x2 *= small
    return cdf, x2


def _gelu_slope(x, approximate):
    """GELU's d/dx in Tensor ops, for its recorded backward: Phi(x) + x phi(x), or the tanh form's."""
    if approximate == "tanh":
        t = (x * (1 + 0.044715 * x * x) * _SQRT_2_OVER_PI).tanh()
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (_SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x))
    return 0.5 * (1 + (x * (1 / math.sqrt(2))).erf()) + x * (-0.5 * x * x).exp() * _INV_SQRT_2PI


class Gelu(Function):
    """x Phi(x), Phi the standard normal CDF (exact, via erf) or its tanh approximation
    0.5 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). d/dx = Phi(x) + x phi(x) (exact) or the derivative of
    the tanh form. float64 uses the Chebyshev erf; other dtypes compute in their own precision (a
    polynomial erfc times exp(-x^2 / 2), relative error ~1e-6), so float32 stays fast."""

    @staticmethod
    def forward(ctx, x, approximate="none"):
        want_grad = ctx.needs_input_grad[0]
        ctx.approximate = approximate
        if x.dtype == np.float64 and approximate == "none":
            cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
            dydx = cdf + x * (_INV_SQRT_2PI * np.exp(-0.5 * x * x))
            y = x * cdf
        else:
            y, dydx = _chunked_gelu(_tanh_cdf if approximate == "tanh" else _exact_cdf32, x, want_grad)
        if want_grad:
            ctx.save_for_backward(dydx)
        return y

    @staticmethod
    def backward(ctx, g):
        (dydx,) = ctx.saved_tensors
        return g * dydx

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * _gelu_slope(ctx.parents[0], ctx.approximate)


class Dropout(Function):
    """Inverted dropout: zero each element with probability p and scale the rest by 1/(1-p), so that the
    expectation is unchanged; d/dx = the same scaled mask. `generator` is the Generator that draws the mask
    (PyTorch's draws: `random_draws.dropout_mask`)."""

    node_name = "MulBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, p=0.5, generator=None):
        mask = dropout_mask(generator, x.shape, p, x.dtype)
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask

    @staticmethod
    def differentiable_backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask
