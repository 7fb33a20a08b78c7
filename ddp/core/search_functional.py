"""Binary search and binning as ops (`ddp.searchsorted`, `ddp.bucketize`, `ddp.histc`): where values would
go in sorted boundaries, and how many fall in each of equal bins. No derivative."""
import numpy as np

from .arguments import as_tensor_arg as _tensor
from .tensor import Tensor

__all__ = ["searchsorted", "bucketize", "histc"]


def _side(side, right):
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise RuntimeError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    if right and side == "left":
        raise RuntimeError("searchsorted: side='left' and right=True ask for opposites; give one of them")
    return side


def _plain(values, dtype):
    """Python numbers (or lists) in the sequence's float dtype, so that 0.1 finds float64 0.1 exactly."""
    a = np.asarray(values)
    return a.astype(dtype) if a.dtype.kind == "f" and dtype.kind == "f" else a


def _search_rows(seq, values, side):
    """Row by row along the last dim (leading dims equal): merge each row's boundaries and values in one
    stable sort, where a value sorts before equal boundaries ('left') or after them ('right'); its answer is
    the number of boundaries that precede it."""
    k = seq.shape[-1]
    keys = np.concatenate([seq, values], axis=-1)
    is_value = np.zeros(keys.shape, dtype=bool)
    is_value[..., k:] = True
    order = np.lexsort((is_value if side == "right" else ~is_value, keys), axis=-1)
    before = np.cumsum(order < k, axis=-1)  # boundaries at or before each sorted position
    out = np.empty(keys.shape, dtype=np.int64)
    np.put_along_axis(out, order, before, axis=-1)
    return out[..., k:]


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None):
    """For each value, the index in `sorted_sequence` (along its last dim) where inserting it keeps the order.

    Args:
        sorted_sequence: ascending along the last dim; 1-D (shared by all values) or N-D, whose leading dims
            must equal those of `values` (row i of values searches row i of the sequence).
        values: a tensor, or a number when the sequence is 1-D.
        out_int32: int32 results instead of int64.
        right, side: 'left' (the default) gives the first index i with values <= seq[i]; 'right' (or
            right=True) the first with values < seq[i]. NaN sorts after every number.
        sorter: int64 indices that sort an unsorted `sorted_sequence` along its last dim (as argsort gives).
    Returns:
        An integer tensor of the shape of `values`; it never requires grad.
    Raises:
        RuntimeError: a 0-d sequence, mismatched leading dims, a number with an N-D sequence, a bad `side`
        or `sorter`.

    Example:
        >>> ddp.searchsorted(ddp.tensor([1.0, 3.0, 5.0]), ddp.tensor([3.0, 6.0]), right=True)
        tensor([2, 3])
    """
    seq, scalar = _tensor(sorted_sequence), not isinstance(values, Tensor) and np.ndim(values) == 0
    vals = values if isinstance(values, Tensor) else Tensor(_plain(values, seq.dtype))
    side = _side(side, right)
    if seq.ndim == 0:
        raise RuntimeError("searchsorted: the sorted sequence must have at least one dimension, got a 0-d tensor")
    if scalar and seq.ndim != 1:
        raise RuntimeError(f"searchsorted: a number as the value needs a 1-D sorted sequence, got one of "
                           f"{seq.ndim} dims")
    if seq.ndim > 1 and (vals.ndim != seq.ndim or vals.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(f"searchsorted: the sorted sequence must be 1-D, or its leading dims must match the "
                           f"values' (row i of the values searches row i of the sequence); got sequence "
                           f"{list(seq.shape)} and values {list(vals.shape)}")
    s = seq._data
    if sorter is not None:
        order = _tensor(sorter)._data
        if order.dtype != np.int64:
            raise RuntimeError(f"searchsorted: sorter must hold int64 (long dtype) indices, got {order.dtype}")
        if order.shape != s.shape:
            raise RuntimeError(f"searchsorted: sorter must have the sequence's shape (the same size), got sequence "
                               f"{list(s.shape)} and sorter {list(order.shape)}")
        if order.size and (order.min() < 0 or order.max() >= s.shape[-1]):
            raise RuntimeError("searchsorted: a sorter index is out of range for the sequence")
        s = np.take_along_axis(s, order, axis=-1)
    if s.ndim == 1:
        out = np.searchsorted(s, vals._data, side=side)
    else:
        out = _search_rows(s, vals._data, side)
    return Tensor(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):  # noqa: A002 - PyTorch's name
    """The bucket index of each element of `input` among 1-D ascending `boundaries`: with right=False the
    i with boundaries[i-1] < x <= boundaries[i], with right=True the i with boundaries[i-1] <= x < boundaries[i].

    Returns an int64 tensor (int32 with out_int32) of input's shape, without gradient. Raises RuntimeError
    unless `boundaries` is 1-D.

    Example:
        >>> ddp.bucketize(ddp.tensor([0.5, 3.0, 9.0]), ddp.tensor([1.0, 3.0, 5.0]))
        tensor([0, 1, 3])
    """
    b = _tensor(boundaries)
    if b.ndim != 1:
        raise RuntimeError(f"bucketize: the boundaries must be a 1 dimension (1-D) tensor, got {b.ndim} dims")
    return searchsorted(b, input, out_int32=out_int32, right=right)


def _histc_range(a, lo, hi):
    """PyTorch's rule for the histogram range: min == max means the data's own range, widened by 1 on each
    side when that is a single value too."""
    if lo > hi:
        raise RuntimeError(f"histc: max ({hi}) must not be below min ({lo})")
    if lo == hi and a.size:
        lo, hi = a.min().item(), a.max().item()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"histc: the range [{lo}, {hi}] must be finite (a NaN or inf in the data sets it "
                           f"when min == max)")
    return lo, hi


def histc(x, bins=100, min=0, max=0):  # noqa: A002 - PyTorch's names
    """A histogram of the elements of x in `bins` equal-width bins spanning [min, max].

    Elements outside the range (and NaN) are not counted; max itself falls in the last bin. With min == max
    (the default 0, 0) the range is the data's smallest to largest element, and [v - 1, v + 1] when all
    elements equal v.

    Args:
        x: a floating tensor (flattened). bins: a positive int. min, max: numbers, the range.
    Returns:
        a 1-D tensor of `bins` counts in x's dtype; it never requires grad.
    Raises:
        NotImplementedError: x is not floating point. RuntimeError: bins < 1, max < min, a non-finite range.

    Example:
        >>> ddp.histc(ddp.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    x = _tensor(x)
    if x.dtype.kind != "f":
        raise NotImplementedError(f"histc: needs a floating point input, got {x.dtype}")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise RuntimeError(f"histc: bins must be a positive int, got {bins!r}")
    a = x._data.reshape(-1)
    lo, hi = _histc_range(a, float(min), float(max))
    lo, hi = a.dtype.type(lo), a.dtype.type(hi)
    edges = np.linspace(lo, hi, bins + 1, dtype=a.dtype)
    inside = a[(a >= lo) & (a <= hi)]
    with np.errstate(over="ignore"):
        pos = np.clip(((inside - lo) * a.dtype.type(bins) / (hi - lo)).astype(np.int64), 0, bins - 1)
    pos -= inside < edges[pos]  # the scaled position can land one bin off the linspace edges: trust the edges
    pos += (inside >= edges[pos + 1]) & (pos < bins - 1)
    return Tensor(np.bincount(pos, minlength=bins).astype(a.dtype))
