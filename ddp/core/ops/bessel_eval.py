"""Cephes' two ways of evaluating a fitted approximation, on float64 numpy arrays, shared by the Bessel and
Airy functions: a polynomial by Horner's rule (Cephes' polevl, and p1evl for a monic one, whose leading 1 the
coefficient tables leave out) and a Chebyshev series by Clenshaw's recurrence (Cephes' chbevl)."""
import numpy as np

from ..dtypes import float_of


def polevl(u, coeffs):
    """sum_i coeffs[i] u^(n - i): the coefficients from the highest power down."""
    acc = np.full_like(u, coeffs[0])
    for c in coeffs[1:]:
        acc = acc * u + c
    return acc


def p1evl(u, coeffs):
    """polevl with a leading coefficient 1 in front of `coeffs` (u^n + coeffs[0] u^(n-1) + ...)."""
    acc = u + coeffs[0]
    for c in coeffs[1:]:
        acc = acc * u + c
    return acc


def chbevl(t, coeffs):
    """sum'_k c_k T_k(t / 2) by Clenshaw's recurrence, coefficients from the highest order down; the first
    term is halved, as in Cephes' tables (t is already doubled: t = 2 u for u in [-1, 1])."""
    b0, b1, b2 = np.full_like(t, coeffs[0]), np.zeros_like(t), np.zeros_like(t)
    for c in coeffs[1:]:
        b2, b1 = b1, b0
        b0 = t * b1 - b2 + c
    return 0.5 * (b0 - b2)


def as_float64(x):
    """x as a float64 array, and the dtype its result takes (the floating dtype of x, else the default)."""
    x = np.asarray(x)
    return x.astype(np.float64, copy=False), float_of(x.dtype)


def piecewise(z, pieces, default=np.nan):
    """An array like z with fn(z[mask]) where each (mask, fn) of `pieces` holds (later pieces win)."""
    out = np.full(z.shape, default)
    with np.errstate(all="ignore"):  # overflow to inf, 0 * inf and sin(inf) are the intended values
        for mask, fn in pieces:
            if mask.any():
                out[mask] = fn(z[mask])
    return out
