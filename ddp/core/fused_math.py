"""Fused multiply-add on numpy arrays, a * b + c rounded once, as the compiled kernels PyTorch's results come
from compute it (`uniform_`'s scaling, `linspace`'s points): numpy has no fma, and the two roundings of
a * b + c differ from it in the last bit about half the time.
"""
import numpy as np

_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter: a float64 into two halves of 26 bits


def fma32(a, b, c):
    """a * b + c for float32 operands, rounded once to float32 (a * b is exact in float64)."""
    return (np.asarray(a, np.float64) * np.float64(b) + np.asarray(c, np.float64)).astype(np.float32)


def fma64(a, b, c):
    """a * b + c for float64 operands, rounded once in all but ties: the product's error by Dekker's exact
    multiplication, the sum's by Knuth's two-sum, then added back."""
    a, b, c = np.asarray(a, np.float64), np.asarray(b, np.float64), np.asarray(c, np.float64)
    p = a * b
    ah = a * _SPLIT - (a * _SPLIT - a)
    bh = b * _SPLIT - (b * _SPLIT - b)
    error = ((ah * bh - p) + ah * (b - bh) + (a - ah) * bh) + (a - ah) * (b - bh)
    s = p + c
    back = s - p
    rounding = (p - (s - back)) + (c - back)
    return s + (rounding + error)
