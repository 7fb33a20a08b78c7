"""`Independent`: reinterprets batch dimensions of a distribution as event dimensions."""
from . import constraints
from .distribution import Distribution
from .utils import sum_rightmost

class Independent(Distribution):
    """`base_distribution` with its `reinterpreted_batch_ndims` rightmost batch dimensions made event
    dimensions: `log_prob` and `entropy` sum over them (a diagonal Normal as one multivariate event).

    Args:
        base_distribution: the distribution to reinterpret.
        reinterpreted_batch_ndims: how many batch dimensions become event dimensions.
        validate_args: see `Distribution`.
    Raises:
        ValueError: more dimensions than `base_distribution.batch_shape` has.

    Example:
        >>> d = Independent(Normal(ddp.zeros(4, 3), 1.0), 1)  # batch_shape (4,), event_shape (3,)
    """

    arg_constraints = {}

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        n = reinterpreted_batch_ndims
        shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        base_ndim = len(base_distribution.batch_shape)
        if n > base_ndim:
            raise ValueError(f"Independent: reinterpreted_batch_ndims ({n}) must be at most the base "
                             f"distribution's batch dims ({base_ndim})")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        event_dim = n + len(base_distribution.event_shape)
        super().__init__(shape[:len(shape) - event_dim], shape[len(shape) - event_dim:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        base_batch = tuple(batch_shape) + tuple(self.event_shape[:self.reinterpreted_batch_ndims])
        return Independent(self.base_dist.expand(base_batch), self.reinterpreted_batch_ndims,
                           validate_args=False)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self):
        return self.reinterpreted_batch_ndims == 0 and self.base_dist.has_enumerate_support

    @property
    def support(self):
        support = self.base_dist.support
        if support is None or self.reinterpreted_batch_ndims == 0:
            return support
        return constraints.independent(support, self.reinterpreted_batch_ndims)

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f"{type(self).__name__}({self.base_dist!r}, {self.reinterpreted_batch_ndims})"

