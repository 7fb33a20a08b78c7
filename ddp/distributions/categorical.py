"""`Categorical`: a distribution over K classes, parameterized by probabilities or logits."""
import functools
import math

import numpy as np

import ddp

from . import constraints
from .distribution import Distribution
from .utils import logits_to_probs, probs_to_logits


class Categorical(Distribution):
    """Draws class indices 0..K-1 with the given (unnormalized) probs or logits along the last dimension.

    Args:
        probs: nonnegative weights of shape (..., K), normalized to sum to 1 over the last dimension.
        logits: unnormalized log-probabilities of shape (..., K), normalized by logsumexp.
        validate_args: see `Distribution`.
    Raises:
        ValueError: not exactly one of probs and logits, a 0-dimensional one, or probs off the simplex.

    Example:
        >>> m = Categorical(logits=ddp.zeros(2, 3))
        >>> a = m.sample((5,))                     # shape (5, 2), int64
        >>> loss = -(m.log_prob(a) * reward).mean()
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Categorical: give exactly one of probs and logits")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("Categorical: probs must have at least one dim (the categories, last)")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("Categorical: logits must have at least one dim (the categories, last)")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        param = self.probs if probs is not None else self.logits
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1] if param.dim() > 1 else (), validate_args=validate_args)

    @functools.cached_property
    def logits(self):
        """Normalized log-probabilities (log of the clamped probs when built from probs)."""
        return probs_to_logits(self.probs)

    @functools.cached_property
    def probs(self):
        """Probabilities that sum to 1 over the last dimension."""
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return (self.probs if "probs" in self.__dict__ else self.logits).shape

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    def expand(self, batch_shape, _instance=None):
        shape = tuple(batch_shape) + (self._num_events,)
        params = {name: self.__dict__[name].expand(shape) for name in ("probs", "logits") if name in self.__dict__}
        new = self._expanded(batch_shape, **params)
        new._num_events = self._num_events
        return new

    @property
    def mean(self):
        return ddp.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return ddp.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    def sample(self, sample_shape=()):
        """int64 class indices of shape sample_shape + batch_shape, one multinomial draw for all of them
        (PyTorch's `multinomial(probs_2d, n, True).T`, so that the same seed gives its samples)."""
        sample_shape = ddp.Size(sample_shape)
        n = math.prod(sample_shape)
        with ddp.no_grad():
            rows = self.probs.reshape(-1, self._num_events)
            if n == 1:  # PyTorch's multinomial draws one sample per row as argmax(p / q), q from exponential_()
                q = ddp.empty(tuple(rows.shape), dtype=rows.dtype).exponential_()
                draws = (rows / q).argmax(-1, keepdim=True)
            else:
                draws = ddp.multinomial(rows, n, replacement=True)  # (rows, n)
        return draws.t().reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        """log p(value) for integer class indices (any shape broadcastable with batch_shape)."""
        if self._validate_args:
            self._validate_sample(value)
        index = value.long().unsqueeze(-1)
        shape = ddp.Size(_broadcast(tuple(index.shape), tuple(self.logits.shape)))
        index = index.expand(tuple(shape[:-1]) + (1,))
        return self.logits.expand(shape).gather(-1, index).squeeze(-1)

    def entropy(self):
        """-sum p log p (logits clamped to the dtype's minimum, so that p = 0 contributes 0, not nan)."""
        logits = self.logits.clamp(min=ddp.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        """All K values, shape (K,) + (1,) * len(batch_shape), expanded to (K,) + batch_shape if `expand`."""
        values = ddp.arange(self._num_events, dtype=ddp.int64).view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values


def _broadcast(a, b):
    """The broadcast of two shapes (a RuntimeError naming both when they do not broadcast)."""
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise RuntimeError(f"Categorical.log_prob: value of shape {a[:-1]} does not broadcast with batch_shape "
                           f"{b[:-1]}") from None
