"""`Poisson`: counts of events at a given rate."""
import ddp

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, draw


class Poisson(Distribution):
    """P(k) = rate^k e^(-rate) / k! for k = 0, 1, 2, ...

    Args:
        rate: the mean, >= 0 (a Tensor or a Python number).
        validate_args: see `Distribution`.
    Raises:
        ValueError: rate < 0 (when validating).
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, rate=self.rate.expand(batch_shape))

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        with ddp.no_grad():
            shape = self._extended_shape(sample_shape)
            rate = self.rate.detach().numpy().astype("float64")
            return draw("poisson", shape, self.rate.dtype, lam=rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return ddp.xlogy(value, rate) - rate - ddp.lgamma(value + 1)
