"""`x.float()`, `x.long()`, ...: PyTorch's one-word casts, each `self.to(dtype)`. Tensor and PackedSequence
have them all; Module has the floating ones only (`FloatCasts`), as in PyTorch."""
import numpy as np

from .dtypes import bfloat16 as _bfloat16


class FloatCasts:
    """float, double, half and bfloat16 as methods; the class using them supplies `to`."""

    __slots__ = ()

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)

    def bfloat16(self):
        return self.to(_bfloat16)  # a TypeError that explains: numpy (so ddp) has no bfloat16


class CastShorthands(FloatCasts):
    """FloatCasts, and the integer and bool casts."""

    __slots__ = ()

    def long(self):
        return self.to(np.int64)

    def int(self):
        return self.to(np.int32)

    def short(self):
        return self.to(np.int16)

    def byte(self):
        return self.to(np.uint8)

    def char(self):
        return self.to(np.int8)

    def bool(self):
        return self.to(np.bool_)
