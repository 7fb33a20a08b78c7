"""`HalfCauchy`: |X| for X ~ Cauchy(0, scale)."""
import math

import ddp

from .cauchy import Cauchy
from .folded import FoldedAtZero


class HalfCauchy(FoldedAtZero):
    """The law of |X| with X ~ Cauchy(0, scale), reparameterizable, on x >= 0 (see `FoldedAtZero`); its mean
    and variance are infinite."""

    symmetric = Cauchy

    @property
    def mean(self):
        return ddp.full(self._extended_shape(), math.inf, dtype=self.scale.dtype)

    @property
    def variance(self):
        return ddp.full(self._extended_shape(), math.inf, dtype=self.scale.dtype)
