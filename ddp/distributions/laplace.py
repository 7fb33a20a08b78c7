"""`Laplace`: the double-exponential distribution, reparameterizable."""
import math

import ddp

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


class Laplace(Distribution):
    """Density exp(-|x - loc| / scale) / (2 scale), batched over the broadcast shape of loc and scale.

    Args:
        loc: the location (mean, median and mode).
        scale: the scale, > 0.
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
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    def rsample(self, sample_shape=()):
        """loc - scale sign(u) log(1 - |u|), u from `uniform_(eps - 1, 1)` as PyTorch (off -1: the log stays finite)."""
        eps = ddp.finfo(self.loc.dtype).eps
        u = ddp.empty(self._extended_shape(sample_shape), dtype=self.loc.dtype).uniform_(eps - 1, 1)
        return self.loc - self.scale * u.sign() * ddp.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -ddp.log(2 * self.scale) - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * ddp.expm1(-z.abs() / self.scale)

    def icdf(self, value):
        half = value - 0.5
        return self.loc - self.scale * half.sign() * ddp.log1p(-2 * half.abs())

    def entropy(self):
        return 1 + ddp.log(2 * self.scale)
