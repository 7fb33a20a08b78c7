"""LAPACK's Householder QR at torch level: geqrf (the packed factorisation), orgqr (its Q, explicitly) and
ormqr (Q applied to a matrix without forming it).

geqrf stores A = Q R as R on and above the diagonal and the Householder vectors v_i below it (each with an
implicit 1 on the diagonal), with scalars tau_i: Q = H_1 ... H_k, H_i = I - tau_i v_i v_i^T. numpy's
`qr(mode='raw')` gives the same LAPACK output, transposed. orgqr and ormqr are compositions of
differentiable ops (one rank-1 update per reflector); geqrf has no derivative (nor has PyTorch's).
"""

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .linalg_extra import householder_product
from .linalg_qr import floating_matrices
from .ops import linalg_decomp as dec
from .return_types import named
from .tensor import Tensor

__all__ = ["geqrf", "orgqr", "ormqr"]

GeqrfResult = named("geqrf", ["a", "tau"])


def geqrf(input):  # noqa: A002 - PyTorch's name
    """The named tuple (a, tau) of LAPACK's geqrf for each matrix of input (..., m, n): R in a's upper
    triangle, the Householder vectors below it, tau (..., min(m, n)). Not differentiable: backward raises
    NotImplementedError, as PyTorch's. `orgqr(a, tau)` is Q; `ormqr(a, tau, C)` is Q @ C.

    Raises:
        RuntimeError: input is not a (batch of) floating matrices.

    Example:
        >>> a, tau = ddp.geqrf(ddp.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> a.triu()
        tensor([[-5.0000, -2.2000],
                [ 0.0000,  0.4000]])
    """
    A = floating_matrices(input, "geqrf", "input")
    h, tau = np.linalg.qr(A._data, mode="raw")
    packed = np.ascontiguousarray(np.swapaxes(h, -1, -2))
    return GeqrfResult(*(dec.NoDerivative.apply(A, out=x, op="geqrf") for x in (packed, tau)))


def orgqr(input, tau):  # noqa: A002
    """The Q of geqrf's output: linalg.householder_product(input, tau), the first n columns of H_1 ... H_k.
    Differentiable."""
    return householder_product(input, tau)


def _ormqr_args(input, tau, other, left):
    """The three tensors, checked as PyTorch checks them (its messages)."""
    name = "torch.ormqr"
    A, C, tau = floating_matrices(input, name, "input"), floating_matrices(other, name, "other"), _tensor(tau)
    if C.ndim != A.ndim:
        raise RuntimeError(f"{name}: Expected other to have the same number of dimensions as input, but got "
                           f"other.ndim equal to {C.ndim} and input.ndim is equal to {A.ndim}")
    if tau.ndim != A.ndim - 1 or tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2] = "
                           f"{list(A.shape[:-2])}, but got tau of shape {list(tau.shape)}")
    if tuple(C.shape[:-2]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of other to be equal to input.shape[:-2] = "
                           f"{list(A.shape[:-2])}, but got other of shape {list(C.shape)}")
    side = -2 if left else -1
    mn = C.shape[side]
    if A.shape[-2] != mn:
        raise RuntimeError(f"{name}: other.shape[{side}] must be equal to input.shape[-2], got other of shape "
                           f"{list(C.shape)} and input of shape {list(A.shape)}")
    if tau.shape[-1] != min(mn, A.shape[-1]):
        raise RuntimeError(f"{name}: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1]) = "
                           f"{min(mn, A.shape[-1])}, got {tau.shape[-1]}")
    if not (A.dtype == tau.dtype == C.dtype):
        raise RuntimeError(f"{name}: Expected input, tau and other to have the same dtype, got {A.dtype}, "
                           f"{tau.dtype} and {C.dtype}")
    return A, tau, C


def ormqr(input, tau, other, left=True, transpose=False):  # noqa: A002
    """Q @ other (left) or other @ Q (right), Q^T in place of Q with `transpose`, for Q = H_1 ... H_k the
    orthogonal matrix of geqrf's output (input (..., mn, k), tau (..., min(mn, k)); mn is other's row count
    when left, its column count otherwise). Q is never formed: each reflector is one rank-1 update, so the
    cost is O(k m n). Differentiable in all three tensors.

    Raises:
        RuntimeError: shapes or dtypes that do not fit (PyTorch's checks).

    Example:
        >>> A = ddp.tensor([[3.0, 1.0], [4.0, 2.0]])
        >>> a, tau = ddp.geqrf(A)
        >>> ddp.ormqr(a, tau, a.triu())  # Q R = A
        tensor([[3., 1.],
                [4., 2.]])
    """
    A, tau, C = _ormqr_args(input, tau, other, left)
    mn, k = A.shape[-2], tau.shape[-1]
    V = A.tril(-1) + Tensor(np.eye(mn, A.shape[-1], dtype=A.dtype))
    # Q^T C = H_k ... H_1 C and C Q = C H_1 ... H_k take the reflectors from the first; the others from the last
    order = range(k) if left == transpose else reversed(range(k))
    for i in order:
        v, t = V[..., :, i:i + 1], tau[..., i, None, None]
        C = C - t * (v @ (v.mT @ C)) if left else C - t * ((C @ v) @ v.mT)
    return C
