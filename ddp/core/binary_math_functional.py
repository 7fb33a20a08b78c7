"""The public elementwise math of two tensors: xlogy, hypot, copysign, fmax, fmin, heaviside, gcd, lcm,
nextafter, ldexp, the bit shifts and the incomplete gamma functions igamma / igammac. Argument checks and
dtype promotion, then one `Function.apply` from ops/binary_math.py or ops/incomplete_gamma.py, a numpy ufunc
(ops without a derivative), or a composition of public ops.

Either argument may be a Python number (PyTorch wants tensors for most of these): it takes the other's dtype.
"""
import numpy as np

from . import elementwise_functional as F
from .arguments import as_tensor_arg as _tensor
from .dtypes import get_default_dtype
from .math_functional import exp2
from .ops import binary_math, incomplete_gamma
from .tensor import Tensor

__all__ = """
xlogy hypot copysign fmax fmin heaviside gcd lcm nextafter ldexp bitwise_left_shift bitwise_right_shift igamma
igammac
""".split()


def _operand(v, other):
    """v as a Tensor; a Python number beside a tensor is weak (PyTorch's promotion): an int takes an integer
    tensor's dtype, a number a floating tensor's dtype."""
    if isinstance(v, Tensor) or not isinstance(other, Tensor):
        return _tensor(v)
    if isinstance(v, int) and not isinstance(v, bool) and other.dtype.kind in "iu":
        return Tensor(np.asarray(v, dtype=other.dtype))
    return _tensor(v, like=other)


def _pair(name, a, b):
    """a and b as Tensors (Python numbers weak beside a tensor), checked to broadcast."""
    a, b = _operand(a, b), _operand(b, a)
    F._check_broadcast(name, a, b)
    return a, b


def _float_dtype(a, b):
    """PyTorch's promotion for a float result: the wider float of the two, or the float one, or the default."""
    floats = [t.dtype for t in (a, b) if t.dtype.kind == "f"]
    return np.result_type(*floats) if floats else get_default_dtype()


def _floating_pair(name, a, b, integers_allowed=True):
    a, b = _pair(name, a, b)
    if not integers_allowed and a.dtype.kind != "f" and b.dtype.kind != "f":
        raise NotImplementedError(f"{name}: needs a floating point input, got {a.dtype} and {b.dtype}")
    dtype = _float_dtype(a, b)
    return a.to(dtype), b.to(dtype)


def xlogy(x, y):
    """x log(y), 0 where x == 0 (unless y is nan); d/dx = log(y) where x != 0, d/dy = x / y.

    Example:
        >>> ddp.xlogy(ddp.tensor([0.0, 2.0]), ddp.tensor([0.0, 3.0]))
        tensor([0.0000, 2.1972])
    """
    return binary_math.Xlogy.apply(*_floating_pair("xlogy", x, y))


def xlog1py(x, y):
    """x log(1 + y), 0 where x == 0 (unless y is nan); d/dx = log1p(y) where x != 0, d/dy = x / (1 + y)."""
    return binary_math.Xlogy.apply(*_floating_pair("xlog1py", x, y), log1p=True)


def hypot(a, b):
    """sqrt(a^2 + b^2) without overflow; d/da = a / hypot(a, b).

    Raises:
        NotImplementedError: neither input is floating point.
    """
    return binary_math.Hypot.apply(*_floating_pair("hypot", a, b, integers_allowed=False))


def copysign(a, b):
    """|a| with the sign of b (also of -0.0 and of a nan's sign bit), always floating; d/da = +-1, d/db = 0."""
    return binary_math.Copysign.apply(*_floating_pair("copysign", a, b))


def _fmax_fmin(a, b, minimum, name):
    a, b = _pair(name, a, b)
    if a.dtype.kind != "f" and b.dtype.kind != "f":
        return Tensor(np.asarray((np.fmin if minimum else np.fmax)(a._data, b._data)))
    dtype = _float_dtype(a, b)
    return binary_math.FMaxMin.apply(a.to(dtype), b.to(dtype), minimum=minimum)


def fmax(a, b):
    """The larger of a and b elementwise, taking the number where one is nan (maximum propagates nan). The
    gradient goes to a where a >= b or b is nan, to b elsewhere."""
    return _fmax_fmin(a, b, False, "fmax")


def fmin(a, b):
    """The smaller of a and b elementwise, taking the number where one is nan; the gradient goes to a where
    a <= b or b is nan, to b elsewhere."""
    return _fmax_fmin(a, b, True, "fmin")


def heaviside(x, values):
    """The step function: 0 where x < 0, 1 where x > 0, `values` where x == 0 (and 0 at nan, as PyTorch). No
    derivative.

    Raises:
        RuntimeError: x and values have different dtypes.
    """
    x = _tensor(x)
    values = values if isinstance(values, Tensor) else Tensor(np.asarray(values, dtype=x.dtype))
    if values.dtype != x.dtype:
        raise RuntimeError(f"heaviside: x and values must have the same dtype, got {x.dtype} and {values.dtype}")
    F._check_broadcast("heaviside", x, values)
    a = x._data
    return Tensor(np.asarray(np.where(a == 0, values._data, a > 0).astype(x.dtype)))


def _integer_pair(name, a, b):
    a, b = _pair(name, a, b)
    for t in (a, b):
        if t.dtype.kind not in "iu":
            raise NotImplementedError(f"{name}: expected integer tensors, got {t.dtype}")
    return a._data, b._data


def gcd(a, b):
    """The greatest common divisor of integer tensors, elementwise (non-negative; gcd(0, 0) = 0)."""
    return Tensor(np.asarray(np.gcd(*_integer_pair("gcd", a, b))))


def lcm(a, b):
    """The least common multiple of integer tensors, elementwise (non-negative; 0 if either is 0)."""
    return Tensor(np.asarray(np.lcm(*_integer_pair("lcm", a, b))))


def nextafter(a, b):
    """The next floating point number after a in the direction of b; d/da = 1 where a != b, d/db = 0.

    Raises:
        NotImplementedError: an integer or bool input.
    """
    a, b = _pair("nextafter", a, b)
    for t in (a, b):
        if t.dtype.kind != "f":
            raise NotImplementedError(f"nextafter: expected floating point tensors, got {t.dtype}")
    dtype = _float_dtype(a, b)
    return binary_math.Nextafter.apply(a.to(dtype), b.to(dtype))


def ldexp(x, other):
    """x * 2^other, floating (as PyTorch, composed of mul and exp2, so differentiable in both)."""
    x, other = _floating_pair("ldexp", x, other)
    return F.mul(x, exp2(other))


def _shift(ufunc, name):
    def op(a, b):
        if isinstance(b, int) and not 0 <= b <= 64:  # any such count shifts every bit out (PyTorch's rule),
            b = 64  # and this one fits every integer dtype (numpy refuses a Python int out of its range)
        a_, b_ = (v if isinstance(v, (bool, int)) else _tensor(v) for v in (a, b))
        kinds = [np.asarray(v._data if isinstance(v, Tensor) else v).dtype.kind for v in (a_, b_)]
        if any(k not in "iub" for k in kinds) or kinds == ["b", "b"]:
            given = " and ".join(str(v.dtype) if isinstance(v, Tensor) else type(v).__name__ for v in (a_, b_))
            raise NotImplementedError(f"{name}: expected integer tensors (a bool one only beside an int), "
                                      f"got {given}")
        F._check_broadcast(name, a_, b_)
        unwrap = lambda v: v._data if isinstance(v, Tensor) else v  # noqa: E731
        return Tensor(np.asarray(ufunc(unwrap(a_), unwrap(b_))))

    op.__name__ = name
    op.__doc__ = (f"Elementwise {name} of integer tensors (`<<` / `>>`); shifting by a negative count or by "
                  f"the bit width or more gives 0 (-1 for a negative number shifted right), as PyTorch.")
    return op


bitwise_left_shift = _shift(np.left_shift, "bitwise_left_shift")
bitwise_right_shift = _shift(np.right_shift, "bitwise_right_shift")


def igamma(a, x):
    """The regularized lower incomplete gamma function P(a, x) = gamma(a, x) / Gamma(a) (a, x >= 0); d/dx =
    x^(a-1) e^-x / Gamma(a); there is no derivative in a (backward raises NotImplementedError, as PyTorch).

    Raises:
        NotImplementedError: neither input is floating point.

    Example:
        >>> ddp.igamma(ddp.tensor([1.0]), ddp.tensor([1.0]))  # 1 - 1/e
        tensor([0.6321])
    """
    return incomplete_gamma.Igamma.apply(*_floating_pair("igamma", a, x, integers_allowed=False))


def igammac(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), accurate where it is tiny;
    d/dx = -x^(a-1) e^-x / Gamma(a); no derivative in a. Errors as `igamma`."""
    return incomplete_gamma.Igamma.apply(*_floating_pair("igammac", a, x, integers_allowed=False), upper=True)
