"""`biject_to(constraint)` and `transform_to(constraint)`: transforms from unconstrained reals onto a
constraint's set, for optimizing constrained parameters (`p = transform_to(positive)(raw)`).

`biject_to` gives bijections (StickBreakingTransform for the simplex), `transform_to` maps that may be
many-to-one but are cheaper or better conditioned (SoftmaxTransform for the simplex).
"""
from numbers import Number

from . import constraints, transforms


class ConstraintRegistry:
    """A table from constraint classes to factories `fn(constraint) -> Transform`."""

    def __init__(self):
        self._registry = {}

    def register(self, constraint, factory=None):
        """Register `factory` for a constraint class (or the class of a constraint object); usable as a decorator.

        Raises:
            TypeError: `constraint` is neither a Constraint subclass nor a Constraint.
        """
        if factory is None:
            return lambda fn: self.register(constraint, fn)
        if isinstance(constraint, constraints.Constraint):
            constraint = type(constraint)
        if not (isinstance(constraint, type) and issubclass(constraint, constraints.Constraint)):
            raise TypeError(f"register: expected a Constraint subclass or instance, got {constraint!r}")
        self._registry[constraint] = factory
        return factory

    def __call__(self, constraint):
        """The transform for `constraint`.

        Raises:
            NotImplementedError: nothing is registered for its exact class.
        """
        factory = self._registry.get(type(constraint))  # the exact class, as PyTorch: a subclass may differ
        if factory is not None:
            return factory(constraint)
        raise NotImplementedError(f"no transform is registered for the constraint {constraint!r} "
                                  f"({type(constraint).__name__})")


biject_to = ConstraintRegistry()
transform_to = ConstraintRegistry()


def _both(constraint_class, factory):
    biject_to.register(constraint_class, factory)
    transform_to.register(constraint_class, factory)


def _onto_interval(c):
    if isinstance(c.lower_bound, Number) and isinstance(c.upper_bound, Number) and (c.lower_bound, c.upper_bound) \
            == (0, 1):
        return transforms.SigmoidTransform()
    return transforms.ComposeTransform([transforms.SigmoidTransform(),
                                        transforms.AffineTransform(c.lower_bound, c.upper_bound - c.lower_bound)])


_both(constraints._Real, lambda c: transforms.identity_transform)
biject_to.register(constraints._Independent, lambda c: transforms.IndependentTransform(
    biject_to(c.base_constraint), c.reinterpreted_batch_ndims))
transform_to.register(constraints._Independent, lambda c: transforms.IndependentTransform(
    transform_to(c.base_constraint), c.reinterpreted_batch_ndims))
_both(constraints._GreaterThan, lambda c: transforms.ComposeTransform(
    [transforms.ExpTransform(), transforms.AffineTransform(c.lower_bound, 1)]))
_both(constraints._GreaterThanEq, lambda c: transforms.ComposeTransform(
    [transforms.ExpTransform(), transforms.AffineTransform(c.lower_bound, 1)]))
_both(constraints._LessThan, lambda c: transforms.ComposeTransform(
    [transforms.ExpTransform(), transforms.AffineTransform(c.upper_bound, -1)]))
_both(constraints._Interval, _onto_interval)
biject_to.register(constraints._Simplex, lambda c: transforms.StickBreakingTransform())
transform_to.register(constraints._Simplex, lambda c: transforms.SoftmaxTransform())
transform_to.register(constraints._LowerCholesky, lambda c: transforms.LowerCholeskyTransform())
transform_to.register(constraints._PositiveDefinite, lambda c: transforms.PositiveDefiniteTransform())
transform_to.register(constraints._PositiveSemidefinite, lambda c: transforms.PositiveDefiniteTransform())
_both(constraints._CorrCholesky, lambda c: transforms.CorrCholeskyTransform())
biject_to.register(constraints._Cat, lambda c: transforms.CatTransform([biject_to(x) for x in c.cseq], c.dim,
                                                                      c.lengths))
transform_to.register(constraints._Cat, lambda c: transforms.CatTransform([transform_to(x) for x in c.cseq], c.dim,
                                                                         c.lengths))
biject_to.register(constraints._Stack, lambda c: transforms.StackTransform([biject_to(x) for x in c.cseq], c.dim))
transform_to.register(constraints._Stack, lambda c: transforms.StackTransform([transform_to(x) for x in c.cseq],
                                                                             c.dim))
