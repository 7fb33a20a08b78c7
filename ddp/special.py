"""`ddp.special` (torch.special): the special functions ddp has, under PyTorch's names there; most are the
same functions as `ddp.erf`, `ddp.lgamma`, `ddp.xlogy` and the others. `ndtr` and `ndtri` are the standard
normal's distribution function and its inverse, composed from erf and erfinv (so differentiable); the
functions only this namespace has (entr, erfcx, log_ndtr, i0e, i1, i1e, zeta) wrap the ops in
ddp/core/ops/special_unary.py and ddp/core/ops/gamma.py; gammainc and gammaincc are ddp.igamma and igammac;
the orthogonal polynomials (Chebyshev T/U/V/W and their shifted forms, Hermite H/He, Laguerre, Legendre) are
ddp/core/ops/polynomials.py's recurrences."""
import importlib
import math

import numpy as np

from .core.binary_math_functional import _floating_pair, igamma, igammac, xlog1py, xlogy
from .core.elementwise_functional import mul, sigmoid
from .core.math_functional import erf, erfinv, exp2, expm1, log1p, logit, round  # noqa: A004 - PyTorch's names
from .core.ops import gamma as _gamma
from .core.ops import polynomials as _poly
from .core.ops.linalg_decomp import NoDerivative
from .core.ops import special_unary as _su
from .core.reduce_functional import log_softmax, logsumexp, softmax
from .core.autograd import Function
from .core.tensor import Tensor
from .core.transcendental_functional import digamma, erfc, float_op, i0, lgamma, mvlgamma, polygamma, sinc

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc",
           "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
           "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py", "xlogy",
           "zeta", "modified_bessel_i0", "modified_bessel_i1", "chebyshev_polynomial_t", "chebyshev_polynomial_u",
           "chebyshev_polynomial_v", "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w",
           "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"]

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
    """The standard normal's distribution function, (1 + erf(x / sqrt 2)) / 2."""
    return mul(erf(mul(x, 1 / math.sqrt(2))) + 1, 0.5)


def ndtri(p):
    """The standard normal's quantile function, sqrt 2 erfinv(2 p - 1) (the inverse of ndtr)."""
    return mul(erfinv(mul(p, 2) - 1), math.sqrt(2))


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

importlib.import_module("ddp.core.out_arguments").install(globals(), __all__)  # torch.special's out=
