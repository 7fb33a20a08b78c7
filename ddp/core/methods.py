"""Tensor's op methods and operators (`x.exp()`, `x.sum(0)`, `x + y`, `x[i]`): `TensorOps`, a base class of
`Tensor`, so that every method is a real `def` a reader (and an IDE) finds through the class.

Each method is a one-liner (written on one line, grouped by family) calling the public op in `functional`
(whose docstring says what it does). functional imports Tensor, so it cannot be imported here before Tensor
exists: tensor.py binds `F` at its end (`bind_functional`), before any op can run.
"""
import numpy as np

from .dtypes import as_dtype
from .random import get_generator
from .sizes import ragged_error, size_arg

F = None  # ddp.core.functional, bound by tensor.py


def bind_functional(functional):
    global F
    F = functional


def _shape(size):
    return size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


class TensorOps:
    """The ops of `ddp.core.functional` as methods, operators and in-place forms (`add_`, `exp_`, ...)."""

    __slots__ = ()

    # ------------------------------------------------------------------------------------- operators
    def __add__(self, other): return F.add(self, other)
    def __radd__(self, other): return F.add(other, self)
    def __sub__(self, other): return F.sub(self, other)
    def __rsub__(self, other): return F.sub(other, self)
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
    def add(self, other, alpha=1): return F.add(self, other if alpha == 1 else F.mul(other, alpha))
    def sub(self, other, alpha=1): return F.sub(self, other if alpha == 1 else F.mul(other, alpha))
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
    def addcmul(self, t1, t2, value=1): return F.addcmul(self, t1, t2, value)
    def addcdiv(self, t1, t2, value=1): return F.addcdiv(self, t1, t2, value)
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
    def sum(self, dim=None, keepdim=False, dtype=None): return F.sum(self, dim, keepdim, dtype)
    def mean(self, dim=None, keepdim=False, dtype=None): return F.mean(self, dim, keepdim, dtype)
    def prod(self, dim=None, keepdim=False, dtype=None): return F.prod(self, dim, keepdim, dtype)
    def nansum(self, dim=None, keepdim=False, dtype=None): return F.nansum(self, dim, keepdim, dtype)
    def nanmean(self, dim=None, keepdim=False, dtype=None): return F.nanmean(self, dim, keepdim, dtype)
    def max(self, dim=None, keepdim=False): return F.max(self, dim, keepdim)
    def min(self, dim=None, keepdim=False): return F.min(self, dim, keepdim)
    def amax(self, dim=(), keepdim=False): return F.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return F.amin(self, dim, keepdim)
    def aminmax(self, dim=None, keepdim=False): return F.aminmax(self, dim=dim, keepdim=keepdim)
    def argmax(self, dim=None, keepdim=False): return F.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return F.argmin(self, dim, keepdim)
    def var(self, dim=None, unbiased=None, keepdim=False, correction=None):
        return F.var(self, dim, unbiased, keepdim, correction)
    def std(self, dim=None, unbiased=None, keepdim=False, correction=None):
        return F.std(self, dim, unbiased, keepdim, correction)
    def all(self, dim=None, keepdim=False): return F.all(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return F.any(self, dim, keepdim)
    def count_nonzero(self, dim=None): return F.count_nonzero(self, dim)
    def histc(self, bins=100, min=0, max=0): return F.histc(self, bins, min, max)
    def logsumexp(self, dim, keepdim=False): return F.logsumexp(self, dim, keepdim)
    def softmax(self, dim): return F.softmax(self, dim)
    def log_softmax(self, dim): return F.log_softmax(self, dim)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None): return F.norm(self, p, dim, keepdim, dtype)
    def cumsum(self, dim, dtype=None): return F.cumsum(self, dim, dtype)
    def cumprod(self, dim, dtype=None): return F.cumprod(self, dim, dtype)
    def logcumsumexp(self, dim): return F.logcumsumexp(self, dim)
    def cummax(self, dim): return F.cummax(self, dim)
    def cummin(self, dim): return F.cummin(self, dim)
    def diff(self, n=1, dim=-1, prepend=None, append=None): return F.diff(self, n, dim, prepend, append)
    def sort(self, dim=-1, descending=False, stable=False): return F.sort(self, dim, descending, stable)
    def argsort(self, dim=-1, descending=False, stable=False): return F.argsort(self, dim, descending, stable)
    def msort(self): return F.msort(self)
    def median(self, dim=None, keepdim=False): return F.median(self, dim, keepdim)
    def nanmedian(self, dim=None, keepdim=False): return F.nanmedian(self, dim, keepdim)
    def kthvalue(self, k, dim=-1, keepdim=False): return F.kthvalue(self, k, dim, keepdim)
    def quantile(self, q, dim=None, keepdim=False, interpolation="linear"):
        return F.quantile(self, q, dim, keepdim, interpolation)
    def nanquantile(self, q, dim=None, keepdim=False, interpolation="linear"):
        return F.nanquantile(self, q, dim, keepdim, interpolation)
    def topk(self, k, dim=-1, largest=True, sorted=True): return F.topk(self, k, dim, largest, sorted)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return F.unique(self, sorted, return_inverse, return_counts, dim)
    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return F.unique_consecutive(self, return_inverse, return_counts, dim)

    # ------------------------------------------------------------------------------ matrix products
    def matmul(self, other): return F.matmul(self, other)
    def mm(self, other): return F.mm(self, other)
    def bmm(self, other): return F.bmm(self, other)
    def mv(self, vec): return F.mv(self, vec)
    def dot(self, other): return F.dot(self, other)
    def outer(self, other): return F.outer(self, other)
    def inverse(self): return F.inverse(self)
    def det(self): return F.det(self)
    def logdet(self): return F.logdet(self)
    def slogdet(self): return F.slogdet(self)
    def cholesky(self, upper=False): return F.cholesky(self, upper)
    def cholesky_solve(self, input2, upper=False): return F.cholesky_solve(self, input2, upper)
    def kron(self, other): return F.kron(self, other)
    def cross(self, other, dim=None): return F.cross(self, other, dim)
    def addmm(self, m1, m2, beta=1, alpha=1): return F.addmm(self, m1, m2, beta=beta, alpha=alpha)
    def baddbmm(self, b1, b2, beta=1, alpha=1): return F.baddbmm(self, b1, b2, beta=beta, alpha=alpha)
    ger = outer
    def qr(self, some=True): return F.qr(self, some)
    def svd(self, some=True, compute_uv=True): return F.svd(self, some, compute_uv)
    def lu(self, pivot=True, get_infos=False): return F.lu(self, pivot, get_infos)
    def lu_solve(self, LU_data, LU_pivots): return F.lu_solve(self, LU_data, LU_pivots)
    def matrix_exp(self): return F.matrix_exp(self)

    # ----------------------------------------------------------------------------- shape and layout
    def reshape(self, *shape): return F.reshape(self, *shape)
    def reshape_as(self, other): return F.reshape(self, other.shape)
    def view_as(self, other): return F.view(self, other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return F.flatten(self, start_dim, end_dim)
    def unflatten(self, dim, sizes): return F.unflatten(self, dim, sizes)
    def squeeze(self, dim=None): return F.squeeze(self, dim)
    def unsqueeze(self, dim): return F.unsqueeze(self, dim)
    def transpose(self, dim0, dim1): return F.transpose(self, dim0, dim1)
    def permute(self, *dims): return F.permute(self, *dims)
    def movedim(self, source, destination): return F.movedim(self, source, destination)
    def t(self): return F.t(self)
    def expand(self, *shape): return F.expand(self, *shape)
    def expand_as(self, other): return F.expand(self, other.shape)
    def broadcast_to(self, shape): return F.broadcast_to(self, shape)
    def repeat(self, *sizes): return F.repeat(self, *sizes)
    def tile(self, *dims): return F.tile(self, _shape(dims))
    def repeat_interleave(self, repeats, dim=None): return F.repeat_interleave(self, repeats, dim)
    def contiguous(self): return F.contiguous(self)
    def clone(self): return F.clone(self)
    def split(self, split_size, dim=0): return F.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return F.chunk(self, chunks, dim)
    def unbind(self, dim=0): return F.unbind(self, dim)
    def narrow(self, dim, start, length): return F.narrow(self, dim, start, length)
    def flip(self, *dims): return F.flip(self, *dims)
    def fliplr(self): return F.fliplr(self)
    def flipud(self): return F.flipud(self)
    def roll(self, shifts, dims=None): return F.roll(self, shifts, dims)
    def tril(self, diagonal=0): return F.tril(self, diagonal)
    def triu(self, diagonal=0): return F.triu(self, diagonal)
    def diag(self, diagonal=0): return F.diag(self, diagonal)
    def rot90(self, k=1, dims=(0, 1)): return F.rot90(self, k, dims)
    swapaxes = swapdims = transpose

    def view(self, *shape):
        """A view with a new shape, or with `view(dtype)` the same bytes read as another dtype (no gradient)."""
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)) and not hasattr(shape[0], "__index__"):
            return type(self)(self._data.view(as_dtype(shape[0])))
        return F.view(self, *shape)

    @property
    def T(self): return F.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self): return F.transpose(self, -2, -1)

    def type_as(self, other): return self.to(other.dtype)

    # ------------------------------------------------------------------------------ picking elements
    def gather(self, dim, index): return F.gather(self, dim, index)
    def take_along_dim(self, indices, dim=None): return F.take_along_dim(self, indices, dim)
    def index_select(self, dim, index): return F.index_select(self, dim, index)
    def masked_select(self, mask): return F.masked_select(self, mask)
    def nonzero(self, as_tuple=False): return F.nonzero(self, as_tuple=as_tuple)
    def argwhere(self): return F.nonzero(self)
    def scatter(self, dim, index, src=None, value=None): return F.scatter(self, dim, index, src, value)
    def scatter_add(self, dim, index, src): return F.scatter_add(self, dim, index, src)
    def index_fill(self, dim, index, value): return F.index_fill(self, dim, index, value)
    def index_add(self, dim, index, source, alpha=1): return F.index_add(self, dim, index, source, alpha)

    # -------------------------------------------------------------------------------- random draws
    def bernoulli(self, p=None, generator=None): return F.bernoulli(self, p, generator)
    def multinomial(self, num_samples, replacement=False, generator=None):
        return F.multinomial(self, num_samples, replacement, generator)

    # ---- trigonometric, hyperbolic, gamma family and binary math (H1)
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
    # (end of section)

    # ---- in-place forms of the math ops (H1)
    def sin_(self): return self._inplace(F.sin)
    def cos_(self): return self._inplace(F.cos)
    def tan_(self): return self._inplace(F.tan)
    def sinh_(self): return self._inplace(F.sinh)
    def cosh_(self): return self._inplace(F.cosh)
    def asin_(self): return self._inplace(F.asin)
    def acos_(self): return self._inplace(F.acos)
    def atan_(self): return self._inplace(F.atan)
    def asinh_(self): return self._inplace(F.asinh)
    def acosh_(self): return self._inplace(F.acosh)
    def atanh_(self): return self._inplace(F.atanh)
    def atan2_(self, other): return self._inplace(F.atan2, other)
    def exp2_(self): return self._inplace(F.exp2)
    def expm1_(self): return self._inplace(F.expm1)
    def log2_(self): return self._inplace(F.log2)
    def log10_(self): return self._inplace(F.log10)
    def frac_(self): return self._inplace(F.frac)
    def erfc_(self): return self._inplace(F.erfc)
    def lgamma_(self): return self._inplace(F.lgamma)
    def digamma_(self): return self._inplace(F.digamma)
    def polygamma_(self, n): return self._inplace(lambda t: F.polygamma(n, t))
    def mvlgamma_(self, p): return self._inplace(F.mvlgamma, p)
    def i0_(self): return self._inplace(F.i0)
    def sinc_(self): return self._inplace(F.sinc)
    def sgn_(self): return self._inplace(F.sgn)
    def deg2rad_(self): return self._inplace(F.deg2rad)
    def rad2deg_(self): return self._inplace(F.rad2deg)
    def logit_(self, eps=None): return self._inplace(F.logit, eps)
    def eq_(self, other): return self._inplace(F.eq, other)
    def ne_(self, other): return self._inplace(F.ne, other)
    def lt_(self, other): return self._inplace(F.lt, other)
    def le_(self, other): return self._inplace(F.le, other)
    def gt_(self, other): return self._inplace(F.gt, other)
    def ge_(self, other): return self._inplace(F.ge, other)
    def logical_and_(self, other): return self._inplace(F.logical_and, other)
    def logical_or_(self, other): return self._inplace(F.logical_or, other)
    def logical_xor_(self, other): return self._inplace(F.logical_xor, other)
    def logical_not_(self): return self._inplace(F.logical_not)
    def bitwise_and_(self, other): return self._inplace(F.bitwise_and, other)
    def bitwise_or_(self, other): return self._inplace(F.bitwise_or, other)
    def bitwise_xor_(self, other): return self._inplace(F.bitwise_xor, other)
    def bitwise_not_(self): return self._inplace(F.bitwise_not)
    def bitwise_left_shift_(self, other): return self._inplace(F.bitwise_left_shift, other)
    def bitwise_right_shift_(self, other): return self._inplace(F.bitwise_right_shift, other)
    def fmod_(self, other): return self._inplace(F.fmod, other)
    def remainder_(self, other): return self._inplace(F.remainder, other)
    def floor_divide_(self, other): return self._inplace(F.floor_divide, other)
    def float_power_(self, exponent): return self._inplace(F.float_power, exponent)
    def hypot_(self, other): return self._inplace(F.hypot, other)
    def copysign_(self, other): return self._inplace(F.copysign, other)
    def xlogy_(self, other): return self._inplace(F.xlogy, other)
    def heaviside_(self, values): return self._inplace(F.heaviside, values)
    def gcd_(self, other): return self._inplace(F.gcd, other)
    def lcm_(self, other): return self._inplace(F.lcm, other)
    def ldexp_(self, other): return self._inplace(F.ldexp, other)
    def nextafter_(self, other): return self._inplace(F.nextafter, other)
    def igamma_(self, other): return self._inplace(F.igamma, other)
    def igammac_(self, other): return self._inplace(F.igammac, other)
    def subtract_(self, other, alpha=1): return self.sub_(other, alpha)
    def multiply_(self, other): return self.mul_(other)
    def divide_(self, other, rounding_mode=None): return self.div_(other, rounding_mode)
    def true_divide_(self, other): return self.div_(other)
    def __ilshift__(self, other): return self.bitwise_left_shift_(other)
    def __irshift__(self, other): return self.bitwise_right_shift_(other)
    def __iand__(self, other): return self.bitwise_and_(other)
    def __ior__(self, other): return self.bitwise_or_(other)
    def __ixor__(self, other): return self.bitwise_xor_(other)
    def __imod__(self, other): return self.remainder_(other)
    def __ifloordiv__(self, other): return self.floor_divide_(other)
    def __ipow__(self, other): return self.pow_(other)
    arcsin_, arccos_, arctan_, arctan2_ = asin_, acos_, atan_, atan2_
    arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_
    greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_
    # (end of section)

    # ---- diagonals, selection, scatter variants and splits (H2)
    def diagonal(self, offset=0, dim1=0, dim2=1): return F.diagonal(self, offset, dim1, dim2)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1): return F.diag_embed(self, offset, dim1, dim2)
    def diagflat(self, offset=0): return F.diagflat(self, offset)
    def trace(self): return F.trace(self)
    def fill_diagonal_(self, fill_value, wrap=False): return F.fill_diagonal_(self, fill_value, wrap)
    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1): return F.diagonal_scatter(self, src, offset, dim1, dim2)
    def select(self, dim, index): return F.select(self, dim, index)
    def select_scatter(self, src, dim, index): return F.select_scatter(self, src, dim, index)
    def slice_scatter(self, src, dim=0, start=None, end=None, step=1):
        return F.slice_scatter(self, src, dim, start, end, step)
    def take(self, index): return F.take(self, index)
    def put(self, index, source, accumulate=False): return F.put(self, index, source, accumulate)
    def put_(self, index, source, accumulate=False): return self._inplace(F.put, index, source, accumulate)
    def index_copy(self, dim, index, source): return F.index_copy(self, dim, index, source)
    def index_copy_(self, dim, index, source): return self._inplace(F.index_copy, dim, index, source)
    def index_put(self, indices, values, accumulate=False): return F.index_put(self, indices, values, accumulate)
    def index_put_(self, indices, values, accumulate=False): return F.index_put_(self, indices, values, accumulate)
    def masked_scatter(self, mask, source): return F.masked_scatter(self, mask, source)
    def masked_scatter_(self, mask, source):
        return self._inplace(F.masked_scatter, F.broadcast_to(mask, self.shape), source)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return F.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return self._inplace(lambda t, s: F.scatter_reduce(t, dim, index, s, reduce, include_self=include_self), src)
    def index_reduce(self, dim, index, source, reduce, *, include_self=True):
        return F.index_reduce(self, dim, index, source, reduce, include_self=include_self)
    def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
        return self._inplace(lambda t, s: F.index_reduce(t, dim, index, s, reduce, include_self=include_self), source)
    def bincount(self, weights=None, minlength=0): return F.bincount(self, weights, minlength)
    def tensor_split(self, indices_or_sections, dim=0): return F.tensor_split(self, indices_or_sections, dim)
    def hsplit(self, indices_or_sections): return F.hsplit(self, indices_or_sections)
    def vsplit(self, indices_or_sections): return F.vsplit(self, indices_or_sections)
    def dsplit(self, indices_or_sections): return F.dsplit(self, indices_or_sections)
    def split_with_sizes(self, split_sizes, dim=0): return F.split_with_sizes(self, split_sizes, dim)
    def ravel(self): return F.ravel(self)
    def moveaxis(self, source, destination): return F.movedim(self, source, destination)
    def unfold(self, dimension, size, step): return F.unfold(self, dimension, size, step)
    def sum_to_size(self, *size): return F.sum_to_size(self, *size)
    def narrow_copy(self, dim, start, length): return F.narrow_copy(self, dim, start, length)
    def squeeze_(self, dim=None): return self._inplace_view(F.squeeze, dim)
    def unsqueeze_(self, dim): return self._inplace_view(F.unsqueeze, dim)
    def t_(self): return self._inplace_view(F.t)
    def transpose_(self, dim0, dim1): return self._inplace_view(F.transpose, dim0, dim1)
    swapaxes_ = swapdims_ = transpose_

    def _inplace_view(self, view, *args):
        """Make self the view `view(before, *args)` of its former self (squeeze_, t_, ...): its shape and graph
        node change, its memory and values do not. `before` keeps the old shape, which the engine reads when
        it hands the view's gradient back. With recording on, a leaf that requires grad refuses; the version
        goes up, so that backward through an op that saved self fails, both as in PyTorch.

        Limitation: an op recorded on self before this call still sends a gradient of the old shape, and the
        engine then checks it against self's new shape (a RuntimeError, unless the shapes happen to agree)."""
        before = type(self)(self._data)
        before._grad_fn, before._requires_grad = self._grad_fn, self._requires_grad
        before._version_cell = self._version_cell
        out = view(before, *args)
        if out._grad_fn is not None and out is not before:
            if self._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            self._grad_fn = out._grad_fn
        self._data = out._data
        self._bump_version()
        return self
    # (end of section)

    # ---- attributes, queries and random fills (H3a)
    def is_signed(self): return F.is_signed(self)
    def is_complex(self): return F.is_complex(self)
    def is_conj(self): return F.is_conj(self)
    def is_neg(self): return F.is_neg(self)
    def is_inference(self): return F.is_inference(self)
    def is_nonzero(self): return F.is_nonzero(self)
    def is_same_size(self, other): return F.is_same_size(self, other)

    def prelu(self, weight):
        from .toplevel_nn import prelu  # (nn.functional's ops load on first use)
        return prelu(self, weight)

    def hardshrink(self, lambd=0.5):
        from .toplevel_nn import hardshrink
        return hardshrink(self, lambd)

    # the fills' code is in random_functional.py, which imports Tensor (so only once it exists)
    def random_(self, *args, **kwargs):
        """Integers drawn uniformly: `random_()`, `random_(to)`, `random_(from, to)`, `random_(from, None)`."""
        from .random_functional import random_
        return random_(self, *args, **kwargs)

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        from .random_functional import cauchy_
        return cauchy_(self, median, sigma, generator)

    def geometric_(self, p, *, generator=None):
        from .random_functional import geometric_
        return geometric_(self, p, generator)

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        from .random_functional import log_normal_
        return log_normal_(self, mean, std, generator)
    # (end of section)

    # ---- statistics and products (H3b)
    def cov(self, *, correction=1, fweights=None, aweights=None):
        return F.cov(self, correction=correction, fweights=fweights, aweights=aweights)
    def corrcoef(self): return F.corrcoef(self)
    def histogram(self, bins, *, range=None, weight=None, density=False):
        return F.histogram(self, bins, range=range, weight=weight, density=density)
    def mode(self, dim=-1, keepdim=False): return F.mode(self, dim, keepdim)
    def inner(self, other): return F.inner(self, other)
    def vdot(self, other): return F.vdot(self, other)
    def dist(self, other, p=2): return F.dist(self, other, p)
    def addmv(self, mat, vec, *, beta=1, alpha=1): return F.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def addr(self, vec1, vec2, *, beta=1, alpha=1): return F.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1): return F.addbmm(self, batch1, batch2, beta, alpha)
    def matrix_power(self, n): return F.matrix_power(self, n)
    def pinverse(self, rcond=1e-15): return F.pinverse(self, rcond)
    def renorm(self, p, dim, maxnorm): return F.renorm(self, p, dim, maxnorm)
    def addmv_(self, mat, vec, *, beta=1, alpha=1):
        return self._inplace(lambda t, m, v: F.addmv(t, m, v, beta=beta, alpha=alpha), mat, vec)
    def addr_(self, vec1, vec2, *, beta=1, alpha=1):
        return self._inplace(lambda t, v1, v2: F.addr(t, v1, v2, beta=beta, alpha=alpha), vec1, vec2)
    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._inplace(F.addbmm, batch1, batch2, beta, alpha)
    def addmm_(self, mat1, mat2, *, beta=1, alpha=1): return self._inplace(F.addmm, mat1, mat2, beta, alpha)
    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._inplace(F.baddbmm, batch1, batch2, beta, alpha)
    def renorm_(self, p, dim, maxnorm): return self._inplace(F.renorm, p, dim, maxnorm)
    # (end of section)

    # ------------------------------------------------------------------------- new tensors alike
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(0, size, dtype, requires_grad, "new_zeros")
    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(1, size, dtype, requires_grad, "new_ones")
    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(0, size, dtype, requires_grad, "new_empty")
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

    def _new(self, fill, size, dtype, requires_grad, op):
        array = np.full(size_arg(size, op), fill, dtype=as_dtype(dtype) or self.dtype)
        return type(self)(array, requires_grad=requires_grad)

    # ----------------------------------------------------------------------------- in-place forms
    def masked_fill_(self, mask, value): return self._inplace(F.masked_fill, mask, value)
    def exp_(self): return self._inplace(F.exp)
    def log_(self): return self._inplace(F.log)
    def log1p_(self): return self._inplace(F.log1p)
    def sqrt_(self): return self._inplace(F.sqrt)
    def rsqrt_(self): return self._inplace(F.rsqrt)
    def abs_(self): return self._inplace(F.abs)
    def neg_(self): return self._inplace(F.neg)
    def sign_(self): return self._inplace(F.sign)
    def square_(self): return self._inplace(F.square)
    def reciprocal_(self): return self._inplace(F.reciprocal)
    def relu_(self): return self._inplace(F.relu)
    def sigmoid_(self): return self._inplace(F.sigmoid)
    def tanh_(self): return self._inplace(F.tanh)
    def erf_(self): return self._inplace(F.erf)
    def erfinv_(self): return self._inplace(F.erfinv)
    def floor_(self): return self._inplace(F.floor)
    def ceil_(self): return self._inplace(F.ceil)
    def round_(self, decimals=0): return self._inplace(F.round, decimals)
    def trunc_(self): return self._inplace(F.trunc)
    def pow_(self, exponent): return self._inplace(F.pow, exponent)
    def clamp_min_(self, min): return self._inplace(F.clamp_min, min)
    def clamp_max_(self, max): return self._inplace(F.clamp_max, max)
    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None): return self._inplace(F.nan_to_num, nan, posinf, neginf)
    def lerp_(self, end, weight): return self._inplace(F.lerp, end, weight)
    def addcmul_(self, t1, t2, value=1): return self._inplace(F.addcmul, t1, t2, value)
    def addcdiv_(self, t1, t2, value=1): return self._inplace(F.addcdiv, t1, t2, value)
    def scatter_(self, dim, index, src=None, value=None): return self._inplace(F.scatter, dim, index, src, value)
    def scatter_add_(self, dim, index, src): return self._inplace(F.scatter_add, dim, index, src)
    def index_fill_(self, dim, index, value): return self._inplace(F.index_fill, dim, index, value)
    def index_add_(self, dim, index, source, alpha=1): return self._inplace(F.index_add, dim, index, source, alpha)
    absolute_, negative_, fix_ = abs_, neg_, trunc_

    def exponential_(self, lambd=1.0, generator=None):
        """Fill with samples of the exponential distribution of rate `lambd`."""
        self._data[...] = get_generator(generator).exponential(1.0 / lambd, self.shape)
        self._bump_version()
        return self

    def bernoulli_(self, p=0.5, generator=None):
        """Fill with 1 drawn with probability p (a number or a tensor), else 0."""
        probs = p._data if isinstance(p, TensorOps) else p
        self._data[...] = get_generator(generator).random(self.shape) < probs
        self._bump_version()
        return self

