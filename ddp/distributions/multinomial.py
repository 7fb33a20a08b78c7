"""`Multinomial`: category counts of `total_count` independent Categorical draws."""
import math

import ddp
import ddp.nn.functional as F

from . import constraints
from .binomial import Binomial
from .categorical import Categorical
from .distribution import Distribution


class Multinomial(Distribution):
    """P(x) = n! / prod_k x_k! prod_k p_k^x_k for count vectors x summing to n = `total_count`.

    Args:
        total_count: the number of draws, a Python int (one for the whole batch, as PyTorch).
        probs / logits: as `Categorical`, shape B + (K,); give exactly one.
        validate_args: see `Distribution`.
    Raises:
        NotImplementedError: a total_count that is not an int.
        ValueError: as `Categorical`.
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError(f"Multinomial: total_count must be an int (one for the batch), got "
                                      f"{type(total_count).__name__}")
        self.total_count = total_count
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        self._binomial = Binomial(total_count, probs=self._categorical.probs, validate_args=False)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    probs = property(lambda self: self._categorical.probs)
    logits = property(lambda self: self._categorical.logits)
    param_shape = property(lambda self: self._categorical.param_shape)

    def expand(self, batch_shape, _instance=None):
        categorical = self._categorical.expand(batch_shape)
        return self._expanded(batch_shape, total_count=self.total_count, _categorical=categorical,
                              _binomial=Binomial(self.total_count, probs=categorical.probs, validate_args=False))

    @property
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        """Counts of total_count Categorical draws (drawn as PyTorch draws them), in the parameters' dtype."""
        with ddp.no_grad():
            indices = self._categorical.sample((self.total_count,) + tuple(sample_shape))
            counts = F.one_hot(indices, self.event_shape[0]).sum(0)
            return counts.to(self.probs.dtype).reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits = self.logits
        shape = tuple(ddp.broadcast_shapes(tuple(logits.shape), tuple(value.shape)))
        logits, value = logits.expand(shape), value.expand(shape)
        logits = ddp.where((value == 0) & (logits == -math.inf), 0.0, logits)  # 0 * log 0 = 0
        return (ddp.lgamma(value.sum(-1) + 1) - ddp.lgamma(value + 1).sum(-1) + (logits * value).sum(-1))

    def entropy(self):
        """n H(categorical) - log n! + sum_k E[log x_k!], the last from each count's binomial marginal."""
        n = self.total_count
        counts = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = self._binomial.log_prob(counts).exp()
        expected_log_fact = (binomial_probs * ddp.lgamma(counts + 1)).sum(0).sum(-1)
        return n * self._categorical.entropy() - math.lgamma(n + 1) + expected_log_fact

    def __repr__(self):
        return f"{type(self).__name__}(total_count: {self.total_count}, {self._categorical!r})"
