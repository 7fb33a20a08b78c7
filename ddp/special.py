"""`ddp.special` (torch.special): the special functions ddp has, under PyTorch's names there; most are the
same functions as `ddp.erf`, `ddp.lgamma`, `ddp.xlogy` and the others. `ndtr` and `ndtri` are the standard
normal's distribution function and its inverse, composed from erf and erfinv (so differentiable); the
functions only this namespace has (entr, erfcx, log_ndtr, i0e, i1, i1e, zeta) wrap the ops in
ddp/core/ops/special_unary.py and ddp/core/ops/gamma.py; gammainc and gammaincc are ddp.igamma and igammac;
the orthogonal polynomials (Chebyshev T/U/V/W and their shifted forms, Hermite H/He, Laguerre, Legendre) are
ddp/core/ops/polynomials.py's recurrences; the Bessel functions J0, J1, Y0, Y1, K0, K1 (and scaled K), the
spherical j0 and the Airy Ai are Cephes' approximations in ddp/core/ops/bessel_*.py, without a derivative as
in PyTorch."""
import importlib
import math

import numpy as np

from .core.binary_math_functional import _floating_pair, igamma, igammac, xlog1py, xlogy
from .core.elementwise_functional import mul, sigmoid
from .core.math_functional import erf, erfinv, exp2, expm1, log1p, logit, round  # noqa: A004 - PyTorch's names
from .core.ops import bessel_airy as _airy
from .core.ops import bessel_jy as _jy
from .core.ops import bessel_k as _k
from .core.ops import gamma as _gamma
from .core.ops import polynomials as _poly
from .core.ops.linalg_decomp import NoDerivative
from .core.ops import special as _special
from .core.ops import special_unary as _su
from .core.reduce_functional import log_softmax, logsumexp, softmax
from .core.autograd import Function
from .core.dtypes import float_of
from .core.tensor import Tensor
from .core.transcendental_functional import digamma, erfc, float_op, i0, lgamma, mvlgamma, polygamma, sinc

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc",
           "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
           "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py", "xlogy",
           "zeta", "modified_bessel_i0", "modified_bessel_i1", "chebyshev_polynomial_t", "chebyshev_polynomial_u",
           "chebyshev_polynomial_v", "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w",
           "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p",
           "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0", "airy_ai"]

expit = sigmoid  # PyTorch's special name for the logistic function
psi = digamma
gammaln = lgamma
multigammaln = mvlgamma
gammainc, gammaincc = igamma, igammac

entr = float_op(_su.Entr, "entr", "-x log(x) elementwise: 0 at 0, -inf for x < 0; d/dx = -(log(x) + 1).")
erfcx = float_op(_su.Erfcx, "erfcx", "exp(x^2) erfc(x), finite where erfc underflows; d/dx = 2 x erfcx(x) - "
                 "2 / sqrt(pi).")
log_ndtr = float_op(_su.LogNdtr, "log_ndtr", "log of the standard normal distribution function, finite far into "
                    "the left tail.")
i0e = float_op(_su.I0e, "i0e", "exp(-|x|) i0(x), without overflow.")
i1 = float_op(_su.I1, "i1", "The modified Bessel function of the first kind of order 1; d/dx = i0(x) - i1(x) / x.")
i1e = float_op(_su.I1e, "i1e", "exp(-|x|) i1(x), without overflow.")


def ndtr(x):
    """The standard normal's distribution function, erfc(-x / sqrt 2) / 2: exact far into the left tail, where
    (1 + erf(x / sqrt 2)) / 2 cancels to rounding noise."""
    return mul(erfc(mul(x, -1 / math.sqrt(2))), 0.5)


def ndtri(p):
    """The standard normal's quantile function (the inverse of ndtr), accurate down to p = 1e-300; d/dp =
    sqrt(2 pi) exp(x^2 / 2)."""
    return _Ndtri.apply(p if isinstance(p, Tensor) and p.dtype.kind == "f" else _floating(p))


def _floating(p):
    p = p if isinstance(p, Tensor) else Tensor(np.asarray(p))
    return p if p.dtype.kind == "f" else p.to(float_of(p.dtype))


def _quantile(p):
    """ndtri of the float64 array p: sqrt 2 erfinv(2 p - 1) as a start (an asymptotic one deep in the tails,
    where 2 p - 1 rounds to -1), then Newton steps on log ndtr, which stays exact where ndtr underflows."""
    lower = np.minimum(p, 1 - p)  # by symmetry, solve in the lower tail: ndtri(1 - q) = -ndtri(q)
    inside = (lower > 0) & (lower < 0.5)
    q = np.where(inside, lower, 0.25)
    t = np.sqrt(-2 * np.log(q))
    x = np.where(q < 1e-8, -(t - (np.log(t) + math.log(4 * math.pi) / 2) / t),  # phi(x) / |x| ~ q
                 math.sqrt(2) * _special.erfinv(2 * q - 1))
    for _ in range(4):  # d/dx log ndtr(x) = phi(x) / ndtr(x) = sqrt(2 / pi) / erfcx(-x / sqrt 2)
        x = x - (_special.log_ndtr(x) - np.log(q)) * _special.erfcx(-x / math.sqrt(2)) / math.sqrt(2 / math.pi)
    x = np.where(inside, x, np.where(lower == 0.5, 0.0, np.where(lower == 0, -np.inf, np.nan)))
    return np.where(p > 0.5, -x, x)


class _Ndtri(Function):
    @staticmethod
    def forward(ctx, p):
        x = _quantile(p.astype(np.float64)).astype(p.dtype, copy=False)
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (np.exp(x * x / 2) * x.dtype.type(math.sqrt(2 * math.pi)))

    @staticmethod
    def differentiable_backward(ctx, g):
        x = _Ndtri.apply(ctx.parents[0])
        return g * (x * x * 0.5).exp() * math.sqrt(2 * math.pi)


def zeta(x, q):
    """The Hurwitz zeta function sum_k (k + q)^-x (q = 1: Riemann's), as PyTorch: inf at x == 1, nan for
    x < 1. Differentiable in q (d/dq = -x zeta(x + 1, q)); in x there is no derivative, as in PyTorch."""
    x, q = _floating_pair("zeta", x, q)
    return _Zeta.apply(x, q)


class _Zeta(Function):
    @staticmethod
    def forward(ctx, x, q):
        ctx.save_for_backward(x, q)
        return np.asarray(_gamma.zeta(x, q)).astype(np.result_type(x, q), copy=False)

    @staticmethod
    def backward(ctx, g):
        x, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented in its first argument (as in "
                                      "PyTorch); it is in q")
        return None, g * -x * np.asarray(_gamma.zeta(x + 1, q)).astype(g.dtype, copy=False)


modified_bessel_i0, modified_bessel_i1 = i0, i1  # PyTorch's newer names for the same functions


def _polynomial(name):
    def op(input, n):  # noqa: A002 - PyTorch's names
        x = input if isinstance(input, Tensor) else Tensor(np.asarray(input, dtype=np.float32))
        x = x if x.dtype.kind == "f" else x.float()
        order = n._data if isinstance(n, Tensor) else np.asarray(n)
        return NoDerivative.apply(x, out=_poly.evaluate(name, x._data, order), op=name)

    op.__name__ = name
    op.__doc__ = (f"torch.special.{name}(input, n): the polynomial of degree n (an int or a tensor, broadcast) at "
                  "each element, by its three-term recurrence; 0 for n < 0; no derivative (as PyTorch).")
    return op


for _name in ("chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
              "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"):
    globals()[_name] = _polynomial(_name)
for _name in ("t", "u", "v", "w"):
    globals()[f"shifted_chebyshev_polynomial_{_name}"] = _polynomial(f"shifted_chebyshev_polynomial_{_name}")


class _NotDifferentiable(NoDerivative):
    """NoDerivative with PyTorch's words for an op that has no derivative formula."""

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError(f"the derivative for '{ctx.op}' is not implemented (as in PyTorch)")


def _no_derivative(name, kernel, doc):
    def op(input):  # noqa: A002 - PyTorch's names
        x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
        x = x if x.dtype.kind == "f" else x.to(float_of(x.dtype))
        return _NotDifferentiable.apply(x, out=kernel(x._data), op=name)

    op.__name__ = name
    op.__doc__ = (f"torch.special.{name}(input): {doc} Elementwise, in float64 inside (the result in the input's "
                  "floating dtype; integers give the default dtype); no derivative (as PyTorch).")
    return op


bessel_j0 = _no_derivative("bessel_j0", _jy.j0, "J_0(x), the Bessel function of the first kind of order 0.")
bessel_j1 = _no_derivative("bessel_j1", _jy.j1, "J_1(x), the Bessel function of the first kind of order 1.")
bessel_y0 = _no_derivative("bessel_y0", _jy.y0, "Y_0(x), the Bessel function of the second kind of order 0 "
                           "(-inf at 0, nan for x < 0).")
bessel_y1 = _no_derivative("bessel_y1", _jy.y1, "Y_1(x), the Bessel function of the second kind of order 1 "
                           "(-inf at 0, nan for x < 0).")
modified_bessel_k0 = _no_derivative("modified_bessel_k0", _k.k0, "K_0(x), the modified Bessel function of the "
                                    "second kind of order 0 (inf at 0, nan for x < 0).")
modified_bessel_k1 = _no_derivative("modified_bessel_k1", _k.k1, "K_1(x), the modified Bessel function of the "
                                    "second kind of order 1 (inf at 0, nan for x < 0).")
scaled_modified_bessel_k0 = _no_derivative("scaled_modified_bessel_k0", _k.k0e, "exp(x) K_0(x), finite where "
                                           "K_0 underflows.")
scaled_modified_bessel_k1 = _no_derivative("scaled_modified_bessel_k1", _k.k1e, "exp(x) K_1(x), finite where "
                                           "K_1 underflows.")
spherical_bessel_j0 = _no_derivative("spherical_bessel_j0", _jy.spherical_j0, "j_0(x) = sin(x) / x, 1 at 0.")
airy_ai = _no_derivative("airy_ai", _airy.airy_ai, "Ai(x), the Airy function of the first kind.")

importlib.import_module("ddp.core.out_arguments").install(globals(), __all__)  # torch.special's out=
