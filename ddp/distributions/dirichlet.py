"""`Dirichlet`: a distribution on the simplex, reparameterizable as normalized gamma draws."""
import math

import ddp
import ddp.nn.functional as F

from . import constraints
from .distribution import Distribution
from .gamma_reparam import standard_gamma


class Dirichlet(Distribution):
    """Density prod_k x_k^(c_k - 1) / B(c) on the (K-1)-simplex, c = `concentration` of shape B + (K,).

    rsample draws G_k ~ Gamma(c_k) with exact implicit gradients and returns G / sum(G) (clamped to
    [tiny, 1 - eps]), whose pathwise gradient is then exact as well.

    Args:
        concentration: c > 0, at least one dim (the categories, last).
        validate_args: see `Distribution`.
    Raises:
        ValueError: a 0-dimensional concentration, or one <= 0 (when validating).
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("Dirichlet: concentration must have at least one dim (the categories, last)")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        shape = tuple(batch_shape) + tuple(self.event_shape)
        return self._expanded(batch_shape, concentration=self.concentration.expand(shape))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        """(c - 1)+ normalized; where every c < 1 the mass piles on a vertex: the one of the largest c."""
        shifted = (self.concentration - 1).clamp(min=0)
        total = shifted.sum(-1, keepdim=True)
        mode = ddp.where(total == 0, math.nan, shifted / ddp.where(total == 0, 1.0, total))  # nan: every c = 1
        vertex = F.one_hot(self.concentration.argmax(-1), self.event_shape[0]).to(mode.dtype)
        return ddp.where((self.concentration < 1).all(-1, keepdim=True), vertex, mode)

    @property
    def variance(self):
        c = self.concentration
        total = c.sum(-1, keepdim=True)
        return c * (total - c) / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        g = standard_gamma(self.concentration, self._extended_shape(sample_shape))
        g = g / g.amax(-1, keepdim=True).detach()  # G / sum(G) ignores a common scale; this one keeps
        info = ddp.finfo(g.dtype)                  # tiny float32 draws from underflowing in the backward
        return (g / g.sum(-1, keepdim=True)).clamp(min=info.tiny, max=1 - info.eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (ddp.xlogy(c - 1, value).sum(-1) + ddp.lgamma(c.sum(-1)) - ddp.lgamma(c).sum(-1))

    def entropy(self):
        c = self.concentration
        k, total = c.shape[-1], c.sum(-1)
        log_b = ddp.lgamma(c).sum(-1) - ddp.lgamma(total)
        return log_b + (total - k) * ddp.digamma(total) - ((c - 1) * ddp.digamma(c)).sum(-1)
