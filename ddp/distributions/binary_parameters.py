"""`BinaryParameters`: the probs-or-logits parameter of the two-outcome families (Bernoulli, Binomial,
Geometric, NegativeBinomial, ContinuousBernoulli, RelaxedBernoulli), kept in one place.

A distribution is built from exactly one of them; it keeps that one under its own name and derives the other
on first use (a cached property), so that `expand` carries only the parameter that was given, as PyTorch does.
"""
import functools

from .utils import logits_to_probs, probs_to_logits


class BinaryParameters:
    """Mixin (before Distribution in the bases) for a distribution parameterized by `probs` or `logits`."""

    def _given(self, probs, logits):
        """The one of probs and logits that is not None.

        Raises:
            ValueError: both or neither are given.
        """
        if (probs is None) == (logits is None):
            raise ValueError(f"{type(self).__name__}: give exactly one of probs and logits")
        return probs if probs is not None else logits

    def _keep(self, param, as_probs):
        """Store the (broadcast) parameter under the name it was given as."""
        self.__dict__["probs" if as_probs else "logits"] = param

    @functools.cached_property
    def logits(self):
        """log(p) - log(1 - p), with p clamped off 0 and 1 so that it stays finite."""
        return probs_to_logits(self.probs, is_binary=True)

    @functools.cached_property
    def probs(self):
        """sigmoid(logits)."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return (self.probs if "probs" in self.__dict__ else self.logits).shape

    def _expanded_parameter(self, batch_shape):
        """{name: the given parameter expanded to batch_shape}, for `expand`."""
        return {name: self.__dict__[name].expand(batch_shape) for name in ("probs", "logits") if name in self.__dict__}
