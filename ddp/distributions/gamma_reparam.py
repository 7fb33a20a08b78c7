"""Standard gamma draws with their implicit reparameterization gradient (Figurnov et al., 2018), and the
regularized incomplete gamma function P(a, x) differentiable in the shape a too (Gamma.cdf).

torch.igamma's own kernel (ops/incomplete_gamma.py) has no derivative in a, as in PyTorch; this one carries
that derivative through the same two expansions, which is why they appear here a second time.

A draw x = F^-1(u; a) of Gamma(a, 1) moves with the shape a as dx/da = -(dF/da)(x; a) / f(x; a). Here dF/da
is computed to double precision, not approximated: forward-mode differentiation (in a) of the two classic
expansions of the regularized incomplete gamma function,

    x < a + 1:  P(a, x) = x^a e^-x / Gamma(a + 1) * S,   S = sum_n x^n / ((a + 1) ... (a + n))
    otherwise:  Q(a, x) = x^a e^-x / Gamma(a) * H,        H = Legendre's continued fraction (Lentz's method)

and the density's factors cancel: dx/da = -(x / a) (S (log x - digamma(a + 1)) + dS/da) from the series,
and dx/da = x (H (log x - digamma(a)) + dH/da) from the continued fraction.
"""
import numpy as np

from ddp.core.autograd import Function
from ddp.core.ops import gamma as kernels
from ddp.core.random import get_generator

_EPS = np.finfo(np.float64).eps
_TINY = np.finfo(np.float64).tiny


_MAX_TERMS = 100000  # far beyond what shapes up to 1e8 need; a guard against non-finite input only


def _series(a, x):
    """S and dS/da of the lower series (x < a + 1, so the terms shrink from the first)."""
    s, ds = np.ones_like(x), np.zeros_like(x)
    term, dterm = s.copy(), ds.copy()
    live = np.arange(x.size)  # the elements still summing; each leaves once its terms stop counting
    a, x = a.copy(), x.copy()
    for n in range(1, _MAX_TERMS):
        ratio = x / (a + n)
        dterm = ratio * (dterm - term / (a + n))
        term = term * ratio
        s[live] += term
        ds[live] += dterm
        going = ~((term <= _EPS * s[live]) & (np.abs(dterm) <= _EPS * np.abs(ds[live]) + _TINY))
        if not going.all():
            live, a, x, term, dterm = live[going], a[going], x[going], term[going], dterm[going]
            if live.size == 0:
                break
    return s, ds


def _continued_fraction(a, x):
    """H and dH/da of Legendre's continued fraction for the upper tail (x >= a + 1), by modified Lentz.

    Each element stops once a step changes neither H nor dH/da beyond rounding (a few ulps: the steps
    themselves carry rounding noise, so an exact test could wait forever)."""
    out_h, out_dh = np.empty_like(x), np.empty_like(x)
    live = np.arange(x.size)
    b, db = x + 1 - a, -1.0
    d = 1 / b
    dd = -db * d * d
    c, dc = np.full_like(x, 1 / _EPS), np.zeros_like(x)  # Lentz's start: c = "infinity" (1/eps: no overflow)
    h, dh = d.copy(), dd.copy()
    for i in range(1, _MAX_TERMS):
        an, dan = -i * (i - a), float(i)
        b = b + 2
        big_d = an * d + b
        dbig_d = dan * d + an * dd + db
        big_c = b + an / c
        dbig_c = db + dan / c - an * dc / (c * c)
        d = 1 / big_d
        dd = -dbig_d * d * d
        step, dstep = d * big_c, dd * big_c + d * dbig_c
        h, dh = h * step, dh * step + h * dstep
        c, dc = big_c, dbig_c
        done = (np.abs(step - 1) <= 4 * _EPS) & (np.abs(h * dstep) <= 4 * _EPS * np.abs(dh) + _TINY)
        if done.any():
            out_h[live[done]], out_dh[live[done]] = h[done], dh[done]
            keep = ~done
            live, a, x, b, d, dd, c, dc, h, dh = (v[keep] for v in (live, a, x, b, d, dd, c, dc, h, dh))
            if live.size == 0:
                break
    out_h[live], out_dh[live] = h, dh
    return out_h, out_dh


def _gamma_p_and_grad(a, x):
    """P(a, x) and dx/da along a level set of P (float64 arrays of one shape, x > 0), to double precision."""
    p, grad = np.empty_like(x), np.empty_like(x)
    low = x < a + 1
    if low.any():
        al, xl = a[low], x[low]
        s, ds = _series(al, xl)
        log_x = np.log(xl)
        p[low] = np.exp(al * log_x - xl - kernels.lgamma(al + 1)) * s
        grad[low] = -(xl / al) * (s * (log_x - kernels.digamma(al + 1)) + ds)
    high = ~low
    if high.any():
        ah, xh = a[high], x[high]
        h, dh = _continued_fraction(ah, xh)
        log_x = np.log(xh)
        p[high] = 1 - np.exp(ah * log_x - xh - kernels.lgamma(ah)) * h
        grad[high] = xh * (h * (log_x - kernels.digamma(ah)) + dh)
    return p, grad


def standard_gamma_grad(a, x):
    """dx/da for draws x of Gamma(a, 1) (float64 arrays of one shape, x > 0), exact to double precision."""
    return _gamma_p_and_grad(a, x)[1]


class _GammaP(Function):
    """P(a, x) = gammainc(a, x) for a > 0, x >= 0; dP/dx = x^(a-1) e^-x / Gamma(a), dP/da = -dP/dx * dx/da."""

    @staticmethod
    def forward(ctx, a, x):
        shape = np.broadcast_shapes(np.shape(a), np.shape(x))
        a64 = np.broadcast_to(a, shape).astype(np.float64)
        x64 = np.broadcast_to(x, shape).astype(np.float64)
        pos = x64 > 0
        p, grad = np.zeros(shape), np.zeros(shape)
        p[pos], grad[pos] = _gamma_p_and_grad(a64[pos], x64[pos])
        with np.errstate(divide="ignore"):
            density = np.where(pos, np.exp((a64 - 1) * np.log(np.where(pos, x64, 1.0)) - x64 - kernels.lgamma(a64)),
                               0.0)
        ctx.grads = (-density * grad, density)
        return p.astype(np.result_type(a, x))

    @staticmethod
    def backward(ctx, g):
        da, dx = ctx.grads
        return g * da.astype(g.dtype), g * dx.astype(g.dtype)


def gammainc(a, x):
    """The regularized lower incomplete gamma function P(a, x), differentiable in both arguments."""
    return _GammaP.apply(a, x)


class _StandardGamma(Function):
    """Draws of Gamma(concentration, 1) (numpy's, from ddp's default generator), clamped to the dtype's
    smallest normal number; backward: g * dx/da from `standard_gamma_grad`."""

    @staticmethod
    def forward(ctx, concentration, *, shape):
        a = np.broadcast_to(concentration, shape).astype(np.float64)
        x = get_generator().standard_gamma(a)
        x = np.maximum(x, np.finfo(concentration.dtype).tiny)
        if ctx.needs_input_grad[0]:
            ctx.dxda = standard_gamma_grad(a, x)
        return x.astype(concentration.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.dxda.astype(g.dtype)



def standard_gamma(concentration, shape):
    """Gamma(concentration, 1) draws of `shape` (concentration broadcasts to it); differentiable in it."""
    return _StandardGamma.apply(concentration, shape=tuple(shape))
