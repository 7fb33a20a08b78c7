"""Matrix-vector products and matrix powers composed from other ops (`ddp.addmv`, `ddp.addr`,
`ddp.chain_matmul`, `ddp.vander`, `ddp.matrix_power`, `ddp.pinverse`), with the norms of norms_functional
(`ddp.dist`, `ddp.renorm`, `ddp.nuclear_norm`, `ddp.frobenius_norm`) re-exported here: argument checks, then
matmul, running products and ddp.linalg, so each is differentiable through the ops it is made of (where
those are)."""
import warnings

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .index_functional import flip
from .linalg import matrix_power as _linalg_matrix_power
from .linalg import multi_dot, pinv
from .linalg_functional import _scaled_sum, mv, outer
from .norms_functional import dist, frobenius_norm, nuclear_norm, renorm
from .scan_functional import cumprod
from .shape_functional import cat, clone, expand, reshape
from .tensor import Tensor

__all__ = ["addmv", "addr", "chain_matmul", "vander", "matrix_power", "pinverse", "dist", "renorm", "nuclear_norm",
           "frobenius_norm"]


def _fits(x, shape, op):
    """Raise unless x broadcasts to `shape` (the product's shape) without growing it."""
    try:
        fits = np.broadcast_shapes(tuple(x.shape), shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"{op}: input of shape {tuple(x.shape)} does not broadcast to the product's shape {shape}")


# ------------------------------------------------------------------------------------ addmv, addr
def addmv(input, mat, vec, *, beta=1, alpha=1):  # noqa: A002 - PyTorch's name
    """beta * input + alpha * (mat @ vec), input broadcast to (mat.shape[0],); beta=0 ignores input (even
    its NaNs). Differentiable.

    Raises:
        RuntimeError: mat not 2-D or vec not 1-D, sizes that do not fit, or different dtypes.

    Example:
        >>> ddp.addmv(ddp.ones(2), ddp.ones(2, 3), ddp.ones(3), alpha=2)
        tensor([7., 7.])
    """
    x, mat, vec = _tensor(input), _tensor(mat), _tensor(vec)
    if mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"addmv: expected a 2-D mat and a 1-D vec, got shapes {tuple(mat.shape)} and "
                           f"{tuple(vec.shape)}")
    if mat.shape[1] != vec.shape[0]:
        raise RuntimeError(f"addmv: mat {tuple(mat.shape)} and vec {tuple(vec.shape)} cannot be multiplied")
    if not x.dtype == mat.dtype == vec.dtype:
        raise RuntimeError(f"addmv: input, mat and vec need one dtype, got {x.dtype}, {mat.dtype} and {vec.dtype}")
    _fits(x, (mat.shape[0],), "addmv")
    return _scaled_sum(x, mv(mat, vec), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):  # noqa: A002 - PyTorch's name
    """beta * input + alpha * outer(vec1, vec2), input broadcast to (vec1.numel(), vec2.numel()); beta=0
    ignores input. Differentiable.

    Raises:
        RuntimeError: vec1 or vec2 not 1-D, or an input that does not broadcast to the product.

    Example:
        >>> ddp.addr(ddp.zeros(2, 2), ddp.tensor([1.0, 2.0]), ddp.tensor([1.0, 3.0]))
        tensor([[1., 3.],
                [2., 6.]])
    """
    x, vec1, vec2 = _tensor(input), _tensor(vec1), _tensor(vec2)
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"addr: expected two 1-D vectors, got shapes {tuple(vec1.shape)} and {tuple(vec2.shape)}")
    _fits(x, (vec1.shape[0], vec2.shape[0]), "addr")
    return _scaled_sum(x, outer(vec1, vec2), beta, alpha)


# ------------------------------------------------------------------------------------- chain_matmul
def chain_matmul(*matrices):
    """The product of 2-D matrices, left to right (deprecated in PyTorch, so it warns: use
    ddp.linalg.multi_dot). One matrix is returned as a copy. Differentiable.

    Raises:
        TypeError: an argument that is not a Tensor. RuntimeError: no matrices, one that is not 2-D, or sizes
        that do not chain.

    Example:
        >>> ddp.chain_matmul(ddp.ones(2, 3), ddp.ones(3, 4), ddp.ones(4, 1)).shape
        ddp.Size([2, 1])
    """
    warnings.warn("chain_matmul is deprecated (as in PyTorch); use ddp.linalg.multi_dot, which takes the "
                  "matrices as one list", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul: expected one or more matrices, got none")
    for i, m in enumerate(matrices):
        if not isinstance(m, Tensor):
            raise TypeError(f"chain_matmul: argument {i} must be a Tensor, got {type(m).__name__}")
        if m.ndim != 2:
            raise RuntimeError(f"chain_matmul: argument {i} must be a 2-D matrix, got shape {tuple(m.shape)}")
    if len(matrices) == 1:
        return clone(matrices[0])
    return multi_dot(matrices)


# -------------------------------------------------------------------------------------- vander, powers
def vander(x, N=None, increasing=False):  # noqa: N803 - PyTorch's name
    """The Vandermonde matrix of a 1-D x: column j is x ** (N - 1 - j), or x ** j if `increasing`; N
    defaults to len(x). Integers (and bools) give int64. Differentiable (running products).

    Raises:
        RuntimeError: x not 1-D, or N < 0. TypeError: N not an int.

    Example:
        >>> ddp.vander(ddp.tensor([1, 2, 3]), N=3)
        tensor([[1, 1, 1],
                [4, 2, 1],
                [9, 3, 1]])
    """
    x = _tensor(x)
    if x.ndim != 1:
        raise RuntimeError(f"vander: x must be 1-D, got shape {tuple(x.shape)}")
    n = x.shape[0]
    N = n if N is None else N  # noqa: N806
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)):
        raise TypeError(f"vander: N must be an int, got {type(N).__name__}")
    if N < 0:
        raise RuntimeError(f"vander: N must be >= 0, got {N}")
    if x.dtype.kind != "f":
        x = x.to(np.int64)
    ones = Tensor(np.ones((n, min(N, 1)), dtype=x.dtype))
    if N <= 1:
        return ones
    powers = cat([ones, cumprod(expand(reshape(x, (n, 1)), (n, N - 1)), 1)], 1)
    return powers if increasing else flip(powers, 1)


def matrix_power(input, n):  # noqa: A002 - PyTorch's name
    """A^n for each square matrix of the last two dims: `ddp.linalg.matrix_power` for floating A
    (differentiable, n < 0 inverts); integer A takes n >= 0 and is exact (numpy's repeated squaring).

    Raises:
        TypeError: n is not an int. RuntimeError: A not a batch of square matrices, or n < 0 with integers.

    Example:
        >>> ddp.matrix_power(ddp.tensor([[1, 1], [0, 1]]), 3)
        tensor([[1, 3],
                [0, 1]])
    """
    A = _tensor(input)  # noqa: N806
    if A.dtype.kind == "f":
        return _linalg_matrix_power(A, n)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power: n must be an int, got {type(n).__name__}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"matrix_power: A must be a (batch of) square matrices, got shape {tuple(A.shape)}")
    if n < 0:
        raise RuntimeError(f"matrix_power: a negative power inverts, which needs a floating A, got {A.dtype}")
    return Tensor(np.linalg.matrix_power(A._data, int(n)))


def pinverse(input, rcond=1e-15):  # noqa: A002 - PyTorch's name
    """The pseudo-inverse of each matrix of the last two dims, dropping singular values below rcond times
    the largest: `ddp.linalg.pinv(input, rtol=rcond)`, differentiable as it is.

    Example:
        >>> ddp.pinverse(ddp.tensor([[2.0, 0.0], [0.0, 0.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
    """
    return pinv(input, rtol=rcond)
