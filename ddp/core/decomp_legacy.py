"""The torch-level factorisation names, older spellings of torch.linalg's that programs still call: torch.qr
(some=), torch.svd (returns V, not Vh), torch.lu (LU and pivots), torch.lu_solve (B first), with
torch.lu_unpack and torch.matrix_exp. decomp_functional.py re-exports them, as `ddp.qr` etc."""

import numpy as np

from . import linalg_lu
from .linalg import svd as _linalg_svd
from .linalg_extra import matrix_exp
from .linalg_lu import lu_unpack
from .linalg_qr import floating_matrices, qr_factors
from .ops import linalg_spectral as spec
from .return_types import named
from .tensor import Tensor

__all__ = ["qr", "svd", "lu", "lu_solve", "lu_unpack", "matrix_exp"]

QrResult = named("qr", ["Q", "R"])
SvdResult = named("svd", ["U", "S", "V"])
LuWithInfo = named("_lu_with_info", ["LU", "pivots", "info"])


def qr(input, some=True):  # noqa: A002 - PyTorch's name
    """torch.qr: linalg.qr's named tuple (Q, R), reduced if `some` (the default), complete otherwise.

    Example:
        >>> ddp.qr(ddp.tensor([[3.0, 1.0], [4.0, 2.0]])).Q.shape
        ddp.Size([2, 2])
    """
    return QrResult(*qr_factors(input, "reduced" if some else "complete", "qr"))


def svd(input, some=True, compute_uv=True):  # noqa: A002
    """torch.svd: the named tuple (U, S, V) with A = U diag(S) V^T (V, not linalg.svd's Vh); reduced if
    `some`. Without `compute_uv` only S is computed (and differentiable); U and V are then zeros of the
    full shapes (m, m) and (n, n). Differentiable as linalg.svd.

    Example:
        >>> ddp.svd(ddp.tensor([[3.0, 0.0], [0.0, -2.0]])).S
        tensor([3., 2.])
    """
    if not compute_uv:
        A = floating_matrices(input, "svd")
        m, n = A.shape[-2:]
        lead = tuple(A.shape[:-2])
        zeros = [Tensor(np.zeros(lead + (k, k), dtype=A.dtype)) for k in (m, n)]
        return SvdResult(zeros[0], spec.SvdVals.apply(A), zeros[1])
    U, S, Vh = _linalg_svd(input, full_matrices=not some)
    return SvdResult(U, S, Vh.mT)


def lu(A, pivot=True, get_infos=False):
    """torch.lu: the tuple (LU, pivots) of linalg.lu_factor, never raising for a singular matrix; with
    `get_infos` the named tuple (LU, pivots, info) of linalg.lu_factor_ex.

    Example:
        >>> LU, pivots = ddp.lu(ddp.tensor([[1.0, 2.0], [3.0, 4.0]]))
    """
    LU, pivots, info = linalg_lu.lu_factor_ex(A, pivot=pivot)
    return LuWithInfo(LU, pivots, info) if get_infos else (LU, pivots)


def lu_solve(b, LU_data, LU_pivots):
    """torch.lu_solve: X with A X = b, from torch.lu's (LU_data, LU_pivots) of A (linalg.lu_solve with b
    last). Differentiable in b and LU_data.

    Example:
        >>> LU, piv = ddp.lu(ddp.tensor([[2.0, 0.0], [0.0, 4.0]]))
        >>> ddp.lu_solve(ddp.tensor([[2.0], [4.0]]), LU, piv)
        tensor([[1.],
                [1.]])
    """
    return linalg_lu.lu_solve(LU_data, LU_pivots, b)
