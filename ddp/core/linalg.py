"""ddp.linalg: PyTorch's torch.linalg names: norms and products, and the factorisations and solves of
decomp_functional.py (inverse, determinants, Cholesky, triangular solves, eigh, SVD), composed where a
composition of differentiable ops is as good (matrix_power, multi_dot, vecdot, diagonal, eigh's outputs)."""

import numpy as np

from .arguments import normalize_dim as _dim
from .decomp_functional import LinAlgError, _cholesky, _det, _inv, _slogdet, _solve, _solve_triangular, _square
from .elementwise_functional import mul, where
from .linalg_ex import cholesky_ex, inv_ex, solve_ex  # noqa: F401  (re-exported: ddp.linalg's names)
from .linalg_extra import cond, householder_product, matrix_exp, matrix_rank, vander  # noqa: F401
from .linalg_functional import matmul
from .linalg_lu import lu, lu_factor, lu_factor_ex, lu_solve  # noqa: F401
from .linalg_pinv import pinv  # noqa: F401
from .linalg_qr import lstsq, qr  # noqa: F401
from .linalg_tensor import tensorinv, tensorsolve  # noqa: F401
from .ops import linalg_decomp as dec
from .ops import linalg_spectral as spec
from .product_functional import _cross
from .reduce_functional import matrix_norm, vector_norm
from .reduce_functional import sum as _sum
from .return_types import named
from .shape_functional import permute

__all__ = ["norm", "vector_norm", "matrix_norm", "matmul", "cross", "LinAlgError", "inv", "det", "slogdet",
           "solve", "cholesky", "solve_triangular", "matrix_power", "multi_dot", "vecdot", "diagonal", "eigh",
           "eigvalsh", "svd", "svdvals", "pinv", "qr", "lstsq", "lu_factor", "lu_factor_ex", "lu", "lu_solve",
           "matrix_rank", "matrix_exp", "cond", "inv_ex", "cholesky_ex", "solve_ex", "tensorinv", "tensorsolve",
           "vander", "householder_product"]

SlogdetResult = named("linalg_slogdet", ["sign", "logabsdet"])
EighResult = named("linalg_eigh", ["eigenvalues", "eigenvectors"])
SvdResult = named("linalg_svd", ["U", "S", "Vh"])


def cross(a, b, dim=-1):
    """torch.linalg.cross: the 3-vector cross product along `dim` (default the last), broadcasting the other
    dims; `ddp.cross` without dim differs (it takes the first dim of size 3). Differentiable.

    Raises:
        RuntimeError: different numbers of dims or dtypes, shapes that do not broadcast, or a size other than 3
        at `dim`. IndexError: `dim` out of range.

    Example:
        >>> ddp.linalg.cross(ddp.tensor([[1.0, 0.0, 0.0]]), ddp.tensor([[0.0, 1.0, 0.0]]))
        tensor([[0., 0., 1.]])
    """
    return _cross(a, b, dim, "linalg.cross")


def norm(x, ord=None, dim=None, keepdim=False, dtype=None):  # noqa: A002 - PyTorch's name
    """torch.linalg.norm: with ord None, the 2-norm of the flattened x (or over `dim`); otherwise the vector
    norm of a 1-D x (or over one `dim`) and the matrix norm of a 2-D x (or over two dims)."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(x, 2, dim, keepdim, dtype)
    dims = len(dim) if dim is not None else x.ndim
    if dims == 1:
        return vector_norm(x, ord, dim, keepdim, dtype)
    if dims == 2:
        return matrix_norm(x, ord, dim if dim is not None else (-2, -1), keepdim, dtype)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                       f"Got {x.ndim}D.")


def inv(A):
    """torch.linalg.inv: the inverse of each square matrix in the last two dims of A. Differentiable
    (dA = -A^-T G A^-T).

    Raises:
        LinAlgError: a matrix is singular. RuntimeError: A is not a batch of floating square matrices.

    Example:
        >>> ddp.linalg.inv(ddp.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    return _inv(A, "linalg.inv")


def det(A):
    """torch.linalg.det: the determinant of each square matrix of A (0 for a singular one). Differentiable
    (dA = G det(A) A^-T, the cofactors where A is singular)."""
    return _det(A, "linalg.det")


def slogdet(A):
    """torch.linalg.slogdet: the named tuple (sign, logabsdet) of each matrix's determinant; a singular one
    gives (0, -inf). logabsdet is differentiable (dA = G A^-T).

    Example:
        >>> ddp.linalg.slogdet(ddp.tensor([[-2.0, 0.0], [0.0, 1.0]])).sign
        tensor(-1.)
    """
    return SlogdetResult(*_slogdet(A, "linalg.slogdet"))


def solve(A, B, *, left=True):
    """torch.linalg.solve: X with A X = B (or X A = B if not `left`), batched and broadcast over leading dims.
    With `left`, a B of shape (n,) or A.shape[:-1] is taken as a (batch of) vector(s). Differentiable
    (dB = A^-T G, dA = -dB X^T).

    Raises:
        LinAlgError: A is singular. RuntimeError: shapes that do not fit, or different dtypes.

    Example:
        >>> ddp.linalg.solve(ddp.tensor([[2.0, 0.0], [0.0, 4.0]]), ddp.tensor([2.0, 2.0]))
        tensor([1.0000, 0.5000])
    """
    return _solve(A, B, left, "linalg.solve")


def cholesky(A, *, upper=False):
    """torch.linalg.cholesky: L lower with A = L L^T (or U = L^T if `upper`) for each symmetric
    positive-definite matrix of A, read from its lower triangle. Differentiable, twice (create_graph=True);
    the gradient is symmetric.

    Raises:
        LinAlgError: a matrix is not positive-definite.

    Example:
        >>> ddp.linalg.cholesky(ddp.tensor([[4.0, 2.0], [2.0, 2.0]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    return _cholesky(A, upper, "linalg.cholesky")


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """torch.linalg.solve_triangular: X with T X = B (or X T = B if not `left`), T the upper (or lower)
    triangle of A, whose diagonal is taken as ones if `unitriangular`; B is a batch of matrices. A zero on
    T's diagonal gives inf / nan, not an error, as in PyTorch. Differentiable in A (on the triangle) and B,
    twice (create_graph=True).

    Example:
        >>> ddp.linalg.solve_triangular(ddp.tensor([[2.0, 1.0], [0.0, 1.0]]), ddp.tensor([[3.0], [1.0]]),
        ...                             upper=True)
        tensor([[1.],
                [1.]])
    """
    return _solve_triangular(A, B, upper, left, unitriangular, "linalg.solve_triangular")


def matrix_power(A, n):
    """torch.linalg.matrix_power: A^n for an int n by repeated squaring; n < 0 powers inv(A), n = 0 gives the
    identity (still in the graph, with a zero gradient). Differentiable.

    Raises:
        TypeError: n is not an int. LinAlgError: n < 0 and A is singular.

    Example:
        >>> ddp.linalg.matrix_power(ddp.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
        tensor([[1., 3.],
                [0., 1.]])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    A = _square(A, "linalg.matrix_power")
    if n == 0:
        eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape)
        return where(np.ones(A.shape, dtype=bool), eye, A)
    if n < 0:
        A, n = _inv(A, "linalg.matrix_power"), -n
    result, square = None, A
    while n:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if n:
            square = matmul(square, square)
    return result


def multi_dot(tensors):
    """torch.linalg.multi_dot: the product of two or more matrices, left to right; the first may be a 1-D
    row vector and the last a 1-D column vector (their dims are dropped from the result). Differentiable.

    Raises:
        RuntimeError: fewer than two tensors, or a middle one that is not 2-D, or sizes that do not chain.

    Example:
        >>> ddp.linalg.multi_dot([ddp.ones(2), ddp.ones(2, 3), ddp.ones(3)])
        tensor(6.)
    """
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"linalg.multi_dot: expected at least 2 tensors, got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            raise RuntimeError(f"linalg.multi_dot: tensor {i} must be {' or '.join(map(str, allowed))}-D, got "
                               f"shape {tuple(t.shape)}")
    out = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if out.shape[-1] != t.shape[0]:
            raise RuntimeError(f"linalg.multi_dot: tensor {i} of shape {tuple(t.shape)} does not chain with "
                               f"the product before it, of shape {tuple(out.shape)}")
        out = matmul(out, t)
    return out


def vecdot(x, y, *, dim=-1):
    """torch.linalg.vecdot: the dot product of x and y along `dim`, x conjugated where complex, broadcasting
    the other dims. Differentiable.

    Example:
        >>> ddp.linalg.vecdot(ddp.tensor([[1.0, 2.0]]), ddp.tensor([3.0, 4.0]))
        tensor([11.])
    """
    x = x.conj() if x.dtype.kind == "c" else x
    return _sum(mul(x, y), dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """torch.linalg.diagonal: the `offset` diagonal of the matrices in dims (dim1, dim2) of A, as A's other
    dims followed by one dim for the diagonal (offset > 0 above the main one). Differentiable.

    Example:
        >>> ddp.linalg.diagonal(ddp.tensor([[1.0, 2.0], [3.0, 4.0]]), offset=1)
        tensor([2.])
    """
    if A.ndim < 2:
        raise RuntimeError(f"linalg.diagonal: A must have at least 2 dims, got shape {tuple(A.shape)}")
    d1, d2 = _dim(dim1, A.ndim, "linalg.diagonal"), _dim(dim2, A.ndim, "linalg.diagonal")
    if d1 == d2:
        raise RuntimeError(f"linalg.diagonal: dim1 and dim2 must differ, both are {d1}")
    moved = permute(A, [d for d in range(A.ndim) if d not in (d1, d2)] + [d1, d2])
    rows, cols = moved.shape[-2:]
    first_row, first_col = max(-offset, 0), max(offset, 0)
    steps = np.arange(max(min(rows - first_row, cols - first_col), 0))
    return moved[..., steps + first_row, steps + first_col]


def _uplo(UPLO, name):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{name}: UPLO must be 'L' or 'U', got {UPLO!r}")
    return UPLO


def eigh(A, UPLO="L"):
    """torch.linalg.eigh: the named tuple (eigenvalues, eigenvectors) of each symmetric matrix of A, read from
    its lower (UPLO 'L') or upper triangle; eigenvalues ascending, eigenvectors the columns. Differentiable,
    twice (through both; the gradient is symmetric and, where the eigenvectors are used, undefined for
    repeated eigenvalues, as in PyTorch; the second derivative is, for the eigenvalues too).

    Example:
        >>> ddp.linalg.eigh(ddp.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
        tensor([1., 2.])
    """
    A = _square(A, "linalg.eigh")
    packed = spec.EighPacked.apply(A, uplo=_uplo(UPLO, "linalg.eigh"))
    return EighResult(packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(A, UPLO="L"):
    """torch.linalg.eigvalsh: the eigenvalues (ascending) of each symmetric matrix of A. Differentiable,
    twice (dA = V diag(G) V^T)."""
    A = _square(A, "linalg.eigvalsh")
    return spec.EigvalsH.apply(A, uplo=_uplo(UPLO, "linalg.eigvalsh"))


def _matrices(A, name):
    if A.ndim < 2 or A.dtype.kind != "f":
        raise RuntimeError(f"{name}: A must be a (batch of) floating matrices, got shape {tuple(A.shape)} and "
                           f"dtype {A.dtype}")
    return A


def svd(A, full_matrices=True):
    """torch.linalg.svd: the named tuple (U, S, Vh) with A = U diag(S) Vh, S descending; with
    `full_matrices` U and Vh are square, else reduced to k = min(m, n) columns / rows. Differentiable when
    the factors are reduced (full_matrices=False, or a square A) and the singular values distinct and
    nonzero, for losses that do not depend on the factors' signs, and twice (create_graph=True); with
    full_matrices=True and m != n, backward raises NotImplementedError.

    Example:
        >>> ddp.linalg.svd(ddp.tensor([[3.0, 0.0], [0.0, -2.0]])).S
        tensor([3., 2.])
    """
    A = _matrices(A, "linalg.svd")
    m, n = A.shape[-2:]
    if full_matrices and m != n:
        u, s, vh = np.linalg.svd(A._data, full_matrices=True)
        return SvdResult(*(dec.NoDerivative.apply(A, out=x, op="linalg.svd (full_matrices=True, non-square)")
                           for x in (u, s, vh)))
    k = min(m, n)
    packed = spec.SvdPacked.apply(A)
    lead = tuple(A.shape[:-2])
    U = packed[..., :m * k].reshape(lead + (m, k))
    Vh = packed[..., m * k + k:].reshape(lead + (k, n))
    return SvdResult(U, packed[..., m * k:m * k + k], Vh)


def svdvals(A):
    """torch.linalg.svdvals: the singular values (descending) of each matrix of A. Differentiable,
    twice (dA = U diag(G) Vh)."""
    return spec.SvdVals.apply(_matrices(A, "linalg.svdvals"))
