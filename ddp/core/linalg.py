"""ddp.linalg: PyTorch's torch.linalg names for the norms and products ddp has."""
from .linalg_functional import matmul
from .product_functional import _cross
from .reduce_functional import matrix_norm, vector_norm

__all__ = ["norm", "vector_norm", "matrix_norm", "matmul", "cross"]


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
