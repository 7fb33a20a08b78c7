"""The legacy cross-channel local response normalisation of `nn.CrossMapLRN2d` (Lua Torch's
SpatialCrossMapLRN), with the windows of PyTorch's port, quirks included, so that values and gradients
agree with PyTorch's:

* forward: scale_c = k + alpha / size * sum of x^2 over the channels c - p + 1 .. c + p - 1 (p =
  (size + 1) // 2, clipped to the channels) and also channel 0, which the running sum never drops;
  out = x * scale^-beta.
* backward: gx_c = g_c scale_c^-beta - 2 alpha beta / size * x_c * sum_j g_j out_j / scale_j over
  j = c - p .. c - p + size - 1. This is PyTorch's formula, not the exact derivative of its forward
  (the windows differ); the two agree only for a single channel.

Both loop over the window's taps (a few channels), never over samples or pixels.
"""
import numpy as np

from ..autograd import Function


def _channel_window_sum(a, lo, count):
    """sum of a[:, c + lo + t] over t in [0, count), zero outside the channels: (N, C, ...) like a."""
    c = a.shape[1]
    total = np.zeros_like(a)
    for t in range(count):
        shift = lo + t
        if abs(shift) >= c:
            continue
        src, dst = slice(max(0, shift), min(c, c + shift)), slice(max(0, -shift), min(c, c - shift))
        total[:, dst] += a[:, src]
    return total


class CrossMapLRN(Function):
    """x * scale^-beta with scale = k + alpha/size * (a windowed sum of x^2 over channels); see the module
    docstring for the windows and the gradient (PyTorch's)."""

    @staticmethod
    def forward(ctx, x, size=5, alpha=1e-4, beta=0.75, k=1.0):
        kind = x.dtype.type
        p = (size + 1) // 2
        sq = x * x
        window = _channel_window_sum(sq, 1 - p, 2 * p - 1)
        window[:, p:] += sq[:, :1]  # channel 0, outside these channels' windows, stays in the running sum
        scale = window * kind(alpha / size) + kind(k)
        out = x * scale ** kind(-beta)
        if ctx.needs_input_grad[0]:
            ctx.saved = (x, out, scale)
            ctx.settings = (size, alpha, beta)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out, scale = ctx.saved
        size, alpha, beta = ctx.settings
        if size < 2:
            raise RuntimeError("CrossMapLRN2d: backward needs size >= 2 (PyTorch's formula reads outside the "
                               f"channels for size={size})")
        kind = x.dtype.type
        ratio = g * out / scale
        accum = _channel_window_sum(ratio, -((size + 1) // 2), size)
        return g * scale ** kind(-beta) - kind(2 * alpha * beta / size) * x * accum
