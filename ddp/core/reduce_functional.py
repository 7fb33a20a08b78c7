"""The public reductions and the softmax family (`ddp.sum`, `x.max(dim)`, `x.softmax(-1)`): argument checks,
then one `Function.apply` from ops/reduce.py."""
import math
import warnings

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .elementwise_functional import isnan, maximum, minimum, where
from .numpy_aliases import dim_alias, keepdim_alias
from .ops import reduce
from .return_types import named
from .tensor import Tensor

MinMaxPair = named("aminmax", ["min", "max"])

__all__ = """
sum mean nansum nanmean max min amax amin aminmax argmax argmin var std var_mean std_mean all any count_nonzero
logsumexp softmax log_softmax norm vector_norm matrix_norm
""".split()


def sum(x, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):  # noqa: A001
    """Sum over `dim` (an int, a tuple, or None for all; numpy's `axis` and `keepdims` name dim and keepdim)."""
    dim = dim if axis is None else dim_alias("sum", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("sum", keepdim, keepdims)
    x = _tensor(x) if dtype is None else _tensor(x).to(dtype)
    return reduce.Sum.apply(x, dim=_dim(dim, x.ndim, "sum"), keepdim=keepdim)


def mean(x, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
    """Mean over `dim` (an int, a tuple, or None for all); floating tensors (or a floating `dtype`) only."""
    dim = dim if axis is None else dim_alias("mean", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("mean", keepdim, keepdims)
    x = _tensor(x) if dtype is None else _tensor(x).to(dtype)
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {x.dtype}")
    return reduce.Mean.apply(x, dim=_dim(dim, x.ndim, "mean"), keepdim=keepdim)


def _all_dims(dim):
    """None for PyTorch's 'every dim' spellings of the nan-reductions (None, () and [])."""
    return None if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0) else dim


def nansum(x, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
    """Sum over `dim` (an int, a tuple, or None / () for all) treating NaN as 0; the gradient is 1 where x is
    not NaN and 0 where it is. Integers and bools sum to int64, as `sum`.

    Example:
        >>> ddp.nansum(ddp.tensor([1.0, float("nan"), 2.0]))
        tensor(3.)
    """
    dim = dim if axis is None else dim_alias("nansum", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("nansum", keepdim, keepdims)
    x = _tensor(x)
    if x.dtype.kind == "f":
        x = where(isnan(x), 0.0, x)
    return sum(x, _all_dims(dim), keepdim, dtype)


def nanmean(x, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
    """Mean of the non-NaN elements over `dim` (None / (): all); NaN where a slice has none. Floating inputs
    only (as PyTorch, even when `dtype` is given). The gradient is 1/count where x is not NaN, 0 where it is.

    Raises:
        RuntimeError: x is not floating point.

    Example:
        >>> ddp.nanmean(ddp.tensor([1.0, float("nan"), 2.0]))
        tensor(1.5000)
    """
    dim = dim if axis is None else dim_alias("nanmean", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("nanmean", keepdim, keepdims)
    x = _tensor(x)
    if x.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got {x.dtype}")
    x = x if dtype is None else x.to(dtype)
    dim = _dim(_all_dims(dim), x.ndim, "nanmean")
    return reduce.NanMean.apply(x, dim=tuple(dim) if isinstance(dim, list) else dim, keepdim=keepdim)


def _check_nonempty(x, dims, name):
    """PyTorch's IndexError for a max/min over a dim of size 0 (an empty batch over another dim is fine)."""
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size (input shape {tuple(x.shape)})")


def _extreme(x, dim, keepdim, largest, name):
    x = _tensor(x)
    if isinstance(dim, Tensor):  # max(a, b)
        return (maximum if largest else minimum)(x, dim)
    if x.numel() == 0 and dim is None:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0")
    if dim is None:
        return reduce.Extreme.apply(x, largest=largest)
    dim = _dim(dim, x.ndim, name)
    _check_nonempty(x, (dim,), name)
    values = reduce.Extreme.apply(x, dim=dim, keepdim=keepdim, largest=largest)
    return named(name)(values, (argmax if largest else argmin)(x, dim, keepdim))


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    """Largest element; with `dim`, a (values, indices) pair; with a tensor, the elementwise maximum."""
    dim = dim if axis is None else dim_alias("max", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("max", keepdim, keepdims)
    return _extreme(x, dim, keepdim, True, "max")


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    """Smallest element; with `dim`, a (values, indices) pair; with a tensor, the elementwise minimum."""
    dim = dim if axis is None else dim_alias("min", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("min", keepdim, keepdims)
    return _extreme(x, dim, keepdim, False, "min")


def _amax_amin(x, dim, keepdim, largest, name):
    x = _tensor(x)
    if x.numel() == 0 and dim in ((), None):
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0")
    dim = None if dim == () else _dim(dim, x.ndim, name)
    if dim is not None:
        _check_nonempty(x, dim if isinstance(dim, (tuple, list)) else (dim,), name)
    return reduce.AmaxAmin.apply(x, dim=tuple(dim) if isinstance(dim, list) else dim, keepdim=keepdim,
                                 largest=largest)


def amax(x, dim=(), keepdim=False, *, axis=None, keepdims=None):
    """Largest elements over `dim` (an int or a tuple; all when empty); ties share the gradient evenly."""
    dim = dim if axis is None else dim_alias("amax", dim, axis, ())
    keepdim = keepdim if keepdims is None else keepdim_alias("amax", keepdim, keepdims)
    return _amax_amin(x, dim, keepdim, True, "amax")


def amin(x, dim=(), keepdim=False, *, axis=None, keepdims=None):
    """Smallest elements over `dim` (an int or a tuple; all when empty); ties share the gradient evenly."""
    dim = dim if axis is None else dim_alias("amin", dim, axis, ())
    keepdim = keepdim if keepdims is None else keepdim_alias("amin", keepdim, keepdims)
    return _amax_amin(x, dim, keepdim, False, "amin")


def aminmax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """(amin, amax) over `dim` (None: all)."""
    dim = dim if axis is None else dim_alias("aminmax", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("aminmax", keepdim, keepdims)
    d = () if dim is None else dim
    return MinMaxPair(amin(x, d, keepdim), amax(x, d, keepdim))


def argmax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the largest element (flattened when dim is None)."""
    dim = dim if axis is None else dim_alias("argmax", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("argmax", keepdim, keepdims)
    x = _tensor(x)
    if dim is None:  # over all elements; keepdim keeps every dim with size 1, as PyTorch
        flat = np.asarray(np.argmax(x._data), dtype=np.int64)
        return Tensor(flat.reshape((1,) * x.ndim) if keepdim else flat)
    dim = _dim(dim, x.ndim, "argmax")
    return Tensor(np.argmax(x._data, axis=dim, keepdims=keepdim).astype(np.int64, copy=False))


def argmin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the smallest element (flattened when dim is None)."""
    dim = dim if axis is None else dim_alias("argmin", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("argmin", keepdim, keepdims)
    x = _tensor(x)
    if dim is None:  # over all elements; keepdim keeps every dim with size 1, as PyTorch
        flat = np.asarray(np.argmin(x._data), dtype=np.int64)
        return Tensor(flat.reshape((1,) * x.ndim) if keepdim else flat)
    dim = _dim(dim, x.ndim, "argmin")
    return Tensor(np.argmin(x._data, axis=dim, keepdims=keepdim).astype(np.int64, copy=False))


def _spread(op, fn, x, dim, unbiased, keepdim, correction):
    x = _tensor(x)
    if isinstance(dim, bool):  # var(unbiased), PyTorch's other overload
        dim, unbiased = None, dim
    if x.dtype.kind == "c":  # the spread of the real and the imaginary parts, together: a real result
        v = _spread("var", reduce.Var, x.real, dim, unbiased, keepdim, correction) + \
            _spread("var", reduce.Var, x.imag, dim, unbiased, keepdim, correction)
        return v.sqrt() if op == "std" else v
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor, got {x.dtype}")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    dim = _dim(dim, x.ndim, op)
    if x.numel() == 0 or reduce._count(x.shape, dim) - correction <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
                      "factor (input numel divided by output numel).", stacklevel=3)
    return fn.apply(x, dim=dim, correction=correction, keepdim=keepdim)


def var(x, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None):
    """Variance over `dim`; `correction=1` (Bessel's, the default) or `unbiased=False` for the biased one.
    Accumulated in float64 and rounded once, as PyTorch's."""
    dim = dim if axis is None else dim_alias("var", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("var", keepdim, keepdims)
    return _spread("var", reduce.Var, x, dim, unbiased, keepdim, correction)


def std(x, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None):
    """Standard deviation: the square root of `var` with the same arguments, taken before rounding."""
    dim = dim if axis is None else dim_alias("std", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("std", keepdim, keepdims)
    return _spread("std", reduce.Std, x, dim, unbiased, keepdim, correction)


def var_mean(x, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None):
    """(var, mean) over `dim` with var's arguments."""
    dim = dim if axis is None else dim_alias("var_mean", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("var_mean", keepdim, keepdims)
    return var(x, dim, unbiased, keepdim, correction), mean(x, None if isinstance(dim, bool) else dim, keepdim)


def std_mean(x, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None):
    """(std, mean) over `dim` with std's arguments."""
    dim = dim if axis is None else dim_alias("std_mean", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("std_mean", keepdim, keepdims)
    return std(x, dim, unbiased, keepdim, correction), mean(x, None if isinstance(dim, bool) else dim, keepdim)


def all(x, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    """Whether every element (over `dim`) is nonzero, as a bool tensor."""
    dim = dim if axis is None else dim_alias("all", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("all", keepdim, keepdims)
    x = _tensor(x)
    return Tensor(np.all(x._data, axis=_dim(dim, x.ndim, "all"), keepdims=keepdim))


def any(x, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    """Whether any element (over `dim`) is nonzero, as a bool tensor."""
    dim = dim if axis is None else dim_alias("any", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("any", keepdim, keepdims)
    x = _tensor(x)
    return Tensor(np.any(x._data, axis=_dim(dim, x.ndim, "any"), keepdims=keepdim))


def count_nonzero(x, dim=None, *, axis=None):
    """The number of nonzero elements (over `dim`), int64."""
    dim = dim if axis is None else dim_alias("count_nonzero", dim, axis)
    x = _tensor(x)
    return Tensor(np.asarray(np.count_nonzero(x._data, axis=_dim(dim, x.ndim, "count_nonzero")), dtype=np.int64))


def logsumexp(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """log(sum(exp(x), dim)), computed stably."""
    dim = dim if axis is None and dim is not None else dim_alias("logsumexp", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("logsumexp", keepdim, keepdims)
    x = _tensor(x)
    return reduce.LogSumExp.apply(x, dim=_dim(dim, x.ndim, "logsumexp"), keepdim=keepdim)


def softmax(x, dim=None, dtype=None, *, axis=None):
    """exp(x) / sum(exp(x), dim), computed stably (in `dtype` when given)."""
    dim = dim if axis is None and dim is not None else dim_alias("softmax", dim, axis)
    x = _tensor(x) if dtype is None else _tensor(x).to(dtype)
    return reduce.Softmax.apply(x, dim=_dim(dim, x.ndim, "softmax"))


def log_softmax(x, dim=None, dtype=None, *, axis=None):
    """x - logsumexp(x, dim), computed stably (in `dtype` when given)."""
    dim = dim if axis is None and dim is not None else dim_alias("log_softmax", dim, axis)
    x = _tensor(x) if dtype is None else _tensor(x).to(dtype)
    return reduce.LogSoftmax.apply(x, dim=_dim(dim, x.ndim, "log_softmax"))



# ------------------------------------------------------------------------------------------- norms
def vector_norm(x, ord=2, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):  # noqa: A002
    """The vector `ord`-norm over `dim` (None: all elements): any real ord, inf and -inf (max/min |x|), 0."""
    dim = dim if axis is None else dim_alias("linalg_vector_norm", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("linalg_vector_norm", keepdim, keepdims)
    x = _tensor(x) if dtype is None else _tensor(x).to(dtype)
    if x.dtype.kind == "c":  # the norm of the moduli (abs is differentiable for complex inputs)
        x = x.abs()
    if x.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {x.dtype}")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    dim = _dim(dim, x.ndim, "linalg.vector_norm")
    if ord < 0 and x.numel() == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor")
    return reduce.VectorNorm.apply(x, ord=float(ord), dim=tuple(dim) if isinstance(dim, list) else dim,
                                   keepdim=keepdim)


_MATRIX_DIMS = (-2, -1)


def matrix_norm(x, ord="fro", dim=_MATRIX_DIMS, keepdim=False, dtype=None, *, axis=None,  # noqa: A002
                keepdims=None):
    """The matrix norm over the two dims `dim`: 'fro', inf / -inf / 1 / -1 (largest / smallest absolute row
    or column sum), 2 / -2 (largest / smallest singular value) or 'nuc' (their sum)."""
    dim = dim if axis is None else dim_alias("linalg_matrix_norm", dim, axis, _MATRIX_DIMS)
    keepdim = keepdim if keepdims is None else keepdim_alias("linalg_matrix_norm", keepdim, keepdims)
    x = _tensor(x) if dtype is None else _tensor(x).to(dtype)
    if x.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, got {tuple(x.shape)}")
    rows, cols = _dim(tuple(dim), x.ndim, "linalg.matrix_norm")
    if ord == "fro":
        return vector_norm(x, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):  # from the singular values: their sum, largest or smallest
        from .linalg import svdvals  # (linalg imports this module)

        values = svdvals(x.movedim((rows, cols), (-2, -1)))
        out = values.sum(-1) if ord == "nuc" else values.amax(-1) if ord == 2 else values.amin(-1)
        return out.reshape(tuple(1 if i in (rows, cols) else s for i, s in enumerate(x.shape))) if keepdim else out
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)  # 1: column sums, inf: row sums
    sums = vector_norm(x, 1, summed, keepdim=True)
    out = amax(sums, other, keepdim=True) if ord > 0 else amin(sums, other, keepdim=True)
    return out if keepdim else out.reshape(tuple(s for i, s in enumerate(x.shape) if i not in (rows, cols)))


def norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm: the 2-norm for p='fro' (over `dim`, or all elements), the vector p-norm for a number p."""
    x = _tensor(x)
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        return matrix_norm(x, "nuc", _MATRIX_DIMS if dim is None else dim, keepdim, dtype)
    if isinstance(p, str):
        raise RuntimeError(f"norm: p must be 'fro', 'nuc' or a number, got {p!r}")
    if x.dtype.kind not in "fc" and dtype is None:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {x.dtype}")
    return vector_norm(x, p, dim, keepdim, dtype)
