"""torch.linalg's matrix functions and measures: matrix_exp, matrix_rank, cond, vander and
householder_product; composed from differentiable ops where that is exact (cond, vander, the Householder
product), a `Function` where it is not (matrix_exp)."""
import math

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .creation import ones_like
from .decomp_functional import _square
from .elementwise_functional import add, where
from .linalg_ex import inv_ex
from .linalg_qr import floating_matrices
from .ops import linalg_exp
from .ops import linalg_spectral as spec
from .reduce_functional import matrix_norm
from .reduce_functional import sum as _sum
from .scan_functional import cumprod
from .shape_functional import cat
from .tensor import Tensor

__all__ = ["matrix_exp", "matrix_rank", "cond", "vander", "householder_product"]



def _known_norm(p):
    """Whether linalg.cond knows the norm p."""
    if isinstance(p, str):
        return p in ("fro", "nuc")
    return p is None or (isinstance(p, (int, float)) and not isinstance(p, bool)
                         and p in (2, -2, 1, -1, math.inf, -math.inf))


def matrix_exp(A):
    """torch.linalg.matrix_exp: exp(A) = sum_k A^k / k! for each square matrix of A, by scaling and
    squaring. Differentiable, exactly: the gradient is the exponential's adjoint Frechet derivative, read
    from the exponential of a 2n x 2n block matrix.

    Raises:
        RuntimeError: A is not a batch of floating square matrices.

    Example:
        >>> ddp.linalg.matrix_exp(ddp.tensor([[0.0, 1.0], [0.0, 0.0]]))
        tensor([[1., 1.],
                [0., 1.]])
    """
    return linalg_exp.MatrixExp.apply(_square(A, "linalg.matrix_exp"))


def _array(x, dtype):
    return np.asarray(x._data if isinstance(x, Tensor) else x, dtype=dtype)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    """torch.linalg.matrix_rank: the number of singular values (absolute eigenvalues if `hermitian`) of each
    matrix of A above max(atol, rtol * the largest), as int64. rtol defaults to eps * max(m, n), or 0 where
    atol is given and positive; atol to 0. `tol` (the older spelling) is atol with rtol 0. Not differentiable
    (an integer).

    Raises:
        RuntimeError: A not a batch of floating matrices (square if `hermitian`), or tol with atol / rtol.

    Example:
        >>> ddp.linalg.matrix_rank(ddp.tensor([[1.0, 2.0], [2.0, 4.0]]))
        tensor(1)
    """
    name = "linalg.matrix_rank"
    A = floating_matrices(A, name)
    if tol is not None:
        if atol is not None or rtol is not None:
            raise RuntimeError(f"{name}: give tol, or atol and rtol, not both")
        atol, rtol = tol, 0.0
    a = A._data
    if hermitian:
        A = _square(A, name)
        s = np.abs(np.linalg.eigvalsh(a))
    else:
        s = np.linalg.svd(a, compute_uv=False)
    top = s.max(axis=-1, initial=0.0)
    atol_ = np.zeros((), dtype=a.dtype) if atol is None else _array(atol, a.dtype)
    if rtol is None:
        rtol = np.where(atol_ > 0, 0.0, np.finfo(a.dtype).eps * max(a.shape[-2:])) if atol is not None else \
            np.finfo(a.dtype).eps * max(a.shape[-2:])
    cutoff = np.maximum(atol_, _array(rtol, a.dtype) * top)
    return Tensor((s > cutoff[..., None]).sum(axis=-1).astype(np.int64))


def cond(A, p=None):
    """torch.linalg.cond: the condition number of each matrix of A in the norm p: for None / 2 the ratio of
    the largest to the smallest singular value (-2 the inverse ratio), any shape; for 'fro', 'nuc', inf,
    -inf, 1, -1, norm(A) * norm(A^-1) of a square A, inf where A is singular. Differentiable.

    Raises:
        RuntimeError: an unknown p, A not floating, or not square for a norm other than 2 / -2.

    Example:
        >>> ddp.linalg.cond(ddp.tensor([[2.0, 0.0], [0.0, 0.5]]))
        tensor(4.)
    """
    name = "linalg.cond"
    if not _known_norm(p):
        raise RuntimeError(f"{name}: p must be one of None, 2, -2, 'fro', 'nuc', inf, -inf, 1, -1, got {p!r}")
    A = floating_matrices(A, name)
    if p in (None, 2, -2):
        s = spec.SvdVals.apply(A)
        big, small = s[..., 0], s[..., -1]
        with np.errstate(divide="ignore"):
            return small / big if p == -2 else big / small
    A = _square(A, name + f" (p={p!r})")
    inverse, info = inv_ex(A)
    bad = info._data != 0
    if bad.any():  # a finite stand-in for the singular matrices' inverses, whose result is inf below
        inverse = where(bad[..., None, None], np.eye(A.shape[-1], dtype=A.dtype), inverse)

    def norm(x):
        return _sum(spec.SvdVals.apply(x), -1) if p == "nuc" else matrix_norm(x, p)

    out = norm(A) * norm(inverse)
    return where(bad, np.array(np.inf, dtype=A.dtype), out) if bad.any() else out


def vander(x, *, N=None):
    """torch.linalg.vander: the Vandermonde matrices of the vectors in x's last dim: column j holds x^j,
    j = 0 .. N - 1 (N defaults to x's last size; increasing powers, unlike numpy.vander). Differentiable.

    Raises:
        RuntimeError: x is 0-D, or N < 2.

    Example:
        >>> ddp.linalg.vander(ddp.tensor([1.0, 2.0, 3.0]))
        tensor([[1., 1., 1.],
                [1., 2., 4.],
                [1., 3., 9.]])
    """
    x = _tensor(x)
    if x.ndim < 1:
        raise RuntimeError(f"linalg.vander: x must have at least 1 dim (a batch of vectors), got shape "
                           f"{tuple(x.shape)}")
    N = x.shape[-1] if N is None else N
    if N < 2:
        raise RuntimeError(f"linalg.vander: N must be at least 2, got {N}")
    powers = cumprod(x.unsqueeze(-1).expand(*x.shape, N - 1), dim=-1)
    return cat([ones_like(x).unsqueeze(-1), powers], dim=-1)


def householder_product(A, tau):
    """torch.linalg.householder_product: the first n columns of H_1 ... H_k, H_i = I - tau_i b_i b_i^T with
    b_i column i of A below the diagonal and 1 on it (LAPACK's orgqr; with geqrf's output it is QR's Q).
    A is (..., m, n) with m >= n, tau (..., k) with k <= n and the same batch dims. Differentiable in both.

    Raises:
        RuntimeError: shapes or dtypes that do not fit.

    Example:
        >>> ddp.linalg.householder_product(ddp.tensor([[1.0], [0.0]]), ddp.tensor([2.0]))
        tensor([[-1.],
                [ 0.]])
    """
    name = "linalg.householder_product"
    A, tau = floating_matrices(A, name), _tensor(tau)
    m, n = A.shape[-2:]
    if m < n:
        raise RuntimeError(f"{name}: A must have at least as many rows as columns, got shape {tuple(A.shape)}")
    if tau.ndim != A.ndim - 1 or tuple(tau.shape[:-1]) != tuple(A.shape[:-2]) or tau.shape[-1] > n:
        raise RuntimeError(f"{name}: tau must have shape {tuple(A.shape[:-2])} + (k,) with k <= {n} for A of shape "
                           f"{tuple(A.shape)}, got {tuple(tau.shape)}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{name}: A and tau must have the same dtype, got {A.dtype} and {tau.dtype}")
    eye = np.eye(m, n, dtype=A.dtype)
    V = add(A.tril(-1), eye)
    Q = Tensor(np.ascontiguousarray(np.broadcast_to(eye, A.shape)))
    for i in reversed(range(tau.shape[-1])):  # H_k applied first: Q = H_1 (H_2 (... (H_k E)))
        v = V[..., :, i:i + 1]
        Q = Q - tau[..., i, None, None] * (v @ (v.mT @ Q))
    return Q
