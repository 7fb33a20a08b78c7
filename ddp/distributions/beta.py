"""`Beta`: a distribution on [0, 1], reparameterizable as X / (X + Y) with gamma draws X and Y."""
import math

import ddp

from . import constraints
from .distribution import Distribution
from .gamma_reparam import standard_gamma
from .utils import broadcast_all


def log_beta(a, b):
    """log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)."""
    return ddp.lgamma(a) + ddp.lgamma(b) - ddp.lgamma(a + b)


class Beta(Distribution):
    """Density x^(a - 1) (1 - x)^(b - 1) / B(a, b) on [0, 1] (a = concentration1, b = concentration0).

    rsample draws X ~ Gamma(a), Y ~ Gamma(b) with exact implicit gradients and returns X / (X + Y), kept
    inside [tiny, 1 - eps] of the dtype so that log_prob of a draw stays finite.

    Args:
        concentration1: a > 0 (the weight of 1). concentration0: b > 0 (the weight of 0).
        validate_args: see `Distribution`.
    Raises:
        ValueError: a parameter <= 0 (when validating).
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, concentration1=self.concentration1.expand(batch_shape),
                              concentration0=self.concentration0.expand(batch_shape))

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        """(a - 1)+ / ((a - 1)+ + (b - 1)+), the Dirichlet rule: 0 or 1 when one concentration is below 1; when
        both are, the end of the larger one (nan for a = b = 1, the uniform)."""
        a, b = self.concentration1, self.concentration0
        a1, b1 = (a - 1).clamp(min=0), (b - 1).clamp(min=0)
        total = a1 + b1
        inner = ddp.where(total == 0, math.nan, a1 / ddp.where(total == 0, 1.0, total))
        return ddp.where((a < 1) & (b < 1), (a >= b).to(a.dtype), inner)

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = standard_gamma(self.concentration1, shape)
        y = standard_gamma(self.concentration0, shape)
        scale = ddp.maximum(x, y).detach()  # X / (X + Y) ignores a common scale; this one keeps tiny
        x, y = x / scale, y / scale          # float32 draws from underflowing in the backward
        info = ddp.finfo(x.dtype)
        return (x / (x + y)).clamp(min=info.tiny, max=1 - info.eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return ddp.xlogy(a - 1, value) + ddp.xlogy(b - 1, 1 - value) - log_beta(a, b)

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        return (log_beta(a, b) - (a - 1) * ddp.digamma(a) - (b - 1) * ddp.digamma(b)
                + (a + b - 2) * ddp.digamma(a + b))

    @property
    def concentration(self):
        """The two concentrations stacked on a last dim: (a, b), as PyTorch's Dirichlet view of Beta."""
        return ddp.stack([self.concentration1, self.concentration0], -1)
