"""Tensor's in-place methods (`x.exp_()`, `x.eq_(y)`, `x.scatter_(0, i, v)`, `x.bernoulli_(0.3)`): `InPlaceMethods`,
a base of `TensorOps`. Each computes the op out of place and writes it back through `Tensor._inplace`, which
records it for autograd and checks the result fits.
"""
from . import random_draws as draws
from .legacy_overloads import value_first
from .numpy_aliases import dim_alias
from .random import generator_of

F = None  # ddp.core.functional, bound by methods.bind_functional


class InPlaceMethods:
    """The in-place forms of the ops (`add_`, `exp_`, ...) and the random fills."""

    __slots__ = ()

    # ------------------------------------------------------------------------------- in-place forms
    def masked_fill_(self, mask, value): return self._inplace(F.masked_fill, mask, value)
    def exp_(self): return self._inplace(F.exp)
    def log_(self): return self._inplace(F.log)
    def log1p_(self): return self._inplace(F.log1p)
    def sqrt_(self): return self._inplace(F.sqrt)
    def rsqrt_(self): return self._inplace(F.rsqrt)
    def abs_(self): return self._inplace(F.abs)
    def conj_physical_(self): return F.conj_physical_(self)
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
    def addcmul_(self, t1, t2, value=1): return self._inplace(F.addcmul, *value_first("addcmul_", t1, t2, value))
    def addcdiv_(self, t1, t2, value=1): return self._inplace(F.addcdiv, *value_first("addcdiv_", t1, t2, value))
    # (numpy's axis= for dim is resolved here, as the functional form takes it only by keyword)
    def scatter_(self, dim=None, index=None, src=None, value=None, *, reduce=None, axis=None):
        dim = dim if axis is None else dim_alias("scatter_", dim, axis)
        if reduce is None:
            return self._inplace(F.scatter, dim, index, src, value)
        return self._inplace(lambda x, *args: F.scatter(x, *args, reduce=reduce), dim, index, src, value)
    def scatter_add_(self, dim=None, index=None, src=None, *, axis=None):
        dim = dim if axis is None else dim_alias("scatter_add_", dim, axis)
        return self._inplace(F.scatter_add, dim, index, src)
    def index_fill_(self, dim=None, index=None, value=None, *, axis=None):
        dim = dim if axis is None else dim_alias("index_fill_", dim, axis)
        return self._inplace(F.index_fill, dim, index, value)
    def index_add_(self, dim=None, index=None, source=None, alpha=1, *, axis=None):
        dim = dim if axis is None else dim_alias("index_add_", dim, axis)
        return self._inplace(F.index_add, dim, index, source, alpha)
    def cumsum_(self, dim, dtype=None): return self._inplace(F.cumsum, dim, dtype)
    def cumprod_(self, dim, dtype=None): return self._inplace(F.cumprod, dim, dtype)
    def tril_(self, diagonal=0): return self._inplace(F.tril, diagonal)
    def triu_(self, diagonal=0): return self._inplace(F.triu, diagonal)
    absolute_, negative_, fix_ = abs_, neg_, trunc_

    def exponential_(self, lambd=1.0, generator=None):
        """Fill with samples of the exponential distribution of rate `lambd`."""
        self._check_writable()
        self._data[...] = draws.exponential(generator_of(generator), self.shape, self._data.dtype, lambd)
        self._bump_version()
        return self

    def bernoulli_(self, p=0.5, generator=None):
        """Fill with 1 drawn with probability p (a number or a tensor), else 0."""
        probs = getattr(p, "_data", p)  # a tensor or a number
        self._check_writable()
        self._data[...] = draws.bernoulli(generator_of(generator), self.shape, probs)
        self._bump_version()
        return self

    # --------------------------------------------------------------- in-place forms of the math ops
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
