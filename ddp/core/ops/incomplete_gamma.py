"""The regularized incomplete gamma functions P(a, x) (igamma, gammainc) and Q(a, x) = 1 - P (igammac,
gammaincc) on numpy arrays, in float64, and their op (differentiable in x only, as in PyTorch).

x < a + 1: P by its power series x^a e^-x / Gamma(a + 1) sum_n x^n / ((a + 1) ... (a + n)); there Q = 1 - P,
except for x < 1.5, where Q comes from its own series (1 - x^a / Gamma(a + 1) minus an alternating sum),
so that it keeps its digits when a is tiny and P is nearly 1. x >= a + 1: Q by its continued fraction
(modified Lentz), P = 1 - Q. Each loop runs until every element has converged, which takes about
sqrt(a) steps near x = a (use a below about 1e5).
"""
import numpy as np

from ..autograd import Function
from .gamma import lgamma, lgamma1p

_EPS = 1e-16
_FRACTION_EPS = 4e-16  # two ulps of 1: a converged step of the fraction multiplies by 1 up to rounding
_TINY = 1e-300
_MAX_STEPS = 5000


def _log_prefactor(a, x):
    """log(x^a e^-x / Gamma(a + 1))."""
    with np.errstate(divide="ignore"):
        return a * np.log(x) - x - lgamma1p(a)


def _lower_series(a, x):
    term, total, denominator = np.ones_like(x), np.ones_like(x), a.copy()
    for step in range(_MAX_STEPS):
        denominator += 1
        term *= x / denominator
        total += term
        if step % 8 == 0 and np.all(term <= _EPS * total):
            break
    return np.exp(_log_prefactor(a, x)) * total


def _upper_small_x(a, x):
    """Q for x < 1.5: 1 - x^a / Gamma(a + 1) - (x^a / Gamma(a)) sum_n>=1 (-x)^n / (n! (a + n))."""
    with np.errstate(divide="ignore"):
        log_power = a * np.log(x)
    lead = -np.expm1(log_power - lgamma1p(a))
    power, total = np.ones_like(x), np.zeros_like(x)
    for n in range(1, 40):  # x < 1.5: x^n / n! is below 1e-17 of the first term by n = 30
        power *= -x / n
        total += power / (a + n)
    return lead - np.exp(log_power - lgamma(a)) * total


def _upper_fraction(a, x):
    b = x + 1 - a
    c = np.full_like(x, 1 / _TINY)
    d = 1 / b
    h = d.copy()
    for i in range(1, _MAX_STEPS):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1 / d
        delta = d * c
        h *= delta
        if i % 4 == 0 and np.all(np.abs(delta - 1) <= _FRACTION_EPS):
            break
    return np.exp(_log_prefactor(a, x)) * a * h  # x^a e^-x / Gamma(a) times the fraction


def gammainc(a, x, upper=False):
    """P(a, x), or Q(a, x) with upper=True, of broadcast float64 arrays; PyTorch's values at the edges:
    nan for a < 0, x < 0 or a = x = 0 (also a = x = inf); P = 1 where a = 0 < x or x = inf."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    p = np.full(a.shape, np.nan)
    q = np.full(a.shape, np.nan)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        inner = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
        low = inner & (x < a + 1)
        p[low] = _lower_series(a[low], x[low])
        q[low] = 1 - p[low]
        small = low & (x < 1.5)
        q[small] = _upper_small_x(a[small], x[small])
        high = inner & ~low
        q[high] = _upper_fraction(a[high], x[high])
        p[high] = 1 - q[high]
    ones = ((a == 0) & (x > 0)) | ((x == np.inf) & (a < np.inf) & (a >= 0))
    zeros = ((x == 0) & (a > 0)) | ((a == np.inf) & (x < np.inf) & (x >= 0))
    p[ones], q[ones] = 1.0, 0.0
    p[zeros], q[zeros] = 0.0, 1.0
    return q if upper else p


class Igamma(Function):
    """P(a, x), or Q(a, x) with upper=True; d/dx P = x^(a-1) e^-x / Gamma(a) (Q: its negative). No
    derivative in a (PyTorch has none): backward raises if a needs one."""

    @staticmethod
    def forward(ctx, a, x, *, upper=False):
        ctx.save_for_backward(a, x)
        ctx.upper = upper
        return gammainc(a, x, upper).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("igamma: the derivative with respect to a (the first input) is not "
                                      "implemented, as in PyTorch")
        a, x = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            density = np.exp((a - 1) * np.log(x) - x - lgamma(a)).astype(g.dtype, copy=False)
        return None, g * (-density if ctx.upper else density)
