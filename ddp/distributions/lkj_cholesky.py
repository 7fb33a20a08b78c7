"""`LKJCholesky`: the LKJ law on Cholesky factors of correlation matrices, sampled by the onion method."""
import math

import ddp

from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import broadcast_all


class LKJCholesky(Distribution):
    """Cholesky factors L of D x D correlation matrices with density proportional to det(L L^T)^(eta - 1)
    in the correlation matrix (eta = concentration; eta = 1 is uniform over correlation matrices).

    sample is the onion method (Lewandowski, Kurowicka and Joe, 2009, section 3): row i is a uniform
    direction in its first i coordinates scaled by the root of a Beta(i / 2, eta + (D - 2 - i) / 2 + 1/2)
    draw, the diagonal taking what remains of unit length. Not reparameterizable.

    Args:
        dim: D >= 2. concentration: eta > 0 (default 1).
        validate_args: see `Distribution`.
    Raises:
        ValueError: dim < 2, or eta <= 0 (when validating).

    Example:
        >>> low = LKJCholesky(3, 0.5).sample()   # low @ low.mT is a 3 x 3 correlation matrix
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"LKJCholesky: dim must be an integer >= 2, got {dim}")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        marginal = self.concentration + 0.5 * (dim - 2)
        offset = ddp.cat([ddp.zeros(1, dtype=marginal.dtype), ddp.arange(dim - 1, dtype=marginal.dtype)])
        self._beta = Beta(offset + 0.5, marginal.unsqueeze(-1) - 0.5 * offset, validate_args=False)
        super().__init__(self.concentration.shape, (dim, dim), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, dim=self.dim, concentration=self.concentration.expand(batch_shape),
                              _beta=self._beta.expand(tuple(batch_shape) + (self.dim,)))

    def sample(self, sample_shape=()):
        with ddp.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)  # the squared length of each row's off-diagonal
            u = ddp.randn(self._extended_shape(sample_shape), dtype=y.dtype).tril(-1)
            tiny = ddp.finfo(y.dtype).tiny
            u = u / u.norm(dim=-1, keepdim=True).clamp(min=tiny)  # row 0 stays zero
            w = y.sqrt() * u
            diag = (1 - w.pow(2).sum(-1)).clamp(min=tiny).sqrt()
            return w + ddp.diag_embed(diag)

    def log_prob(self, value):
        """sum_i (2 (eta - 1) + D - i) log L_ii over i = 2..D, minus the log normalizer."""
        if self._validate_args:
            self._validate_sample(value)
        d = self.dim
        diag = ddp.linalg.diagonal(value)[..., 1:]
        order = 2 * (self.concentration - 1).unsqueeze(-1) + d - ddp.arange(2, d + 1, dtype=diag.dtype)
        alpha = self.concentration + 0.5 * (d - 1)
        log_norm = 0.5 * (d - 1) * math.log(math.pi) + ddp.mvlgamma(alpha - 0.5, d - 1) - (d - 1) * ddp.lgamma(alpha)
        return (order * diag.log()).sum(-1) - log_norm
