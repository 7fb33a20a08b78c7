"""`RelaxedBernoulli` (the binary Concrete / Gumbel-softmax distribution) and `LogitRelaxedBernoulli`."""
import functools
from numbers import Number

import ddp
import ddp.nn.functional as F

from . import constraints
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import SigmoidTransform
from .utils import broadcast_all, logits_to_probs, probs_to_logits, uniform_open


def _temperature(temperature, like):
    """The temperature as a Tensor of the parameter's dtype (Python numbers allowed)."""
    return ddp.tensor(float(temperature), dtype=like.dtype) if isinstance(temperature, Number) else temperature


class LogitRelaxedBernoulli(Distribution):
    """The logit of a RelaxedBernoulli draw: (logit(u) + logits) / temperature, u uniform (Maddison et al., 2017).

    Args:
        temperature: > 0; lower is closer to a Bernoulli (Tensor or number).
        probs / logits: as `Bernoulli`; give exactly one.
        validate_args: see `Distribution`.
    Raises:
        ValueError: not exactly one of probs and logits, or probs outside [0, 1] (when validating).
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError(f"{type(self).__name__}: give exactly one of probs and logits")
        (param,) = broadcast_all(probs if probs is not None else logits)
        if probs is not None:
            self.probs = param
        else:
            self.logits = param
        self.temperature = _temperature(temperature, param)
        super().__init__(param.shape, validate_args=validate_args)

    @functools.cached_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @functools.cached_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return (self.probs if "probs" in self.__dict__ else self.logits).shape

    def expand(self, batch_shape, _instance=None):
        params = {name: self.__dict__[name].expand(batch_shape)
                  for name in ("probs", "logits") if name in self.__dict__}
        return self._expanded(batch_shape, temperature=self.temperature, **params)

    def rsample(self, sample_shape=()):
        logits = self.logits
        u = uniform_open(self._extended_shape(sample_shape), logits.dtype)
        return (u.log() - (-u).log1p() + logits) / self.temperature

    def log_prob(self, value):
        """log t + d - 2 softplus(d), d = logits - t value (the logistic density, rescaled)."""
        if self._validate_args:
            self._validate_sample(value)
        d = self.logits - value * self.temperature
        return self.temperature.log() + d - 2 * F.softplus(d)


class RelaxedBernoulli(TransformedDistribution):
    """A continuous relaxation of Bernoulli on (0, 1): sigmoid of a LogitRelaxedBernoulli draw;
    reparameterizable, and a Bernoulli in the limit temperature -> 0.

    Args:
        temperature: > 0. probs / logits: as `Bernoulli`; give exactly one.
        validate_args: see `Distribution`.

    Example:
        >>> z = RelaxedBernoulli(ddp.tensor(0.5), logits=scores).rsample()   # gradients reach scores
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = LogitRelaxedBernoulli(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)

    temperature = property(lambda self: self.base_dist.temperature)
    logits = property(lambda self: self.base_dist.logits)
    probs = property(lambda self: self.base_dist.probs)

    def _check_parameters(self):
        pass  # the base checked probs / logits (reading the other one here would derive it)
