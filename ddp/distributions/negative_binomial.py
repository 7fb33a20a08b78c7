"""`NegativeBinomial`: successes before `total_count` failures, a gamma-Poisson mixture."""

import ddp
import ddp.nn.functional as F

from . import constraints
from .binary_parameters import BinaryParameters
from .distribution import Distribution
from .gamma import Gamma
from .utils import broadcast_all, draw


class NegativeBinomial(BinaryParameters, Distribution):
    """P(k) = Gamma(n + k) / (k! Gamma(n)) p^k (1 - p)^n for k = 0, 1, 2, ..., with n = `total_count` and p
    = `probs` the success probability (PyTorch's convention: the mean is n p / (1 - p)).

    Args:
        total_count: n > 0 (real values allowed). probs: p in [0, 1); logits: its log-odds. Give exactly one.
        validate_args: see `Distribution`.
    Raises:
        ValueError: not exactly one of probs and logits, or a parameter outside its constraint (when validating).
    """

    arg_constraints = {"total_count": constraints.greater_than_eq(0), "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        given = self._given(probs, logits)
        if isinstance(given, ddp.Tensor) and not isinstance(total_count, ddp.Tensor):
            total_count = ddp.tensor(float(total_count), dtype=given.dtype)
        total_count, param = broadcast_all(total_count, given)
        self.total_count = total_count.to(param.dtype)
        self._keep(param, probs is not None)
        super().__init__(param.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        params = self._expanded_parameter(batch_shape)
        return self._expanded(batch_shape, total_count=self.total_count.expand(batch_shape), **params)

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / ddp.sigmoid(-self.logits)

    def sample(self, sample_shape=()):
        """Poisson(lambda) with lambda ~ Gamma(n, rate = (1 - p) / p)."""
        with ddp.no_grad():
            rate = Gamma(self.total_count, self.logits.neg().exp(), validate_args=False).sample(sample_shape)
            lam = rate.numpy().astype("float64")
            return draw("poisson", tuple(lam.shape), self.total_count.dtype, lam=lam)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        unnormalized = n * F.logsigmoid(-self.logits) + value * F.logsigmoid(self.logits)
        log_norm = -ddp.lgamma(n + value) + ddp.lgamma(1.0 + value) + ddp.lgamma(n)
        log_norm = ddp.where(n + value == 0, 0.0, log_norm)  # k = 0 with n = 0: probability 1
        return unnormalized - log_norm
