"""`StudentT`: the location-scale t distribution, reparameterizable (a normal over the root of a chi-squared)."""
import math

import ddp

from . import constraints
from .distribution import Distribution
from .gamma import Chi2
from .utils import broadcast_all


class StudentT(Distribution):
    """loc + scale * T with T ~ t(df): density proportional to (1 + ((x - loc) / scale)^2 / df)^(-(df + 1) / 2).

    Args:
        df: the degrees of freedom, > 0. loc: the location (default 0). scale: > 0 (default 1).
        validate_args: see `Distribution`.
    Raises:
        ValueError: df or scale <= 0 (when validating).
    """

    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df, validate_args=False)
        super().__init__(self.df.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return StudentT(self.df.expand(batch_shape), self.loc.expand(batch_shape), self.scale.expand(batch_shape),
                        validate_args=False)

    @property
    def mean(self):
        """loc for df > 1, nan otherwise."""
        return ddp.where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """scale^2 df / (df - 2) for df > 2, inf for 1 < df <= 2, nan for df <= 1."""
        df = self.df
        finite = self.scale.pow(2) * df / (df - 2).clamp(min=1e-30)
        return ddp.where(df > 2, finite, ddp.where(df > 1, math.inf, math.nan))

    def rsample(self, sample_shape=()):
        """loc + scale X / sqrt(Z / df), X ~ N(0, 1), Z ~ chi2(df) (with Z's exact implicit gradient)."""
        shape = self._extended_shape(sample_shape)
        x = ddp.randn(shape, dtype=self.df.dtype)
        z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * x * (z / self.df).rsqrt()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        df = self.df
        log_z = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi) + ddp.lgamma(0.5 * df)
                 - ddp.lgamma(0.5 * (df + 1)))
        return -0.5 * (df + 1) * ddp.log1p(y.pow(2) / df) - log_z

    def entropy(self):
        df = self.df
        log_b = ddp.lgamma(0.5 * df) + math.lgamma(0.5) - ddp.lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (ddp.digamma(0.5 * (df + 1)) - ddp.digamma(0.5 * df))
                + 0.5 * df.log() + log_b)
