"""The gamma family on numpy arrays: lgamma, digamma, polygamma and the Hurwitz zeta function.

Each is evaluated in float64 (float32 inputs are rounded back at the end: the shifted series lose digits to
cancellation in float32). The method: shift the argument up by a recurrence until an asymptotic series
converges to double precision (x >= 10), and reflect negative arguments through Gamma(x) Gamma(1 - x) =
pi / sin(pi x). lgamma near its zeros at 1 and 2 uses its Taylor series, so it stays accurate to the last
digits there.
"""
import math
from fractions import Fraction

import numpy as np

from ..dtypes import float_of


def _bernoulli(count):
    """B_0 .. B_count as exact Fractions (the Akiyama-Tanigawa algorithm, which gives B_1 = +1/2)."""
    row, numbers = [], []
    for m in range(count + 1):
        row.append(Fraction(1, m + 1))
        for j in range(m, 0, -1):
            row[j - 1] = j * (row[j - 1] - row[j])
        numbers.append(row[0])
    return numbers


_B = _bernoulli(26)
_ASYMPTOTIC_FROM = 10.0  # every series below is accurate to double precision from here up
_SHIFT = 10  # recurrence steps that bring any x in (0, 10) to [10, 20)
# Stirling's series of lgamma and the asymptotic series of digamma: B_2k / (2k (2k - 1)) and B_2k / (2k)
_STIRLING = [float(_B[2 * k] / (2 * k * (2 * k - 1))) for k in range(1, 9)]
_DIGAMMA = [float(_B[2 * k] / (2 * k)) for k in range(1, 9)]
# Euler-Maclaurin corrections of the Hurwitz zeta sum: B_2j / (2j)!
_EULER_MACLAURIN = [float(_B[2 * j] / math.factorial(2 * j)) for j in range(1, 13)]
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_DIRECT_FROM = -32.0  # zeta(s, q) and polygamma sum their terms directly down to here, reflect below


def _as64(x):
    return np.asarray(x).astype(np.float64, copy=False)


def _back(out, x):
    """The float64 result in x's floating dtype (float32 for integer inputs)."""
    x = np.asarray(x)
    return out.astype(float_of(x.dtype), copy=False)


def _factorial(n):
    """n! as a float (inf from 171! on, where math.gamma would raise)."""
    return math.gamma(n + 1) if n < 171 else math.inf


def _cot_pi(x):
    """cot(pi x) with exact argument reduction to r in [-1/2, 1/2]; for |r| > 1/4 as tan(pi (1/2 - |r|)),
    so that cot is exactly 0 at the half-integers."""
    r = x - np.round(x)
    with np.errstate(divide="ignore"):
        return np.where(np.abs(r) <= 0.25, 1 / np.tan(np.pi * r), np.copysign(np.tan(np.pi * (0.5 - np.abs(r))), r))


def _log_pi_over_sin(x):
    """log(pi / |sin(pi x)|), also where sin(pi x) would be subnormal (-log |r| for |r| < 1e-8)."""
    r = np.abs(x - np.round(x))
    with np.errstate(divide="ignore"):
        return np.where(r < 1e-8, -np.log(r), math.log(math.pi) - np.log(np.sin(np.pi * r)))


def _poly(coeffs, u):
    """sum coeffs[k] u^k by Horner's rule."""
    acc = np.full_like(u, coeffs[-1])
    for c in coeffs[-2::-1]:
        acc = acc * u + c
    return acc


# ------------------------------------------------------------------------------------- Hurwitz zeta
def _zeta_positive(s, q):
    """zeta(s, q) = sum_k (q + k)^-s for s > 1 and q > 0: ten terms summed, then Euler-Maclaurin's tail."""
    total = np.zeros(np.broadcast(s, q).shape)
    for k in range(_SHIFT):
        total += (q + k) ** -s
    a = q + _SHIFT
    term = a ** -s  # a^(-s) (s)_(2j-1) / a^(2j-1), built up one j at a time
    total += a ** (1 - s) / (s - 1) + term / 2  # a^(1-s) itself: a * a^-s would underflow first
    rising = s / a
    for j, coeff in enumerate(_EULER_MACLAURIN, start=1):
        total += coeff * rising * term
        rising = rising * (s + 2 * j - 1) * (s + 2 * j) / (a * a)
    return total


def _zeta_negative(s, q):
    """zeta(s, q) for integer s > 1 and non-integer q in [-32, 0): the terms (q + k)^-s while q + k < 0,
    then zeta(s, q + m) of the positive rest (m = ceil(-q) <= 32 passes)."""
    m = np.ceil(-q)
    total = np.zeros_like(q)
    for k in range(int(m.max(initial=0))):
        total += np.where(k < m, (q + k) ** -s, 0.0)
    return total + _zeta_positive(s, q + m)


def zeta(s, q):
    """The Hurwitz zeta function zeta(s, q) of arrays, as PyTorch defines it: inf at s == 1 or at q a
    non-positive integer, nan for s < 1 or for q < 0 with s not an integer; negative q with integer s by
    direct sums (reflection of the polygamma function below q = -32). At s = inf or q = inf it gives the
    limits (0 for q > 1)."""
    s64, q64 = np.broadcast_arrays(_as64(s), _as64(q))
    out = np.full(s64.shape, np.nan)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        direct = (s64 > 1) & (q64 > 0) & (s64 < np.inf) & (q64 < np.inf)
        out[direct] = _zeta_positive(s64[direct], q64[direct])
        out[(s64 > 1) & (q64 == np.inf)] = 0.0  # the limits, where PyTorch's series gives nan
        s_inf = (s64 == np.inf) & (q64 > 0)
        out[s_inf] = np.where(q64[s_inf] < 1, np.inf, np.where(q64[s_inf] == 1, 1.0, 0.0))
        pole = (s64 == 1) | ((s64 > 1) & (q64 <= 0) & (q64 == np.floor(q64)))
        out[pole] = np.inf
        negative = (s64 > 1) & (q64 < 0) & (q64 != np.floor(q64)) & (s64 == np.floor(s64))
        near = negative & (q64 >= _DIRECT_FROM)
        out[near] = _zeta_negative(s64[near], q64[near])
        far = negative & ~near
        for n in np.unique(s64[far]).astype(np.int64) - 1:  # one pass per distinct integer s
            pick = far & (s64 == n + 1)
            out[pick] = (-1) ** (n + 1) * _polygamma_finite(int(n), q64[pick]) / _factorial(int(n))
    return _back(out, s)


# ------------------------------------------------------------------------------------------- lgamma
# lgamma(1 + e) = -gamma e + sum_k>=2 (-1)^k zeta(k) e^k / k; for |e| < 0.2, 24 terms reach double precision
_TAYLOR_RADIUS = 0.2
_K = np.arange(2, 25, dtype=np.float64)
_GAMMA_TAYLOR = [0.0, -np.euler_gamma] + list((-1) ** _K * _zeta_positive(_K, np.ones_like(_K)) / _K)


def _stirling(x):
    """lgamma(x) for x >= 10: Stirling's series."""
    inv, inv2 = 1 / x, 1 / (x * x)
    return (x - 0.5) * np.log(x) - x + _HALF_LOG_2PI + inv * _poly(_STIRLING, inv2)


def _lgamma_positive(x):
    """lgamma(x) for finite x > 0."""
    out = np.empty_like(x)
    big = x >= _ASYMPTOTIC_FROM
    out[big] = _stirling(x[big])
    small = x[~big]
    product = np.ones_like(small)
    for k in range(_SHIFT):
        product *= small + k
    value = _stirling(small + _SHIFT) - np.log(product)
    near_one, near_two = np.abs(small - 1) < _TAYLOR_RADIUS, np.abs(small - 2) < _TAYLOR_RADIUS
    value[near_one] = _poly(_GAMMA_TAYLOR, small[near_one] - 1)
    e = small[near_two] - 2
    value[near_two] = _poly(_GAMMA_TAYLOR, e) + np.log1p(e)
    out[~big] = value
    return out


def lgamma(x):
    """log |Gamma(x)| of an array: inf at the poles (non-positive integers) and at +-inf."""
    x64 = _as64(x)
    out = np.full(x64.shape, np.inf)
    out[np.isnan(x64)] = np.nan
    with np.errstate(over="ignore", divide="ignore"):  # huge x: x^2 overflows to inf, its reciprocal 0
        positive = (x64 > 0) & np.isfinite(x64)
        out[positive] = _lgamma_positive(x64[positive])
        negative = (x64 < 0) & (x64 != np.floor(x64))  # finite non-integers
        xn = x64[negative]
        out[negative] = _log_pi_over_sin(xn) - _lgamma_positive(1 - xn)
    return _back(out, x)


def lgamma1p(a):
    """lgamma(1 + a) of a float64 array without rounding 1 + a (the Taylor series for |a| < 0.2)."""
    out = lgamma(a + 1)
    near = np.abs(a) < _TAYLOR_RADIUS
    out[near] = _poly(_GAMMA_TAYLOR, a[near])
    return out


# ------------------------------------------------------------------------------------------ digamma
def _digamma_positive(x):
    """digamma(x) for finite x > 0: the recurrence psi(x) = psi(x + 1) - 1 / x up to x >= 10, then the
    asymptotic series log x - 1 / (2x) - sum B_2k / (2k x^2k)."""
    small = x < _ASYMPTOTIC_FROM
    xs = x[small]
    shifted = np.zeros_like(xs)
    for k in range(_SHIFT):
        shifted += 1 / (xs + k)
    shift, z = np.zeros_like(x), x.copy()
    shift[small], z[small] = shifted, xs + _SHIFT
    inv2 = 1 / (z * z)
    return np.log(z) - 0.5 / z - inv2 * _poly(_DIGAMMA, inv2) - shift


def digamma(x):
    """psi(x) = d/dx lgamma(x) of an array, as PyTorch: -inf at +0, +inf at -0, nan at negative integers and
    -inf, +inf at +inf."""
    x64 = _as64(x)
    out = np.full(x64.shape, np.nan)
    with np.errstate(over="ignore"):
        positive = (x64 > 0) & np.isfinite(x64)
        out[positive] = _digamma_positive(x64[positive])
        negative = (x64 < 0) & (x64 != np.floor(x64))
        xn = x64[negative]
        out[negative] = _digamma_positive(1 - xn) - np.pi * _cot_pi(xn)
    out[x64 == 0] = np.copysign(np.inf, -x64[x64 == 0])
    out[x64 == np.inf] = np.inf
    return _back(out, x)


# ---------------------------------------------------------------------------------------- polygamma
def _cot_derivative_poly(n):
    """Integer coefficients of P_n, where d^n/dx^n cot(pi x) = pi^n P_n(cot(pi x)): P_0(c) = c and
    P_(k+1)(c) = -(1 + c^2) P_k'(c)."""
    p = [0, 1]
    for _ in range(n):
        d = [k * p[k] for k in range(1, len(p))] or [0]
        p = [-(a + b) for a, b in zip(d + [0, 0], [0, 0] + d)]
    return [float(c) if abs(c) < 2 ** 1023 else (math.inf if c > 0 else -math.inf) for c in p]  # past float range


def _polygamma_finite(n, x):
    """psi^(n)(x) for an integer n >= 1 and finite non-integer or positive x: (-1)^(n+1) n! zeta(n+1, x)
    down to x = -32, and below that the reflection psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi^(n+1)
    P_n(cot(pi x))."""
    out = np.empty_like(x)
    sign, scale, order = (-1.0) ** (n + 1), _factorial(n), np.float64(n + 1)
    positive, far = x > 0, x < _DIRECT_FROM
    out[positive] = sign * scale * _zeta_positive(order, x[positive])
    near = ~positive & ~far
    out[near] = sign * scale * _zeta_negative(order, x[near])
    xf = x[far]
    mirrored = sign * scale * _zeta_positive(order, 1 - xf)
    out[far] = (-1) ** n * mirrored - np.pi ** (n + 1) * _poly(_cot_derivative_poly(n), _cot_pi(xf))
    return out


def polygamma(n, x):
    """The n-th derivative of digamma of an array (n a non-negative int): (-1)^(n+1) inf at the poles
    (non-positive integers), 0 at +inf and nan at -inf for n >= 1."""
    if n == 0:
        return digamma(x)
    x64 = _as64(x)
    out = np.full(x64.shape, np.nan)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        regular = np.isfinite(x64) & ((x64 > 0) | (x64 != np.floor(x64)))
        out[regular] = _polygamma_finite(n, x64[regular])
    out[(x64 <= 0) & (x64 == np.floor(x64)) & np.isfinite(x64)] = (-1.0) ** (n + 1) * np.inf
    out[x64 == np.inf] = 0.0
    return _back(out, x)
