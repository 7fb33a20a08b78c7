"""`Pareto`: the power-law distribution, scale * exp(E) with E exponential, as a TransformedDistribution."""
import math

import ddp

from . import constraints
from .exponential import Exponential
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .utils import broadcast_all


class Pareto(TransformedDistribution):
    """Density alpha scale^alpha / x^(alpha + 1) on x >= scale; reparameterizable.

    Args:
        scale: the minimum value, > 0; alpha: the tail index, > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: scale or alpha <= 0 (when validating).
    """

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}
    has_rsample = True

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        super().__init__(Exponential(self.alpha, validate_args=validate_args),
                         [ExpTransform(), AffineTransform(0, self.scale)], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return type(self)(self.scale.expand(batch_shape), self.alpha.expand(batch_shape), validate_args=False)

    @property
    def support(self):
        return constraints.greater_than_eq(self.scale)

    @property
    def mean(self):
        """alpha scale / (alpha - 1), inf for alpha <= 1."""
        a = ddp.where(self.alpha <= 1, 2.0, self.alpha)  # a stand-in there, so the unused branch stays finite
        return ddp.where(self.alpha <= 1, math.inf, a * self.scale / (a - 1))

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        """scale^2 alpha / ((alpha - 1)^2 (alpha - 2)), inf for alpha <= 2."""
        a = ddp.where(self.alpha <= 2, 3.0, self.alpha)  # a stand-in there (see mean)
        return ddp.where(self.alpha <= 2, math.inf, self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2)))

    def entropy(self):
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())
