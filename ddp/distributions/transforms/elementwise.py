"""Elementwise transforms: exp, power, sigmoid, softplus, tanh, abs and the affine map loc + scale * x."""
import math
from numbers import Number

import ddp
import ddp.nn.functional as F

from .. import constraints
from ..utils import sum_rightmost
from .base import Transform

_LOG2 = math.log(2.0)


class _Parameterless(Transform):
    """Transforms without parameters: any two of one class are equal."""

    def __eq__(self, other):
        return type(other) is type(self)


class ExpTransform(_Parameterless):
    """y = exp(x); log |dy/dx| = x."""

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class PowerTransform(Transform):
    """y = x ** exponent on the positive reals; log |dy/dx| = log |exponent y / x|.

    A Python-number exponent stays a double (1 / exponent is then exact to double precision)."""

    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.exponent = float(exponent) if isinstance(exponent, Number) else exponent

    def with_cache(self, cache_size=1):
        return self if self._cache_size == cache_size else PowerTransform(self.exponent, cache_size=cache_size)

    def __eq__(self, other):
        return isinstance(other, PowerTransform) and _same(self.exponent, other.exponent)

    @property
    def sign(self):
        if isinstance(self.exponent, Number):
            return 1 if self.exponent > 0 else -1 if self.exponent < 0 else 0
        return self.exponent.sign()

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape):
        return ddp.Size(ddp.broadcast_shapes(tuple(shape), _shape(self.exponent)))

    def inverse_shape(self, shape):
        return self.forward_shape(shape)


def _clipped_sigmoid(x):
    """sigmoid(x) kept inside [tiny, 1 - eps] of x's dtype, so that its logs stay finite."""
    info = ddp.finfo(x.dtype)
    return ddp.sigmoid(x).clamp(min=info.tiny, max=1.0 - info.eps)


class SigmoidTransform(_Parameterless):
    """y = 1 / (1 + exp(-x)), clipped off 0 and 1; log |dy/dx| = -softplus(-x) - softplus(x)."""

    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = +1

    def _call(self, x):
        return _clipped_sigmoid(x)

    def _inverse(self, y):
        info = ddp.finfo(y.dtype)
        y = y.clamp(min=info.tiny, max=1.0 - info.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -F.softplus(-x) - F.softplus(x)


class SoftplusTransform(_Parameterless):
    """y = log(1 + exp(x)); log |dy/dx| = -softplus(-x)."""

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return F.softplus(x)

    def _inverse(self, y):
        return (-(-y).expm1()).log() + y  # log(exp(y) - 1), stable for large y

    def log_abs_det_jacobian(self, x, y):
        return -F.softplus(-x)


class TanhTransform(_Parameterless):
    """y = tanh(x); log |dy/dx| = 2 (log 2 - x - softplus(-2 x)), which stays finite for large |x|.

    The inverse clamps nothing: y = +-1 maps to +-inf (pass cache_size=1 to reuse the forward's x)."""

    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    bijective = True
    sign = +1

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return 0.5 * (y.log1p() - (-y).log1p())  # atanh

    def log_abs_det_jacobian(self, x, y):
        return 2.0 * (_LOG2 - x - F.softplus(-2.0 * x))


class AbsTransform(_Parameterless):
    """y = |x| (not injective: the inverse picks the nonnegative root)."""

    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class AffineTransform(Transform):
    """y = loc + scale * x, with `event_dim` rightmost dims treated as one event.

    Args:
        loc, scale: Tensors or Python numbers (broadcast with x).
        event_dim: the size of the event the log-determinant is summed over (0: elementwise).
    """

    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.loc, self.scale, self._event_dim = loc, scale, event_dim

    @property
    def event_dim(self):
        return self._event_dim

    @property
    def domain(self):
        return constraints.real if self._event_dim == 0 else constraints.independent(constraints.real,
                                                                                      self._event_dim)

    codomain = domain

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self._event_dim, cache_size=cache_size)

    def __eq__(self, other):
        return (isinstance(other, AffineTransform) and _same(self.loc, other.loc)
                and _same(self.scale, other.scale) and self._event_dim == other._event_dim)

    @property
    def sign(self):
        if isinstance(self.scale, Number):
            return 1 if self.scale > 0 else -1 if self.scale < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        scale = self.scale
        if isinstance(scale, Number):
            out = ddp.full_like(x, math.log(abs(scale)))
        else:
            out = scale.abs().log()
            shape = ddp.broadcast_shapes(tuple(out.shape), tuple(x.shape))
            out = out if tuple(out.shape) == tuple(shape) else out.expand(shape)
        return sum_rightmost(out, self._event_dim)

    def forward_shape(self, shape):
        return ddp.Size(ddp.broadcast_shapes(shape, _shape(self.loc), _shape(self.scale)))

    def inverse_shape(self, shape):
        return self.forward_shape(shape)


def _shape(v):
    return () if isinstance(v, Number) else tuple(v.shape)


def _same(a, b):
    """Whether two numbers or Tensors hold the same values."""
    if isinstance(a, Number) and isinstance(b, Number):
        return a == b
    a, b = ddp.as_tensor(a), ddp.as_tensor(b)
    try:
        ddp.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except (RuntimeError, ValueError):
        return False
    return bool((a == b).all())
