"""`Exponential`: waiting times of a Poisson process with the given rate, reparameterizable."""
import ddp

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


class Exponential(Distribution):
    """The exponential distribution with density rate * exp(-rate * x) on x >= 0.

    Args:
        rate: the rate, > 0 (a Tensor or a Python number); the mean is 1 / rate.
        validate_args: see `Distribution`.
    Raises:
        ValueError: rate <= 0 (when validating).
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, rate=self.rate.expand(batch_shape))

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return ddp.zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        """E / rate with E from `exponential_()`, as PyTorch draws it (so the same seed gives its samples)."""
        shape = self._extended_shape(sample_shape)
        return ddp.empty(shape, dtype=self.rate.dtype).exponential_() / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - ddp.exp(-self.rate * value)

    def icdf(self, value):
        return -ddp.log1p(-value) / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()
