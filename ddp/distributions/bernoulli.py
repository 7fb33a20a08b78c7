"""`Bernoulli`: a 0/1 variable, parameterized by the probability of 1 or its log-odds."""
import math
from numbers import Number

import ddp
import ddp.nn.functional as F

from . import constraints
from .binary_parameters import BinaryParameters
from .distribution import Distribution
from .utils import broadcast_all


class Bernoulli(BinaryParameters, Distribution):
    """Draws 1 with probability `probs` (or sigmoid(`logits`)) and 0 otherwise, in the parameter's dtype.

    Args:
        probs: the probability of 1, in [0, 1] (a Tensor or a Python number).
        logits: the log-odds of 1 (a Tensor or a Python number).
        validate_args: see `Distribution`.
    Raises:
        ValueError: not exactly one of probs and logits, or probs outside [0, 1] (when validating).
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        given = self._given(probs, logits)
        (param,) = broadcast_all(given)
        self._keep(param, probs is not None)
        super().__init__(() if isinstance(given, Number) else param.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        params = self._expanded_parameter(batch_shape)
        return self._expanded(batch_shape, **params)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        """1 where probs > 1/2, 0 where below, nan at exactly 1/2 (as PyTorch)."""
        probs = self.probs
        return ddp.where(probs == 0.5, math.nan, (probs >= 0.5).to(probs))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        with ddp.no_grad():
            return ddp.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        """value * logits - softplus(logits), as -binary_cross_entropy_with_logits (stable for large logits)."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        """The values 0 and 1 in the parameter's dtype, shape (2,) + (1,) * len(batch_shape) (or expanded)."""
        dtype = (self.probs if "probs" in self.__dict__ else self.logits).dtype
        values = ddp.arange(2, dtype=dtype).view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values
