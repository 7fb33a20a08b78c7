"""The public tensor ops (`ddp.exp(x)`, `x.exp()`): argument checks, then one `Function.apply`.

Validation lives here so that op bodies in `ops/` stay short; every error names the op and the shapes.
"""
from collections import namedtuple

import numpy as np

from .ops import elementwise as ew
from .ops import linalg, reduce
from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .tensor import Tensor

MinMax = namedtuple("MinMax", ["values", "indices"])

__all__ = """
add sub mul div maximum minimum subtract multiply true_divide divide pow neg negative exp log sqrt abs sin cos tanh
sigmoid relu square rsqrt clamp clip where masked_fill eq ne lt le gt ge equal allclose logical_not isnan isfinite
sign sum mean max min amax argmax argmin var std all any logsumexp softmax log_softmax matmul mm bmm linear
""".split()


def _operand(x):
    """Python numbers pass through (numpy keeps them weak: float32 + 2.0 is float32); the rest become arrays."""
    if isinstance(x, (Tensor, int, float, bool)):
        return x
    return _tensor(x)


def _check_broadcast(op, a, b):
    sa, sb = np.shape(a._data if isinstance(a, Tensor) else a), np.shape(b._data if isinstance(b, Tensor) else b)
    if sa != sb:
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise ValueError(f"{op}: shapes {sa} and {sb} cannot be broadcast together") from None


# ------------------------------------------------------------------------------------ elementwise
def _binary(fn, name):
    def op(a, b):
        a, b = _operand(a), _operand(b)
        _check_broadcast(name, a, b)
        return fn.apply(a, b)

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} with broadcasting."
    return op


add = _binary(ew.Add, "add")
sub = _binary(ew.Sub, "sub")
mul = _binary(ew.Mul, "mul")
div = _binary(ew.Div, "div")
maximum = _binary(ew.Maximum, "maximum")
minimum = _binary(ew.Minimum, "minimum")
subtract, multiply, true_divide, divide = sub, mul, div, div


def pow(a, b):  # noqa: A001 - PyTorch's name
    """a ** b elementwise."""
    a, b = _operand(a), _operand(b)
    _check_broadcast("pow", a, b)
    return ew.Pow.apply(a, b)


def _unary(fn, name):
    def op(x):
        return fn.apply(_tensor(x))

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
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    return ew.Clamp.apply(_tensor(x), lo=min, hi=max)


clip = clamp


def where(condition, x, y):
    """x where condition holds, else y (both broadcast against condition)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got {cond.dtype}")
    x, y = _operand(x), _operand(y)
    shapes = [np.shape(v._data if isinstance(v, Tensor) else v) for v in (cond, x, y)]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"where: shapes {shapes[0]}, {shapes[1]} and {shapes[2]} cannot be broadcast together") from None
    return ew.Where.apply(cond, x, y)


def masked_fill(x, mask, value):
    """x with `value` where `mask` is True."""
    mask = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    value = value.item() if isinstance(value, Tensor) else value
    return where(mask, value, x)


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


def equal(a, b):
    """True if a and b have the same shape and elements."""
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))


def allclose(a, b, rtol=1e-5, atol=1e-8):
    return bool(np.allclose(_tensor(a)._data, _tensor(b)._data, rtol=rtol, atol=atol))


def logical_not(x):
    return Tensor(np.logical_not(_tensor(x)._data))


def isnan(x):
    return Tensor(np.isnan(_tensor(x)._data))


def isfinite(x):
    return Tensor(np.isfinite(_tensor(x)._data))


def sign(x):
    return Tensor(np.sign(_tensor(x)._data))


# ------------------------------------------------------------------------------------- reductions
def sum(x, dim=None, keepdim=False, dtype=None):  # noqa: A001
    """Sum over `dim` (an int, a tuple, or None for all)."""
    x = _tensor(x) if dtype is None else _tensor(x).to(dtype)
    return reduce.Sum.apply(x, dim=_dim(dim, x.ndim, "sum"), keepdim=keepdim)


def mean(x, dim=None, keepdim=False):
    """Mean over `dim`; floating tensors only, as in PyTorch."""
    x = _tensor(x)
    if x.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be floating, got {x.dtype}")
    return reduce.Mean.apply(x, dim=_dim(dim, x.ndim, "mean"), keepdim=keepdim)


def _extreme(x, dim, keepdim, largest, name):
    x = _tensor(x)
    if isinstance(dim, Tensor):  # max(a, b)
        return (maximum if largest else minimum)(x, dim)
    if x.numel() == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0")
    if dim is None:
        return reduce.Extreme.apply(x, largest=largest)
    dim = _dim(dim, x.ndim, name)
    values = reduce.Extreme.apply(x, dim=dim, keepdim=keepdim, largest=largest)
    return MinMax(values, (argmax if largest else argmin)(x, dim, keepdim))


def max(x, dim=None, keepdim=False):  # noqa: A001
    """Largest element; with `dim`, a (values, indices) pair; with a tensor, the elementwise maximum."""
    return _extreme(x, dim, keepdim, True, "max")


def min(x, dim=None, keepdim=False):  # noqa: A001
    """Smallest element; with `dim`, a (values, indices) pair; with a tensor, the elementwise minimum."""
    return _extreme(x, dim, keepdim, False, "min")


def amax(x, dim=None, keepdim=False):
    return max(x, dim, keepdim).values if dim is not None else max(x)


def argmax(x, dim=None, keepdim=False):
    """Index of the largest element (flattened when dim is None)."""
    x = _tensor(x)
    if dim is None:
        return Tensor(np.asarray(np.argmax(x._data), dtype=np.int64))
    dim = _dim(dim, x.ndim, "argmax")
    return Tensor(np.argmax(x._data, axis=dim, keepdims=keepdim).astype(np.int64, copy=False))


def argmin(x, dim=None, keepdim=False):
    """Index of the smallest element (flattened when dim is None)."""
    x = _tensor(x)
    if dim is None:
        return Tensor(np.asarray(np.argmin(x._data), dtype=np.int64))
    dim = _dim(dim, x.ndim, "argmin")
    return Tensor(np.argmin(x._data, axis=dim, keepdims=keepdim).astype(np.int64, copy=False))


def var(x, dim=None, unbiased=None, keepdim=False, correction=None):
    """Variance over `dim`; `correction=1` (Bessel's, the default) or `unbiased=False` for the biased one."""
    x = _tensor(x)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return reduce.Var.apply(x, dim=_dim(dim, x.ndim, "var"), correction=correction, keepdim=keepdim)


def std(x, dim=None, unbiased=None, keepdim=False, correction=None):
    """Standard deviation: sqrt of `var` with the same arguments."""
    return sqrt(var(x, dim, unbiased, keepdim, correction))


def all(x, dim=None):  # noqa: A001
    return Tensor(np.all(_tensor(x)._data, axis=dim))


def any(x, dim=None):  # noqa: A001
    return Tensor(np.any(_tensor(x)._data, axis=dim))


def logsumexp(x, dim, keepdim=False):
    """log(sum(exp(x), dim)), computed stably."""
    x = _tensor(x)
    return reduce.LogSumExp.apply(x, dim=_dim(dim, x.ndim, "logsumexp"), keepdim=keepdim)


def softmax(x, dim):
    """exp(x) / sum(exp(x), dim), computed stably."""
    x = _tensor(x)
    return reduce.Softmax.apply(x, dim=_dim(dim, x.ndim, "softmax"))


def log_softmax(x, dim):
    """x - logsumexp(x, dim), computed stably."""
    x = _tensor(x)
    return reduce.LogSoftmax.apply(x, dim=_dim(dim, x.ndim, "log_softmax"))


# ------------------------------------------------------------------------------------------ linalg
def matmul(a, b):
    """Matrix product with numpy's rules: batched, broadcasting batch dims, 1-D operands as vectors."""
    a, b = _tensor(a), _tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need to be at least 1D, got shapes {a.shape} and {b.shape}")
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise RuntimeError(
            f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied ({k_a} != {k_b})"
        )
    if a.ndim > 2 or b.ndim > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise RuntimeError(
                f"matmul: batch dimensions of {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast"
            ) from None
    return linalg.MatMul.apply(a, b)


def mm(a, b):
    """2-D matrix product."""
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def bmm(a, b):
    """Batched 3-D matrix product."""
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def linear(x, weight, bias=None):
    """x @ weight^T + bias, fused (one BLAS product per gradient)."""
    if x.shape[-1] != weight.shape[-1]:
        raise RuntimeError(
            f"linear: input of shape {tuple(x.shape)} does not match weight of shape {tuple(weight.shape)} "
            f"({x.shape[-1]} != {weight.shape[-1]} input features)"
        )
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(f"linear: bias of shape {tuple(bias.shape)}, expected ({weight.shape[0]},)")
    return linalg.Linear.apply(x, weight, bias)


from .shape_functional import *  # noqa: E402,F401,F403  (views, joins, indexing)
from .shape_functional import __all__ as _shape_all  # noqa: E402

__all__ += _shape_all
