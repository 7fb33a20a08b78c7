"""Histograms (`ddp.histogram`, `ddp.histogramdd`): how many samples (or how much weight) fall in each bin,
with the bin edges. Computed in numpy (a binary search per dim, then one bincount); no derivative."""
import math

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .return_types import named
from .tensor import Tensor

__all__ = ["histogram", "histogramdd"]

HistogramResult = named("histogram", ["hist", "bin_edges"])
HistogramddResult = named("histogramdd", ["hist", "bin_edges"])


def _even_edges(lo, hi, bins, dtype):
    """bins + 1 evenly spaced edges from lo to hi in `dtype`, the first half counted up from lo and the rest
    down from hi (as PyTorch's linspace does, so that the edges agree to the bit)."""
    lo, hi = dtype.type(lo), dtype.type(hi)
    step = (hi - lo) / dtype.type(bins)
    i = np.arange(bins + 1)
    from_lo = lo + step * i.astype(dtype)
    from_hi = hi - step * (bins - i).astype(dtype)
    return np.where(i < (bins + 1) // 2, from_lo, from_hi)


def _outer_edges(column, bounds, d, op):
    """The first and last edge of dim d: `bounds`, else the data's min and max ([0, 1] without data); equal
    ends are widened by 0.5 each way."""
    if bounds is not None:
        lo, hi = (float(b) for b in bounds)
    elif column.size:
        lo, hi = float(column.min()), float(column.max())
    else:
        lo, hi = 0.0, 1.0
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"{op}: the range [{lo}, {hi}] of dim {d} is not finite (a NaN or inf in the data "
                           f"sets it when no range is given)")
    if lo > hi:
        raise RuntimeError(f"{op}: the range of dim {d} starts above its end: min {lo}, max {hi}")
    return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)


def _bin_count(count, d, op):
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        raise TypeError(f"{op}: bins must be an int or a 1-D Tensor of edges, got {type(count).__name__}")
    if count <= 0:
        raise RuntimeError(f"{op}: bins must be > 0, got {count} for dim {d}")
    return int(count)


def _given_edges(edges, d, dtype, op):
    if edges.ndim != 1:
        raise RuntimeError(f"{op}: the bin edges of dim {d} must be 1-D, got shape {tuple(edges.shape)}")
    if edges.dtype != dtype:
        raise RuntimeError(f"{op}: the bin edges of dim {d} must have the input's dtype {dtype}, got {edges.dtype}")
    _bin_count(edges.numel() - 1, d, op)
    return edges._data.copy()


def _edges(samples, bins, ranges, op):
    """One array of edges per dim of the (N, D) samples, from an int, D ints or D tensors of edges."""
    n_dims = samples.shape[1]
    per_dim = [bins] * n_dims if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool) else bins
    if not isinstance(per_dim, (list, tuple)) or len(per_dim) != n_dims:
        raise RuntimeError(f"{op}: bins must be an int or give one entry per dim of the samples ({n_dims}), "
                           f"got {bins!r}")
    tensors = [isinstance(b, Tensor) for b in per_dim]
    if any(tensors):
        if not all(tensors):
            raise TypeError(f"{op}: bins must be all ints or all Tensors of edges, got {bins!r}")
        if ranges is not None:
            raise TypeError(f"{op}: range is for int bins; Tensors of edges set the range themselves")
        return [_given_edges(b, d, samples.dtype, op) for d, b in enumerate(per_dim)]
    if ranges is not None and len(ranges) != 2 * n_dims:
        raise RuntimeError(f"{op}: range needs 2 numbers per dim of the samples ({2 * n_dims}), got {len(ranges)}")
    edges = []
    for d, count in enumerate(per_dim):
        bounds = None if ranges is None else ranges[2 * d:2 * d + 2]
        lo, hi = _outer_edges(samples[:, d], bounds, d, op)
        edges.append(_even_edges(lo, hi, _bin_count(count, d, op), samples.dtype))
    return edges


def _histogramdd(samples, bins, ranges, weight, density, op):
    """The histogram of the (N, D) array `samples` and its edges (a list of arrays)."""
    if samples.dtype.kind != "f":
        raise NotImplementedError(f"{op}: needs a floating point input, got {samples.dtype}")
    edges = _edges(samples, bins, ranges, op)
    w = None
    if weight is not None:
        weight = _tensor(weight)
        if weight.dtype != samples.dtype:
            raise RuntimeError(f"{op}: weight must have the input's dtype {samples.dtype}, got {weight.dtype}")
        if weight.numel() != samples.shape[0]:
            raise RuntimeError(f"{op}: weight needs one entry per sample ({samples.shape[0]}), got shape "
                               f"{tuple(weight.shape)}")
        w = weight._data.reshape(-1)
    sizes = [len(e) - 1 for e in edges]
    inside = np.ones(samples.shape[0], dtype=bool)
    flat = np.zeros(samples.shape[0], dtype=np.int64)
    for d, e in enumerate(edges):  # a loop over the few dims; each step is vectorised over the samples
        v = samples[:, d]
        inside &= (v >= e[0]) & (v <= e[-1])  # NaN is outside
        position = np.clip(np.searchsorted(e, v, side="right") - 1, 0, sizes[d] - 1)  # the last edge: last bin
        flat = flat * sizes[d] + position
    counts = np.bincount(flat[inside], weights=None if w is None else w[inside], minlength=math.prod(sizes))
    hist = counts.reshape(sizes).astype(samples.dtype)
    if density:
        volume = np.ones((1,) * len(sizes), dtype=samples.dtype)
        for d, e in enumerate(edges):
            volume = volume * np.diff(e).reshape([-1 if i == d else 1 for i in range(len(sizes))])
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = hist / (hist.sum() * volume)
    return hist.astype(samples.dtype, copy=False), edges


def histogram(input, bins=100, *, range=None, weight=None, density=False):  # noqa: A002 - PyTorch's names
    """A histogram of the elements of `input` (flattened).

    Args:
        input: a floating tensor. bins: an int (that many equal bins over `range`) or a 1-D tensor of
            ascending edges in input's dtype (bin i is [edges[i], edges[i + 1]), the last one closed).
        range: (min, max) for int bins; by default the data's min and max, widened by 0.5 each way where
            they are equal. weight: a tensor of input's dtype and size, summed instead of counting.
        density: divide by the total and by each bin's width, so that the histogram integrates to 1.
    Returns:
        the named tuple (hist, bin_edges) in input's dtype; samples outside the edges (and NaN) are dropped.
        Never requires grad.
    Raises:
        NotImplementedError: an integer input. RuntimeError: bins < 1, a bad range, or edges / weight of
        another dtype or size. TypeError: bins not an int or Tensor, or a range with Tensor edges.

    Example:
        >>> ddp.histogram(ddp.tensor([1.0, 2.0, 1.0]), bins=4, range=(0.0, 3.0)).hist
        tensor([0., 2., 1., 0.])
    """
    x = _tensor(input)
    if isinstance(bins, Tensor):
        bins = [bins]
    elif not isinstance(bins, (int, np.integer)) or isinstance(bins, bool):
        raise TypeError(f"histogram: bins must be an int or a 1-D Tensor of edges, got {type(bins).__name__}")
    hist, edges = _histogramdd(x._data.reshape(-1, 1), bins, range, weight, density, "histogram")
    return HistogramResult(Tensor(hist), Tensor(edges[0]))


def histogramdd(input, bins, *, range=None, weight=None, density=False):  # noqa: A002 - PyTorch's names
    """The D-dimensional histogram of the points in the last dim of `input` (shape (..., D)).

    Args:
        input: a floating tensor of at least 2 dims. bins: an int (for every dim), D ints, or D 1-D tensors
            of edges. range: 2 * D numbers (min and max of each dim) for int bins.
        weight: a tensor of input.shape[:-1], summed instead of counting. density: as in `histogram`.
    Returns:
        the named tuple (hist of shape (bins_0, ..., bins_{D-1}), bin_edges: a tuple of D tensors).
    Raises:
        RuntimeError: fewer than 2 dims, and as `histogram`.

    Example:
        >>> ddp.histogramdd(ddp.tensor([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0]]), bins=2).hist
        tensor([[1., 0.],
                [1., 1.]])
    """
    x = _tensor(input)
    if x.ndim < 2:
        raise RuntimeError(f"histogramdd: input must have at least 2 dims (points by coordinates), got shape "
                           f"{tuple(x.shape)}")
    if isinstance(bins, Tensor):
        raise TypeError("histogramdd: bins must be an int, a list of ints or a list of Tensors, got a Tensor")
    samples = x._data.reshape(-1, x.shape[-1])
    hist, edges = _histogramdd(samples, bins, range, weight, density, "histogramdd")
    return HistogramddResult(Tensor(hist), tuple(Tensor(e) for e in edges))
