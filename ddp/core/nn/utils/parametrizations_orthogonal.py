"""torch.nn.utils.parametrizations.orthogonal: a weight (or batch of them) kept orthogonal, Q^T Q = I for a
tall one (m >= n) and Q Q^T = I for a wide one, by one of three maps from an unconstrained tensor X:

- "matrix_exp" / "cayley": A = L - L^T with L the lower triangle of X (padded with zero columns to square),
  Q = exp(A) or (I - A/2)^-1 (I + A/2), then its first n columns;
- "householder": the reflectors below X's diagonal, Q = H_1 ... H_n (linalg.householder_product), each
  column's sign taken from X's diagonal (+-1, not learnt).

With use_trivialization=True (PyTorch's default) the map's output is multiplied onto a buffer `base`
(Lezcano-Casado's dynamic trivialization): assigning an orthogonal Q makes base = Q (a rectangular Q
completed by random columns and orthogonalized) and resets the original to -I, where every map gives I.
State-dict keys as PyTorch's: `parametrizations.weight.original`, `parametrizations.weight.0.base`.
"""
import numpy as np

from ... import autograd
from ...creation import eye, randn
from ...shape_functional import cat
from ...linalg_extra import householder_product, matrix_exp
from ...linalg import solve
from ...linalg_householder import geqrf
from ...tensor import Tensor
from ..module import Module
from . import parametrize

_MAPS = ("matrix_exp", "cayley", "householder")


def _skew_map(X, kind):
    """The first k columns of exp(A) or Cayley(A), A the skew-symmetric matrix from X's lower triangle."""
    n, k = X.shape[-2], X.shape[-1]
    L = X.tril()
    if n != k:
        L = cat([L, L.new_zeros(n, n - k).expand(*L.shape[:-2], -1, -1)], dim=-1)
    A = L - L.mT
    if kind == "matrix_exp":
        Q = matrix_exp(A)
    else:
        identity = eye(n, dtype=A.dtype)
        Q = solve(identity - A * 0.5, identity + A * 0.5)
    return Q[..., :k] if n != k else Q


def _householder_map(X):
    """H_1 ... H_k from the reflectors below X's diagonal (tau = 2 / (1 + |v|^2), v with its implicit 1),
    columns signed by X's diagonal truncated to an int (not differentiated, as PyTorch)."""
    V = X.tril(-1)
    tau = 2.0 / ((V * V).sum(dim=-2) + 1.0)
    Q = householder_product(V, tau)
    return Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)


def _diagonal(shape):
    """The indices of a (..., n, k) matrix's diagonal."""
    return np.arange(min(shape[-2:]))


def _is_orthogonal(q):
    """Q^T Q == I within 10 n eps (PyTorch's test)."""
    n, k = q.shape[-2:]
    gram = np.swapaxes(q, -1, -2).conj() @ q
    return np.allclose(gram, np.eye(k), rtol=1e-5, atol=10.0 * n * np.finfo(q.dtype).eps)


def _orthonormalized(a):
    """The Q of A = QR with diag(R) >= 0 (unique for a full-rank tall A), by LAPACK's QR."""
    q, r = np.linalg.qr(a)
    signs = np.where(np.diagonal(r, axis1=-2, axis2=-1).real < 0, -1.0, 1.0)
    return (q * signs[..., None, :]).astype(a.dtype, copy=False)


class _Orthogonal(Module):
    """The parametrization: forward maps X to an orthogonal matrix; right_inverse gives an X for a wanted one."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.dtype.kind == "c":
            raise NotImplementedError("orthogonal: ddp supports real weights only (matrix_exp has no complex "
                                      "form here)")
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        self.use_trivialization = use_trivialization
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        wide = X.shape[-2] < X.shape[-1]
        if wide:
            X = X.mT
        Q = _householder_map(X) if self.orthogonal_map == "householder" else _skew_map(X, self.orthogonal_map)
        if self.use_trivialization:
            Q = self.base @ Q
        return Q.mT if wide else Q

    def right_inverse(self, Q):
        if tuple(Q.shape) != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of "
                             f"shape {tuple(Q.shape)}.")
        with autograd.no_grad():
            wide = Q.shape[-2] < Q.shape[-1]
            q = np.swapaxes(Q._data, -1, -2) if wide else Q._data
            if not self.use_trivialization:
                return self._reflectors(Tensor(np.ascontiguousarray(q)), wide)
            n, k = q.shape[-2:]
            if n == k:
                base = q.copy() if _is_orthogonal(q) else _orthonormalized(q)
            else:  # complete the k columns to an n x n orthogonal matrix
                extra = randn(*(q.shape[:-2] + (n, n - k)), dtype=Q.dtype)._data
                base = _orthonormalized(np.concatenate([q, extra], axis=-1))
            self.base = Tensor(base)
            minus_identity = np.zeros(Q.shape, dtype=Q.dtype)  # every map gives I from -I
            minus_identity[..., _diagonal(Q.shape), _diagonal(Q.shape)] = -1
            return Tensor(minus_identity)

    def _reflectors(self, Q, wide):
        """X with householder(X) == Q (its QR's reflectors, the diagonal the signs of R's); no such inverse
        is known for the other two maps, as PyTorch notes."""
        if self.orthogonal_map != "householder":
            raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                      "parametrizations when use_trivialization=False.")
        a, tau = geqrf(Q)
        a, tau, d = a._data.copy(), tau._data, _diagonal(a.shape)
        a[..., d, d] = np.sign(a[..., d, d]) * np.where(tau == 0.0, -1.0, 1.0)  # tau 0: LAPACK skipped a reflector
        return Tensor(np.ascontiguousarray(np.swapaxes(a, -1, -2)) if wide else a)


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Keep `module.<name>` orthogonal (orthonormal columns if tall, rows if wide; a tensor of more than two
    dims is a batch of matrices), as PyTorch's parametrizations.orthogonal.

    Args:
        module: holds a parameter or buffer `name` with at least two dims.
        orthogonal_map: "matrix_exp", "cayley" or "householder"; default "matrix_exp" for a square
            matrix, else "householder".
        use_trivialization: keep a `base` buffer that the map's output multiplies (see the module
            docstring); also what lets every map take an assigned orthogonal matrix.
    Returns:
        The module, its weight now read through the parametrization.
    Raises:
        ValueError: no such tensor, fewer than two dims, or an unknown map.

    Example:
        >>> m = orthogonal(ddp.nn.Linear(3, 5))
        >>> bool(ddp.allclose(m.weight.T @ m.weight, ddp.eye(3), atol=1e-6))
        True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{type(module).__name__}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square or weight.dtype.kind == "c" else "householder"
    if orthogonal_map not in _MAPS:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: '
                         f"{orthogonal_map}")
    parametrization = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    return parametrize.register_parametrization(module, name, parametrization, unsafe=True)
