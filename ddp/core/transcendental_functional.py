"""The public elementwise transcendental ops: tan, the inverse hyperbolic functions, erfc, the gamma family
(lgamma, digamma, polygamma, mvlgamma), i0, sinc, and the small sign and angle helpers (sgn, signbit,
isreal, positive, deg2rad, rad2deg, frexp). Argument checks, then one `Function.apply` from ops/trig.py or
ops/special_unary.py, or a composition of public ops. Integer inputs give the default float dtype, as in
PyTorch."""
import math

import numpy as np

from . import elementwise_functional as F
from .arguments import as_tensor_arg as _tensor
from .dtypes import get_default_dtype
from .ops import binary_math, special_unary as su
from .ops import trig
from .return_types import named
from .tensor import Tensor

__all__ = """
tan asinh arcsinh acosh arccosh atanh arctanh erfc lgamma digamma polygamma mvlgamma i0 sinc sgn signbit isreal
positive deg2rad rad2deg frexp
""".split()

FrexpResult = named("frexp", ["mantissa", "exponent"])


def as_floating(x):
    """x as a Tensor, integer and bool tensors cast to the default float dtype (differentiable cast); floating
    and complex tensors as they are."""
    x = _tensor(x)
    return x if x.dtype.kind in "fc" else x.to(get_default_dtype())


def float_op(fn, name, doc):
    """The public form of a one-input Function: floating inputs as they are, others cast first."""
    def op(input):  # noqa: A002 - PyTorch's name
        return fn.apply(as_floating(input))

    op.__name__ = name
    op.__doc__ = doc
    return op


tan = float_op(trig.Tan, "tan", "Elementwise tangent; d/dx = 1 + tan(x)^2.")
asinh = arcsinh = float_op(trig.Asinh, "asinh", "Elementwise inverse hyperbolic sine.")
acosh = arccosh = float_op(trig.Acosh, "acosh", "Elementwise inverse hyperbolic cosine (nan below 1).")
atanh = arctanh = float_op(trig.Atanh, "atanh", "Elementwise inverse hyperbolic tangent (+-inf at +-1).")
sinc = float_op(trig.Sinc, "sinc", "The normalised sinc, sin(pi x) / (pi x), 1 at 0.")
erfc = float_op(su.Erfc, "erfc", "1 - erf(x), computed without the cancellation of 1 - erf in the right tail.")
lgamma = float_op(su.Lgamma, "lgamma", "log |Gamma(x)|; inf at the poles (0, -1, -2, ...); d/dx = digamma(x).")
i0 = float_op(su.I0, "i0", "The modified Bessel function of the first kind of order 0; d/dx = i1(x).")


def digamma(x):
    """psi(x) = d/dx lgamma(x): -inf at +0, +inf at -0, nan at the negative integers (as PyTorch);
    d/dx = polygamma(1, x)."""
    return su.Polygamma.apply(as_floating(x), n=0)


def _order(n, name):
    if isinstance(n, Tensor):
        n = n.item()
    if isinstance(n, (bool, float)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name}: the order n must be an int, got {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"{name}: the order n must be non-negative, got {n}")
    return int(n)


def polygamma(n, x):
    """The n-th derivative of digamma (n = 0 is digamma itself); d/dx = polygamma(n + 1, x).

    Raises:
        TypeError: n is not an int. RuntimeError: n < 0.

    Example:
        >>> ddp.polygamma(1, ddp.tensor([1.0]))  # pi^2 / 6
        tensor([1.6449])
    """
    return su.Polygamma.apply(as_floating(x), n=_order(n, "polygamma"))


def mvlgamma(x, p):
    """The log of the multivariate gamma function of dimension p: p (p - 1) / 4 log(pi) + sum over
    j < p of lgamma(x - j / 2), summed over a new last dim (differentiable through lgamma).

    Raises:
        RuntimeError: p < 1.
    """
    p = _order(p, "mvlgamma")
    if p < 1:
        raise RuntimeError(f"mvlgamma: p must be at least 1, got {p}")
    x = as_floating(x)
    halves = Tensor(np.arange(p, dtype=x.dtype) / 2)
    terms = lgamma(F.sub(x.unsqueeze(-1), halves))
    return F.add(terms.sum(-1), p * (p - 1) / 4 * math.log(math.pi))


def sgn(x):
    """The sign of x, 0 at nan: `sign`, since ddp has no complex tensors (where sgn is x / |x|); the gradient
    is 0."""
    return F.sign(_tensor(x))


def signbit(x):
    """Whether the sign bit is set (True for -0.0 and negative numbers; a bool tensor)."""
    return Tensor(np.signbit(_tensor(x)._data))


def isreal(x):
    """Whether each element is real: a complex element whose imaginary part is 0; every element of a real
    tensor."""
    x = _tensor(x)._data
    return Tensor(x.imag == 0 if x.dtype.kind == "c" else np.ones(x.shape, dtype=np.bool_))


def positive(x):
    """x itself (unary +), as PyTorch; bool tensors raise RuntimeError."""
    x = _tensor(x)
    if x.dtype == np.bool_:
        raise RuntimeError("positive: unary + is not defined for bool tensors, got a bool tensor")
    return x


def deg2rad(x):
    """Degrees to radians, x pi / 180."""
    return F.mul(as_floating(x), math.pi / 180)


def rad2deg(x):
    """Radians to degrees, x 180 / pi."""
    return F.mul(as_floating(x), 180 / math.pi)


def frexp(x):
    """x = mantissa * 2^exponent with |mantissa| in [0.5, 1): a (mantissa, exponent) pair, the exponent int32;
    the mantissa is differentiable.

    Raises:
        RuntimeError: x is not floating point.

    Example:
        >>> mantissa, exponent = ddp.frexp(ddp.tensor([8.0]))  # 0.5 and 4
    """
    x = _tensor(x)
    if x.dtype.kind != "f":
        raise RuntimeError(f"frexp: expected a floating point tensor, got {x.dtype}")
    exponent = np.frexp(x._data)[1]
    return FrexpResult(binary_math.Mantissa.apply(x, exponent=exponent), Tensor(exponent))
