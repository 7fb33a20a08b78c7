"""The ops that carry gradients between real and complex tensors: view_as_complex, view_as_real and polar
(rotary position embeddings are built from them).

Gradients of complex tensors follow PyTorch's convention: for a real loss L and z = x + iy, z's gradient is
dL/dx + i dL/dy. So view_as_real and view_as_complex pass gradients through as the same numbers, and an op
whose value is holomorphic in z (a product) sends back grad * conj(derivative).
"""
import numpy as np

from ..autograd import Function


class ViewAsComplex(Function):
    """(..., 2) real pairs as (...) complex numbers, sharing memory; d/dx of the pair = (Re g, Im g)."""

    complex_grad = True

    @staticmethod
    def forward(ctx, x):
        return x.view(np.complex64 if x.dtype == np.float32 else np.complex128)[..., 0]

    @staticmethod
    def backward(ctx, g):
        return np.stack([g.real, g.imag], axis=-1)


class ViewAsReal(Function):
    """(...) complex numbers as (..., 2) real pairs, sharing memory; the pair's gradient (a, b) is a + ib."""

    complex_grad = True

    @staticmethod
    def forward(ctx, z):
        real = z.real  # a strided view of the real parts; the imaginary parts sit one float further on
        return np.lib.stride_tricks.as_strided(real, z.shape + (2,), z.strides + (real.itemsize,))

    @staticmethod
    def backward(ctx, g):
        return g[..., 0] + 1j * g[..., 1]


class Conj(Function):
    """The complex conjugate; its gradient is the conjugate of the output's (an anti-holomorphic map)."""

    complex_grad = True

    @staticmethod
    def forward(ctx, z):
        return np.conj(z)

    @staticmethod
    def backward(ctx, g):
        return np.conj(g)


class Polar(Function):
    """abs * (cos(angle) + i sin(angle)). With z the result and g its gradient: d/dabs = Re(g conj(z / abs)),
    d/dangle = Re(g conj(i z))."""

    complex_grad = True

    @staticmethod
    def forward(ctx, r, theta):
        unit = np.cos(theta) + 1j * np.sin(theta)
        ctx.save_for_backward(r, unit)
        return (r * unit).astype(np.complex64 if r.dtype == np.float32 else np.complex128)

    @staticmethod
    def backward(ctx, g):
        r, unit = ctx.saved_tensors
        return (g * np.conj(unit)).real, (g * np.conj(1j * r * unit)).real
