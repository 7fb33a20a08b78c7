"""Transforms of vectors and matrices: onto the simplex (softmax, stick-breaking), onto Cholesky factors and
onto Cholesky factors of correlation matrices."""
import math

import ddp
import ddp.nn.functional as F

from .. import constraints
from ..utils import tril_matrix_to_vec, vec_to_tril_matrix
from .elementwise import _Parameterless, _clipped_sigmoid

_LOG2 = math.log(2.0)


class SoftmaxTransform(_Parameterless):
    """y = softmax(x) over the last dim (not injective: the inverse gives log y, one of many preimages)."""

    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        e = (x - x.amax(-1, keepdim=True)).exp()
        return e / e.sum(-1, keepdim=True)

    def _inverse(self, y):
        return y.log()


class StickBreakingTransform(_Parameterless):
    """A bijection from R^(K-1) onto the K-simplex: break a unit stick K - 1 times.

    z_k = sigmoid(x_k - log(K - 1 - k)) is the fraction of what is left that piece k takes, so that x = 0 maps
    to the uniform vector; y_k = z_k prod_{j<k} (1 - z_j), and the last piece is what remains. The Jacobian is
    triangular: log |det| = sum_k log y_k + log(1 - z_k).
    """

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    @staticmethod
    def _log_offset(n, like):
        """log(n - k) for k = 0..n-1: the shift that centres each break."""
        return ddp.arange(n, 0, -1, dtype=like.dtype).log()

    def _call(self, x):
        z = _clipped_sigmoid(x - self._log_offset(x.shape[-1], x))
        left = (1 - z).cumprod(-1)  # what remains after each break
        return F.pad(z, (0, 1), value=1.0) * F.pad(left, (1, 0), value=1.0)

    def _inverse(self, y):
        pieces = y[..., :-1]
        rest = (1 - pieces.cumsum(-1)).clamp(min=ddp.finfo(y.dtype).tiny)  # what remains after each break
        return pieces.log() - rest.log() + self._log_offset(pieces.shape[-1], y)

    def log_abs_det_jacobian(self, x, y):
        shifted = x - self._log_offset(x.shape[-1], x)
        return (F.logsigmoid(-shifted) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("StickBreakingTransform: needs at least one dim (the vector), got a scalar shape")
        return ddp.Size(tuple(shape[:-1]) + (shape[-1] + 1,))

    def inverse_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("StickBreakingTransform: needs at least one dim (the vector), got a scalar shape")
        return ddp.Size(tuple(shape[:-1]) + (shape[-1] - 1,))


def diag_embed(d):
    """Square matrices with the last dim of `d` on their diagonals."""
    return d.unsqueeze(-1) * ddp.eye(d.shape[-1], dtype=d.dtype)


def diagonal(a):
    """The diagonals of a batch of square matrices (differentiable)."""
    return ddp.linalg.diagonal(a)


class LowerCholeskyTransform(_Parameterless):
    """Unconstrained square matrices to Cholesky factors: keep the strict lower triangle, exp the diagonal."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x):
        return x.tril(-1) + diag_embed(diagonal(x).exp())

    def _inverse(self, y):
        return y.tril(-1) + diag_embed(diagonal(y).log())


class PositiveDefiniteTransform(_Parameterless):
    """Unconstrained square matrices to positive-definite ones, L L^T with L from LowerCholeskyTransform."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        low = LowerCholeskyTransform()(x)
        return low @ low.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(ddp.linalg.cholesky(y))


class CorrCholeskyTransform(_Parameterless):
    """R^(D(D-1)/2) onto Cholesky factors of D x D correlation matrices (Stan's construction).

    x fills the strict lower triangle row by row as r = tanh(x); each row is then a signed stick-breaking
    of unit length: y_ij = r_ij sqrt(1 - sum_{k<j} y_ik^2), the diagonal taking what remains. log |det| is
    that of x onto the strict lower triangle of y (the diagonal is determined by it).
    """

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def _call(self, x):
        eps = ddp.finfo(x.dtype).eps
        r = vec_to_tril_matrix(x.tanh().clamp(min=-1 + eps, max=1 - eps), diag=-1)
        left = (1 - r.pow(2)).sqrt().cumprod(-1)  # sqrt of what each row has left after each entry
        r = r + ddp.eye(r.shape[-1], dtype=r.dtype)
        return r * F.pad(left[..., :-1], (1, 0), value=1.0)

    def _inverse(self, y):
        left = F.pad((1 - (y * y).cumsum(-1))[..., :-1], (1, 0), value=1.0)
        t = tril_matrix_to_vec(y, diag=-1) / tril_matrix_to_vec(left, diag=-1).sqrt()
        return 0.5 * (t.log1p() - (-t).log1p())  # atanh

    def log_abs_det_jacobian(self, x, y):
        left = 1 - (y * y).cumsum(-1)
        stick = 0.5 * tril_matrix_to_vec(left, diag=-2).log().sum(-1)  # diag -2: the shift comes for free
        tanh = -2 * (x + F.softplus(-2 * x) - _LOG2).sum(-1)
        return stick + tanh

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("CorrCholeskyTransform: needs at least one dim (the vector), got a scalar shape")
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError(f"CorrCholeskyTransform: a last dim of {n} is no strict lower triangle's size")
        return ddp.Size(tuple(shape[:-1]) + (d, d))

    def inverse_shape(self, shape):
        if len(shape) < 2 or shape[-1] != shape[-2]:
            raise ValueError(f"CorrCholeskyTransform: expected square matrices, got shape {tuple(shape)}")
        d = shape[-1]
        return ddp.Size(tuple(shape[:-2]) + (d * (d - 1) // 2,))
