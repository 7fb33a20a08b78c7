"""`Binomial`: the number of successes in `total_count` independent trials."""

import ddp

from . import constraints
from .binary_parameters import BinaryParameters
from .distribution import Distribution
from .utils import broadcast_all, draw


class Binomial(BinaryParameters, Distribution):
    """P(k) = C(n, k) p^k (1 - p)^(n - k) for k = 0..n, with n = `total_count` and p = `probs` (or
    sigmoid(`logits`)), batched over their broadcast shape.

    Args:
        total_count: the number of trials, a nonnegative integer (Tensor or number; default 1).
        probs: the success probability in [0, 1]; logits: its log-odds. Give exactly one.
        validate_args: see `Distribution`.
    Raises:
        ValueError: not exactly one of probs and logits, or a parameter outside its constraint (when validating).
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
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
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        m = ((self.total_count + 1) * self.probs).floor()
        return ddp.where(m > self.total_count, self.total_count, m)  # p = 1 would give n + 1

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        with ddp.no_grad():
            n = self.total_count.detach().numpy().astype("int64")
            p = self.probs.detach().numpy().astype("float64")
            return draw("binomial", self._extended_shape(sample_shape), self.probs.dtype, n=n, p=p)

    def log_prob(self, value):
        """log C(n, k) + k logits - n log(1 + e^logits), the last term in a form that stays finite."""
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_choose = ddp.lgamma(n + 1) - ddp.lgamma(value + 1) - ddp.lgamma(n - value + 1)
        # n softplus(logits), with relu's gradient 1/2 at 0 (max(l, 0) = (clamp(l, min=0) + l - clamp(l, max=0)) / 2)
        positive_part = (logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2
        log_norm = n * positive_part + n * ddp.log1p(ddp.exp(-logits.abs()))
        return value * logits + log_choose - log_norm

    def _homogeneous_count(self, name):
        n = int(self.total_count.max().item()) if self.total_count.numel() else 0
        if not bool((self.total_count == n).all()):
            raise NotImplementedError(f"Binomial.{name}: needs one total_count for the whole batch")
        return n

    def entropy(self):
        """-sum_k p(k) log p(k) over k = 0..n (one total_count for the batch)."""
        values = self.enumerate_support(expand=False)
        log_p = self.log_prob(values)
        return -(log_p.exp() * log_p).sum(0)

    def enumerate_support(self, expand=True):
        """0..n, shape (n + 1,) + (1,) * len(batch_shape) (or expanded); one total_count for the batch."""
        n = self._homogeneous_count("enumerate_support")
        values = ddp.arange(1 + n, dtype=self.total_count.dtype).view((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + tuple(self.batch_shape)) if expand else values


