"""Tensor's op methods and operators (`x.exp()`, `x.sum(0)`, `x + y`, `x[i]`): `TensorOps`, a base class of
`Tensor`, so that every method is a real `def` a reader (and an IDE) finds through the class.

Each method is a one-liner (written on one line, grouped by family) calling the public op in `functional`
(whose docstring says what it does). functional imports Tensor, so it cannot be imported here before Tensor
exists: tensor.py binds `F` at its end (`bind_functional`), before any op can run.

TensorOps holds the operators, arithmetic and math, comparisons, reductions and `new_*`; its bases hold the
other families, one file each:

    methods_shape.py     ShapeMethods     views, joins, splits, indexing, diagonals, scatter variants
    methods_products.py  ProductMethods   matrix products, decompositions, statistics
    methods_inplace.py   InPlaceMethods   the in-place forms (add_, exp_, eq_, scatter_, ...) and random fills
    methods_queries.py   QueryMethods     queries (is_signed, ...), random draws, prelu and hardshrink
"""
import numpy as np

from . import methods_inplace, methods_products, methods_queries, methods_shape
from .autograd import name_node
from .dtypes import as_dtype
from .legacy_overloads import alpha_first, value_first
from .methods_inplace import InPlaceMethods
from .methods_products import ProductMethods
from .methods_queries import QueryMethods
from .methods_shape import ShapeMethods
from .sizes import keyword_vararg, ragged_error, size_arg

F = None  # ddp.core.functional, bound by tensor.py (bind_functional)


def bind_functional(functional):
    """Give this module and its sibling method files `F`, once functional exists."""
    global F
    F = functional
    for module in (methods_shape, methods_products, methods_inplace, methods_queries):
        module.F = functional


class TensorOps(ShapeMethods, ProductMethods, InPlaceMethods, QueryMethods):
    """The ops of `ddp.core.functional` as methods, operators and in-place forms (`add_`, `exp_`, ...)."""

    __slots__ = ()

    # ------------------------------------------------------------------------------------ operators
    def __add__(self, other): return F.add(self, other)
    def __radd__(self, other): return F.add(other, self)
    def __sub__(self, other): return F.sub(self, other)
    def __rsub__(self, other): return name_node(F.sub(other, self), "RsubBackward1")
    def __mul__(self, other): return F.mul(self, other)
    def __rmul__(self, other): return F.mul(other, self)
    def __truediv__(self, other): return F.div(self, other)
    def __rtruediv__(self, other): return F.div(other, self)
    def __floordiv__(self, other): return F.floor_divide(self, other)
    def __rfloordiv__(self, other): return F.floor_divide(other, self)
    def __mod__(self, other): return F.remainder(self, other)
    def __rmod__(self, other): return F.remainder(other, self)
    def __pow__(self, other): return F.pow(self, other)
    def __rpow__(self, other): return F.pow(other, self)
    def __matmul__(self, other): return F.matmul(self, other)
    def __rmatmul__(self, other): return F.matmul(other, self)
    def __neg__(self): return F.neg(self)
    def __pos__(self): return self
    def __abs__(self): return F.abs(self)
    def __invert__(self): return F.bitwise_not(self)
    def __and__(self, other): return F.bitwise_and(self, other)
    def __rand__(self, other): return F.bitwise_and(other, self)
    def __or__(self, other): return F.bitwise_or(self, other)
    def __ror__(self, other): return F.bitwise_or(other, self)
    def __xor__(self, other): return F.bitwise_xor(self, other)
    def __rxor__(self, other): return F.bitwise_xor(other, self)
    def __eq__(self, other): return F.eq(self, other)
    def __ne__(self, other): return F.ne(self, other)
    def __lt__(self, other): return F.lt(self, other)
    def __le__(self, other): return F.le(self, other)
    def __gt__(self, other): return F.gt(self, other)
    def __ge__(self, other): return F.ge(self, other)
    def __getitem__(self, index): return F.index(self, index)
    def __iadd__(self, other): return self.add_(other)
    def __isub__(self, other): return self.sub_(other)
    def __imul__(self, other): return self.mul_(other)
    def __itruediv__(self, other): return self.div_(other)

    def __format__(self, spec):
        """f"{loss:.4f}" formats a 0-d tensor's value, as PyTorch does; other tensors take no format spec."""
        if self.ndim == 0:
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    # ----------------------------------------------------------------------------------- arithmetic
    def add(self, other, alpha=1): return F.add(self, *alpha_first("add", other, alpha))
    def sub(self, other, alpha=1): return F.sub(self, *alpha_first("sub", other, alpha))
    def mul(self, other): return F.mul(self, other)
    def div(self, other, rounding_mode=None): return F.div(self, other, rounding_mode)
    def floor_divide(self, other): return F.floor_divide(self, other)
    def remainder(self, other): return F.remainder(self, other)
    def fmod(self, other): return F.fmod(self, other)
    def pow(self, exponent): return F.pow(self, exponent)
    def float_power(self, exponent): return F.float_power(self, exponent)
    def maximum(self, other): return F.maximum(self, other)
    def minimum(self, other): return F.minimum(self, other)
    def atan2(self, other): return F.atan2(self, other)
    def logaddexp(self, other): return F.logaddexp(self, other)
    def logaddexp2(self, other): return F.logaddexp2(self, other)
    def lerp(self, end, weight): return F.lerp(self, end, weight)
    def addcmul(self, t1, t2, value=1): return F.addcmul(self, *value_first("addcmul", t1, t2, value))
    def addcdiv(self, t1, t2, value=1): return F.addcdiv(self, *value_first("addcdiv", t1, t2, value))
    subtract, multiply, divide, true_divide, arctan2 = sub, mul, div, div, atan2

    def neg(self): return F.neg(self)
    def exp(self): return F.exp(self)
    def exp2(self): return F.exp2(self)
    def expm1(self): return F.expm1(self)
    def log(self): return F.log(self)
    def log1p(self): return F.log1p(self)
    def log2(self): return F.log2(self)
    def log10(self): return F.log10(self)
    def sqrt(self): return F.sqrt(self)
    def rsqrt(self): return F.rsqrt(self)
    def square(self): return F.square(self)
    def reciprocal(self): return F.reciprocal(self)
    def abs(self): return F.abs(self)
    def angle(self): return F.angle(self)
    def sign(self): return F.sign(self)
    def sin(self): return F.sin(self)
    def cos(self): return F.cos(self)
    def tanh(self): return F.tanh(self)
    def sinh(self): return F.sinh(self)
    def cosh(self): return F.cosh(self)
    def asin(self): return F.asin(self)
    def acos(self): return F.acos(self)
    def atan(self): return F.atan(self)
    def erf(self): return F.erf(self)
    def erfinv(self): return F.erfinv(self)
    def logit(self, eps=None): return F.logit(self, eps)
    def sigmoid(self): return F.sigmoid(self)
    def relu(self): return F.relu(self)
    def floor(self): return F.floor(self)
    def ceil(self): return F.ceil(self)
    def round(self, decimals=0): return F.round(self, decimals)
    def trunc(self): return F.trunc(self)
    def frac(self): return F.frac(self)
    def clamp(self, min=None, max=None): return F.clamp(self, min, max)
    def clamp_min(self, min): return F.clamp(self, min=min)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None): return F.nan_to_num(self, nan, posinf, neginf)
    def clamp_max(self, max): return F.clamp(self, max=max)
    negative, absolute, arcsin, arccos, arctan, fix, clip = neg, abs, asin, acos, atan, trunc, clamp

    # -------------------------------------- trigonometric, hyperbolic, gamma family and binary math
    def tan(self): return F.tan(self)
    def asinh(self): return F.asinh(self)
    def acosh(self): return F.acosh(self)
    def atanh(self): return F.atanh(self)
    def erfc(self): return F.erfc(self)
    def lgamma(self): return F.lgamma(self)
    def digamma(self): return F.digamma(self)
    def polygamma(self, n): return F.polygamma(n, self)
    def mvlgamma(self, p): return F.mvlgamma(self, p)
    def i0(self): return F.i0(self)
    def sinc(self): return F.sinc(self)
    def sgn(self): return F.sgn(self)
    def signbit(self): return F.signbit(self)
    def isneginf(self): return F.isneginf(self)
    def isposinf(self): return F.isposinf(self)
    def isreal(self): return F.isreal(self)
    def positive(self): return F.positive(self)
    def deg2rad(self): return F.deg2rad(self)
    def rad2deg(self): return F.rad2deg(self)
    def frexp(self): return F.frexp(self)
    def xlogy(self, other): return F.xlogy(self, other)
    def hypot(self, other): return F.hypot(self, other)
    def copysign(self, other): return F.copysign(self, other)
    def fmax(self, other): return F.fmax(self, other)
    def fmin(self, other): return F.fmin(self, other)
    def heaviside(self, values): return F.heaviside(self, values)
    def gcd(self, other): return F.gcd(self, other)
    def lcm(self, other): return F.lcm(self, other)
    def nextafter(self, other): return F.nextafter(self, other)
    def ldexp(self, other): return F.ldexp(self, other)
    def bitwise_left_shift(self, other): return F.bitwise_left_shift(self, other)
    def bitwise_right_shift(self, other): return F.bitwise_right_shift(self, other)
    def igamma(self, other): return F.igamma(self, other)
    def igammac(self, other): return F.igammac(self, other)
    def __lshift__(self, other): return F.bitwise_left_shift(self, other)
    def __rlshift__(self, other): return F.bitwise_left_shift(other, self)
    def __rshift__(self, other): return F.bitwise_right_shift(self, other)
    def __rrshift__(self, other): return F.bitwise_right_shift(other, self)
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    # ------------------------------------------------------------------------- comparison and logic
    def eq(self, other): return F.eq(self, other)
    def ne(self, other): return F.ne(self, other)
    def lt(self, other): return F.lt(self, other)
    def le(self, other): return F.le(self, other)
    def gt(self, other): return F.gt(self, other)
    def ge(self, other): return F.ge(self, other)
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def equal(self, other): return F.equal(self, other)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return F.allclose(self, other, rtol, atol, equal_nan)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return F.isclose(self, other, rtol, atol, equal_nan)
    def isnan(self): return F.isnan(self)
    def isinf(self): return F.isinf(self)
    def isfinite(self): return F.isfinite(self)
    def logical_not(self): return F.logical_not(self)
    def logical_and(self, other): return F.logical_and(self, other)
    def logical_or(self, other): return F.logical_or(self, other)
    def logical_xor(self, other): return F.logical_xor(self, other)
    def bitwise_not(self): return F.bitwise_not(self)
    def bitwise_and(self, other): return F.bitwise_and(self, other)
    def bitwise_or(self, other): return F.bitwise_or(self, other)
    def bitwise_xor(self, other): return F.bitwise_xor(self, other)
    def where(self, condition, other): return F.where(condition, self, other)
    def masked_fill(self, mask, value): return F.masked_fill(self, mask, value)

    # ----------------------------------------------------------------------------------- reductions
    # (numpy's axis= and keepdims= pass on to the functional form, which resolves them, as PyTorch's natively
    # bound methods take them; norm, unique and unique_consecutive are Python in PyTorch and take neither)
    def sum(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        return F.sum(self, dim, keepdim, dtype, axis=axis, keepdims=keepdims)
    def mean(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        return F.mean(self, dim, keepdim, dtype, axis=axis, keepdims=keepdims)
    def prod(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        return F.prod(self, dim, keepdim, dtype, axis=axis, keepdims=keepdims)
    def nansum(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        return F.nansum(self, dim, keepdim, dtype, axis=axis, keepdims=keepdims)
    def nanmean(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        return F.nanmean(self, dim, keepdim, dtype, axis=axis, keepdims=keepdims)
    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.max(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.min(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def amax(self, dim=(), keepdim=False, *, axis=None, keepdims=None):
        return F.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def amin(self, dim=(), keepdim=False, *, axis=None, keepdims=None):
        return F.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def aminmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.aminmax(self, dim=dim, keepdim=keepdim, axis=axis, keepdims=keepdims)
    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def var(self, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None):
        return F.var(self, dim, unbiased, keepdim, correction, axis=axis, keepdims=keepdims)
    def std(self, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None):
        return F.std(self, dim, unbiased, keepdim, correction, axis=axis, keepdims=keepdims)
    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.all(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.any(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def count_nonzero(self, dim=None, *, axis=None): return F.count_nonzero(self, dim, axis=axis)
    def histc(self, bins=100, min=0, max=0): return F.histc(self, bins, min, max)
    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def softmax(self, dim=None, dtype=None, *, axis=None): return F.softmax(self, dim, dtype, axis=axis)
    def log_softmax(self, dim=None, dtype=None, *, axis=None): return F.log_softmax(self, dim, dtype, axis=axis)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None): return F.norm(self, p, dim, keepdim, dtype)
    def cumsum(self, dim=None, dtype=None, *, axis=None): return F.cumsum(self, dim, dtype, axis=axis)
    def cumprod(self, dim=None, dtype=None, *, axis=None): return F.cumprod(self, dim, dtype, axis=axis)
    def logcumsumexp(self, dim=None, *, axis=None): return F.logcumsumexp(self, dim, axis=axis)
    def cummax(self, dim=None, *, axis=None): return F.cummax(self, dim, axis=axis)
    def cummin(self, dim=None, *, axis=None): return F.cummin(self, dim, axis=axis)
    def diff(self, n=1, dim=-1, prepend=None, append=None, *, axis=None):
        return F.diff(self, n, dim, prepend, append, axis=axis)
    def sort(self, dim=-1, descending=False, stable=False, *, axis=None):
        return F.sort(self, dim, descending, stable, axis=axis)
    def argsort(self, dim=-1, descending=False, stable=False, *, axis=None):
        return F.argsort(self, dim, descending, stable, axis=axis)
    def msort(self): return F.msort(self)
    def median(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.median(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def nanmedian(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return F.nanmedian(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def kthvalue(self, k, dim=-1, keepdim=False, *, axis=None, keepdims=None):
        return F.kthvalue(self, k, dim, keepdim, axis=axis, keepdims=keepdims)
    def quantile(self, q, dim=None, keepdim=False, interpolation="linear", *, axis=None, keepdims=None):
        return F.quantile(self, q, dim, keepdim, interpolation, axis=axis, keepdims=keepdims)
    def nanquantile(self, q, dim=None, keepdim=False, interpolation="linear", *, axis=None, keepdims=None):
        return F.nanquantile(self, q, dim, keepdim, interpolation, axis=axis, keepdims=keepdims)
    def topk(self, k, dim=-1, largest=True, sorted=True, *, axis=None):
        return F.topk(self, k, dim, largest, sorted, axis=axis)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return F.unique(self, sorted, return_inverse, return_counts, dim)
    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return F.unique_consecutive(self, return_inverse, return_counts, dim)

    # ---------------------------------------------------------------------------- new tensors alike
    def new_zeros(self, *args, size=None, dtype=None, device=None, requires_grad=False):
        return self._new(0, keyword_vararg("new_zeros", args, size, "size"), dtype, requires_grad, "new_zeros")
    def new_ones(self, *args, size=None, dtype=None, device=None, requires_grad=False):
        return self._new(1, keyword_vararg("new_ones", args, size, "size"), dtype, requires_grad, "new_ones")
    def new_empty(self, *args, size=None, dtype=None, device=None, requires_grad=False):
        return self._new(0, keyword_vararg("new_empty", args, size, "size"), dtype, requires_grad, "new_empty")
    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return self._new(fill_value, (size,), dtype, requires_grad, "new_full")

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A copy of `data` as a new leaf, in this tensor's dtype unless `dtype` is given."""
        data = data._data if isinstance(data, TensorOps) else data
        try:
            array = np.array(data, dtype=as_dtype(dtype) or self.dtype)
        except ValueError:  # ragged nested lists: PyTorch's error naming the dim, not numpy's
            ragged_error(data, "new_tensor")
            raise
        return type(self)(array, requires_grad=requires_grad)

    def new_empty_strided(self, size, stride, dtype=None, device=None, requires_grad=False):
        """`ddp.empty_strided(size, stride)` in this tensor's dtype (unless `dtype` is given)."""
        from .creation_memory import empty_strided

        return empty_strided(size, stride, dtype=as_dtype(dtype) or self.dtype, device=device,
                             requires_grad=requires_grad)

    def _new(self, fill, size, dtype, requires_grad, op):
        array = np.full(size_arg(size, op), fill, dtype=as_dtype(dtype) or self.dtype)
        return type(self)(array, requires_grad=requires_grad)
