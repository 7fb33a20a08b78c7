"""`HalfNormal`: |X| for X ~ Normal(0, scale)."""
import math

from .folded import FoldedAtZero
from .normal import Normal


class HalfNormal(FoldedAtZero):
    """The law of |X| with X ~ Normal(0, scale), reparameterizable, on x >= 0 (see `FoldedAtZero`)."""

    symmetric = Normal

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)
