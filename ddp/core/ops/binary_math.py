"""Elementwise math of two arrays: xlogy / xlog1py, hypot, copysign, fmax / fmin, nextafter, and frexp's
mantissa. Gradients may keep the broadcast shape (the engine reduces them); the derivatives at the special
points follow PyTorch."""
import numpy as np

from ..autograd import Function, Tensor
from .elementwise import select


def _xlogy(x, y, log):
    """x log(y) (or x log1p(y)), 0 where x == 0 unless y is nan."""
    with np.errstate(divide="ignore", invalid="ignore"):
        product = x * log(y)
    return np.where((x == 0) & ~np.isnan(y), np.zeros((), dtype=product.dtype), product)


class Xlogy(Function):
    """x log(y), or with log1p x log(1 + y); 0 where x == 0. d/dx = log(y) where x != 0 (else 0),
    d/dy = x / y (x / (1 + y))."""

    @staticmethod
    def forward(ctx, x, y, *, log1p=False):
        ctx.save_for_backward(x, y)
        ctx.log1p = log1p
        return _xlogy(x, y, np.log1p if log1p else np.log)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * _xlogy(np.not_equal(x, 0).astype(g.dtype), y, np.log1p if ctx.log1p else np.log)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = g * x / ((1 + y) if ctx.log1p else y)
        return gx, gy

    @staticmethod
    def differentiable_backward(ctx, g):
        x_saved, y_saved = ctx.saved_tensors
        x, y = ctx.operand(0, x_saved), ctx.operand(1, y_saved)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * Xlogy.apply(np.not_equal(x_saved, 0).astype(g._data.dtype), y, log1p=ctx.log1p)
        if ctx.needs_input_grad[1]:
            gy = g * x / ((1 + y) if ctx.log1p else y)
        return gx, gy


class Hypot(Function):
    """sqrt(a^2 + b^2) without overflow; d/da = a / out, d/db = b / out (nan at the origin, as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = g / out
        return (scale * a if ctx.needs_input_grad[0] else None), (scale * b if ctx.needs_input_grad[1] else None)

    @staticmethod
    def differentiable_backward(ctx, g):
        a_saved, b_saved, _ = ctx.saved_tensors
        a, b = ctx.operand(0, a_saved), ctx.operand(1, b_saved)
        scale = g / Hypot.apply(a, b)
        return (scale * a if ctx.needs_input_grad[0] else None), (scale * b if ctx.needs_input_grad[1] else None)


class Copysign(Function):
    """|a| with the sign of b; d/da = out / a (0 where a == 0), d/db = 0."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.copysign(a, b)
        ctx.save_for_backward(a, out)
        ctx.b_shape = np.shape(b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            with np.errstate(divide="ignore", invalid="ignore"):
                ga = g * np.where(a == 0, np.zeros((), dtype=g.dtype), out / a)
        if ctx.needs_input_grad[1]:
            gb = np.zeros(ctx.b_shape, dtype=g.dtype)
        return ga, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        a, out = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            with np.errstate(divide="ignore", invalid="ignore"):
                ga = g * np.where(a == 0, np.zeros((), dtype=a.dtype), out / a)  # +-1: constant
        if ctx.needs_input_grad[1]:
            gb = Tensor(np.zeros(ctx.b_shape, dtype=g._data.dtype))
        return ga, gb


class FMaxMin(Function):
    """fmax(a, b) (fmin with minimum=True): the larger (smaller) of the two, ignoring a nan; the gradient goes
    to a where a wins or ties or b is nan, to b elsewhere."""

    @staticmethod
    def forward(ctx, a, b, *, minimum=False):
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            with np.errstate(invalid="ignore"):
                ctx.to_a = ((a <= b) if minimum else (a >= b)) | np.isnan(b)
        return (np.fmin if minimum else np.fmax)(a, b)

    @staticmethod
    def backward(ctx, g):
        zero = np.zeros((), dtype=g.dtype)
        ga = np.where(ctx.to_a, g, zero) if ctx.needs_input_grad[0] else None
        gb = np.where(ctx.to_a, zero, g) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        ga = select(ctx.to_a, g) if ctx.needs_input_grad[0] else None
        gb = select(~ctx.to_a, g) if ctx.needs_input_grad[1] else None
        return ga, gb


class Nextafter(Function):
    """The next representable number after a towards b; d/da = 1 where a != b (else 0), d/db = 0 (as
    PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        if ctx.needs_input_grad[0]:
            ctx.moves = np.not_equal(a, b)
        ctx.b_shape = np.shape(b)
        return np.nextafter(a, b)

    @staticmethod
    def backward(ctx, g):
        ga = np.where(ctx.moves, g, np.zeros((), dtype=g.dtype)) if ctx.needs_input_grad[0] else None
        gb = np.zeros(ctx.b_shape, dtype=g.dtype) if ctx.needs_input_grad[1] else None
        return ga, gb


class Mantissa(Function):
    """x / 2^exponent, frexp's mantissa (exact), for the int `exponent` array frexp found; d/dx = 2^-exponent."""

    @staticmethod
    def forward(ctx, x, *, exponent):
        ctx.exponent = exponent
        return np.ldexp(x, -exponent)

    @staticmethod
    def backward(ctx, g):
        return np.ldexp(g, -ctx.exponent)
