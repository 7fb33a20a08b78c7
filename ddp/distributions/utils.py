"""Helpers shared by the distributions: broadcasting parameters, probs <-> logits, summing event dimensions."""
from numbers import Number

import numpy as np

import ddp
import ddp.nn.functional as F
from ddp.core.random import get_generator


def broadcast_all(*values):
    """Tensors of one broadcast shape from Tensors and Python numbers.

    Numbers take the first Tensor's dtype (the default dtype when all are numbers), so
    `Normal(float64_loc, 1.0)` stays float64. Broadcasting is by `expand`, which autograd sees through.

    Raises:
        ValueError: an argument is neither a number nor a Tensor.
        RuntimeError: the shapes cannot be broadcast together.
    """
    if not all(isinstance(v, (Number, ddp.Tensor)) for v in values):
        raise ValueError("distribution parameters must be numbers or ddp Tensors, got "
                         + ", ".join(type(v).__name__ for v in values))
    tensors = [v for v in values if isinstance(v, ddp.Tensor)]
    dtype = tensors[0].dtype if tensors else ddp.get_default_dtype()
    values = [v if isinstance(v, ddp.Tensor) else ddp.tensor(v, dtype=dtype) for v in values]
    try:
        shape = np.broadcast_shapes(*(tuple(v.shape) for v in values))
    except ValueError:
        shapes = ", ".join(str(tuple(v.shape)) for v in values)
        raise RuntimeError(f"shape mismatch: parameters of shapes {shapes} cannot be broadcast together") from None
    return tuple(v if tuple(v.shape) == shape else v.expand(shape) for v in values)


def clamp_probs(probs):
    """probs kept inside [eps, 1 - eps] (eps of their dtype), so that their logs stay finite."""
    eps = ddp.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Log-probabilities of categorical probs, or the log-odds of Bernoulli probs when `is_binary`."""
    p = clamp_probs(probs)
    return ddp.log(p) - ddp.log1p(-p) if is_binary else ddp.log(p)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: a sigmoid when `is_binary`, else a softmax over the last dimension."""
    return ddp.sigmoid(logits) if is_binary else F.softmax(logits, dim=-1)


def sum_rightmost(value, dim):
    """`value` summed over its `dim` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1)


def draw(method, shape, dtype, **kwargs):
    """numpy Generator.`method`(size=shape, **kwargs) from ddp's default generator, as a Tensor of `dtype`:
    for the draws whose PyTorch kernel ddp does not reproduce (`manual_seed` still repeats them, over the
    same stream, but they are not PyTorch's numbers).
    """
    values = getattr(get_generator(), method)(size=tuple(shape), **kwargs)
    return ddp.from_numpy(np.asarray(values).astype(dtype, copy=False))


def _tril_flat_index(n, diag):
    """Flat positions (row-major) of the lower triangle of an n x n matrix, from diagonal `diag` down."""
    rows, cols = np.tril_indices(n, diag)
    return rows * n + cols


def tril_matrix_to_vec(mat, diag=0):
    """The lower triangle (from diagonal `diag` down) of the last two dims of `mat`, in row order.

    Raises:
        ValueError: `diag` outside [-n, n - 1].
    """
    n = mat.shape[-1]
    if not -n <= diag < n:
        raise ValueError(f"tril_matrix_to_vec: diag {diag} is outside [{-n}, {n - 1}] for {n} x {n} matrices")
    flat = mat.reshape(tuple(mat.shape[:-2]) + (n * n,))
    return flat[..., ddp.tensor(_tril_flat_index(n, diag))]


def vec_to_tril_matrix(vec, diag=0):
    """The n x n lower-triangular matrices (from diagonal `diag` down, zeros elsewhere) whose triangle, in row
    order, is the last dim of `vec`; differentiable (a gather from vec with one zero appended).

    Raises:
        ValueError: the last dim is no triangle's size.
    """
    m = vec.shape[-1]
    b = 1 + 2 * diag  # n solves n^2 + b n - |diag| (diag + 1) - 2 m = 0
    n = round((-b + (b * b + 8 * m + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2)
    flat = _tril_flat_index(n, diag) if n > 0 else np.zeros(0, dtype=np.int64)
    if flat.size != m:
        raise ValueError(f"vec_to_tril_matrix: a last dim of {m} is not the size of a lower triangle "
                         f"(diag={diag}) of a square matrix")
    index = np.full(n * n, m)  # m: the appended zero
    index[flat] = np.arange(m)
    padded = F.pad(vec, (0, 1))
    return padded[..., ddp.tensor(index)].reshape(tuple(vec.shape[:-1]) + (n, n))
