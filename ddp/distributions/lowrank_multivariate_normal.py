"""`LowRankMultivariateNormal`: a Gaussian whose covariance is W W^T + diag(D), with W of low rank r."""
import functools
import math

import ddp

from . import constraints
from .distribution import Distribution
from .multivariate_normal import batch_mahalanobis, half_log_det
from .transforms.vector import diag_embed

_LOG_2PI = math.log(2 * math.pi)


class LowRankMultivariateNormal(Distribution):
    """N(loc, W W^T + diag(D)) on R^n with W = `cov_factor` of shape B + (n, r) and D = `cov_diag` > 0.

    Densities cost O(n r^2) instead of O(n^3): the determinant and the inverse go through the r x r
    capacitance matrix C = I + W^T D^-1 W (the matrix determinant lemma and Woodbury's identity).
    Reparameterizable.

    Args:
        loc: the mean, shape B + (n,). cov_factor: shape B + (n, r). cov_diag: shape B + (n,), > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: shapes that do not fit together, or cov_diag <= 0 (when validating).
    """

    arg_constraints = {"loc": constraints.real_vector, "cov_factor": constraints.independent(constraints.real, 2),
                       "cov_diag": constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("LowRankMultivariateNormal: loc must have at least one dim (the event, last)")
        n = loc.shape[-1]
        if cov_factor.dim() < 2 or cov_factor.shape[-2] != n:
            raise ValueError(f"LowRankMultivariateNormal: cov_factor must have shape B + ({n}, rank), got "
                             f"{tuple(cov_factor.shape)}")
        if cov_diag.dim() < 1 or cov_diag.shape[-1] != n:
            raise ValueError(f"LowRankMultivariateNormal: cov_diag must have shape B + ({n},), got "
                             f"{tuple(cov_diag.shape)}")
        try:
            batch = tuple(ddp.broadcast_shapes(tuple(loc.shape[:-1]), tuple(cov_factor.shape[:-2]),
                                               tuple(cov_diag.shape[:-1])))
        except (RuntimeError, ValueError):
            raise ValueError(f"LowRankMultivariateNormal: the batch shapes of loc {tuple(loc.shape)}, cov_factor "
                             f"{tuple(cov_factor.shape)} and cov_diag {tuple(cov_diag.shape)} do not broadcast") \
                from None
        self.loc = loc.expand(batch + (n,))
        self.cov_factor = cov_factor.expand(batch + tuple(cov_factor.shape[-2:]))
        self.cov_diag = cov_diag.expand(batch + (n,))
        self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag = cov_factor, cov_diag
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)
        super().__init__(batch, (n,), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        batch, n = tuple(batch_shape), self.event_shape[0]
        return self._expanded(batch_shape, loc=self.loc.expand(batch + (n,)),
                              cov_factor=self.cov_factor.expand(batch + tuple(self.cov_factor.shape[-2:])),
                              cov_diag=self.cov_diag.expand(batch + (n,)),
                              _unbroadcasted_cov_factor=self._unbroadcasted_cov_factor,
                              _unbroadcasted_cov_diag=self._unbroadcasted_cov_diag,
                              _capacitance_tril=self._capacitance_tril)

    def _matrix_shape(self):
        return tuple(self.batch_shape) + tuple(self.event_shape) * 2

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        return (w.pow(2).sum(-1) + d).expand(self._extended_shape())

    @functools.cached_property
    def scale_tril(self):
        """sqrt(D) chol(I + D^-1/2 W W^T D^-1/2): the Cholesky factor of the covariance."""
        w, root = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        scaled = w / root
        inner = scaled @ scaled.mT + ddp.eye(w.shape[-2], dtype=w.dtype)
        return (root * ddp.linalg.cholesky(inner)).expand(self._matrix_shape())

    @functools.cached_property
    def covariance_matrix(self):
        w = self._unbroadcasted_cov_factor
        return (w @ w.mT + diag_embed(self._unbroadcasted_cov_diag)).expand(self._matrix_shape())

    @functools.cached_property
    def precision_matrix(self):
        """D^-1 - D^-1 W C^-1 W^T D^-1 (Woodbury)."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        a = ddp.linalg.solve_triangular(self._capacitance_tril, w.mT / d.unsqueeze(-2), upper=False)
        return (diag_embed(d.reciprocal()) - a.mT @ a).expand(self._matrix_shape())

    def rsample(self, sample_shape=()):
        """loc + W eps_r + sqrt(D) eps_n, with independent standard normal eps_r (rank r) and eps_n (n)."""
        shape = tuple(self._extended_shape(sample_shape))
        w = self._unbroadcasted_cov_factor
        eps_w = ddp.randn(shape[:-1] + (w.shape[-1],), dtype=self.loc.dtype)
        eps_d = ddp.randn(shape, dtype=self.loc.dtype)
        return self.loc + (w @ eps_w.unsqueeze(-1)).squeeze(-1) + self._unbroadcasted_cov_diag.sqrt() * eps_d

    def _log_det_cov(self):
        """log det(W W^T + D) = log det C + sum log D (the matrix determinant lemma)."""
        return 2 * half_log_det(self._capacitance_tril) + self._unbroadcasted_cov_diag.log().sum(-1)

    def _mahalanobis(self, x):
        """x^T (W W^T + D)^-1 x = x^T D^-1 x - |Lc^-1 W^T D^-1 x|^2 (Woodbury)."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        projected = (w.mT @ (x / d).unsqueeze(-1)).squeeze(-1)
        return (x.pow(2) / d).sum(-1) - batch_mahalanobis(self._capacitance_tril, projected)

    def _cov_root(self):
        """F with F F^T = the covariance: [W | diag(sqrt D)], of shape (n, r + n)."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        root = diag_embed(d.sqrt())
        batch = tuple(ddp.broadcast_shapes(tuple(w.shape[:-2]), tuple(root.shape[:-2])))
        return ddp.cat([w.expand(batch + tuple(w.shape[-2:])), root.expand(batch + tuple(root.shape[-2:]))], -1)

    def _trace_inv_cov(self, root):
        """tr(Sigma^-1 F F^T) for F = `root`: |D^-1/2 F|^2 - |Lc^-1 W^T D^-1 F|^2."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        first = (root.pow(2) / d.unsqueeze(-1)).sum((-2, -1))
        a = ddp.linalg.solve_triangular(self._capacitance_tril, w.mT @ (root / d.unsqueeze(-1)), upper=False)
        return first - a.pow(2).sum((-2, -1))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        m = self._mahalanobis(value - self.loc)
        return -0.5 * (self.event_shape[0] * _LOG_2PI + self._log_det_cov() + m)

    def entropy(self):
        h = 0.5 * (self.event_shape[0] * (1.0 + _LOG_2PI) + self._log_det_cov())
        return h.expand(self.batch_shape) if tuple(h.shape) != tuple(self.batch_shape) else h


def _capacitance_tril(w, d):
    """The Cholesky factor of C = I + W^T D^-1 W (r x r)."""
    c = (w.mT / d.unsqueeze(-2)) @ w + ddp.eye(w.shape[-1], dtype=w.dtype)
    return ddp.linalg.cholesky(c)
