"""`Geometric`: the number of failures before the first success of independent Bernoulli trials."""

import ddp
import ddp.nn.functional as F

from . import constraints
from .binary_parameters import BinaryParameters
from .distribution import Distribution
from .utils import broadcast_all


class Geometric(BinaryParameters, Distribution):
    """P(k) = (1 - p)^k p for k = 0, 1, 2, ..., with p = `probs` (or sigmoid(`logits`)) the success probability.

    Args:
        probs: the success probability, in (0, 1]; logits: its log-odds.
        validate_args: see `Distribution`.
    Raises:
        ValueError: not exactly one of probs and logits, or probs outside (0, 1] (when validating).
    """

    arg_constraints = {"probs": constraints.interval(0.0, 1.0), "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        (param,) = broadcast_all(self._given(probs, logits))
        self._keep(param, probs is not None)
        super().__init__(param.shape, validate_args=validate_args)
        if self._validate_args and probs is not None and not bool((self.probs > 0).all()):
            raise ValueError(f"Geometric: parameter probs must lie in (0, 1], and some of its values do not:\n"
                             f"{self.probs}")

    def expand(self, batch_shape, _instance=None):
        params = self._expanded_parameter(batch_shape)
        return self._expanded(batch_shape, **params)

    @property
    def mean(self):
        return self.probs.reciprocal() - 1

    @property
    def mode(self):
        return ddp.zeros_like(self.probs)

    @property
    def variance(self):
        return (self.probs.reciprocal() - 1) / self.probs

    def sample(self, sample_shape=()):
        """floor(log(u) / log(1 - p)) for u from `uniform_(tiny, 1)` (as PyTorch): inversion of the cdf."""
        with ddp.no_grad():
            u = ddp.empty(self._extended_shape(sample_shape), dtype=self.probs.dtype)
            u = u.uniform_(ddp.finfo(self.probs.dtype).tiny, 1)
            return (u.log() / ddp.log1p(-self.probs)).floor()

    def log_prob(self, value):
        """k log(1 - p) + log p, with the 0 * log 0 of p = 1, k = 0 taken as 0."""
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        failures = ddp.where((probs == 1) & (value == 0), 0.0, value * ddp.log1p(-probs))
        return failures + self.probs.log()

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs
