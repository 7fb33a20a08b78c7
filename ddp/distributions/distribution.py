"""`Distribution`: the base of every distribution (shapes, sampling protocol, argument validation)."""
import functools
import warnings

import ddp

from . import constraints


class Distribution:
    """A batch of probability distributions, as `torch.distributions.Distribution`.

    Shapes: a sample has shape `sample_shape + batch_shape + event_shape`; `log_prob` of it has shape
    `sample_shape + batch_shape` (the event dimensions are scored jointly).

    Validation: on by default (PyTorch's default follows `__debug__`, so `python -O` turns it off); pass
    `validate_args=False` or call `Distribution.set_default_validate_args(False)` to skip the checks.

    Args:
        batch_shape: the shape over which parameters are batched.
        event_shape: the shape of one draw.
        validate_args: check parameters now and values in `log_prob`/`cdf` (None: the class default).
    Raises:
        ValueError: a parameter breaks its constraint (in subclasses' constructors).
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    arg_constraints = {}
    support = None

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off for distributions created from now on (without `validate_args`)."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: expected True or False, got {value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = ddp.Size(batch_shape)
        self._event_shape = ddp.Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._check_parameters()

    def _check_parameters(self):
        """ValueError naming the first parameter outside its constraint (lazily derived ones are skipped)."""
        for param, constraint in self.arg_constraints.items():
            if constraints.is_dependent(constraint):
                continue
            if param not in self.__dict__ and isinstance(getattr(type(self), param, None), functools.cached_property):
                continue  # the other parameterization, derived on first use
            value = getattr(self, param)
            if not bool(constraint.check(value).all()):
                raise ValueError(
                    f"{type(self).__name__}: parameter {param} (a {type(value).__name__} of shape "
                    f"{tuple(value.shape)}) must satisfy {constraint!r}, and some of its values do not "
                    f"({self!r}):\n{value}"
                )

    @property
    def batch_shape(self):
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self):
        """The shape of a single draw."""
        return self._event_shape

    def expand(self, batch_shape, _instance=None):
        """A distribution of the same kind with parameters expanded to `batch_shape` (no copy, no re-check)."""
        raise NotImplementedError(f"{type(self).__name__}.expand is not implemented")

    def _expanded(self, batch_shape, **params):
        """A new instance of this class holding `params` (already expanded), for `expand`."""
        new = type(self).__new__(type(self))
        new.__dict__.update(params)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__}.mean is not implemented")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self).__name__}.mode is not implemented")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__}.variance is not implemented")

    @property
    def stddev(self):
        """The standard deviation, sqrt(variance)."""
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        """A draw of shape `sample_shape + batch_shape + event_shape`, outside autograd."""
        with ddp.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        """A reparameterized draw: differentiable with respect to the parameters (where `has_rsample`)."""
        raise NotImplementedError(f"{type(self).__name__} has no rsample: it is not reparameterizable")

    def sample_n(self, n):
        warnings.warn("sample_n(n) is deprecated: call sample((n,))", UserWarning, stacklevel=2)
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError(f"{type(self).__name__}.log_prob is not implemented")

    def cdf(self, value):
        raise NotImplementedError(f"{type(self).__name__}.cdf is not implemented")

    def icdf(self, value):
        raise NotImplementedError(f"{type(self).__name__}.icdf is not implemented")

    def entropy(self):
        raise NotImplementedError(f"{type(self).__name__}.entropy is not implemented")

    def enumerate_support(self, expand=True):
        raise NotImplementedError(f"{type(self).__name__}.enumerate_support is not implemented")

    def perplexity(self):
        """exp(entropy)."""
        return ddp.exp(self.entropy())

    def _extended_shape(self, sample_shape=()):
        """sample_shape + batch_shape + event_shape."""
        return ddp.Size(tuple(ddp.Size(sample_shape)) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _validate_sample(self, value):
        """ValueError unless `value` is a Tensor broadcastable to batch_shape + event_shape and in the support."""
        if not isinstance(value, ddp.Tensor):
            raise ValueError(f"{type(self).__name__}: the value must be a Tensor, got {type(value).__name__}")
        shape = tuple(value.shape)
        event = tuple(self._event_shape)
        if shape[len(shape) - len(event):] != event:
            raise ValueError(f"{type(self).__name__}: the value's last dims must be the event_shape "
                             f"{self._event_shape}, got a value of shape {value.shape}")
        expected = tuple(self._batch_shape) + event
        for i, j in zip(reversed(shape), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"{type(self).__name__}: a value of shape {value.shape} does not broadcast with "
                                 f"batch_shape + event_shape {ddp.Size(expected)}")
        support = self.support
        if support is None:
            return
        if not bool(support.check(value).all()):
            raise ValueError(
                f"{type(self).__name__}: the value (a {type(value).__name__} of shape {shape}) must lie in the "
                f"support {support!r}, and some of it does not ({self!r}):\n{value}"
            )

    def __repr__(self):
        params = [p for p in self.arg_constraints if p in self.__dict__]
        shown = [f"{p}: {self.__dict__[p] if self.__dict__[p].numel() == 1 else self.__dict__[p].shape}"
                 for p in params]
        return f"{type(self).__name__}({', '.join(shown)})"
