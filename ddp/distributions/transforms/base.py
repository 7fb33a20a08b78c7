"""`Transform`: an invertible map with the log-determinant of its Jacobian, and its inverse `t.inv`."""
from .. import constraints


class Transform:
    """A map y = t(x) between the constraints `domain` and `codomain`, for TransformedDistribution.

    Subclasses write `_call(x)`, `_inverse(y)` and `log_abs_det_jacobian(x, y)` (log |dy/dx|, summed over
    the event dimensions). `t.inv` is the inverse transform; `sign` is +1 or -1 for monotone maps.

    Args:
        cache_size: 0 (no cache) or 1 (remember the latest x, y pair, so that `t.inv(t(x))` returns x itself:
            rsample followed by log_prob then never inverts numerically).
    Raises:
        ValueError: a cache_size other than 0 or 1.
    """

    bijective = False
    domain = constraints.real
    codomain = constraints.real

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError(f"{type(self).__name__}: cache_size must be 0 or 1, got {cache_size!r}")
        self._cache_size = cache_size
        self._cached = (None, None)
        self._inverse_transform = None

    @property
    def event_dim(self):
        if self.domain.event_dim != self.codomain.event_dim:
            raise ValueError(f"{type(self).__name__}: event_dim differs between domain and codomain; read "
                             f"domain.event_dim or codomain.event_dim")
        return self.domain.event_dim

    @property
    def inv(self):
        """The inverse transform (one object per transform, sharing this one's cache)."""
        if self._inverse_transform is None:
            self._inverse_transform = _InverseTransform(self)
        return self._inverse_transform

    @property
    def sign(self):
        """+1 where the map increases, -1 where it decreases (monotone elementwise maps only)."""
        raise NotImplementedError(f"{type(self).__name__} has no sign: it is not a monotone elementwise map")

    def with_cache(self, cache_size=1):
        """This transform with the given cache size (self when it already has it)."""
        if self._cache_size == cache_size:
            return self
        if type(self).__init__ is Transform.__init__:
            return type(self)(cache_size=cache_size)
        raise NotImplementedError(f"{type(self).__name__}.with_cache is not implemented")

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    def __call__(self, x):
        if not self._cache_size:
            return self._call(x)
        x_old, y_old = self._cached
        if x is x_old:
            return y_old
        y = self._call(x)
        self._cached = (x, y)
        return y

    def _inv_call(self, y):
        if not self._cache_size:
            return self._inverse(y)
        x_old, y_old = self._cached
        if y is y_old:
            return x_old
        x = self._inverse(y)
        self._cached = (x, y)
        return x

    def _call(self, x):
        raise NotImplementedError(f"{type(self).__name__} has no forward map")

    def _inverse(self, y):
        raise NotImplementedError(f"{type(self).__name__} has no inverse")

    def log_abs_det_jacobian(self, x, y):
        """log |det dy/dx| at the pair x, y = t(x)."""
        raise NotImplementedError(f"{type(self).__name__}.log_abs_det_jacobian is not implemented")

    def forward_shape(self, shape):
        """The shape of t(x) for x of `shape`."""
        return shape

    def inverse_shape(self, shape):
        """The shape of t.inv(y) for y of `shape`."""
        return shape

    def __repr__(self):
        return f"{type(self).__name__}()"


class _InverseTransform(Transform):
    """t.inv: swaps t's domain and codomain and negates its log-determinant."""

    def __init__(self, transform):
        super().__init__(cache_size=transform._cache_size)
        self._inverse_transform = transform

    domain = property(lambda self: self._inverse_transform.codomain)
    codomain = property(lambda self: self._inverse_transform.domain)
    bijective = property(lambda self: self._inverse_transform.bijective)
    sign = property(lambda self: self._inverse_transform.sign)

    def with_cache(self, cache_size=1):
        return self._inverse_transform.with_cache(cache_size).inv

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inverse_transform == other._inverse_transform

    def __call__(self, x):
        return self._inverse_transform._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        return -self._inverse_transform.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape):
        return self._inverse_transform.inverse_shape(shape)

    def inverse_shape(self, shape):
        return self._inverse_transform.forward_shape(shape)

    def __repr__(self):
        return f"_InverseTransform({self._inverse_transform!r})"
