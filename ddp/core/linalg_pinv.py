"""torch.linalg.pinv: the pseudo-inverse, with torch's cutoffs, differentiable twice (ops/linalg_pinv.py)."""

import numpy as np

from .decomp_functional import _square
from .linalg_qr import floating_matrices
from .ops import linalg_pinv as pinv_op
from .tensor import Tensor

__all__ = ["pinv"]


def _tolerance(x, dtype):
    """A pinv tolerance (a number, or a Tensor over the batch) as an array."""
    return np.asarray(x._data if isinstance(x, Tensor) else x, dtype=dtype)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """torch.linalg.pinv: the pseudo-inverse of each matrix of A, dropping the singular values at or below
    max(atol, rtol * the largest); atol and rtol are numbers or Tensors broadcast over the batch. atol
    defaults to 0; rtol to max(m, n) * eps where atol is None or not positive, else to 0. With `hermitian`,
    A is taken as symmetric: its lower triangle is read, and the eigendecomposition used.
    Differentiable, and twice: the derivative at fixed rank, as PyTorch's (dA = -P^T G P^T
    + (I - A P) G^T P P^T + P^T P G^T (I - P A), P = A^+), so a singular value crossing the cutoff is a jump.

    Raises:
        RuntimeError: A is not a batch of floating matrices, or not square with `hermitian`.

    Example:
        >>> ddp.linalg.pinv(ddp.tensor([[2.0, 0.0], [0.0, 0.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
    """
    A = _square(A, "linalg.pinv (hermitian=True)") if hermitian else floating_matrices(A, "linalg.pinv")
    dtype = A._data.dtype
    default = max(A.shape[-2:]) * np.finfo(dtype).eps
    atol_ = _tolerance(0.0 if atol is None else atol, dtype)
    if rtol is None:
        rtol_ = _tolerance(default if atol is None else np.where(atol_ > 0, 0.0, default), dtype)
    else:
        rtol_ = _tolerance(rtol, dtype)
    return pinv_op.Pinv.apply(A, atol=atol_, rtol=rtol_, hermitian=bool(hermitian))
