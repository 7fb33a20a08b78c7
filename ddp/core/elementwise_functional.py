"""The public elementwise ops (`ddp.add`, `ddp.exp(x)`, `x.exp()`, `x == y`): argument checks, then one
`Function.apply` from ops/elementwise.py. Every error names the op and the shapes."""
import numpy as np

from .arguments import as_tensor_arg as _tensor
from .autograd import name_node
from .legacy_overloads import alpha_first
from .ops import elementwise as ew
from .ops import unary
from .query_functional import result_type
from .tensor import Tensor

__all__ = """
add sub mul div maximum minimum subtract multiply true_divide divide pow neg negative exp log sqrt abs sin cos tanh
sigmoid relu square rsqrt clamp clip where masked_fill eq ne lt le gt ge equal allclose logical_not isnan isfinite
sign greater greater_equal less less_equal not_equal floor_divide remainder fmod
""".split()


def _operand(x):
    """Python numbers pass through (numpy keeps them weak: float32 + 2.0 is float32); the rest become arrays."""
    if isinstance(x, (Tensor, int, float, bool, complex)):
        return x
    return _tensor(x)


def _check_broadcast(op, a, b):
    sa, sb = np.shape(a._data if isinstance(a, Tensor) else a), np.shape(b._data if isinstance(b, Tensor) else b)
    if sa != sb:
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise RuntimeError(f"{op}: shapes {sa} and {sb} cannot be broadcast together") from None


def _promoted(a, b):
    """Two tensors of different dtypes cast to PyTorch's result dtype where numpy's promotion gives another:
    a 0-d tensor does not widen a tensor of its category (float32 * float64 0-d is float32 in PyTorch,
    float64 in numpy), and float16 with int64 is float16 (numpy: float64). Numbers are left to numpy, whose
    weak scalars already agree."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        da, db = a._data.dtype, b._data.dtype
        if da != db:
            target = result_type(a, b)
            if np.result_type(a._data, b._data) != target:
                return (a if da == target else a.to(target)), (b if db == target else b.to(target))
    return a, b


# ------------------------------------------------------------------------------------ elementwise
def _binary(fn, name):
    def op(a, b):
        a, b = _promoted(_operand(a), _operand(b))
        _check_broadcast(name, a, b)
        return fn.apply(a, b)

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} with broadcasting."
    return op


_add = _binary(ew.Add, "add")
_sub = _binary(ew.Sub, "sub")
mul = _binary(ew.Mul, "mul")


def add(a, b, alpha=1):
    """a + alpha * b elementwise with broadcasting (PyTorch's deprecated add(a, alpha, b) is read so, with its
    warning)."""
    b, alpha = alpha_first("add", b, alpha)
    return _add(a, b if alpha == 1 else mul(b, alpha))


def sub(a, b, alpha=1):
    """a - alpha * b elementwise with broadcasting; a bool tensor on either side raises, as in PyTorch."""
    b, alpha = alpha_first("sub", b, alpha)
    for x in (a, b):
        if isinstance(x, Tensor) and x._data.dtype == np.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return _sub(a, b if alpha == 1 else mul(b, alpha))


_true_div = _binary(ew.Div, "div")


def _raw(v):
    return v._data if isinstance(v, Tensor) else v


def _integral(*values):
    return all(np.asarray(_raw(v)).dtype.kind in "iub" for v in values)


def _nonzero_divisor(b):
    """Integer division by zero has no value: PyTorch raises RuntimeError("ZeroDivisionError") (numpy would warn
    and give 0)."""
    if not np.all(_raw(b)):
        raise RuntimeError("ZeroDivisionError")


def div(a, b, rounding_mode=None):
    """a / b elementwise with broadcasting; rounding_mode 'trunc' or 'floor' rounds the quotient (no gradient
    through the rounding; integers stay integers, as in PyTorch)."""
    if rounding_mode is None:
        return _true_div(a, b)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found {rounding_mode!r}")
    a, b = _operand(a), _operand(b)
    _check_broadcast("div", a, b)
    if _integral(a, b):
        _nonzero_divisor(b)
        if rounding_mode == "floor":
            return Tensor(np.asarray(np.floor_divide(_raw(a), _raw(b))))
        q = np.trunc(np.true_divide(_raw(a), _raw(b)))
        return Tensor(np.asarray(q).astype(np.result_type(_raw(a), _raw(b))))
    return unary.Rounding.apply(_true_div(a, b), fn=rounding_mode)


def floor_divide(a, b):
    """a // b: the quotient rounded down (PyTorch's floor_divide)."""
    return div(a, b, rounding_mode="floor")


def remainder(a, b):
    """a - floor(a / b) * b, the remainder with b's sign (Python's %); d/da = 1, d/db = -floor(a / b)."""
    a, b = _operand(a), _operand(b)
    if _integral(a, b):
        _nonzero_divisor(b)
        return Tensor(np.asarray(np.remainder(_raw(a), _raw(b))))
    return sub(a, mul(floor_divide(a, b), b))


def fmod(a, b):
    """a - trunc(a / b) * b, the remainder with a's sign (C's fmod)."""
    a, b = _operand(a), _operand(b)
    if _integral(a, b):
        _nonzero_divisor(b)
        return Tensor(np.asarray(np.fmod(_raw(a), _raw(b))))
    return sub(a, mul(div(a, b, rounding_mode="trunc"), b))


maximum = _binary(ew.Maximum, "maximum")
minimum = _binary(ew.Minimum, "minimum")
subtract, multiply, true_divide, divide = sub, mul, div, div


def pow(a, b):  # noqa: A001 - PyTorch's name
    """a ** b elementwise."""
    a, b = _promoted(_operand(a), _operand(b))
    _check_broadcast("pow", a, b)
    return ew.Pow.apply(a, b)


def _unary(fn, name):
    def op(input):  # noqa: A002 - PyTorch's name (torch.exp(input=x))
        return fn.apply(_tensor(input))

    op.__name__ = name
    op.__doc__ = f"Elementwise {name}."
    return op


neg = _unary(ew.Neg, "neg")
exp = _unary(ew.Exp, "exp")
log = _unary(ew.Log, "log")
sqrt = _unary(ew.Sqrt, "sqrt")
abs = _unary(ew.Abs, "abs")  # noqa: A001
sin = _unary(ew.Sin, "sin")
cos = _unary(ew.Cos, "cos")
tanh = _unary(ew.Tanh, "tanh")
sigmoid = _unary(ew.Sigmoid, "sigmoid")
relu = _unary(ew.Relu, "relu")
negative = neg


def square(x):
    return mul(x, x)


def rsqrt(x):
    return div(1.0, sqrt(x))


def clamp(x, min=None, max=None):  # noqa: A002
    """Limit x to [min, max]; either bound may be None."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    x = _tensor(x)
    if isinstance(min, Tensor) or isinstance(max, Tensor):  # elementwise bounds
        x = x if min is None else maximum(x, min)
        return x if max is None else minimum(x, max)
    return ew.Clamp.apply(x, lo=min, hi=max)


clip = clamp


def where(condition, x=None, y=None):
    """x where condition holds, else y (both broadcast against condition); where(condition) alone is
    nonzero(condition, as_tuple=True)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if x is None and y is None:
        return tuple(Tensor(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(cond)))
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got {cond.dtype}")
    x, y = _operand(x), _operand(y)
    shapes = [np.shape(v._data if isinstance(v, Tensor) else v) for v in (cond, x, y)]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(f"where: shapes {shapes[0]}, {shapes[1]} and {shapes[2]} cannot be broadcast together") from None
    return ew.Where.apply(cond, x, y)


def masked_fill(x, mask, value):
    """x with `value` where `mask` is True."""
    mask = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    value = value.item() if isinstance(value, Tensor) else value
    return name_node(where(mask, value, x), "MaskedFillBackward0")


# ------------------------------------------------------------------------------------ comparisons
def _compare(ufunc, name):
    def op(a, b):
        if b is None:
            return False
        a_, b_ = _operand(a), _operand(b)
        _check_broadcast(name, a_, b_)
        unwrap = lambda v: v._data if isinstance(v, Tensor) else v  # noqa: E731
        return Tensor(ufunc(unwrap(a_), unwrap(b_)))

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} (a bool tensor, no gradient)."
    return op


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(a, b):
    """True if a and b have the same shape and elements."""
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))


def allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether |a - b| <= atol + rtol |b| everywhere (a Python bool)."""
    _check_broadcast("allclose", a, b)
    return bool(np.allclose(_tensor(a)._data, _tensor(b)._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def logical_not(x):
    return Tensor(np.logical_not(_tensor(x)._data))


def isnan(x):
    return Tensor(np.isnan(_tensor(x)._data))


def isfinite(x):
    return Tensor(np.isfinite(_tensor(x)._data))


def sign(x):
    """-1, 0 or 1 by the sign of x (bools stay as they are); the gradient is 0."""
    x = _tensor(x)
    if x.dtype.kind == "f":
        return unary.Rounding.apply(x, fn="sign")
    return Tensor(x._data.copy() if x.dtype == np.bool_ else np.sign(x._data))

