"""The public elementwise math beyond the basics (`ddp.log1p`, `ddp.erf`, `ddp.floor`, ...) and the
logical and bitwise ops: argument checks, then one `Function.apply` or a composition of public ops."""
import numpy as np

from . import elementwise_functional as F
from .arguments import as_tensor_arg as _tensor
from .dtypes import float_of
from .legacy_overloads import value_first
from .ops import unary
from .tensor import Tensor

__all__ = """
log1p expm1 erf erfinv logit sinh cosh asin acos atan arcsin arccos arctan exp2 log2 log10 reciprocal floor ceil round trunc
fix frac atan2 arctan2 lerp addcmul addcdiv clamp_min clamp_max logical_and logical_or logical_xor bitwise_and
bitwise_or bitwise_xor bitwise_not isinf isposinf isneginf isclose float_power nan_to_num logaddexp logaddexp2
""".split()


def _unary(fn, name):
    def op(input):  # noqa: A002 - PyTorch's name
        x = _tensor(input)
        return fn.apply(x if x.dtype.kind in "fc" else x.to(float_of(x.dtype)))

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} (integer inputs give the default dtype, as in PyTorch)."
    return op


log1p = _unary(unary.Log1p, "log1p")
expm1 = _unary(unary.Expm1, "expm1")
erf = _unary(unary.Erf, "erf")
erfinv = _unary(unary.Erfinv, "erfinv")
sinh = _unary(unary.Sinh, "sinh")
cosh = _unary(unary.Cosh, "cosh")
asin = arcsin = _unary(unary.Asin, "asin")
acos = arccos = _unary(unary.Acos, "acos")
atan = arctan = _unary(unary.Atan, "atan")
exp2 = _unary(unary.Exp2, "exp2")
log2 = _unary(unary.Log2, "log2")
log10 = _unary(unary.Log10, "log10")
reciprocal = _unary(unary.Reciprocal, "reciprocal")


def logit(x, eps=None):
    """log(x / (1 - x)), the inverse of sigmoid; with `eps`, x is first clamped to [eps, 1 - eps] (as PyTorch,
    whose gradient is then 0 outside that range)."""
    x = _tensor(x)
    x = x if x.dtype.kind == "f" else x.to(float_of(x.dtype))
    if eps is not None:
        x = F.clamp(x, eps, 1 - eps)
    return F.sub(F.log(x), log1p(F.neg(x)))


def _rounding(name):
    def op(input):  # noqa: A002 - PyTorch's name
        x = _tensor(input)
        if x.dtype.kind in "iub":
            return Tensor(x._data.copy())  # integers are already whole
        return unary.Rounding.apply(x, fn=name)

    op.__name__ = name
    op.__doc__ = f"Elementwise {name}; its gradient is 0 (as in PyTorch)."
    return op


floor = _rounding("floor")
ceil = _rounding("ceil")
trunc = fix = _rounding("trunc")
_round_half_even = _rounding("round")


def round(x, decimals=0):  # noqa: A001 - PyTorch's name
    """Round half to even, to `decimals` places (as PyTorch); the gradient is 0."""
    if decimals == 0:
        return _round_half_even(x)
    scale = 10.0 ** decimals
    return F.div(_round_half_even(F.mul(x, scale)), scale)


def frac(x):
    """x - trunc(x), the fractional part with x's sign; d/dx = 1."""
    x = _tensor(x)
    if x.dtype.kind != "f":
        raise RuntimeError(f"frac: expected a floating point tensor, got {x.dtype}")
    return F.sub(x, trunc(x))


def atan2(a, b):
    """The angle of the point (b, a), elementwise with broadcasting."""
    a, b = _tensor(a), _tensor(b, like=_tensor(a))
    F._check_broadcast("atan2", a, b)
    return unary.Atan2.apply(a, b)


arctan2 = atan2


def _logaddexp(a, b, base2, name):
    a = _tensor(a)
    b = _tensor(b, like=a)
    F._check_broadcast(name, a, b)
    if np.result_type(a.dtype, b.dtype).kind != "f":
        raise NotImplementedError(f"{name}: needs a floating point input, got {a.dtype} and {b.dtype}")
    return unary.LogAddExp.apply(a, b, base2=base2)


def logaddexp(a, b):
    """log(exp(a) + exp(b)) elementwise with broadcasting, without overflow; d/da = exp(a - out).

    Raises:
        NotImplementedError: neither input is floating point. RuntimeError: shapes that do not broadcast.

    Example:
        >>> ddp.logaddexp(ddp.tensor([1000.0]), ddp.tensor([1000.0]))
        tensor([1000.6932])
    """
    return _logaddexp(a, b, False, "logaddexp")


def logaddexp2(a, b):
    """log2(2^a + 2^b) elementwise with broadcasting, without overflow; d/da = 2^(a - out). Errors as
    `logaddexp`.

    Example:
        >>> ddp.logaddexp2(ddp.tensor([3.0]), ddp.tensor([3.0]))
        tensor([4.])
    """
    return _logaddexp(a, b, True, "logaddexp2")


def lerp(start, end, weight):
    """start + weight * (end - start); floating tensors only, as in PyTorch."""
    start, end = _tensor(start), _tensor(end)
    if start.dtype.kind != "f" or end.dtype.kind != "f":
        raise RuntimeError(f"lerp: expected floating point tensors, got {start.dtype} and {end.dtype}")
    return F.add(start, F.mul(weight, F.sub(end, start)))


def addcmul(x, tensor1, tensor2, value=1):
    """x + value * tensor1 * tensor2 (PyTorch's deprecated addcmul(x, value, tensor1, tensor2) too)."""
    tensor1, tensor2, value = value_first("addcmul", tensor1, tensor2, value)
    return F.add(x, F.mul(F.mul(tensor1, tensor2), value) if value != 1 else F.mul(tensor1, tensor2))


def addcdiv(x, tensor1, tensor2, value=1):
    """x + value * tensor1 / tensor2 (PyTorch's deprecated addcdiv(x, value, tensor1, tensor2) too)."""
    tensor1, tensor2, value = value_first("addcdiv", tensor1, tensor2, value)
    return F.add(x, F.mul(F.div(tensor1, tensor2), value) if value != 1 else F.div(tensor1, tensor2))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """x with NaN replaced by `nan`, +inf by `posinf` and -inf by `neginf` (None: the dtype's largest and
    lowest finite values). Integer and bool tensors come back as copies. The gradient is 1 where x is finite
    and 0 at the replaced positions, as in PyTorch.

    Example:
        >>> ddp.nan_to_num(ddp.tensor([float("nan"), float("inf"), 1.0]), posinf=9.0)
        tensor([0., 9., 1.])
    """
    x = _tensor(x)
    if x.dtype.kind != "f":
        return Tensor(x._data.copy())
    return unary.NanToNum.apply(x, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)


def clamp_min(x, min):  # noqa: A002
    return F.clamp(x, min=min)


def clamp_max(x, max):  # noqa: A002
    return F.clamp(x, max=max)


def float_power(x, exponent):
    """x ** exponent in float64, as PyTorch's float_power."""
    x = _tensor(x).to(np.float64)
    return F.pow(x, exponent.to(np.float64) if isinstance(exponent, Tensor) else exponent)


# -------------------------------------------------------------------------------- logical and bitwise
def _arrays(name, a, b):
    a, b = _tensor(a), _tensor(b)
    F._check_broadcast(name, a, b)
    return a._data, b._data


def logical_and(a, b):
    return Tensor(np.logical_and(*_arrays("logical_and", a, b)))


def logical_or(a, b):
    return Tensor(np.logical_or(*_arrays("logical_or", a, b)))


def logical_xor(a, b):
    return Tensor(np.logical_xor(*_arrays("logical_xor", a, b)))


def _bitwise(ufunc, name):
    def op(a, b):
        a_, b_ = (v if isinstance(v, (bool, int)) else _tensor(v) for v in (a, b))
        for v in (a_, b_):
            if isinstance(v, Tensor) and v.dtype.kind not in "iub":
                raise TypeError(f"{name}: only integer and bool tensors are supported, got {v.dtype}")
        F._check_broadcast(name, a_, b_)
        unwrap = lambda v: v._data if isinstance(v, Tensor) else v  # noqa: E731
        return Tensor(np.asarray(ufunc(unwrap(a_), unwrap(b_))))

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} of integer or bool tensors (`&`, `|`, `^`)."
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(x):
    """~x: logical not of a bool tensor, two's complement not of an integer one."""
    x = _tensor(x)
    if x.dtype.kind not in "iub":
        raise TypeError(f"~ (operator.invert) is only implemented on integer and Boolean-type tensors, got {x.dtype}")
    return Tensor(np.invert(x._data))


def isinf(x):
    return Tensor(np.isinf(_tensor(x)._data))


def isposinf(x):
    return Tensor(np.isposinf(_tensor(x)._data))


def isneginf(x):
    return Tensor(np.isneginf(_tensor(x)._data))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + rtol |b| elementwise (a bool tensor)."""
    a, b = _tensor(a), _tensor(b)
    if a.dtype != b.dtype:
        raise RuntimeError(f"isclose: expected both inputs to have the same dtype, got {a.dtype} and {b.dtype}")
    F._check_broadcast("isclose", a, b)
    return Tensor(np.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
