"""`InverseGamma`: the law of 1 / X for X ~ Gamma(concentration, rate), as a TransformedDistribution."""
import math

import ddp

from . import constraints
from .gamma import Gamma
from .transformed_distribution import TransformedDistribution
from .transforms import PowerTransform
from .utils import broadcast_all


class InverseGamma(TransformedDistribution):
    """Density r^c x^(-c - 1) e^(-r / x) / Gamma(c) on x > 0 (c = concentration, r = rate; r is a scale
    here); reparameterizable through Gamma's exact implicit gradient.

    Args:
        concentration: c > 0. rate: r > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: a parameter <= 0 (when validating).

    Example:
        >>> variance_prior = InverseGamma(3.0, 2.0)
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        concentration, rate = broadcast_all(concentration, rate)
        super().__init__(Gamma(concentration, rate, validate_args=validate_args), PowerTransform(-1.0),
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return type(self)(self.concentration.expand(batch_shape), self.rate.expand(batch_shape),
                          validate_args=False)

    concentration = property(lambda self: self.base_dist.concentration)
    rate = property(lambda self: self.base_dist.rate)

    @property
    def mean(self):
        """r / (c - 1) for c > 1, inf otherwise."""
        c = self.concentration
        return ddp.where(c > 1, self.rate / ddp.where(c > 1, c - 1, 1.0), math.inf)

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        """r^2 / ((c - 1)^2 (c - 2)) for c > 2, inf otherwise."""
        c = self.concentration
        safe = ddp.where(c > 2, c, 3.0)
        return ddp.where(c > 2, self.rate.pow(2) / ((safe - 1).pow(2) * (safe - 2)), math.inf)

    def entropy(self):
        c = self.concentration
        return c + self.rate.log() + ddp.lgamma(c) - (1 + c) * ddp.digamma(c)
