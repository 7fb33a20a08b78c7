"""angle: the argument of each element."""
import numpy as np

from ..autograd import Function


class Angle(Function):
    """The argument of each element, in `dtype`: for a real x, pi where x < 0 and 0 where x >= 0 (-0 too), nan
    kept; a complex x's np.angle. d/dx = 0 for a real x, as PyTorch: the value is piecewise constant."""

    @staticmethod
    def forward(ctx, x, *, dtype):
        if x.dtype.kind == "c":
            return np.angle(x).astype(dtype, copy=False)
        out = np.where(x < 0, np.pi, 0.0).astype(dtype)
        return np.where(np.isnan(x), x, out) if x.dtype.kind == "f" else out

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g)
