"""`x.float()`, `x.long()`, ...: PyTorch's one-word casts, each `self.to(dtype)`, shared by Tensor and
PackedSequence (anything with a `to(dtype)`)."""
import numpy as np

from .dtypes import bfloat16 as _bfloat16


class CastShorthands:
    """The casts as methods; the class using them supplies `to`."""

    __slots__ = ()

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)

    def bfloat16(self):
        return self.to(_bfloat16)  # a TypeError that explains: numpy (so ddp) has no bfloat16

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
