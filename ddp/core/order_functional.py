"""The public order statistics (`ddp.median`, `x.kthvalue(2)`, `ddp.quantile`): which element (or which two
to interpolate) is found with a numpy stable argsort; the values are picked with `gather` (or, over all
elements, `SelectAll` of ops/order.py), so the gradient goes to the selected elements."""
import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .elementwise_functional import add, mul, sub
from .numpy_aliases import dim_alias, keepdim_alias
from .ops import order
from .reduce_functional import _check_nonempty
from .return_types import named
from .scan_functional import sort
from .shape_functional import gather, movedim, reshape, squeeze, unsqueeze
from .tensor import Tensor

__all__ = ["median", "nanmedian", "kthvalue", "quantile", "nanquantile"]

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_orderable(x, name):
    if x.dtype == np.bool_:
        raise NotImplementedError(f"{name}: bool tensors have no order statistics in ddp; convert to an integer "
                                  f"or floating dtype first")


def _positions(a, axis, rule):
    """Where, in the stable ascending order of `a` along `axis` (NaN last), each statistic sits: an int64
    array of a's shape with `axis` of size 1. rule: 'median' (the lower median, NaN if the slice has one),
    'nanmedian' (the lower median of the non-NaN elements), or an int k - 1."""
    n = a.shape[axis]
    if isinstance(rule, int):
        return np.full(a.shape[:axis] + (1,) + a.shape[axis + 1:], rule, dtype=np.int64)
    nans = np.isnan(a).sum(axis=axis, keepdims=True) if a.dtype.kind == "f" else np.zeros((), dtype=np.int64)
    count = n - nans
    if rule == "median":  # a slice with a NaN gives its first NaN, which sorts right after the numbers
        pos = np.where(nans > 0, count, (n - 1) // 2)
    else:
        pos = np.maximum((count - 1) // 2, 0)  # an all-NaN slice gives its first NaN
    return np.broadcast_to(pos, a.shape[:axis] + (1,) + a.shape[axis + 1:]).astype(np.int64)


def _select(x, dim, keepdim, rule, name):
    """(values, indices) of the statistic `rule` along `dim`."""
    if x.ndim == 0:
        values, indices = _select(reshape(x, (1,)), 0, True, rule, name)
        return named(name)(reshape(values, ()), Tensor(indices._data.reshape(())))
    d = _dim(dim, x.ndim, name)
    _check_nonempty(x, (d,), name)
    a = x._data
    order_ = np.argsort(a, axis=d, kind="stable")
    indices = np.take_along_axis(order_, _positions(a, d, rule), axis=d).astype(np.int64, copy=False)
    values = gather(x, d, Tensor(indices))
    if not keepdim:
        return named(name)(squeeze(values, d), Tensor(np.squeeze(indices, d)))
    return named(name)(values, Tensor(indices))


def _select_all(x, rule, name):
    """The statistic `rule` over all elements (0-d), its gradient shared among the elements equal to it."""
    if x.numel() == 0:
        if x.dtype.kind != "f":
            raise RuntimeError(f"{name}: an empty {x.dtype} tensor has no median (and no NaN to return)")
        return Tensor(np.full((), np.nan, dtype=x.dtype))
    flat = x._data.reshape(-1)
    order_ = np.argsort(flat, kind="stable")
    position = int(_positions(flat, 0, rule)[0])
    return order.SelectAll.apply(x, flat_index=int(order_[position]))


def median(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The lower median: over all elements (a 0-d tensor), or along `dim` as a (values, indices) pair.

    Of an even number of elements it is the lower of the two middle ones (as PyTorch); a NaN anywhere in
    the reduced elements makes the result NaN (see `nanmedian`). Along `dim` the gradient goes to the
    selected index; over all elements it is shared evenly among the elements equal to the median.

    Args:
        x: an integer or floating tensor. dim: None (all elements) or the dim to reduce.
        keepdim: keep `dim` with size 1.
    Returns:
        a 0-d tensor when dim is None, else a named tuple (values, indices) with int64 indices. Among tied
        elements the index is the first in a stable sort (PyTorch's choice among ties is unspecified).
    Raises:
        IndexError: dim out of range, or a reduced dim of size 0. NotImplementedError: a bool tensor.

    Example:
        >>> ddp.median(ddp.tensor([3.0, 1.0, 4.0, 2.0]))
        tensor(2.)
    """
    dim = dim if axis is None else dim_alias("median", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("median", keepdim, keepdims)
    x = _tensor(x)
    _check_orderable(x, "median")
    return _select_all(x, "median", "median") if dim is None else _select(x, dim, keepdim, "median", "median")


def nanmedian(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """As `median`, ignoring NaN: the lower median of the non-NaN elements (NaN where all are NaN).

    Example:
        >>> ddp.nanmedian(ddp.tensor([1.0, float("nan"), 3.0, 2.0]))
        tensor(2.)
    """
    dim = dim if axis is None else dim_alias("nanmedian", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("nanmedian", keepdim, keepdims)
    x = _tensor(x)
    _check_orderable(x, "nanmedian")
    if dim is None:
        return _select_all(x, "nanmedian", "nanmedian")
    return _select(x, dim, keepdim, "nanmedian", "nanmedian")


def kthvalue(x, k, dim=-1, keepdim=False, *, axis=None, keepdims=None):
    """The k-th smallest element along `dim` (k counts from 1; NaN sorts above every number), as a named
    tuple (values, indices); the gradient goes to the selected index.

    Raises:
        RuntimeError: k outside [1, size of dim]. IndexError: dim out of range, or a dim of size 0.
        NotImplementedError: a bool tensor. TypeError: k is not an int.

    Example:
        >>> ddp.kthvalue(ddp.tensor([3.0, 1.0, 2.0]), 2)
        ddp.return_types.kthvalue(
        values=tensor(2.),
        indices=tensor(2))
    """
    dim = dim if axis is None else dim_alias("kthvalue", dim, axis, -1)
    keepdim = keepdim if keepdims is None else keepdim_alias("kthvalue", keepdim, keepdims)
    x = _tensor(x)
    _check_orderable(x, "kthvalue")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"kthvalue: k must be an int, got {type(k).__name__}")
    d = _dim(dim, x.ndim, "kthvalue")
    size = x.shape[d] if x.ndim else 1
    if size and not 1 <= k <= size:
        raise RuntimeError(f"kthvalue: k = {k} is out of range for dim {d} of size {size} (input shape "
                           f"{tuple(x.shape)}); expected 1 <= k <= {size}")
    return _select(x, d, keepdim, int(k) - 1, "kthvalue")


# -------------------------------------------------------------------------------------------- quantile
def _quantile_levels(q, x, name):
    """q as a 1-D float array of x's dtype, and whether it was a scalar (then the result has no q dim)."""
    if isinstance(q, Tensor):
        if q.dtype != x.dtype:
            raise RuntimeError(f"{name}: q must have the input's dtype {x.dtype}, got {q.dtype}")
        if q.ndim > 1:
            raise RuntimeError(f"{name}: q must be a number or a 0-d / 1-D tensor, got shape {tuple(q.shape)}")
        levels, scalar = q._data.reshape(-1), q.ndim == 0
    elif isinstance(q, (float, int, np.floating, np.integer)) and not isinstance(q, bool):
        levels, scalar = np.asarray([q], dtype=x.dtype), True
    else:
        raise TypeError(f"{name}: q must be a float or a Tensor, got {type(q).__name__}")
    if not np.all((levels >= 0) & (levels <= 1)):
        raise RuntimeError(f"{name}: q must lie in [0, 1], got {levels.tolist() if levels.size > 1 else levels[0]}")
    return levels, scalar


def _quantile(x, q, dim, keepdim, interpolation, ignore_nan, name):
    x = _tensor(x)
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}: expected a float32 or float64 input, got {x.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}: interpolation must be one of {', '.join(_INTERPOLATIONS)}; got {interpolation!r}")
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, (int, np.integer))):
        raise TypeError(f"{name}: dim must be an int or None, got {type(dim).__name__}")
    levels, scalar = _quantile_levels(q, x, name)
    if x.numel() == 0:
        raise RuntimeError(f"{name}: the input must be non-empty, got shape {tuple(x.shape)}")
    d = None if dim is None else _dim(dim, x.ndim, name)
    src = reshape(x, (-1,)) if d is None or x.ndim == 0 else x
    # sorted along the last dim, NaN last: (..., n)
    ordered = movedim(sort(src, 0 if d is None else d).values, 0 if d is None else d, -1)
    a = ordered._data
    n = a.shape[-1]
    nan = np.isnan(a)
    if ignore_nan:  # rank among the non-NaN elements; an all-NaN slice picks position 0, a NaN
        last = (n - 1 - nan.sum(axis=-1, keepdims=True)).astype(a.dtype)
        ranks = np.maximum(levels * last, 0)
    else:  # a slice with a NaN picks its last element, a NaN
        ranks = np.where(nan[..., -1:], a.dtype.type(n - 1), levels * a.dtype.type(n - 1))
    ranks = np.broadcast_to(ranks, a.shape[:-1] + levels.shape)  # (..., m)
    below, above = np.floor(ranks).astype(np.int64), np.ceil(ranks).astype(np.int64)
    if interpolation in ("lower", "higher", "nearest"):
        picked = {"lower": below, "higher": above, "nearest": np.round(ranks).astype(np.int64)}[interpolation]
        out = gather(ordered, -1, Tensor(picked))
    else:
        weight = np.full_like(ranks, 0.5) if interpolation == "midpoint" else (ranks - below).astype(a.dtype)
        low, high = gather(ordered, -1, Tensor(below)), gather(ordered, -1, Tensor(above))
        out = add(low, mul(Tensor(weight), sub(high, low)))
    out = movedim(out, -1, 0)  # (m, ...)
    if keepdim and x.ndim:
        out = reshape(out, (out.shape[0],) + (1,) * x.ndim) if d is None else unsqueeze(out, d + 1)
    return reshape(out, out.shape[1:]) if scalar else out


def quantile(x, q, dim=None, keepdim=False, interpolation="linear", *, axis=None, keepdims=None):
    """The q-th quantiles of x over all elements (dim None) or along `dim`.

    Each quantile sits at rank q * (n - 1) among the n sorted elements; between two elements `interpolation`
    decides: 'linear' (weighted by the fraction), 'lower', 'higher', 'nearest' (ties to the even rank), or
    'midpoint'. A slice holding a NaN gives NaN (see `nanquantile`). The gradient flows to the (one or two)
    elements used, weighted by the interpolation weights.

    Args:
        x: a float32 or float64 tensor, non-empty. q: a float in [0, 1], or a 0-d / 1-D tensor of x's dtype.
        dim: an int, or None for all elements. keepdim: keep the reduced dims with size 1.
    Returns:
        the reduced shape, with q's length as a new first dim when q is a 1-D tensor.
    Raises:
        RuntimeError: an integer x, an empty x, q out of [0, 1], a q tensor of another dtype or of 2+ dims, an
        unknown interpolation. TypeError: q or dim of the wrong type. IndexError: dim out of range.

    Example:
        >>> ddp.quantile(ddp.tensor([0.0, 1.0, 2.0, 3.0]), 0.5)
        tensor(1.5000)
    """
    dim = dim if axis is None else dim_alias("quantile", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("quantile", keepdim, keepdims)
    return _quantile(x, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(x, q, dim=None, keepdim=False, interpolation="linear", *, axis=None, keepdims=None):
    """As `quantile`, ignoring NaN: ranks count only the non-NaN elements (NaN where all are NaN).

    Example:
        >>> ddp.nanquantile(ddp.tensor([0.0, float("nan"), 2.0]), 0.5)
        tensor(1.)
    """
    dim = dim if axis is None else dim_alias("nanquantile", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("nanquantile", keepdim, keepdims)
    return _quantile(x, q, dim, keepdim, interpolation, True, "nanquantile")
