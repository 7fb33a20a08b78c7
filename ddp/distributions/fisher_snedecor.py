"""`FisherSnedecor`: the F distribution, the ratio of two scaled chi-squared variables."""
import math

import ddp

from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import broadcast_all


class FisherSnedecor(Distribution):
    """F(d1, d2): (X1 / d1) / (X2 / d2) with X_i ~ chi2(d_i); reparameterizable (X_i / d_i is Gamma(d_i / 2,
    d_i / 2), drawn with the exact implicit gradient).

    Args:
        df1, df2: the degrees of freedom, > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: df1 or df2 <= 0 (when validating).

    Example:
        >>> f = FisherSnedecor(5.0, 12.0).rsample((10,))
    """

    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        self._gamma1 = Gamma(0.5 * self.df1, self.df1, validate_args=False)  # X1 / d1 up to a factor 2 that
        self._gamma2 = Gamma(0.5 * self.df2, self.df2, validate_args=False)  # cancels in the ratio
        super().__init__(self.df1.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return type(self)(self.df1.expand(batch_shape), self.df2.expand(batch_shape), validate_args=False)

    @property
    def mean(self):
        """d2 / (d2 - 2) for d2 > 2, nan otherwise."""
        d2 = self.df2
        return ddp.where(d2 > 2, d2 / ddp.where(d2 > 2, d2 - 2, 1.0), math.nan)

    @property
    def mode(self):
        """(d1 - 2) / d1 * d2 / (d2 + 2) for d1 > 2, nan otherwise."""
        d1, d2 = self.df1, self.df2
        return ddp.where(d1 > 2, (d1 - 2) / d1 * d2 / (d2 + 2), math.nan)

    @property
    def variance(self):
        """2 d2^2 (d1 + d2 - 2) / (d1 (d2 - 2)^2 (d2 - 4)) for d2 > 4, nan otherwise."""
        d1, d2 = self.df1, self.df2
        safe = ddp.where(d2 > 4, d2, 5.0)
        value = 2 * safe.pow(2) * (d1 + safe - 2) / (d1 * (safe - 2).pow(2) * (safe - 4))
        return ddp.where(d2 > 4, value, math.nan)

    def rsample(self, sample_shape=()):
        tiny = ddp.finfo(self.df1.dtype).tiny
        x1 = self._gamma1.rsample(sample_shape)
        x2 = self._gamma2.rsample(sample_shape).clamp(min=tiny)
        return (x1 / x2).clamp(min=tiny)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        h1, h2 = 0.5 * self.df1, 0.5 * self.df2
        ratio = self.df1 / self.df2
        log_norm = ddp.lgamma(h1 + h2) - ddp.lgamma(h1) - ddp.lgamma(h2) + h1 * ratio.log()
        return log_norm + ddp.xlogy(h1 - 1, value) - (h1 + h2) * ddp.log1p(ratio * value)
