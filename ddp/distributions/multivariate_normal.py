"""`MultivariateNormal`: the Gaussian on R^n, given by a covariance, a precision or a Cholesky factor."""
import functools
import math

import ddp

from . import constraints
from .distribution import Distribution

_LOG_2PI = math.log(2 * math.pi)


def batch_mahalanobis(low, x):
    """x^T (L L^T)^-1 x = |L^-1 x|^2 for lower-triangular L of shape B_L + (n, n) and x of shape S + B + (n,),
    B broadcasting with B_L. The extra leading dims S of x become right-hand-side columns of one triangular
    solve, so that a large sample is one LAPACK call per matrix rather than one per row."""
    n = x.shape[-1]
    batch = tuple(ddp.broadcast_shapes(tuple(low.shape[:-2]), tuple(x.shape[max(x.dim() - 1 - (low.dim() - 2),
                                                                                     0):-1])))
    outer = tuple(x.shape[:x.dim() - 1 - len(batch)])
    x = x.expand(outer + batch + (n,)).reshape((-1,) + batch + (n,)).movedim(0, -1)  # B + (n, S)
    solved = ddp.linalg.solve_triangular(low.expand(batch + (n, n)), x, upper=False)
    m = solved.pow(2).sum(-2).movedim(-1, 0)  # (S,) + B
    return m.reshape(outer + batch)


def half_log_det(low):
    """log det(L) = log sqrt(det(L L^T)): the sum of the log diagonal of a Cholesky factor."""
    return ddp.linalg.diagonal(low).log().sum(-1)


def precision_to_scale_tril(precision):
    """The lower Cholesky factor of precision^-1 without inverting: with J the reversal of the order,
    J P J = M M^T (Cholesky), so P = U U^T with U = J M J upper, and L = U^-T is lower with L L^T = P^-1."""
    m = ddp.linalg.cholesky(ddp.flip(precision, (-2, -1)))
    u_t = ddp.flip(m, (-2, -1)).mT
    eye = ddp.eye(precision.shape[-1], dtype=precision.dtype)
    return ddp.linalg.solve_triangular(u_t, eye, upper=False)


class MultivariateNormal(Distribution):
    """N(loc, Sigma) on R^n, with Sigma given as exactly one of a covariance matrix, a precision matrix
    (Sigma^-1) or a lower Cholesky factor `scale_tril` (Sigma = L L^T, the cheapest). Reparameterizable.

    Args:
        loc: the mean, shape B + (n,).
        covariance_matrix / precision_matrix: positive-definite, shape B + (n, n).
        scale_tril: lower triangular with a positive diagonal, shape B + (n, n).
        validate_args: see `Distribution`.
    Raises:
        ValueError: not exactly one matrix, too few dims, or a matrix outside its constraint (when validating).

    Example:
        >>> d = MultivariateNormal(ddp.zeros(2), scale_tril=ddp.tensor([[1.0, 0.0], [0.5, 2.0]]))
        >>> d.rsample((3,)).shape
        ddp.Size([3, 2])
    """

    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("MultivariateNormal: loc must have at least one dim (the event, last)")
        given = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix,
                 "scale_tril": scale_tril}
        given = {k: v for k, v in given.items() if v is not None}
        if len(given) != 1:
            raise ValueError("MultivariateNormal: give exactly one of covariance_matrix, precision_matrix and "
                             "scale_tril")
        (name, matrix), = given.items()
        if matrix.dim() < 2:
            raise ValueError(f"MultivariateNormal: {name} must have at least two dims, got shape "
                             f"{tuple(matrix.shape)}")
        n = loc.shape[-1]
        if tuple(matrix.shape[-2:]) != (n, n):
            raise ValueError(f"MultivariateNormal: {name} of shape {tuple(matrix.shape)} does not fit loc of "
                             f"shape {tuple(loc.shape)}: expected matrices of size ({n}, {n})")
        batch = tuple(ddp.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1])))
        setattr(self, name, matrix.expand(batch + (n, n)))
        self.loc = loc.expand(batch + (n,))
        super().__init__(batch, (n,), validate_args=validate_args)  # validates before factorizing, as PyTorch
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = ddp.linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = precision_to_scale_tril(matrix)

    def expand(self, batch_shape, _instance=None):
        batch, n = tuple(batch_shape), self.event_shape[0]
        params = {name: self.__dict__[name].expand(batch + (n, n))
                  for name in ("covariance_matrix", "precision_matrix", "scale_tril") if name in self.__dict__}
        return self._expanded(batch_shape, loc=self.loc.expand(batch + (n,)),
                              _unbroadcasted_scale_tril=self._unbroadcasted_scale_tril, **params)

    def _matrix_shape(self):
        return tuple(self.batch_shape) + tuple(self.event_shape) * 2

    @functools.cached_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @functools.cached_property
    def covariance_matrix(self):
        low = self._unbroadcasted_scale_tril
        return (low @ low.mT).expand(self._matrix_shape())

    @functools.cached_property
    def precision_matrix(self):
        low = self._unbroadcasted_scale_tril
        inv = ddp.linalg.solve_triangular(low, ddp.eye(low.shape[-1], dtype=low.dtype), upper=False)
        return (inv.mT @ inv).expand(self._matrix_shape())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(self._extended_shape())

    def rsample(self, sample_shape=()):
        """loc + L eps with eps ~ N(0, I)."""
        eps = ddp.randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        """-(n log(2 pi) + |L^-1 (value - loc)|^2) / 2 - log det L."""
        if self._validate_args:
            self._validate_sample(value)
        low = self._unbroadcasted_scale_tril
        m = batch_mahalanobis(low, value - self.loc)
        return -0.5 * (self.event_shape[0] * _LOG_2PI + m) - half_log_det(low)

    def _log_det_cov(self):
        return 2 * half_log_det(self._unbroadcasted_scale_tril)

    def _mahalanobis(self, x):
        return batch_mahalanobis(self._unbroadcasted_scale_tril, x)

    def _cov_root(self):
        """F with F F^T = the covariance (here L)."""
        return self._unbroadcasted_scale_tril

    def _trace_inv_cov(self, root):
        """tr(Sigma^-1 F F^T) = |L^-1 F|^2 (Frobenius) for F = `root`."""
        return ddp.linalg.solve_triangular(self._unbroadcasted_scale_tril, root, upper=False).pow(2).sum((-2, -1))

    def entropy(self):
        """n (1 + log(2 pi)) / 2 + log det L."""
        h = 0.5 * self.event_shape[0] * (1.0 + _LOG_2PI) + half_log_det(self._unbroadcasted_scale_tril)
        return h.expand(self.batch_shape) if tuple(h.shape) != tuple(self.batch_shape) else h
