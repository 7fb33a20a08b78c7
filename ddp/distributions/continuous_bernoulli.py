"""`ContinuousBernoulli`: the normalized Bernoulli likelihood as a density on [0, 1] (Loaiza-Ganem and
Cunningham, 2019), the correct likelihood for [0, 1]-valued data in VAEs."""
import functools
import math

import ddp
import ddp.nn.functional as F

from . import constraints
from .binary_parameters import BinaryParameters
from .distribution import Distribution
from .utils import broadcast_all, clamp_probs, logits_to_probs


class ContinuousBernoulli(BinaryParameters, Distribution):
    """Density C(p) p^x (1 - p)^(1 - x) on x in [0, 1], with C(p) = 2 atanh(1 - 2p) / (1 - 2p) (2 at p = 1/2).

    Near p = 1/2 the closed forms are 0/0, so inside `lims` (default (0.499, 0.501)) a Taylor expansion
    replaces them. Reparameterizable (by its quantile function).

    Args:
        probs: the shape parameter in [0, 1] (not the mean); logits: its log-odds. Give exactly one.
        lims: the interval around 1/2 where the Taylor expansions are used.
        validate_args: see `Distribution`.
    Raises:
        ValueError: not exactly one of probs and logits, or probs outside [0, 1] (when validating).
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        (param,) = broadcast_all(self._given(probs, logits))
        self._keep(param, probs is not None)
        self._lims = lims
        super().__init__(param.shape, validate_args=validate_args)
        if probs is not None:  # checked above; now kept off 0 and 1, where the logs below would be infinite
            self.probs = clamp_probs(self.probs)

    @functools.cached_property
    def probs(self):
        """sigmoid(logits), kept off 0 and 1."""
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    def expand(self, batch_shape, _instance=None):
        params = self._expanded_parameter(batch_shape)
        return self._expanded(batch_shape, _lims=self._lims, **params)

    def _stable(self):
        """Where probs is far enough from 1/2 for the closed forms."""
        return (self.probs <= self._lims[0]) | (self.probs >= self._lims[1])

    def _cut_probs(self):
        """probs where the closed forms are used, and a harmless stand-in elsewhere (where keeps grads finite)."""
        return ddp.where(self._stable(), self.probs, self._lims[0])

    def _log_normalizer(self):
        """log C(p) = log |log(1 - p) - log p| - log |1 - 2p|; log 2 + 4/3 x + 104/45 x^2 near 1/2, x = (p - 1/2)^2."""
        p = self._cut_probs()
        below = ddp.where(p <= 0.5, p, 0.0)
        above = ddp.where(p >= 0.5, p, 1.0)
        log_gap = ddp.where(p <= 0.5, ddp.log1p(-2.0 * below), ddp.log(2.0 * above - 1.0))  # log |1 - 2p|
        closed = ddp.log((ddp.log1p(-p) - ddp.log(p)).abs()) - log_gap
        x = (self.probs - 0.5).pow(2)
        return ddp.where(self._stable(), closed, math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x)

    @property
    def mean(self):
        p = self._cut_probs()
        closed = p / (2.0 * p - 1.0) + 1.0 / (ddp.log1p(-p) - ddp.log(p))
        x = self.probs - 0.5
        return ddp.where(self._stable(), closed, 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x)

    @property
    def variance(self):
        p = self._cut_probs()
        closed = p * (p - 1.0) / (1.0 - 2.0 * p).pow(2) + 1.0 / (ddp.log1p(-p) - ddp.log(p)).pow(2)
        x = (self.probs - 0.5).pow(2)
        return ddp.where(self._stable(), closed, 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x)

    def rsample(self, sample_shape=()):
        u = ddp.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none") + self._log_normalizer()

    def cdf(self, value):
        """(p^x (1 - p)^(1 - x) + p - 1) / (2p - 1), x near 1/2; 0 below 0 and 1 above 1."""
        if self._validate_args:
            self._validate_sample(value)
        p = self._cut_probs()
        closed = (p.pow(value) * (1.0 - p).pow(1.0 - value) + p - 1.0) / (2.0 * p - 1.0)
        inside = ddp.where(self._stable(), closed, value)
        return ddp.where(value <= 0.0, 0.0, ddp.where(value >= 1.0, 1.0, inside))

    def icdf(self, value):
        """(log(1 - p + u (2p - 1)) - log(1 - p)) / (log p - log(1 - p)), u near 1/2."""
        p = self._cut_probs()
        closed = (ddp.log1p(-p + value * (2.0 * p - 1.0)) - ddp.log1p(-p)) / (ddp.log(p) - ddp.log1p(-p))
        return ddp.where(self._stable(), closed, value)

    def entropy(self):
        log_q, log_p = ddp.log1p(-self.probs), ddp.log(self.probs)
        return self.mean * (log_q - log_p) - self._log_normalizer() - log_q
