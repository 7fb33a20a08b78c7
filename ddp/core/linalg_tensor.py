"""torch.linalg.tensorinv and tensorsolve: inv and solve of a tensor read as a square matrix, by reshapes."""
import math

from .arguments import as_tensor_arg as _tensor
from .decomp_functional import _inv, _solve
from .shape_functional import movedim

__all__ = ["tensorinv", "tensorsolve"]


def tensorinv(A, ind=2):
    """torch.linalg.tensorinv: the inverse of A read as a matrix with rows A.shape[:ind] and columns
    A.shape[ind:] (their products must agree), shaped A.shape[ind:] + A.shape[:ind], so that
    tensordot(tensorinv(A, ind), A, ind) is the identity. Differentiable.

    Raises:
        RuntimeError: ind not a positive int, or sizes whose products differ. LinAlgError: A is singular.

    Example:
        >>> ddp.linalg.tensorinv(ddp.eye(4).reshape(4, 2, 2), ind=1).shape
        ddp.Size([2, 2, 4])
    """
    if isinstance(ind, bool) or not isinstance(ind, int) or ind <= 0:
        raise RuntimeError(f"linalg.tensorinv: ind must be a positive int, got {ind!r}")
    A = _tensor(A)
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(f"linalg.tensorinv: the sizes before ind ({rows}) and from ind on ({cols}) of A (shape "
                           f"{tuple(A.shape)}) must have equal products, to make a square matrix")
    n = math.prod(rows)
    return _inv(A.reshape(n, n), "linalg.tensorinv").reshape(cols + rows)


def tensorsolve(A, B, dims=None):
    """torch.linalg.tensorsolve: X with tensordot(A, X, X.ndim) = B, X of shape A.shape[B.ndim:]; the dims
    `dims` of A are first moved to its end. A, read as a (B.numel(), X.numel()) matrix, must be square.
    Differentiable.

    Raises:
        RuntimeError: sizes that do not make a square system. LinAlgError: that matrix is singular.

    Example:
        >>> ddp.linalg.tensorsolve(2 * ddp.eye(6).reshape(2, 3, 6), ddp.ones(2, 3))
        tensor([0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000])
    """
    A, B = _tensor(A), _tensor(B)
    if dims is not None:
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        A = movedim(A, dims, tuple(range(A.ndim - len(dims), A.ndim)))
    out_shape = tuple(A.shape[B.ndim:])
    n = math.prod(out_shape)
    if math.prod(A.shape[:B.ndim]) != n or B.numel() != n:
        raise RuntimeError(f"linalg.tensorsolve: A of shape {tuple(A.shape)} (dims moved) and B of shape "
                           f"{tuple(B.shape)} do not make a square system: A's sizes after B's dims multiply to "
                           f"{n}, B has {B.numel()} elements")
    return _solve(A.reshape(n, n), B.reshape(n), True, "linalg.tensorsolve").reshape(out_shape)
