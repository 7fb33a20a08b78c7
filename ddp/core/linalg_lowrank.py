"""svd_lowrank and pca_lowrank: a rank-q SVD from a randomized range finder (Halko, Martinsson and Tropp,
"Finding structure with randomness", 2009, algorithms 4.4 and 5.1), composed of differentiable ops.

For A (..., m, n), a Gaussian test matrix R (n, q) (one for the whole batch, from the default generator)
gives Y = A R, whose span nearly holds A's leading left singular vectors; `niter` subspace iterations
(Y <- A A^T Y, with a QR after each product to keep the columns independent) sharpen it where the singular
values decay slowly. With Q an orthonormal basis of Y, B = Q^T A is small (q x n), and B's SVD gives A's:
A ~ (Q U_B) S V_B^T. The result is exact when rank(A) <= q. A wide A (m < n) is factored as A^T, so the
basis is always taken of the smaller side.
"""
import operator

from .creation import randn
from .linalg import svd
from .linalg_qr import floating_matrices, qr
from .reduce_functional import mean

__all__ = ["svd_lowrank", "pca_lowrank"]


def _count(value, what, name):
    """A non-negative int argument (ValueError as PyTorch otherwise)."""
    try:
        value = operator.index(value)
    except TypeError:
        value = -1
    if value < 0:
        raise ValueError(f"{name}: {what} must be a non-negative integer, got {value!r}")
    return value


def _basis(A, M, q, niter):
    """An orthonormal basis (..., m, q') of the approximate range of A - M, q' = min(m, q)."""

    def times(X):  # (A - M) X without forming A - M
        return A @ X if M is None else A @ X - M @ X

    def times_t(X):
        return A.mT @ X if M is None else A.mT @ X - M.mT @ X

    Q = qr(times(randn(A.shape[-1], q, dtype=A.dtype))).Q
    for _ in range(niter):
        Q = qr(times(qr(times_t(Q)).Q)).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """(U, S, V) with A - M ~ U diag(S) V^T: a rank-k SVD (k = min(q, m, n)) of each matrix of A (..., m, n),
    S descending. Randomized (see the module docstring): exact up to rounding when rank(A - M) <= q, an
    approximation otherwise, better with more `niter`. Differentiable (through matmul, QR and SVD; the
    gradient is defined where the k singular values are distinct and nonzero).

    Args:
        A: a (batch of) floating matrices.
        q: the rank to find (an overestimate is safe: 6 by default; k = min(q, m, n)).
        niter: subspace iterations (2 by default; 0 for none).
        M: a tensor that broadcasts to A's shape, subtracted from A without forming A - M (None for none).
    Returns:
        a tuple (U (..., m, k), S (..., k), V (..., n, k)); note V, not V^T.
    Raises:
        RuntimeError: A is not a (batch of) floating matrices. ValueError: q or niter negative.

    Example:
        >>> A = ddp.randn(20, 3) @ ddp.randn(3, 10)  # rank 3
        >>> U, S, V = ddp.svd_lowrank(A, q=4)
        >>> bool(ddp.allclose(U @ ddp.diag(S) @ V.mT, A, atol=1e-4))
        True
    """
    name = "svd_lowrank"
    A = floating_matrices(A, name)
    q, niter = _count(6 if q is None else q, "q", name), _count(niter, "niter", name)
    if M is not None:
        M = floating_matrices(M, name, "M").broadcast_to(A.shape)
    wide = A.shape[-2] < A.shape[-1]
    if wide:  # take the basis of the smaller side: factor A^T = V S U^T
        A, M = A.mT, (None if M is None else M.mT)
    Q = _basis(A, M, q, niter)
    B = Q.mT @ A if M is None else Q.mT @ A - Q.mT @ M
    U, S, Vh = svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mT
    return (V, S, U) if wide else (U, S, V)


def pca_lowrank(A, q=None, center=True, niter=2):
    """Principal components of each matrix of A (..., m, n), rows the samples: svd_lowrank of A with its column
    means subtracted (when `center`), so V's columns are the principal directions, S**2 / (m - 1) the
    variances along them, and U S the scores.

    Args:
        A: a (batch of) floating matrices.
        q: how many components (default min(6, m, n)); at most min(m, n).
        center: subtract the column means first.
        niter: subspace iterations (see svd_lowrank).
    Returns:
        a tuple (U (..., m, q), S (..., q), V (..., n, q)).
    Raises:
        ValueError: q negative or above min(m, n), or niter negative (as PyTorch). RuntimeError: A is not a
        (batch of) floating matrices.

    Example:
        >>> X = ddp.randn(100, 3) @ ddp.tensor([[3.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.1]])
        >>> U, S, V = ddp.pca_lowrank(X, q=2)
        >>> V.shape
        ddp.Size([3, 2])
    """
    name = "pca_lowrank"
    A = floating_matrices(A, name)
    m, n = A.shape[-2:]
    q = min(6, m, n) if q is None else q
    if not isinstance(q, int) or isinstance(q, bool) or not 0 <= q <= min(m, n):
        raise ValueError(f"{name}: q(={q!r}) must be non-negative integer and not greater than min(m, n)="
                         f"{min(m, n)}")
    niter = _count(niter, "niter", name)
    if center:
        A = A - mean(A, -2, True)
    return svd_lowrank(A, q, niter)
