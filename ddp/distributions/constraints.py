"""Constraints on parameters and values: `check(value)` gives a bool Tensor, and the repr is PyTorch's, so
validation errors read as torch's do ("... to satisfy the constraint GreaterThan(lower_bound=0.0) ...")."""
import numpy as np

import ddp


class Constraint:
    """A set of valid values; `check` is elementwise over the trailing `event_dim` dimensions."""

    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__.lstrip('_')}()"


class _Dependent(Constraint):
    """A constraint that depends on other parameters: never checked."""

    def check(self, value):
        raise ValueError("a dependent constraint has no check of its own: it depends on other parameters")


class _Real(Constraint):
    def check(self, value):
        return value == value  # False only for NaN


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return value > self.lower_bound

    def __repr__(self):
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _GreaterThanEq(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return value >= self.lower_bound

    def __repr__(self):
        return f"GreaterThanEq(lower_bound={self.lower_bound})"


class _IntegerGreaterThan(_GreaterThanEq):
    """Integers >= lower_bound (PyTorch's name, though the bound is included)."""

    is_discrete = True

    def check(self, value):
        return (value % 1 == 0) & (value >= self.lower_bound)

    def __repr__(self):
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _LessThan(Constraint):
    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return value < self.upper_bound

    def __repr__(self):
        return f"LessThan(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        return (value >= self.lower_bound) & (value <= self.upper_bound)

    def __repr__(self):
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _HalfOpenInterval(_Interval):
    def check(self, value):
        return (value >= self.lower_bound) & (value < self.upper_bound)

    def __repr__(self):
        return f"HalfOpenInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerInterval(_Interval):
    is_discrete = True

    def check(self, value):
        return (value % 1 == 0) & super().check(value)

    def __repr__(self):
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Simplex(Constraint):
    """Nonnegative vectors along the last dimension that sum to 1 (within 1e-6, as PyTorch)."""

    event_dim = 1

    def check(self, value):
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-6)


class _OneHot(Constraint):
    """Vectors of zeros with a single one along the last dimension."""

    is_discrete = True
    event_dim = 1

    def check(self, value):
        return ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)


class _Multinomial(Constraint):
    """Nonnegative integer count vectors whose total is at most `upper_bound`."""

    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return (value >= 0).all(-1) & (value.sum(-1) <= self.upper_bound)


class _Matrix(Constraint):
    """Base of the constraints on square matrices (the last two dimensions), checked in numpy."""

    event_dim = 2

    def check(self, value):
        a = value.detach().numpy()
        if a.ndim < 2:
            raise ValueError(f"{self!r}: expected a matrix (at least 2 dims), got shape {tuple(value.shape)}")
        return ddp.tensor(np.asarray(self._ok(a), dtype=bool))

    def _ok(self, a):
        raise NotImplementedError


def _all_last2(mask):
    return mask.all(axis=(-1, -2))


class _Square(_Matrix):
    def _ok(self, a):
        return np.full(a.shape[:-2], a.shape[-1] == a.shape[-2], dtype=bool)


class _Symmetric(_Square):
    def _ok(self, a):
        if a.shape[-1] != a.shape[-2]:
            return super()._ok(a)
        return _all_last2(np.isclose(a, np.swapaxes(a, -1, -2), atol=1e-6))


class _PositiveSemidefinite(_Symmetric):
    def _ok(self, a):
        ok = super()._ok(a)
        if not ok.all():
            return ok
        return np.linalg.eigvalsh(a).min(-1) >= 0


class _PositiveDefinite(_Symmetric):
    def _ok(self, a):
        ok = super()._ok(a)
        if not ok.all():
            return ok
        return np.linalg.eigvalsh(a).min(-1) > 0


class _LowerTriangular(_Matrix):
    def _ok(self, a):
        return _all_last2(np.tril(a) == a)


class _LowerCholesky(_Matrix):
    """Lower-triangular matrices with a positive diagonal (Cholesky factors)."""

    def _ok(self, a):
        return _all_last2(np.tril(a) == a) & (np.diagonal(a, axis1=-2, axis2=-1) > 0).all(-1)


class _CorrCholesky(_Matrix):
    """Cholesky factors of correlation matrices: lower triangular, positive diagonal, rows of unit length
    (within 10 n eps of the dtype, as PyTorch)."""

    def _ok(self, a):
        tol = np.finfo(a.dtype).eps * a.shape[-1] * 10 if a.dtype.kind == "f" else 0.0
        unit_rows = (np.abs(np.linalg.norm(a, axis=-1) - 1) <= tol).all(-1)
        return _LowerCholesky()._ok(a) & unit_rows


class _Cat(Constraint):
    """`cseq[i]` on the i-th block of `lengths[i]` entries along `dim` (blocks laid out as `ddp.cat`)."""

    def __init__(self, cseq, dim=0, lengths=None):
        self.cseq = list(cseq)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise ValueError(f"constraints.cat: {len(self.cseq)} constraints but {len(self.lengths)} lengths")
        self.dim = dim

    is_discrete = property(lambda self: any(c.is_discrete for c in self.cseq))
    event_dim = property(lambda self: max(c.event_dim for c in self.cseq))

    def check(self, value):
        _check_dim("cat", self.dim, value)
        checks, start = [], 0
        for c, length in zip(self.cseq, self.lengths):
            checks.append(c.check(value.narrow(self.dim, start, length)))
            start += length
        return ddp.cat(checks, self.dim)

    def __repr__(self):
        return f"Cat({self.cseq!r}, dim={self.dim}, lengths={self.lengths})"


class _Stack(Constraint):
    """`cseq[i]` on the i-th slice along `dim` (slices laid out as `ddp.stack`)."""

    def __init__(self, cseq, dim=0):
        self.cseq, self.dim = list(cseq), dim

    is_discrete = property(lambda self: any(c.is_discrete for c in self.cseq))

    @property
    def event_dim(self):
        dim = max(c.event_dim for c in self.cseq)
        return dim + 1 if self.dim + dim < 0 else dim  # a negative dim inside the event adds one

    def check(self, value):
        _check_dim("stack", self.dim, value)
        return ddp.stack([c.check(value.select(self.dim, i)) for i, c in enumerate(self.cseq)], self.dim)

    def __repr__(self):
        return f"Stack({self.cseq!r}, dim={self.dim})"


def _check_dim(name, dim, value):
    if not -value.dim() <= dim < value.dim():
        raise ValueError(f"constraints.{name}: dim {dim} is out of range for a value of shape {tuple(value.shape)}")


class _Independent(Constraint):
    """`base` reinterpreted with `reinterpreted_batch_ndims` more event dimensions (all must hold)."""

    def __init__(self, base, reinterpreted_batch_ndims):
        self.base, self.reinterpreted_batch_ndims = base, reinterpreted_batch_ndims
        self.is_discrete = base.is_discrete
        self.event_dim = base.event_dim + reinterpreted_batch_ndims

    @property
    def base_constraint(self):
        """PyTorch's name for `base`."""
        return self.base

    def check(self, value):
        ok = self.base.check(value)
        n = self.reinterpreted_batch_ndims
        if n == 0:
            return ok
        if ok.dim() < n:
            raise ValueError(f"constraint: the value needs at least {self.event_dim} dims, got {value.dim()}")
        return ok.reshape(tuple(ok.shape[:ok.dim() - n]) + (-1,)).all(-1)

    def __repr__(self):
        return f"IndependentConstraint({self.base!r}, {self.reinterpreted_batch_ndims})"


dependent = _Dependent()
real = _Real()
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
one_hot = _OneHot()
real_vector = _Independent(real, 1)
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
multinomial = _Multinomial
independent = _Independent
cat = _Cat
stack = _Stack


def is_dependent(constraint):
    """Whether `constraint` cannot be checked (it depends on other parameters)."""
    return isinstance(constraint, _Dependent)
