"""`Kumaraswamy`: a Beta-like law on [0, 1] with a closed-form cdf, 1 - (1 - U^(1/b))^(1/a) for uniform U."""
import math

import ddp

from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .uniform import Uniform
from .utils import broadcast_all
from .weibull import _EULER


def _moment(a, b, n):
    """E[x^n] = b B(1 + n / a, b), through lgamma."""
    s = 1 + n / a
    return b * (ddp.lgamma(s) + ddp.lgamma(b) - ddp.lgamma(s + b)).exp()


class Kumaraswamy(TransformedDistribution):
    """Density a b x^(a - 1) (1 - x^a)^(b - 1) on [0, 1] (a = concentration1, b = concentration0), so
    cdf(x) = 1 - (1 - x^a)^b; reparameterizable (a chain of power and affine maps of a uniform draw).

    Args:
        concentration1: a > 0. concentration0: b > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: a parameter <= 0 (when validating).

    Example:
        >>> x = Kumaraswamy(2.0, ddp.tensor([3.0, 5.0])).rsample((4,))
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        zeros = ddp.zeros_like(self.concentration0)
        base = Uniform(zeros, zeros + 1, validate_args=validate_args)
        chain = [PowerTransform(self.concentration0.reciprocal()), AffineTransform(1.0, -1.0),
                 PowerTransform(self.concentration1.reciprocal())]
        super().__init__(base, chain, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return type(self)(self.concentration1.expand(batch_shape), self.concentration0.expand(batch_shape),
                          validate_args=False)

    @property
    def mean(self):
        return _moment(self.concentration1, self.concentration0, 1)

    @property
    def mode(self):
        """((a - 1) / (a b - 1))^(1 / a) for a, b >= 1 (not both 1); nan otherwise (no interior mode).

        PyTorch's formula gives nan everywhere; this is the textbook one."""
        a, b = self.concentration1, self.concentration0
        ok = (a >= 1) & (b >= 1) & ((a > 1) | (b > 1))
        safe_a = ddp.where(ok, a, 2.0)
        safe_b = ddp.where(ok, b, 2.0)
        return ddp.where(ok, ((safe_a - 1) / (safe_a * safe_b - 1)).pow(safe_a.reciprocal()), math.nan)

    @property
    def variance(self):
        return _moment(self.concentration1, self.concentration0, 2) - self.mean.pow(2)

    def entropy(self):
        """(1 - 1/b) + (1 - 1/a) H_b - log(a b), with H_b = digamma(b + 1) + Euler's constant."""
        a, b = self.concentration1, self.concentration0
        harmonic = ddp.digamma(b + 1) + _EULER
        return (1 - b.reciprocal()) + (1 - a.reciprocal()) * harmonic - a.log() - b.log()
