"""`RelaxedBernoulli` (the binary Concrete / Gumbel-softmax distribution) and `LogitRelaxedBernoulli`."""
from numbers import Number

import ddp
import ddp.nn.functional as F

from . import constraints
from .binary_parameters import BinaryParameters
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import SigmoidTransform
from .utils import broadcast_all, clamp_probs


def _temperature(temperature, like):
    """The temperature as a Tensor of the parameter's dtype (Python numbers allowed)."""
    return ddp.tensor(float(temperature), dtype=like.dtype) if isinstance(temperature, Number) else temperature


class LogitRelaxedBernoulli(BinaryParameters, Distribution):
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
        (param,) = broadcast_all(self._given(probs, logits))
        self._keep(param, probs is not None)
        self.temperature = _temperature(temperature, param)
        super().__init__(param.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        params = self._expanded_parameter(batch_shape)
        return self._expanded(batch_shape, temperature=self.temperature, **params)

    def rsample(self, sample_shape=()):
        """(logit(u) + logit(p)) / temperature, u from `rand` and both clamped to [eps, 1 - eps] as PyTorch."""
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        u = clamp_probs(ddp.rand(shape, dtype=probs.dtype))
        return (u.log() - (-u).log1p() + probs.log() - (-probs).log1p()) / self.temperature

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
