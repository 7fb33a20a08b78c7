"""KL(p || q) = inf for the pairs whose p puts mass where q has none (p's support is not inside q's):
the pairs PyTorch registers among the families without gamma functions (kl_gamma.py adds the others)."""
import math

import ddp

from .continuous_bernoulli import ContinuousBernoulli
from .distribution import Distribution
from .exponential import Exponential
from .gumbel import Gumbel
from .kl import register_kl
from .laplace import Laplace
from .normal import Normal
from .pareto import Pareto
from .uniform import Uniform


def _dtype(d):
    """The dtype of d's first Tensor parameter (looking into a base distribution where d wraps one)."""
    for v in vars(d).values():
        if isinstance(v, ddp.Tensor) and v.dtype.kind == "f":
            return v.dtype
        if isinstance(v, Distribution):
            return _dtype(v)
    return ddp.get_default_dtype()


def infinite(p, q):
    """inf over the broadcast batch shape of p and q, in p's dtype."""
    shape = ddp.broadcast_shapes(tuple(p.batch_shape), tuple(q.batch_shape))
    return ddp.full(tuple(shape), math.inf, dtype=_dtype(p))


def register_infinite(pairs):
    """Register `infinite` for every (type_p, type_q) in `pairs`."""
    for type_p, type_q in pairs:
        register_kl(type_p, type_q)(infinite)


_BOUNDED_OR_HALF_LINE = (ContinuousBernoulli, Exponential, Pareto, Uniform)

register_infinite([(ContinuousBernoulli, Pareto), (Exponential, ContinuousBernoulli), (Exponential, Pareto),
                   (Exponential, Uniform), (Pareto, ContinuousBernoulli), (Pareto, Uniform)])
register_infinite([(real_line, q) for real_line in (Gumbel, Laplace, Normal) for q in _BOUNDED_OR_HALF_LINE])
