"""Elementwise ops. Gradients may keep the broadcast shape: the engine reduces them (`unbroadcast`).

Each op's `differentiable_backward` is its `backward` in Tensor ops, for create_graph=True (autograd_graph):
inputs come from `ctx.operand` (the recorded input, or the saved array as a constant), and values backward
read from saved outputs are recomputed from the input, so that their graph reaches it.
"""
import numpy as np

from ..autograd import Function
from .gate import gate


class Add(Function):
    """a + b; d/da = 1, d/db = 1."""

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g

    @staticmethod
    def differentiable_backward(ctx, g):
        return g, g



class Sub(Function):
    """a - b; d/da = 1, d/db = -1."""

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)



class Mul(Function):
    """a * b; d/da = b, d/db = a."""

    complex_grad = True  # backward multiplies by the other factor's conjugate

    @staticmethod
    def forward(ctx, a, b):
        needs_a, needs_b = (tuple(ctx.needs_input_grad) + (False, False))[:2]
        ctx.save_for_backward(a if needs_b else None, b if needs_a else None)  # only what backward reads
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if _complex(a) or _complex(b):
            a, b = _conj(a), _conj(b)  # PyTorch's convention for complex values: grad * conj(other)
        return (g * b if ctx.needs_input_grad[0] else None), (g * a if ctx.needs_input_grad[1] else None)

    @staticmethod
    def differentiable_backward(ctx, g):
        a_saved, b_saved = ctx.saved_tensors
        if _complex(a_saved) or _complex(b_saved):
            raise NotImplementedError("mul: create_graph=True through a product of complex tensors is not supported")
        needs = ctx.needs_input_grad
        return (g * ctx.operand(1, b_saved) if needs[0] else None), (g * ctx.operand(0, a_saved) if needs[1] else None)


def _complex(a):
    return (isinstance(a, np.ndarray) and a.dtype.kind == "c") or isinstance(a, complex)


def _conj(a):
    return np.conj(a) if _complex(a) else a



class Div(Function):
    """a / b; d/da = 1/b, d/db = -a/b^2 (conjugated for complex values, PyTorch's convention)."""

    complex_grad = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a, b = _conj(a), _conj(b)
        ga = g / b if ctx.needs_input_grad[0] else None
        gb = -g * a / (b * b) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        if any(_complex(v) for v in ctx.saved_tensors):
            raise NotImplementedError("div: create_graph=True through a quotient of complex tensors is not supported")
        a, b = (ctx.operand(i, v) for i, v in enumerate(ctx.saved_tensors))
        ga = g / b if ctx.needs_input_grad[0] else None
        gb = -g * a / (b * b) if ctx.needs_input_grad[1] else None
        return ga, gb


_POW_FORMS = {2.0: lambda a: a * a, 3.0: lambda a: a * a * a, -2.0: lambda a: 1 / (a * a), 0.5: np.sqrt,
              -0.5: lambda a: 1 / np.sqrt(a), -1.0: lambda a: 1 / a}


def _power(a, b):
    """a ** b, with a scalar exponent 2, 3, -2, 0.5, -0.5 or -1 by its exact form (x * x * x, sqrt, ...), as
    PyTorch's CPU kernels compute those (numpy's float32 power is an ulp off for a fifth of the inputs); other
    exponents by numpy's power in the operands' dtype (PyTorch's general float32 path differs in about 2% of
    the last bits: computing in float64 to match it cost 3.5x)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 is inf, (-1) ** 0.5 nan, silently as PyTorch's
        if np.ndim(b) == 0 and isinstance(a, np.ndarray) and a.dtype.kind == "f" and float(b) in _POW_FORMS:
            dtype = np.result_type(a, b)
            return _POW_FORMS[float(b)](a.astype(dtype, copy=False)).astype(dtype, copy=False)
        try:
            return np.power(a, b)
        except ValueError as e:  # numpy's "Integers to negative integer powers are not allowed."
            raise RuntimeError(str(e)) from None


class Pow(Function):
    """a ** b; d/da = b a^(b-1), d/db = a^b log(a)."""

    @staticmethod
    def forward(ctx, a, b):
        out = _power(a, b)
        needs_b = len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]
        ctx.save_for_backward(a, b, out if needs_b else None)  # out only for d/db: x ** 2 may then change in place
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ga = None
        if ctx.needs_input_grad[0]:
            with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 where b == 0 is masked out
                ga = g * np.where(b == 0, 0, b * _power(a, b - 1))
        gb = g * out * np.log(np.where(a > 0, a, 1)) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        a_saved, b_saved, _ = ctx.saved_tensors
        a, b = ctx.operand(0, a_saved), ctx.operand(1, b_saved)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = select(np.asarray(b_saved) != 0, g * b * Pow.apply(a, b - 1))
        if ctx.needs_input_grad[1]:
            gb = g * Pow.apply(a, b) * Log.apply(Where.apply(np.asarray(a_saved) > 0, a, np.ones((), a_saved.dtype)))
        return ga, gb



class Neg(Function):
    """-x; d/dx = -1."""

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g

    @staticmethod
    def differentiable_backward(ctx, g):
        return -g



class Exp(Function):
    """exp(x); d/dx = exp(x), the saved output (conjugated for complex x)."""

    complex_grad = True

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * _conj(out)

    @staticmethod
    def differentiable_backward(ctx, g):
        if _complex(ctx.saved_tensors[0]):
            raise NotImplementedError("exp: create_graph=True through exp of a complex tensor is not supported")
        return g * Exp.apply(ctx.parents[0])



class Log(Function):
    """log(x); d/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x

    @staticmethod
    def differentiable_backward(ctx, g):
        return g / ctx.parents[0]



class Sqrt(Function):
    """sqrt(x); d/dx = 1 / (2 sqrt(x))."""

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * out)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g / (2 * Sqrt.apply(ctx.parents[0]))



class Abs(Function):
    """|x|; d/dx = sign(x); for a complex x (a magnitude spectrum), the gradient is g x / |x| (0 at 0), PyTorch's."""

    complex_grad = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if _complex(x):
            size = np.abs(x)
            return g * np.divide(x, size, out=np.zeros_like(x), where=size != 0)
        return g * np.sign(x)

    @staticmethod
    def differentiable_backward(ctx, g):
        (x,) = ctx.saved_tensors
        if _complex(x):
            raise NotImplementedError("abs: create_graph=True through the magnitude of a complex tensor is not supported")
        return g * np.sign(x)



class Sin(Function):
    """sin(x); d/dx = cos(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.cos(x)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * Cos.apply(ctx.parents[0])



class Cos(Function):
    """cos(x); d/dx = -sin(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * np.sin(x)

    @staticmethod
    def differentiable_backward(ctx, g):
        return -g * Sin.apply(ctx.parents[0])



class Tanh(Function):
    """tanh(x); d/dx = 1 - tanh(x)^2, from the saved output."""

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)

    @staticmethod
    def differentiable_backward(ctx, g):
        out = Tanh.apply(ctx.parents[0])
        return g * (1 - out * out)



class Sigmoid(Function):
    """1 / (1 + exp(-x)), computed without overflow; d/dx = s (1 - s)."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "c":  # no overflow to avoid by sign: the complex formula as it stands
            out = 1 / (1 + np.exp(-x))
        else:
            e = np.exp(-np.abs(x))
            out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)

    @staticmethod
    def differentiable_backward(ctx, g):
        out = Sigmoid.apply(ctx.parents[0])
        return g * out * (1 - out)



class Relu(Function):
    """max(x, 0); d/dx = 1 where the output is not <= 0 (NaN passes, as in PyTorch), exactly 0 elsewhere."""

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return gate(g, np.less_equal, out, 0, keep=False)

    @staticmethod
    def differentiable_backward(ctx, g):
        (out,) = ctx.saved_tensors
        return select(~(out <= 0), g)



class Clamp(Function):
    """min(max(x, lo), hi); d/dx = 1 inside [lo, hi]."""

    node_name = "ClampBackward1"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, *, lo=None, hi=None):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        return g * _inside(ctx)

    @staticmethod
    def differentiable_backward(ctx, g):
        return select(_inside(ctx), g)


def _inside(ctx):
    """Where a clamp passes its input through (bounds included, as PyTorch's gradient)."""
    (x,) = ctx.saved_tensors
    inside = np.ones(x.shape, dtype=bool)
    if ctx.lo is not None:
        inside &= x >= ctx.lo
    if ctx.hi is not None:
        inside &= x <= ctx.hi
    return inside



class Maximum(Function):
    """max(a, b); the gradient goes to the larger input, split evenly on ties (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        share = (a > b) + 0.5 * (a == b)
        return g * share.astype(g.dtype), g * (1 - share).astype(g.dtype)

    @staticmethod
    def differentiable_backward(ctx, g):
        a, b = ctx.saved_tensors
        share = ((a > b) + 0.5 * (a == b)).astype(g._data.dtype)
        return g * share, g * (1 - share)



class Minimum(Function):
    """min(a, b); the gradient goes to the smaller input, split evenly on ties (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        share = (a < b) + 0.5 * (a == b)
        return g * share.astype(g.dtype), g * (1 - share).astype(g.dtype)

    @staticmethod
    def differentiable_backward(ctx, g):
        a, b = ctx.saved_tensors
        share = ((a < b) + 0.5 * (a == b)).astype(g._data.dtype)
        return g * share, g * (1 - share)



class Where(Function):
    """cond ? a : b; the gradient flows to the chosen input."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        zero = np.zeros((), dtype=g.dtype)
        return None, np.where(ctx.cond, g, zero), np.where(ctx.cond, zero, g)

    @staticmethod
    def differentiable_backward(ctx, g):
        zero = np.zeros((), dtype=g._data.dtype)
        return None, Where.apply(ctx.cond, g, zero), Where.apply(ctx.cond, zero, g)



class Cast(Function):
    """x.astype(dtype); the gradient is cast back (its real part for a real input cast to complex, as
    PyTorch's) and dropped for non-float inputs."""

    node_name = "ToCopyBackward0"  # PyTorch's name for the node

    float32_results = False
    complex_grad = True  # real to complex and back: the gradient's real part goes to a real input

    @staticmethod
    def forward(ctx, x, *, dtype):
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.dtype.kind not in "fc":
            return None
        return (g.real if g.dtype.kind == "c" and ctx.dtype.kind == "f" else g).astype(ctx.dtype)

    @staticmethod
    def differentiable_backward(ctx, g):
        if ctx.dtype.kind not in "fc":
            return None
        return Cast.apply(g.real if g.dtype.kind == "c" and ctx.dtype.kind == "f" else g, dtype=ctx.dtype)


def select(mask, g):
    """Tensor g where the boolean array `mask` holds, exactly 0 elsewhere: the recorded form of `gate`."""
    return Where.apply(mask, g, np.zeros((), dtype=g._data.dtype))
