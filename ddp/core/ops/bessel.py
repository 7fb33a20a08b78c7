"""Modified Bessel functions of the first kind on numpy arrays: i0, i1 and the scaled i0e = exp(-|x|) i0,
i1e = exp(-|x|) i1, evaluated in float64 (float32 results rounded back).

|x| <= 20: the power series I_n(x) = (x/2)^n sum_k (x^2/4)^k / (k! (k + n)!), whose terms are all positive
(no cancellation). |x| > 20: the asymptotic expansion I_n(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k(n) / x^k,
whose smallest term there is below 1e-17. As in PyTorch, i0 and i1 are nan at +-inf.
"""
import math

import numpy as np

from ..dtypes import float_of

_SERIES_UP_TO = 20.0
_EPS = 1e-17


def _series(x, order):
    """I_order(x) by the power series; stops once every element's next term is negligible."""
    y = x * x / 4
    term = np.ones_like(x) if order == 0 else x / 2
    total = term.copy()
    for k in range(1, 100):  # |x| <= 20 needs about 45 terms
        term = term * y / (k * (k + order))
        total += term
        if k % 8 == 0 and np.all(np.abs(term) <= _EPS * np.abs(total)):
            break
    return total


def _asymptotic_scaled(ax, order):
    """I_order(ax) exp(-ax) for ax > 20 by the asymptotic expansion (30 terms)."""
    mu = 4.0 * order * order
    inv = 0.125 / ax  # written so that nothing overflows up to ax = 1e308
    term, total = np.ones_like(ax), np.ones_like(ax)
    for k in range(1, 31):
        term = term * (-(mu - (2 * k - 1) ** 2)) * inv / k
        total += term
    return total / (math.sqrt(2 * math.pi) * np.sqrt(ax))


def _scaled(x, order):
    """I_order(x) exp(-|x|) of a float64 array."""
    ax = np.abs(x)
    out = np.full(x.shape, np.nan)
    near = ax <= _SERIES_UP_TO
    out[near] = _series(x[near], order) * np.exp(-ax[near])
    far = ax > _SERIES_UP_TO
    far_values = _asymptotic_scaled(ax[far], order)
    out[far] = far_values if order == 0 else np.copysign(far_values, x[far])
    return out


def _as_float(x):
    x = np.asarray(x)
    return x.astype(np.float64, copy=False), float_of(x.dtype)


def _unscaled(x, order):
    z, dtype = _as_float(x)
    out = np.full(z.shape, np.nan)
    near = np.abs(z) <= _SERIES_UP_TO
    out[near] = _series(z[near], order)
    far = ~near & ~np.isnan(z)
    with np.errstate(over="ignore", invalid="ignore"):
        out[far] = _scaled(z[far], order) * np.exp(np.abs(z[far]))  # nan at +-inf (0 * inf), as PyTorch
    return out.astype(dtype, copy=False)


def i0(x):
    """I_0(x), the zeroth-order modified Bessel function of the first kind."""
    return _unscaled(x, 0)


def i1(x):
    """I_1(x), the first-order modified Bessel function of the first kind."""
    return _unscaled(x, 1)


def i0e(x):
    """exp(-|x|) I_0(x), without overflow."""
    z, dtype = _as_float(x)
    return _scaled(z, 0).astype(dtype, copy=False)


def i1e(x):
    """exp(-|x|) I_1(x), without overflow."""
    z, dtype = _as_float(x)
    return _scaled(z, 1).astype(dtype, copy=False)
