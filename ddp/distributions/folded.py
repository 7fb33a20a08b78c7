"""`FoldedAtZero`: the law of |X| for X ~ a distribution symmetric about 0 with a `scale` (HalfNormal,
HalfCauchy), as a TransformedDistribution; the folding arithmetic that both share is here."""
import math

import ddp

from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform


class FoldedAtZero(TransformedDistribution):
    """|X| with X ~ `symmetric`(0, scale), reparameterizable, on x >= 0. Subclasses name `symmetric` (a
    location-scale family symmetric about its location) and give the mean and variance.

    Args:
        scale: the scale of the underlying distribution, > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: scale <= 0 (when validating).
    """

    symmetric = None
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(self.symmetric(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    scale = property(lambda self: self.base_dist.scale)

    @property
    def mode(self):
        return ddp.zeros_like(self.scale)

    def log_prob(self, value):
        """The underlying log density folded onto x >= 0 (plus log 2), -inf below 0."""
        if self._validate_args:
            self._validate_sample(value)
        return ddp.where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)
