"""torch.linalg.qr and torch.linalg.lstsq: the QR factors, and least-squares solutions from the SVD."""

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .ops import linalg_decomp as dec
from .ops import linalg_factor as fac
from .reduce_functional import sum as _sum
from .return_types import named
from .tensor import Tensor

__all__ = ["qr", "lstsq"]

QrResult = named("linalg_qr", ["Q", "R"])
LstsqResult = named("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])

_MODES = ("reduced", "complete", "r")
_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def floating_matrices(a, name, what="A"):
    """a as a Tensor holding a (batch of) floating matrices; `what` names it in the error."""
    a = _tensor(a)
    if a.ndim < 2 or a.dtype.kind != "f":
        raise RuntimeError(f"{name}: {what} must be a (batch of) floating matrices, got shape {tuple(a.shape)} and "
                           f"dtype {a.dtype}")
    return a


def qr_factors(A, mode, name):
    """(Q, R) of a checked A; the reduced factors (and the complete ones of a wide or square A) are
    differentiable, the others pass through with a backward that raises."""
    if mode not in _MODES:
        raise RuntimeError(f"{name}: mode must be one of {', '.join(map(repr, _MODES))}, got {mode!r}")
    A = floating_matrices(A, name)
    m, n = A.shape[-2:]
    if mode == "r" or (mode == "complete" and m > n):
        q, r = np.linalg.qr(A._data, mode="complete" if mode == "complete" else "reduced")
        why = f"{name} (mode={mode!r}{', more rows than columns' if mode == 'complete' else ''})"
        R = dec.NoDerivative.apply(A, out=r, op=why)
        Q = dec.NoDerivative.apply(A, out=q, op=why) if mode == "complete" else Tensor(np.zeros(0, dtype=A.dtype))
        return Q, R
    k = min(m, n)
    packed = fac.QrPacked.apply(A)
    lead = tuple(A.shape[:-2])
    return packed[..., :m * k].reshape(lead + (m, k)), packed[..., m * k:].reshape(lead + (k, n))


def qr(A, mode="reduced"):
    """torch.linalg.qr: the named tuple (Q, R) with A = Q R, Q's columns orthonormal and R upper triangular,
    for each matrix of A (k = min(m, n)). mode 'reduced': Q (m, k), R (k, n); 'complete': Q (m, m),
    R (m, n); 'r': R only (Q is an empty tensor). Same signs as LAPACK (and PyTorch on CPU). Differentiable
    for 'reduced', and for 'complete' when m <= n; otherwise backward raises.

    Raises:
        RuntimeError: an unknown mode, or A not a batch of floating matrices.

    Example:
        >>> ddp.linalg.qr(ddp.tensor([[3.0, 1.0], [4.0, 2.0]])).R
        tensor([[-5.0000, -2.2000],
                [ 0.0000,  0.4000]])
    """
    return QrResult(*qr_factors(A, mode, "linalg.qr"))


def _lstsq_args(A, B, name):
    """(A, B as a batch of matrices, whether B was a vector), checked."""
    A, B = floating_matrices(A, name), _tensor(B)
    if B.dtype != A.dtype:
        raise RuntimeError(f"{name}: A and B must have the same dtype, got {A.dtype} and {B.dtype}")
    if B.ndim not in (A.ndim, A.ndim - 1):
        raise RuntimeError(f"{name}: B must have as many dims as A, or one fewer (a batch of vectors); got A of "
                           f"shape {tuple(A.shape)} and B of shape {tuple(B.shape)}")
    vector = B.ndim == A.ndim - 1
    if vector:
        B = B.unsqueeze(-1)
    if B.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"{name}: A and B must have the same number of rows, got A of shape {tuple(A.shape)} "
                           f"and B of shape {tuple(B.shape[:-1] if vector else B.shape)}")
    try:
        np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    except ValueError:
        raise RuntimeError(f"{name}: the batch dims of A {tuple(A.shape)} and B {tuple(B.shape)} do not "
                           f"broadcast") from None
    return A, B, vector


def lstsq(A, B, rcond=None, *, driver=None):
    """torch.linalg.lstsq: the named tuple (solution, residuals, rank, singular_values) of min ||A X - B||
    for each matrix of A (B a batch of matrices, or of vectors with one dim fewer than A; batch dims
    broadcast). The solution is the minimum-norm one, from the SVD with singular values at or below
    rcond * the largest dropped (rcond defaults to eps * max(m, n)). As PyTorch's CPU drivers give them:
    rank for every driver but 'gels'; singular_values for 'gelsd' and 'gelss'; residuals (the squared
    residual of each column of B) when m > n, the driver is not 'gelsy' (the default), and every matrix
    has full rank (always for 'gels'), else an empty tensor. The solution and residuals are differentiable.

    Raises:
        RuntimeError: an unknown driver, mismatched dtypes or row counts, or wrong dims.

    Example:
        >>> ddp.linalg.lstsq(ddp.tensor([[1.0], [1.0]]), ddp.tensor([1.0, 3.0])).solution
        tensor([2.0000])
    """
    name = "linalg.lstsq"
    if driver is None:
        driver = "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError(f"{name}: driver must be one of {', '.join(_DRIVERS)} (or None), got {driver!r}")
    A, B, vector = _lstsq_args(A, B, name)
    m, n = A.shape[-2:]
    dtype = A.dtype
    if rcond is None:
        rcond = np.finfo(dtype).eps * max(m, n)
    cut = 0.0 if driver == "gels" else float(rcond)  # gels assumes full rank
    pinv, s = fac.pinv_np(A._data, cut)
    X = fac.LstsqSolution.apply(A, B, pinv=pinv, rcond=cut)
    top = s[..., :1] if s.shape[-1] else s
    rank = (s > rcond * top).sum(axis=-1).astype(np.int64)
    empty = Tensor(np.zeros(0, dtype=dtype))
    residuals = empty
    if m > n and driver != "gelsy" and (driver == "gels" or np.all(rank == n)):
        residuals = _sum((A @ X - B) ** 2, -2)
    return LstsqResult(X.squeeze(-1) if vector else X, residuals,
                       Tensor(rank) if driver != "gels" else Tensor(np.zeros(0, dtype=np.int64)),
                       Tensor(s.astype(dtype)) if driver in ("gelsd", "gelss") else empty)
