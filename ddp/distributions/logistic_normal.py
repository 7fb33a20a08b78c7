"""`LogisticNormal`: a normal vector pushed onto the simplex by stick-breaking."""
from . import constraints
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import StickBreakingTransform


class LogisticNormal(TransformedDistribution):
    """The law of StickBreakingTransform()(X), X ~ Normal(loc, scale) in R^(K-1): a point of the K-simplex;
    reparameterizable. loc and scale carry the K - 1 coordinates in their last dim (a scalar: K = 2).

    Args:
        loc: the means of X. scale: its standard deviations, > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: scale <= 0 (when validating).

    Example:
        >>> p = LogisticNormal(ddp.zeros(3), ddp.ones(3)).rsample()   # a point of the 4-simplex
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:
            base = base.expand((1,))
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        shape = tuple(batch_shape) + (self.loc.shape[-1],)
        return type(self)(self.loc.expand(shape), self.scale.expand(shape), validate_args=False)

    loc = property(lambda self: self.base_dist.base_dist.loc)
    scale = property(lambda self: self.base_dist.base_dist.scale)
