"""Discrete Fourier transforms as one Function (numpy's pocketfft), differentiable in PyTorch's convention for
complex values (see complex_views.py): each transform is linear, so its input's gradient is the adjoint
transform of the output's gradient.

- c2c (fftn / ifftn): the adjoint of a DFT scaled by c is the inverse-direction DFT unnormalised and scaled by
  the same c: numpy's opposite `norm` ("backward" <-> "forward", "ortho" alone).
- r2c (rfftn): the half spectrum of a real input; the adjoint zero-fills the missing bins, transforms back and
  keeps the real part.
- c2r (irfftn): a real signal from a half spectrum; the adjoint is rfftn with the opposite norm, the bins that
  stand for two of the full spectrum (all but the zero and Nyquist ones) counted twice.
A size `s` pads or crops the input along the axes first; the adjoint crops or zero-pads back.
"""
import numpy as np

from ..autograd import Function

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _fit(a, axes, sizes):
    """`a` cropped or zero-padded along `axes` to `sizes`."""
    index, pads = [slice(None)] * a.ndim, [(0, 0)] * a.ndim
    for axis, n in zip(axes, sizes):
        index[axis] = slice(0, min(n, a.shape[axis]))
        pads[axis] = (0, max(0, n - a.shape[axis]))
    return np.pad(a[tuple(index)], pads)


def _complex_dtype(x):
    return np.complex128 if x.dtype in (np.float64, np.complex128) else np.complex64


class FFT(Function):
    """kind "c2c" (inverse=False: fftn, True: ifftn), "r2c" (rfftn) or "c2r" (irfftn) over `axes`, with the
    transform lengths `sizes` and numpy's `norm`."""

    complex_grad = True

    @staticmethod
    def forward(ctx, x, *, kind, axes, sizes, norm, inverse=False):
        ctx.kind, ctx.axes, ctx.sizes, ctx.norm, ctx.inverse = kind, axes, sizes, norm, inverse
        ctx.in_shape = x.shape
        if kind == "c2c":
            out = (np.fft.ifftn if inverse else np.fft.fftn)(x, sizes, axes, norm=norm)
            return out.astype(_complex_dtype(x), copy=False)
        if kind == "r2c":
            return np.fft.rfftn(x, sizes, axes, norm=norm).astype(_complex_dtype(x), copy=False)
        real = np.float64 if x.dtype == np.complex128 else np.float32
        return np.fft.irfftn(x, sizes, axes, norm=norm).astype(real, copy=False)

    @staticmethod
    def backward(ctx, g):
        axes, sizes, dual = ctx.axes, ctx.sizes, _DUAL[ctx.norm]
        in_sizes = [ctx.in_shape[a] for a in axes]
        if ctx.kind == "c2c":
            back = (np.fft.fftn if ctx.inverse else np.fft.ifftn)(g, None, axes, norm=dual)
            return _fit(back, axes, in_sizes).astype(g.dtype, copy=False)
        if ctx.kind == "r2c":
            full = np.zeros(g.shape[:axes[-1]] + (sizes[-1],) + g.shape[axes[-1] + 1:], dtype=g.dtype)
            full[(slice(None),) * axes[-1] + (slice(0, g.shape[axes[-1]]),)] = g
            back = np.fft.ifftn(full, None, axes, norm=dual).real
            return _fit(back, axes, in_sizes).astype(g.real.dtype, copy=False)
        back = np.fft.rfftn(g, None, axes, norm=dual)
        n_last = sizes[-1]
        twice = [slice(None)] * back.ndim
        twice[axes[-1]] = slice(1, (n_last + 1) // 2)  # the bins whose mirror image the full spectrum holds
        back[tuple(twice)] *= 2
        out_sizes = in_sizes[:-1] + [ctx.in_shape[axes[-1]]]
        dtype = np.complex128 if g.dtype == np.float64 else np.complex64
        return _fit(back, axes, out_sizes).astype(dtype, copy=False)
