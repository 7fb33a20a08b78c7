"""`Wishart`: the law of sums of outer products of Gaussian vectors, on positive-definite matrices."""
import functools
import math
import warnings
from numbers import Number

import ddp

from . import constraints
from .exp_family import ExponentialFamily
from .gamma import Chi2
from .multivariate_normal import precision_to_scale_tril

_LOG2 = math.log(2.0)


def mvdigamma(x, p):
    """The multivariate digamma function, d/dx of mvlgamma(x, p): sum_i digamma(x - i / 2), i < p."""
    return ddp.digamma(x.unsqueeze(-1) - ddp.arange(p, dtype=x.dtype) / 2).sum(-1)


class Wishart(ExponentialFamily):
    """W(df, Sigma) on p x p positive-definite matrices: density det(X)^((df - p - 1) / 2)
    exp(-tr(Sigma^-1 X) / 2) / (2^(df p / 2) det(Sigma)^(df / 2) Gamma_p(df / 2)), the law of sum_k z_k z_k^T
    for df draws z_k ~ N(0, Sigma) when df is an integer. Sigma is given as exactly one of a covariance,
    a precision or a lower Cholesky factor L (Sigma = L L^T).

    rsample is Bartlett's decomposition, L A A^T L^T with A lower triangular, A_ii = sqrt(chi2(df - i)) and
    N(0, 1) below the diagonal; reparameterizable (the chi-squared draws carry Gamma's implicit gradient).
    A draw that is not positive definite (possible for df < p) is drawn again, in rounds, up to
    `max_try_correction` times.

    Args:
        df: the degrees of freedom, > p - 1 (a Tensor broadcasts with the matrices' batch shape).
        covariance_matrix / precision_matrix: positive-definite, shape B + (p, p).
        scale_tril: lower triangular with a positive diagonal, shape B + (p, p).
        validate_args: see `Distribution`.
    Raises:
        ValueError: not exactly one matrix, fewer than 2 dims, df <= p - 1, or a matrix outside its constraint
            (when validating).

    Example:
        >>> w = Wishart(5.0, covariance_matrix=ddp.eye(3)).rsample((2,))   # shape (2, 3, 3)
    """

    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {"covariance_matrix": constraints.positive_definite, "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky, "df": constraints.greater_than(self.event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        given = [(k, v) for k, v in (("covariance_matrix", covariance_matrix), ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if v is not None]
        if len(given) != 1:
            raise ValueError("Wishart: give exactly one of covariance_matrix, precision_matrix or scale_tril, got "
                             f"{[k for k, _ in given] or 'none'}")
        name, matrix = given[0]
        if matrix.dim() < 2:
            raise ValueError(f"Wishart: {name} must have at least 2 dims (a matrix), got shape {tuple(matrix.shape)}")
        p = matrix.shape[-1]
        if isinstance(df, Number):
            batch = tuple(matrix.shape[:-2])
            self.df = ddp.tensor(float(df), dtype=matrix.dtype)
        else:
            batch = tuple(ddp.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(df.shape)))
            self.df = df.expand(batch)
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Wishart: df must be greater than p - 1 = {p - 1}, got {df}")
        if bool((self.df < p).any()):
            warnings.warn("Wishart: df < p, where singular samples are likely (p - 1 < df < p)", UserWarning,
                          stacklevel=2)
        setattr(self, name, matrix.expand(batch + (p, p)))
        super().__init__(batch, (p, p), validate_args=validate_args)  # validates before factorizing
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = ddp.linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = precision_to_scale_tril(matrix)
        self._chi2 = self._bartlett_chi2(batch)

    def _bartlett_chi2(self, batch):
        """chi2(df - i) for i < p: the squares of A's diagonal."""
        p = self.event_shape[-1]
        dtype = self._unbroadcasted_scale_tril.dtype
        return Chi2(self.df.unsqueeze(-1) - ddp.arange(p, dtype=dtype).expand(tuple(batch) + (p,)),
                    validate_args=False)

    def expand(self, batch_shape, _instance=None):
        batch = tuple(batch_shape)
        shape = batch + tuple(self.event_shape)
        params = {k: self.__dict__[k].expand(shape) for k in ("covariance_matrix", "precision_matrix", "scale_tril")
                  if k in self.__dict__}
        new = self._expanded(batch, df=self.df.expand(batch),
                             _unbroadcasted_scale_tril=self._unbroadcasted_scale_tril.expand(shape), **params)
        new._chi2 = new._bartlett_chi2(batch)
        return new

    @functools.cached_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(tuple(self.batch_shape) + tuple(self.event_shape))

    @functools.cached_property
    def covariance_matrix(self):
        low = self._unbroadcasted_scale_tril
        return (low @ low.mT).expand(tuple(self.batch_shape) + tuple(self.event_shape))

    @functools.cached_property
    def precision_matrix(self):
        eye = ddp.eye(self.event_shape[-1], dtype=self._unbroadcasted_scale_tril.dtype)
        return ddp.cholesky_solve(eye, self._unbroadcasted_scale_tril).expand(
            tuple(self.batch_shape) + tuple(self.event_shape))

    def _per_matrix(self, v):
        """A batch-shaped Tensor with two unit dims appended, to scale matrices."""
        return v.reshape(tuple(self.batch_shape) + (1, 1))

    @property
    def mean(self):
        return self._per_matrix(self.df) * self.covariance_matrix

    @property
    def mode(self):
        """(df - p - 1) Sigma for df > p + 1, nan otherwise."""
        factor = self.df - self.event_shape[-1] - 1
        factor = ddp.where(factor > 0, factor, math.nan)
        return self._per_matrix(factor) * self.covariance_matrix

    @property
    def variance(self):
        """Var(X_ij) = df (Sigma_ij^2 + Sigma_ii Sigma_jj)."""
        cov = self.covariance_matrix
        diag = ddp.linalg.diagonal(cov)
        return self._per_matrix(self.df) * (cov.pow(2) + diag.unsqueeze(-1) * diag.unsqueeze(-2))

    def _bartlett(self, sample_shape):
        shape = tuple(self._extended_shape(sample_shape))
        root = self._chi2.rsample(sample_shape).sqrt()
        root = root.clamp(min=ddp.finfo(root.dtype).eps)
        a = ddp.diag_embed(root) + ddp.randn(shape, dtype=root.dtype).tril(-1)
        chol = self._unbroadcasted_scale_tril @ a
        return chol @ chol.mT

    def rsample(self, sample_shape=(), max_try_correction=10):
        """Bartlett draws; those not positive definite are drawn again (all of them in each round)."""
        sample = self._bartlett(sample_shape)
        bad = ~self.support.check(sample.detach())
        if bool(bad.any()):
            warnings.warn("Wishart: singular sample detected; drawing it again", UserWarning, stacklevel=2)
            for _ in range(max_try_correction):
                fresh = self._bartlett(sample_shape)
                sample = ddp.where(bad.unsqueeze(-1).unsqueeze(-1), fresh, sample)
                bad = bad & ~self.support.check(fresh.detach())
                if not bool(bad.any()):
                    break
        return sample

    def _log_det_sigma_half(self):
        """log det(L) = log det(Sigma) / 2."""
        return ddp.linalg.diagonal(self._unbroadcasted_scale_tril).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self.event_shape[-1]
        trace = ddp.linalg.diagonal(ddp.cholesky_solve(value, self._unbroadcasted_scale_tril)).sum(-1)
        return (-nu * (p * _LOG2 / 2 + self._log_det_sigma_half()) - ddp.mvlgamma(nu / 2, p)
                + (nu - p - 1) / 2 * ddp.linalg.slogdet(value)[1] - trace / 2)

    def entropy(self):
        nu, p = self.df, self.event_shape[-1]
        return ((p + 1) * (p * _LOG2 / 2 + self._log_det_sigma_half()) + ddp.mvlgamma(nu / 2, p)
                - (nu - p - 1) / 2 * mvdigamma(nu / 2, p) + nu * p / 2)

    @property
    def _natural_params(self):
        return -self.precision_matrix / 2, (self.df - self.event_shape[-1] - 1) / 2

    def _log_normalizer(self, x, y):
        p = self.event_shape[-1]
        k = y + (p + 1) / 2
        return k * (p * _LOG2 - ddp.linalg.slogdet(-2 * x)[1]) + ddp.mvlgamma(k, p)
