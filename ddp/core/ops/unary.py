"""More elementwise math: log1p, expm1, erf, hyperbolic and inverse trigonometric functions, exp2/log2/log10,
reciprocal, rounding, atan2 and lerp. Gradients may keep the broadcast shape (the engine reduces them)."""
import math

import numpy as np

from ..autograd import Function
from .elementwise import Where, select
from .special import erf, erfinv


class Log1p(Function):
    """log(1 + x); d/dx = 1 / (1 + x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g / (1 + ctx.parents[0])


class Expm1(Function):
    """exp(x) - 1; d/dx = exp(x) = out + 1."""

    @staticmethod
    def forward(ctx, x):
        out = np.expm1(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out + 1)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * ctx.parents[0].exp()


class Erf(Function):
    """erf(x); d/dx = 2 / sqrt(pi) exp(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (np.exp(-x * x) * x.dtype.type(2 / math.sqrt(math.pi)))

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return g * (-(x * x)).exp() * (2 / math.sqrt(math.pi))


class Erfinv(Function):
    """erfinv(x); d/dx = sqrt(pi) / 2 exp(erfinv(x)^2)."""

    @staticmethod
    def forward(ctx, x):
        y = erfinv(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (np.exp(y * y) * y.dtype.type(math.sqrt(math.pi) / 2))

    @staticmethod
    def differentiable_backward(ctx, g):
        y = Erfinv.apply(ctx.parents[0])
        return g * (y * y).exp() * (math.sqrt(math.pi) / 2)


class Sinh(Function):
    """sinh(x); d/dx = cosh(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.cosh(x)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * ctx.parents[0].cosh()


class Cosh(Function):
    """cosh(x); d/dx = sinh(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.sinh(x)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * ctx.parents[0].sinh()


class Asin(Function):
    """arcsin(x); d/dx = 1 / sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / np.sqrt(1 - x * x)

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return g / (1 - x * x).sqrt()


class Acos(Function):
    """arccos(x); d/dx = -1 / sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g / np.sqrt(1 - x * x)

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return -g / (1 - x * x).sqrt()


class Atan(Function):
    """arctan(x); d/dx = 1 / (1 + x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x * x)

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return g / (1 + x * x)


class Exp2(Function):
    """2^x; d/dx = log(2) 2^x."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp2(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * out.dtype.type(math.log(2))

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * Exp2.apply(ctx.parents[0]) * math.log(2)


class Log2(Function):
    """log2(x); d/dx = 1 / (x log(2))."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log2(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * x.dtype.type(math.log(2)))

    @staticmethod
    def differentiable_backward(ctx, g):
        return g / (ctx.parents[0] * math.log(2))


class Log10(Function):
    """log10(x); d/dx = 1 / (x log(10))."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log10(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * x.dtype.type(math.log(10)))

    @staticmethod
    def differentiable_backward(ctx, g):
        return g / (ctx.parents[0] * math.log(10))


class Reciprocal(Function):
    """1 / x; d/dx = -1 / x^2 = -out^2."""

    @staticmethod
    def forward(ctx, x):
        out = np.reciprocal(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -g * out * out

    @staticmethod
    def differentiable_backward(ctx, g):
        out = Reciprocal.apply(ctx.parents[0])
        return -g * out * out


def _sign(x):
    """np.sign with 0 at NaN, as PyTorch's sign (numpy gives NaN there)."""
    out = np.sign(x)
    np.copyto(out, 0, where=np.isnan(out))
    return out


_ROUNDING = {"floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc, "sign": _sign}


class Rounding(Function):
    """floor, ceil, round (half to even), trunc or sign, by `fn`; d/dx = 0 (as PyTorch)."""

    @staticmethod
    def forward(ctx, x, *, fn):
        ctx.shape = x.shape
        return _ROUNDING[fn](x)

    @staticmethod
    def backward(ctx, g):
        return np.zeros(ctx.shape, dtype=g.dtype)

    @staticmethod
    def differentiable_backward(ctx, g):
        return select(np.zeros(ctx.shape, dtype=bool), g)


class Atan2(Function):
    """atan2(a, b), the angle of the point (b, a); d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2), both 0 at
    the origin (as PyTorch, which has no nan there)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        r2 = a * a + b * b
        scale = np.where(r2 == 0, 0, g / np.where(r2 == 0, 1, r2)).astype(r2.dtype, copy=False)
        return scale * b, -scale * a

    @staticmethod
    def differentiable_backward(ctx, g):
        a, b = (ctx.operand(i, v) for i, v in enumerate(ctx.saved_tensors))
        r2_saved = ctx.saved_tensors[0] ** 2 + ctx.saved_tensors[1] ** 2
        origin = np.asarray(r2_saved == 0)
        scale = Where.apply(origin, np.zeros((), r2_saved.dtype), g / Where.apply(origin, 1.0, a * a + b * b))
        return (scale * b if ctx.needs_input_grad[0] else None), (-scale * a if ctx.needs_input_grad[1] else None)


class NanToNum(Function):
    """x with NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf`; d/dx = 1 where x is finite, 0 at
    the replaced positions (as PyTorch)."""

    @staticmethod
    def forward(ctx, x, *, nan, posinf, neginf):
        if ctx.needs_input_grad[0]:
            ctx.finite = np.isfinite(x)
        with np.errstate(over="ignore"):  # a replacement beyond the dtype's range becomes inf, as in PyTorch
            return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        return np.where(ctx.finite, g, np.zeros((), dtype=g.dtype))

    @staticmethod
    def differentiable_backward(ctx, g):
        return select(ctx.finite, g)


class LogAddExp(Function):
    """log(exp(a) + exp(b)), or with base2 log2(2^a + 2^b), without overflow (numpy's logaddexp);
    d/da = exp(a - out) (2^(a - out) for base 2), likewise for b."""

    @staticmethod
    def forward(ctx, a, b, *, base2=False):
        out = (np.logaddexp2 if base2 else np.logaddexp)(a, b)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b, out)
        ctx.base2 = base2
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        power = np.exp2 if ctx.base2 else np.exp
        with np.errstate(invalid="ignore"):  # equal infinite inputs give NaN gradients, as in PyTorch
            ga = g * power(a - out) if ctx.needs_input_grad[0] else None
            gb = g * power(b - out) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        a_saved, b_saved, _ = ctx.saved_tensors
        a, b = ctx.operand(0, a_saved), ctx.operand(1, b_saved)
        out = LogAddExp.apply(a, b, base2=ctx.base2)
        power = Exp2.apply if ctx.base2 else (lambda d: d.exp())
        ga = g * power(a - out) if ctx.needs_input_grad[0] else None
        gb = g * power(b - out) if ctx.needs_input_grad[1] else None
        return ga, gb
