"""Transforms of vectors and matrices: onto the simplex (softmax, stick-breaking) and onto Cholesky factors."""
import ddp
import ddp.nn.functional as F

from .. import constraints
from .elementwise import _Parameterless, _clipped_sigmoid


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
