"""`Cauchy`: the Lorentz distribution (no mean, infinite variance), reparameterizable."""
import math

import ddp

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


class Cauchy(Distribution):
    """Density 1 / (pi scale (1 + ((x - loc) / scale)^2)), batched over the broadcast shape of loc and scale.

    Args:
        loc: the median and mode.
        scale: the half width at half maximum, > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: scale <= 0 (when validating).
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, loc=self.loc.expand(batch_shape), scale=self.scale.expand(batch_shape))

    @property
    def mean(self):
        """nan: the Cauchy distribution has no mean."""
        return ddp.full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return ddp.full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape=()):
        """loc + scale eps, eps from `cauchy_()` as PyTorch draws it."""
        eps = ddp.empty(self._extended_shape(sample_shape), dtype=self.loc.dtype).cauchy_()
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -math.log(math.pi) - self.scale.log() - ddp.log1p(((value - self.loc) / self.scale).pow(2))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ddp.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        angle = math.pi * (value - 0.5)
        return self.loc + self.scale * ddp.sin(angle) / ddp.cos(angle)

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()
