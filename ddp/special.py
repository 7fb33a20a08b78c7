"""`ddp.special` (torch.special): the special functions ddp has, under PyTorch's names there; most are the
same functions as `ddp.erf`, `ddp.sigmoid` and the others. `ndtr` and `ndtri` are the standard normal's
distribution function and its inverse, composed from erf and erfinv (so differentiable)."""
import math

from .core.elementwise_functional import mul, sigmoid
from .core.math_functional import erf, erfinv, exp2, expm1, log1p, logit, round  # noqa: A004 - PyTorch's names
from .core.reduce_functional import log_softmax, logsumexp, softmax

__all__ = ["erf", "erfinv", "exp2", "expit", "expm1", "log1p", "log_softmax", "logit", "logsumexp", "ndtr", "ndtri",
           "round", "softmax"]

expit = sigmoid  # PyTorch's special name for the logistic function


def ndtr(x):
    """The standard normal's distribution function, (1 + erf(x / sqrt 2)) / 2."""
    return mul(erf(mul(x, 1 / math.sqrt(2))) + 1, 0.5)


def ndtri(p):
    """The standard normal's quantile function, sqrt 2 erfinv(2 p - 1) (the inverse of ndtr)."""
    return mul(erfinv(mul(p, 2) - 1), math.sqrt(2))
