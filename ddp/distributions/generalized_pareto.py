"""`GeneralizedPareto`: the peaks-over-threshold law (exponential, Pareto and uniform as special cases)."""
import math

import ddp

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


class GeneralizedPareto(Distribution):
    """Survival function (1 + xi z)^(-1 / xi) with z = (x - loc) / scale, xi = concentration (exp(-z) at
    xi = 0), on x >= loc, and up to loc - scale / xi when xi < 0. Reparameterizable: rsample is the icdf of
    a uniform draw.

    xi = 0 is recognised as `isclose(xi, 0)`, as PyTorch does, and takes the exponential limit.

    Args:
        loc: the threshold. scale: > 0. concentration: xi, any real number.
        validate_args: see `Distribution`.
    Raises:
        ValueError: scale <= 0 (when validating).

    Example:
        >>> tail = GeneralizedPareto(0.0, 2.0, 0.3)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, loc=self.loc.expand(batch_shape), scale=self.scale.expand(batch_shape),
                              concentration=self.concentration.expand(batch_shape))

    @property
    def support(self):
        xi = self.concentration
        upper = ddp.where(xi < 0, self.loc - self.scale / ddp.where(xi < 0, xi, -1.0), math.inf)
        return constraints.interval(self.loc, upper)

    def _safe_concentration(self):
        """(xi with 1 where xi is close to 0, the mask of those elements)."""
        zero = ddp.isclose(self.concentration, ddp.zeros_like(self.concentration))
        return ddp.where(zero, 1.0, self.concentration), zero

    def rsample(self, sample_shape=()):
        u = ddp.rand(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        xi, zero = self._safe_concentration()
        power = 1 / xi + 1  # 0 at xi = -1 (the uniform), where the log term vanishes even at the support's
        arg = xi * z        # end: a stand-in argument there keeps 0 * log(0) from making nan
        arg = ddp.where((power == 0) & (arg <= -1), 0.0, arg)
        return -self.scale.log() - ddp.where(zero, z, power * ddp.log1p(arg))

    def log_survival_function(self, value):
        """log P(X > value) = -log1p(xi z) / xi (-z at xi = 0)."""
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        xi, zero = self._safe_concentration()
        return ddp.where(zero, -z, -ddp.log1p(xi * z) / xi)

    def log_cdf(self, value):
        return ddp.log1p(-self.log_survival_function(value).exp())

    def cdf(self, value):
        return -ddp.expm1(self.log_survival_function(value))

    def icdf(self, value):
        """loc + scale (expm1(-xi log1p(-u)) / xi) (loc - scale log1p(-u) at xi = 0)."""
        xi, zero = self._safe_concentration()
        log_left = ddp.log1p(-value)
        return ddp.where(zero, self.loc - self.scale * log_left,
                         self.loc + self.scale / xi * ddp.expm1(-xi * log_left))

    @property
    def mean(self):
        """loc + scale / (1 - xi) for xi < 1, nan otherwise."""
        xi = self.concentration
        safe = ddp.where(xi < 1, xi, 0.5)
        return ddp.where(xi < 1, self.loc + self.scale / (1 - safe), math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """scale^2 / ((1 - xi)^2 (1 - 2 xi)) for xi < 1/2, nan otherwise."""
        xi = self.concentration
        safe = ddp.where(xi < 0.5, xi, 0.25)
        return ddp.where(xi < 0.5, self.scale.pow(2) / ((1 - safe).pow(2) * (1 - 2 * safe)), math.nan)

    def entropy(self):
        return self.scale.log() + self.concentration + 1
