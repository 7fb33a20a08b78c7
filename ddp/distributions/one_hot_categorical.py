"""`OneHotCategorical` (one-hot vectors of a Categorical) and its straight-through variant."""
import ddp
import ddp.nn.functional as F

from . import constraints
from .categorical import Categorical
from .distribution import Distribution


class OneHotCategorical(Distribution):
    """Draws one-hot vectors of length K: a `Categorical` with its index written as a one-hot event.

    Args:
        probs / logits: as `Categorical` (shape (..., K)); give exactly one.
        validate_args: see `Distribution`.
    Raises:
        ValueError: as `Categorical`.

    Example:
        >>> OneHotCategorical(logits=ddp.zeros(3)).sample()        # e.g. tensor([0., 1., 0.])
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, _categorical=self._categorical.expand(batch_shape))

    probs = property(lambda self: self._categorical.probs)
    logits = property(lambda self: self._categorical.logits)
    param_shape = property(lambda self: self._categorical.param_shape)

    @property
    def mean(self):
        return self._categorical.probs

    @property
    def mode(self):
        probs = self._categorical.probs
        return F.one_hot(probs.argmax(-1), probs.shape[-1]).to(probs)

    @property
    def variance(self):
        probs = self._categorical.probs
        return probs * (1 - probs)

    def sample(self, sample_shape=()):
        probs = self._categorical.probs
        index = self._categorical.sample(sample_shape)
        return F.one_hot(index, probs.shape[-1]).to(probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        """The K one-hot vectors, shape (K,) + (1,) * len(batch_shape) + (K,) (or expanded to the batch)."""
        n = self.event_shape[0]
        probs = self._categorical.probs
        values = ddp.eye(n, dtype=probs.dtype).view((n,) + (1,) * len(self.batch_shape) + (n,))
        return values.expand((n,) + tuple(self.batch_shape) + (n,)) if expand else values

    def __repr__(self):
        return f"{type(self).__name__}({self._categorical!r})"


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """OneHotCategorical whose rsample passes gradients straight through: the one-hot draw in the forward
    pass, the gradient of `probs` in the backward pass (Bengio et al., 2013)."""

    has_rsample = True

    def rsample(self, sample_shape=()):
        draws = self.sample(sample_shape)
        probs = self._categorical.probs
        return draws + (probs - probs.detach())
