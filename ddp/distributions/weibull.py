"""`Weibull`: scale * E^(1 / concentration) with E standard exponential, as a TransformedDistribution."""
import ddp

from . import constraints
from .exponential import Exponential
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .utils import broadcast_all

_EULER = 0.57721566490153286061


class Weibull(TransformedDistribution):
    """Density (k / s) (x / s)^(k - 1) exp(-(x / s)^k) on x >= 0 (s = scale, k = concentration);
    reparameterizable. mean and variance need `ddp.lgamma`.

    Args:
        scale, concentration: > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: scale or concentration <= 0 (when validating).
    """

    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        super().__init__(Exponential(ddp.ones_like(self.scale), validate_args=False),
                         [PowerTransform(self.concentration_reciprocal), AffineTransform(0, self.scale)],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return type(self)(self.scale.expand(batch_shape), self.concentration.expand(batch_shape),
                          validate_args=False)

    @property
    def mean(self):
        return self.scale * ddp.lgamma(1 + self.concentration_reciprocal).exp()

    @property
    def mode(self):
        k = self.concentration
        return self.scale * ((k - 1) / k).pow(k.reciprocal())

    @property
    def variance(self):
        g1 = ddp.lgamma(1 + self.concentration_reciprocal).exp()
        g2 = ddp.lgamma(1 + 2 * self.concentration_reciprocal).exp()
        return self.scale.pow(2) * (g2 - g1.pow(2))

    def entropy(self):
        return _EULER * (1 - self.concentration_reciprocal) + (self.scale / self.concentration).log() + 1
