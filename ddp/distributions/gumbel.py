"""`Gumbel`: the type-I extreme-value distribution, as a TransformedDistribution of a uniform."""
import math

import ddp

from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .uniform import Uniform
from .utils import broadcast_all

_EULER = 0.57721566490153286061


class Gumbel(TransformedDistribution):
    """The law of loc - scale log(-log U) for U uniform on (0, 1); reparameterizable.

    Args:
        loc: the location (the mode), scale: the scale, > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: scale <= 0 (when validating).
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        info = ddp.finfo(self.loc.dtype)
        base = Uniform(ddp.full_like(self.loc, info.tiny), ddp.full_like(self.loc, 1 - info.eps),
                       validate_args=validate_args)
        steps = [ExpTransform().inv, AffineTransform(0, -ddp.ones_like(self.loc)), ExpTransform().inv,
                 AffineTransform(self.loc, -self.scale)]
        super().__init__(base, steps, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return type(self)(self.loc.expand(batch_shape), self.scale.expand(batch_shape), validate_args=False)

    @property
    def mean(self):
        return self.loc + self.scale * _EULER

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def log_prob(self, value):
        """-z - exp(-z) - log(scale), z = (value - loc) / scale (closed form, more exact than the chain)."""
        if self._validate_args:
            self._validate_sample(value)
        z = (self.loc - value) / self.scale
        return (z - z.exp()) - self.scale.log()

    def entropy(self):
        return self.scale.log() + (1 + _EULER)
