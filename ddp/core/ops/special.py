"""Special functions on numpy arrays: erf, with a fast float32 path (GELU's hot loop) and a float64 one, its
inverse erfinv (Normal.icdf, truncated-normal initialisation), and the tails: erfc, the scaled erfcx and
log_ndtr, accurate where 1 - erf(x) would have lost every digit."""
import math

import numpy as np
from numpy.polynomial import chebyshev

from ..dtypes import float_of

# float32: erf(x) = x P(x^2) / Q(x^2) on [-3.92, 3.92] (erf(3.92) rounds to 1 in float32), P and Q of
# degree 5 fitted here to math.erf by iteratively reweighted least squares on the relative error. Evaluated
# in float32 the result is within 3.5e-7 relative (about 5 ulp) of the exact value everywhere.
_F32_CLIP = np.float32(3.92)
_F32_P = np.array([1.1283791461e+00, 1.9040580317e-01, 5.2748641217e-02, 3.7655918208e-03,
                   2.8488268154e-04, 2.0500977276e-06], dtype=np.float32)
_F32_Q = np.array([1.0, 5.0207549040e-01, 1.1410884324e-01, 1.4969163595e-02,
                   1.1625305396e-03, 3.8091824750e-05], dtype=np.float32)

# float64: erf(x) = x C(2 (x/6)^2 - 1) on [-6, 6], C a degree-40 Chebyshev interpolant of erf(x)/x
# (erf(6) is 1 to double precision), built once at import; absolute error below 1e-14.
_F64_CLIP = 6.0


def _erf_over_x(t):
    x = _F64_CLIP * np.sqrt((np.asarray(t) + 1) / 2)
    return np.array([math.erf(v) / v if v else 2 / math.sqrt(math.pi) for v in x.ravel()]).reshape(x.shape)


_F64_COEFFS = chebyshev.chebinterpolate(_erf_over_x, 40)


_BLOCK = 65536  # float32 elements per block: a block's temporaries stay in cache (about 3x faster than whole arrays)


def _horner(coeffs, u):
    acc = np.full_like(u, coeffs[-1])
    for c in coeffs[-2::-1]:
        acc *= u
        acc += c
    return acc


def _erf32_block(x, out):
    """out = erf(x) for a float32 block, by the rational form above."""
    xc = np.clip(x, -_F32_CLIP, _F32_CLIP)
    u = xc * xc
    np.divide(_horner(_F32_P, u), _horner(_F32_Q, u), out=out)
    out *= xc
    np.clip(out, -1, 1, out=out)


def erf(x):
    """The error function of an array: float32 (and float16) in float32, everything else in float64."""
    x = np.asarray(x)
    if x.dtype in (np.float32, np.float16):
        flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
        out = np.empty_like(flat)
        for start in range(0, flat.size, _BLOCK):  # blocks of elements, not a loop over them
            _erf32_block(flat[start:start + _BLOCK], out[start:start + _BLOCK])
        return out.reshape(x.shape).astype(x.dtype, copy=False)
    xc = np.clip(x.astype(np.float64, copy=False), -_F64_CLIP, _F64_CLIP)
    return xc * chebyshev.chebval(2 * np.square(xc / _F64_CLIP) - 1, _F64_COEFFS)


_WINITZKI_A = 0.147  # erfinv's closed-form first guess (about 2e-3 relative), refined by Halley's method
_HALLEY_STEPS = 3  # each step triples the correct digits: 2e-3 -> 1e-8 -> 1e-16


def erfinv(x):
    """The inverse error function of an array, computed in float64 and returned in x's dtype: +-inf at +-1,
    nan outside [-1, 1]. Relative error about 1e-12 up to |x| = 0.999 (erf's float64 error over its slope),
    worse in the far tails (about 1e-6 at |x| = 1 - 1e-10)."""
    x = np.asarray(x)
    z = x.astype(np.float64, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        log1mz2 = np.log1p(-z * z)
        b = 2 / (math.pi * _WINITZKI_A) + log1mz2 / 2
        y = np.sign(z) * np.sqrt(np.sqrt(b * b - log1mz2 / _WINITZKI_A) - b)
    inside = np.abs(z) < 1
    y = np.where(inside, y, np.where(np.abs(z) == 1, np.copysign(np.inf, z), np.nan))
    yi, zi = y[inside], z[inside]
    for _ in range(_HALLEY_STEPS):
        f = erf(yi) - zi
        slope = 2 / math.sqrt(math.pi) * np.exp(-yi * yi)
        yi = yi - f / (slope + yi * f)  # Halley's step: erf'' = -2 y erf'
    y[inside] = yi
    return y.astype(float_of(x.dtype), copy=False)


# erfcx(x) = exp(x^2) erfc(x) for x in [0, 12]: h(t) = erfcx(x) (x + 3) is smooth in u = (x - 3) / (x + 3),
# which maps [0, 12] onto [-1, 0.6] (rescaled to t in [-1, 1]); a degree-18 Chebyshev interpolant of h,
# built at import from math.erfc, is within 3e-15 relative (higher degrees only fit the nodes' rounding).
# Beyond 12 the asymptotic series 1 / (x sqrt(pi)) sum_k (-1)^k (2k - 1)!! / (2 x^2)^k has reached double
# precision by its 12th term.
_ERFCX_K, _ERFCX_SPLIT = 3.0, 12.0
_ERFCX_U_HI = (_ERFCX_SPLIT - _ERFCX_K) / (_ERFCX_SPLIT + _ERFCX_K)


def _exp_square(x, sign):
    """exp(sign x^2) without the rounding error of x^2: x = xh + xl with xh on a 2^-12 grid, xh^2 exact.
    |x| is first capped at 27.5, beyond which exp(x^2) overflows and exp(-x^2) underflows anyway."""
    x = np.clip(x, -27.5, 27.5)
    xh = np.round(x * 4096) / 4096
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        tail = np.where(np.isinf(x), 0.0, (x - xh) * (x + xh))
        return np.exp(sign * xh * xh) * np.exp(sign * tail)


def _erfcx_node(t):
    u = -1 + (np.asarray(t) + 1) * (_ERFCX_U_HI + 1) / 2
    x = _ERFCX_K * (1 + u) / (1 - u)
    return np.array([float(_exp_square(v, 1)) * math.erfc(v) * (v + _ERFCX_K) for v in x.ravel()]).reshape(x.shape)


_ERFCX_COEFFS = chebyshev.chebinterpolate(_erfcx_node, 18)


def _erfcx_nonnegative(x):
    out = np.empty_like(x)
    near = x < _ERFCX_SPLIT
    xn = x[near]
    t = 2 * ((xn - _ERFCX_K) / (xn + _ERFCX_K) + 1) / (_ERFCX_U_HI + 1) - 1
    out[near] = chebyshev.chebval(t, _ERFCX_COEFFS) / (xn + _ERFCX_K)
    xf = x[~near]
    with np.errstate(over="ignore"):
        inv2 = 1 / (2 * xf * xf)
    term, total = np.ones_like(xf), np.ones_like(xf)
    for k in range(1, 13):
        term *= -(2 * k - 1) * inv2
        total += term
    out[~near] = total / (xf * math.sqrt(math.pi))
    return out


def _as_float(x):
    """x in float64, and the dtype to return (x's floating dtype; float32 for integers)."""
    x = np.asarray(x)
    return x.astype(np.float64, copy=False), float_of(x.dtype)


def erfcx(x):
    """exp(x^2) erfc(x) of an array, without overflow for large x (~1 / (x sqrt(pi))); inf as x -> -inf."""
    z, dtype = _as_float(x)
    out = np.full(z.shape, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        positive = z >= 0
        out[positive] = _erfcx_nonnegative(z[positive])
        negative = z < 0
        zn = z[negative]
        out[negative] = 2 * _exp_square(zn, 1) - _erfcx_nonnegative(-zn)
    return out.astype(dtype, copy=False)


def _erfc64(z):
    out = np.full(z.shape, np.nan)
    with np.errstate(under="ignore", invalid="ignore"):
        positive = z >= 0
        zp = z[positive]
        out[positive] = _exp_square(zp, -1) * _erfcx_nonnegative(zp)
        negative = z < 0
        zn = z[negative]
        out[negative] = 2 - _exp_square(zn, -1) * _erfcx_nonnegative(-zn)
    return out


def erfc(x):
    """1 - erf(x) of an array, accurate to the last digits in the right tail (down to erfc(26) ~ 1e-296)."""
    z, dtype = _as_float(x)
    return _erfc64(z).astype(dtype, copy=False)


def log_ndtr(x):
    """log of the standard normal distribution function: log(erfcx(-x / sqrt 2) / 2) - x^2 / 2 in the left
    tail (no underflow), log1p(-erfc(x / sqrt 2) / 2) elsewhere."""
    z, dtype = _as_float(x)
    z = z / math.sqrt(2)
    out = np.empty_like(z)
    left = z < -1
    zl = z[left]
    with np.errstate(divide="ignore", over="ignore"):
        out[left] = np.log(erfcx(-zl) / 2) - zl * zl
    out[~left] = np.log1p(-_erfc64(z[~left]) / 2)
    return out.astype(dtype, copy=False)
