"""`RelaxedOneHotCategorical` (the Concrete / Gumbel-softmax distribution) and `ExpRelaxedCategorical`."""
import math

import ddp

from . import constraints
from .categorical import Categorical
from .distribution import Distribution
from .relaxed_bernoulli import _temperature
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform
from .utils import clamp_probs


class ExpRelaxedCategorical(Distribution):
    """The log of a RelaxedOneHotCategorical draw: log_softmax((logits + g) / temperature), g standard Gumbel
    noise (Maddison et al., 2017; Jang et al., 2017). Working in log space keeps small probabilities exact.

    Args:
        temperature: > 0 (Tensor or number). probs / logits: as `Categorical`, shape (..., K).
        validate_args: see `Distribution`.
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        self.temperature = _temperature(temperature, probs if probs is not None else logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    probs = property(lambda self: self._categorical.probs)
    logits = property(lambda self: self._categorical.logits)
    param_shape = property(lambda self: self._categorical.param_shape)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, temperature=self.temperature,
                              _categorical=self._categorical.expand(batch_shape))

    def rsample(self, sample_shape=()):
        logits = self._categorical.logits
        u = clamp_probs(ddp.rand(self._extended_shape(sample_shape), dtype=logits.dtype))  # as PyTorch
        scores = (logits - (-u.log()).log()) / self.temperature
        return scores - scores.logsumexp(-1, keepdim=True)

    def log_prob(self, value):
        """The Concrete density in log space: log Gamma(K) + (K - 1) log t + sum_k (s_k - logsumexp(s)),
        s = logits - t value."""
        if self._validate_args:
            self._validate_sample(value)
        k = self.event_shape[0]
        score = self._categorical.logits - value * self.temperature
        score = (score - score.logsumexp(-1, keepdim=True)).sum(-1)
        return score + (math.lgamma(k) + (k - 1) * self.temperature.log())

    def __repr__(self):
        return f"{type(self).__name__}(temperature: {self.temperature}, {self._categorical!r})"


class RelaxedOneHotCategorical(TransformedDistribution):
    """A continuous relaxation of OneHotCategorical on the simplex: exp of an ExpRelaxedCategorical draw;
    reparameterizable, one-hot in the limit temperature -> 0.

    Args:
        temperature: > 0. probs / logits: as `Categorical`, shape (..., K); give exactly one.
        validate_args: see `Distribution`.

    Example:
        >>> y = RelaxedOneHotCategorical(ddp.tensor(0.5), logits=scores).rsample()   # soft one-hot, (..., K)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    temperature = property(lambda self: self.base_dist.temperature)
    logits = property(lambda self: self.base_dist.logits)
    probs = property(lambda self: self.base_dist.probs)

    def _check_parameters(self):
        pass  # the base's Categorical checked probs / logits
