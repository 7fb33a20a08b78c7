"""`TransformedDistribution`: the law of t(x) for x from a base distribution and a chain of transforms t."""
import ddp

from . import constraints
from .distribution import Distribution
from .independent import Independent
from .transforms import ComposeTransform, Transform
from .utils import sum_rightmost


class TransformedDistribution(Distribution):
    """Draws x from `base_distribution` and returns transforms[-1](...transforms[0](x)).

    log_prob(y) = base.log_prob(x) - sum of the transforms' log |det Jacobian| along the way back from y to x.

    Args:
        base_distribution: the distribution of x.
        transforms: a Transform or a list of them.
        validate_args: see `Distribution`.
    Raises:
        ValueError: transforms that are not Transforms, or a base with fewer dims than the transforms need.

    Example:
        >>> d = TransformedDistribution(Normal(0.0, 1.0), [ExpTransform()])   # a log-normal
    """

    arg_constraints = {}

    def __init__(self, base_distribution, transforms, validate_args=None):
        if isinstance(transforms, Transform):
            transforms = [transforms]
        elif not (isinstance(transforms, (list, tuple)) and all(isinstance(t, Transform) for t in transforms)):
            raise ValueError(f"TransformedDistribution: transforms must be a Transform or a list of Transforms, "
                             f"got {transforms!r}")
        self.transforms = list(transforms)
        chain = ComposeTransform(self.transforms)
        base_shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        base_event_dim = len(base_distribution.event_shape)
        if len(base_shape) < chain.domain.event_dim:
            raise ValueError(f"TransformedDistribution: the transforms need a base with at least "
                             f"{chain.domain.event_dim} dims, got batch_shape + event_shape {base_shape}")
        shape = tuple(chain.forward_shape(base_shape))
        wanted = tuple(chain.inverse_shape(shape))
        if wanted != base_shape:  # the transforms' parameters broadcast the base: expand it
            base_distribution = base_distribution.expand(wanted[:len(wanted) - base_event_dim])
        extra = chain.domain.event_dim - base_event_dim
        self.base_dist = Independent(base_distribution, extra) if extra > 0 else base_distribution
        event_dim = chain.codomain.event_dim + max(base_event_dim - chain.domain.event_dim, 0)
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        shape = tuple(batch_shape) + tuple(self.event_shape)
        base_shape = tuple(ComposeTransform(self.transforms).inverse_shape(shape))
        base_batch = base_shape[:len(base_shape) - len(self.base_dist.event_shape)]
        return self._expanded(batch_shape, base_dist=self.base_dist.expand(base_batch), transforms=self.transforms)

    @property
    def support(self):
        if not self.transforms:
            return self.base_dist.support
        codomain = self.transforms[-1].codomain
        extra = len(self.event_shape) - codomain.event_dim
        return constraints.independent(codomain, extra) if extra > 0 else codomain

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    def sample(self, sample_shape=()):
        with ddp.no_grad():
            x = self.base_dist.sample(sample_shape)
            for t in self.transforms:
                x = t(x)
            return x

    def rsample(self, sample_shape=()):
        x = self.base_dist.rsample(sample_shape)
        for t in self.transforms:
            x = t(x)
        return x

    def log_prob(self, value):
        """Walks back from `value` to the base's space, subtracting each transform's log |det Jacobian|."""
        if self._validate_args:
            self._validate_sample(value)
        event_dim = len(self.event_shape)
        total, y = 0.0, value
        for t in reversed(self.transforms):
            x = t.inv(y)
            event_dim += t.domain.event_dim - t.codomain.event_dim
            total = total - sum_rightmost(t.log_abs_det_jacobian(x, y), event_dim - t.domain.event_dim)
            y = x
        return total + sum_rightmost(self.base_dist.log_prob(y), event_dim - len(self.base_dist.event_shape))

    def _monotonize_cdf(self, value):
        """value, or 1 - value where the chain decreases (the sign of every transform multiplied)."""
        sign = 1
        for t in self.transforms:
            sign = sign * t.sign
        if isinstance(sign, int) and sign == 1:
            return value
        return sign * (value - 0.5) + 0.5

    def cdf(self, value):
        """The base's cdf at the preimage (monotone elementwise transforms only)."""
        for t in reversed(self.transforms):
            value = t.inv(value)
        if self._validate_args:
            self.base_dist._validate_sample(value)
        return self._monotonize_cdf(self.base_dist.cdf(value))

    def icdf(self, value):
        """The transforms applied to the base's quantile (monotone elementwise transforms only)."""
        value = self.base_dist.icdf(self._monotonize_cdf(value))
        for t in self.transforms:
            value = t(value)
        return value

    def __repr__(self):
        shown = [f"{p}: {_show(getattr(self, p))}" for p in self.arg_constraints]
        if not shown:
            return f"{type(self).__name__}({self.base_dist!r}, {self.transforms!r})"
        return f"{type(self).__name__}({', '.join(shown)})"


def _show(v):
    return v if v.numel() == 1 else v.shape
