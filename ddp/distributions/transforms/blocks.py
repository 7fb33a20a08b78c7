"""Transforms applied block by block: `CatTransform` (blocks along a dim, as `ddp.cat`) and
`StackTransform` (one slice each, as `ddp.stack`)."""
import ddp

from .. import constraints
from ..utils import sum_rightmost
from .base import Transform


def _check(name, x, dim, size, what):
    if not -x.dim() <= dim < x.dim():
        raise ValueError(f"{name}: dim {dim} is out of range for an input of shape {tuple(x.shape)}")
    if x.shape[dim] != size:
        raise ValueError(f"{name}: the input's size along dim {dim} must be {what} = {size}, got shape "
                         f"{tuple(x.shape)}")


class CatTransform(Transform):
    """tseq[i] on the i-th block of lengths[i] entries along `dim`; the results concatenated.

    Example:
        >>> t = CatTransform([ExpTransform(), identity_transform], dim=0, lengths=[2, 3])   # exp of x[:2]
    """

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        tseq = [t.with_cache(cache_size) for t in tseq] if cache_size else list(tseq)
        if not all(isinstance(t, Transform) for t in tseq):
            raise TypeError(f"CatTransform: expected Transforms, got {tseq!r}")
        super().__init__(cache_size=cache_size)
        self.transforms = tseq
        self.lengths = [1] * len(tseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(tseq):
            raise ValueError(f"CatTransform: {len(tseq)} transforms but {len(self.lengths)} lengths")
        self.dim = dim

    @property
    def event_dim(self):
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self):
        return sum(self.lengths)

    bijective = property(lambda self: all(t.bijective for t in self.transforms))
    domain = property(lambda self: constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths))
    codomain = property(lambda self: constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths))

    def with_cache(self, cache_size=1):
        return self if self._cache_size == cache_size else CatTransform(self.transforms, self.dim, self.lengths,
                                                                        cache_size)

    def _blocks(self, z):
        _check("CatTransform", z, self.dim, self.length, "sum(lengths)")
        out, start = [], 0
        for length in self.lengths:
            out.append(z.narrow(self.dim, start, length))
            start += length
        return out

    def _call(self, x):
        return ddp.cat([t(b) for t, b in zip(self.transforms, self._blocks(x))], self.dim)

    def _inverse(self, y):
        return ddp.cat([t.inv(b) for t, b in zip(self.transforms, self._blocks(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        """Each block's log-det, summed up to this transform's event dim; concatenated along `dim` when `dim`
        is a batch dim, added up when it lies inside the event."""
        parts = [sum_rightmost(t.log_abs_det_jacobian(a, b), self.event_dim - t.event_dim)
                 for t, a, b in zip(self.transforms, self._blocks(x), self._blocks(y))]
        dim = (self.dim - x.dim() if self.dim >= 0 else self.dim) + self.event_dim
        return ddp.cat(parts, dim) if dim < 0 else sum(parts)

    def __eq__(self, other):
        return (isinstance(other, CatTransform) and self.transforms == other.transforms
                and self.dim == other.dim and self.lengths == other.lengths)


class StackTransform(Transform):
    """tseq[i] on the i-th slice along `dim`; the results stacked.

    Example:
        >>> t = StackTransform([ExpTransform(), identity_transform], dim=1)   # exp of x[:, 0]
    """

    def __init__(self, tseq, dim=0, cache_size=0):
        tseq = [t.with_cache(cache_size) for t in tseq] if cache_size else list(tseq)
        if not all(isinstance(t, Transform) for t in tseq):
            raise TypeError(f"StackTransform: expected Transforms, got {tseq!r}")
        super().__init__(cache_size=cache_size)
        self.transforms, self.dim = tseq, dim

    bijective = property(lambda self: all(t.bijective for t in self.transforms))
    domain = property(lambda self: constraints.stack([t.domain for t in self.transforms], self.dim))
    codomain = property(lambda self: constraints.stack([t.codomain for t in self.transforms], self.dim))

    def with_cache(self, cache_size=1):
        return self if self._cache_size == cache_size else StackTransform(self.transforms, self.dim, cache_size)

    def _slices(self, z):
        _check("StackTransform", z, self.dim, len(self.transforms), "len(transforms)")
        return [z.select(self.dim, i) for i in range(len(self.transforms))]

    def _call(self, x):
        return ddp.stack([t(s) for t, s in zip(self.transforms, self._slices(x))], self.dim)

    def _inverse(self, y):
        return ddp.stack([t.inv(s) for t, s in zip(self.transforms, self._slices(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        return ddp.stack([t.log_abs_det_jacobian(a, b) for t, a, b in
                          zip(self.transforms, self._slices(x), self._slices(y))], self.dim)

    def __eq__(self, other):
        return isinstance(other, StackTransform) and self.transforms == other.transforms and self.dim == other.dim
