"""`Normal`: the univariate Gaussian, reparameterizable (rsample = loc + scale * eps)."""
import math
from numbers import Real

import ddp

from ..core.math_functional import erfinv
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class Normal(Distribution):
    """The normal distribution N(loc, scale^2), batched over the broadcast shape of loc and scale.

    Args:
        loc: the mean (a Tensor or a Python number).
        scale: the standard deviation, > 0 (a Tensor or a Python number; numbers take loc's dtype).
        validate_args: see `Distribution`.
    Raises:
        ValueError: scale <= 0 or a NaN parameter (when validating).

    Example:
        >>> q = Normal(mu, log_sigma.exp())
        >>> z = q.rsample()                        # gradients reach mu and log_sigma
        >>> kl = ddp.distributions.kl_divergence(q, Normal(0.0, 1.0)).sum()
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        batch_shape = () if isinstance(loc, Real) and isinstance(scale, Real) else self.loc.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, loc=self.loc.expand(batch_shape), scale=self.scale.expand(batch_shape))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=()):
        """loc + scale * eps, eps ~ N(0, 1) from ddp's default generator, in the parameters' dtype."""
        eps = ddp.randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        """-(value - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi))."""
        if self._validate_args:
            self._validate_sample(value)
        return -((value - self.loc) ** 2) / (2 * self.scale ** 2) - ddp.log(self.scale) - _HALF_LOG_2PI

    def cdf(self, value):
        """(1 + erf((value - loc) / (scale sqrt 2))) / 2."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ddp.erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value):
        """loc + scale sqrt(2) erfinv(2 value - 1): the quantile of probability `value` (nan outside [0, 1])."""
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        """1/2 + log(sqrt(2 pi)) + log(scale)."""
        return 0.5 + _HALF_LOG_2PI + ddp.log(self.scale)
