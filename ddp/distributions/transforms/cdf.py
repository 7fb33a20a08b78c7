"""`CumulativeDistributionTransform`: a distribution's cdf as a map onto [0, 1] (copulas)."""
from .. import constraints
from .base import Transform


class CumulativeDistributionTransform(Transform):
    """y = distribution.cdf(x), inverse distribution.icdf(y); log |dy/dx| = distribution.log_prob(x).

    Example:
        >>> copula = TransformedDistribution(MultivariateNormal(loc, scale_tril=tril),
        ...                                  [CumulativeDistributionTransform(Normal(0.0, 1.0))])
    """

    bijective = True
    codomain = constraints.unit_interval
    sign = +1

    def __init__(self, distribution, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def with_cache(self, cache_size=1):
        return self if self._cache_size == cache_size else CumulativeDistributionTransform(self.distribution,
                                                                                           cache_size=cache_size)

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)
