"""Window functions for spectral analysis (`ddp.hann_window`, `ddp.hamming_window`, `ddp.blackman_window`,
`ddp.bartlett_window`, `ddp.kaiser_window`): factories, computed in numpy in the requested float dtype.

Each window of length N is symmetric over N points when `periodic=False`; with `periodic=True` (the default,
the form a DFT wants) it is the symmetric window of N + 1 points without its last point. Lengths 0 and 1
give an empty tensor and [1.].
"""
import math

import numpy as np

from .device import check_device
from .dtypes import as_dtype, get_default_dtype
from .tensor import Tensor

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _length(window_length, op):
    """window_length as an int >= 0 (an int, a numpy int or a 0-d integer Tensor)."""
    if isinstance(window_length, Tensor) and window_length.ndim == 0 and window_length.dtype.kind in "iu":
        window_length = window_length.item()
    if isinstance(window_length, bool) or not isinstance(window_length, (int, np.integer)):
        raise TypeError(f"{op}(): window_length must be an int, got {type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{op}(): window_length must be >= 0, got {window_length}")
    return int(window_length)


def _window(op, window_length, periodic, dtype, requires_grad, device, shape):
    """The window `shape(k, span)` at points k = 0..n-1 of a symmetric window over span + 1 points."""
    check_device(device, op)
    n = _length(window_length, op)
    dtype = as_dtype(dtype) or get_default_dtype()
    if dtype.kind != "f":
        raise RuntimeError(f"{op}(): dtype must be a floating point dtype, got {dtype}")
    if n <= 1:
        return Tensor(np.ones(n, dtype=dtype), requires_grad=requires_grad)
    work = dtype if dtype.itemsize >= 4 else np.dtype(np.float32)  # float16: compute in float32, then round
    span = n if periodic else n - 1
    values = shape(np.arange(n, dtype=work), span)
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=requires_grad)


def _cosine_sum(coefficients):
    """The window a0 - a1 cos(2 pi k / span) + a2 cos(4 pi k / span) - ... (the Hann / Hamming / Blackman
    family)."""
    def shape(k, span):
        phase = k * k.dtype.type(2 * math.pi / span)
        out = np.full(k.shape, coefficients[0], dtype=k.dtype)
        for order, a in enumerate(coefficients[1:], 1):
            out += k.dtype.type((-1) ** order * a) * np.cos(phase * k.dtype.type(order))
        return out
    return shape


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    """The Hann window 0.5 - 0.5 cos(2 pi k / (N - 1)) (N = window_length + 1 when `periodic`).

    Args:
        window_length: an int >= 0. periodic: drop the last point of a window one longer (for DFTs).
        dtype: a floating dtype (default: the default dtype). requires_grad: make the result a leaf that
            requires grad.
    Raises:
        TypeError: window_length is not an int. RuntimeError: window_length < 0 or a non-floating dtype.

    Example:
        >>> ddp.hann_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    return _window("hann_window", window_length, periodic, dtype, requires_grad, device, _cosine_sum((0.5, 0.5)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    """The Hamming window alpha - beta cos(2 pi k / (N - 1)) (N = window_length + 1 when `periodic`); the
    arguments are hann_window's, plus the two coefficients.

    Example:
        >>> ddp.hamming_window(3, periodic=False)
        tensor([0.0800, 1.0000, 0.0800])
    """
    return _window("hamming_window", window_length, periodic, dtype, requires_grad, device,
                   _cosine_sum((alpha, beta)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """The Blackman window 0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1)) (N = window_length
    + 1 when `periodic`); the arguments are hann_window's.

    Example:
        >>> ddp.blackman_window(8).shape
        ddp.Size([8])
    """
    return _window("blackman_window", window_length, periodic, dtype, requires_grad, device,
                   _cosine_sum((0.42, 0.5, 0.08)))


def _triangle(k, span):
    return 1 - np.abs(k * k.dtype.type(2 / span) - 1)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """The Bartlett (triangular) window 1 - |2k / (N - 1) - 1| (N = window_length + 1 when `periodic`); the
    arguments are hann_window's.

    Example:
        >>> ddp.bartlett_window(5, periodic=False)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad, device, _triangle)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    """The Kaiser window I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta), I0 the modified Bessel function
    of order 0 (N = window_length + 1 when `periodic`); the arguments are hann_window's, plus beta >= 0.

    Raises:
        RuntimeError: beta < 0, and as hann_window.

    Example:
        >>> ddp.kaiser_window(3, periodic=False, beta=0.0)
        tensor([1., 1., 1.])
    """
    if beta < 0:
        raise RuntimeError(f"kaiser_window(): beta must be >= 0, got {beta}")

    def shape(k, span):  # in float64: numpy's I0 of float32 is off by an ulp even at 0
        inside = np.clip(1 - np.square(k.astype(np.float64) * (2 / span) - 1), 0, None)
        return np.i0(beta * np.sqrt(inside)) / np.i0(beta)
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad, device, shape)
