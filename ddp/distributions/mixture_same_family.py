"""`MixtureSameFamily`: a mixture of K components of one family, weighted by a Categorical."""
import ddp

from .categorical import Categorical
from .distribution import Distribution


class MixtureSameFamily(Distribution):
    """p(x) = sum_k pi_k p_k(x): `mixture_distribution` (a Categorical over K) weights the components, which
    are the rightmost batch dimension (of size K) of `component_distribution`.

    Not reparameterizable (the component index is discrete): no rsample.

    Args:
        mixture_distribution: a Categorical with batch_shape B and K categories.
        component_distribution: any Distribution with batch_shape B + (K,) (B broadcasts).
        validate_args: see `Distribution`.
    Raises:
        ValueError: a mixture that is not a Categorical, components that are not a Distribution, or shapes that
            do not match.

    Example:
        >>> gmm = MixtureSameFamily(Categorical(logits=w), Independent(Normal(mu, sigma), 1))  # mu: (K, D)
    """

    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(f"MixtureSameFamily: mixture_distribution must be a Categorical, got "
                             f"{type(mixture_distribution).__name__}")
        if not isinstance(component_distribution, Distribution):
            raise ValueError(f"MixtureSameFamily: component_distribution must be a Distribution, got "
                             f"{type(component_distribution).__name__}")
        mix_batch = tuple(mixture_distribution.batch_shape)
        comp_batch = tuple(component_distribution.batch_shape)
        if not comp_batch:
            raise ValueError("MixtureSameFamily: component_distribution needs a batch dim for the components")
        for m, c in zip(reversed(mix_batch), reversed(comp_batch[:-1])):
            if m != 1 and c != 1 and m != c:
                raise ValueError(f"MixtureSameFamily: mixture_distribution.batch_shape {mix_batch} does not "
                                 f"broadcast with component_distribution.batch_shape[:-1] {comp_batch[:-1]}")
        k_mix, k_comp = mixture_distribution.param_shape[-1], comp_batch[-1]
        if k_mix != k_comp:
            raise ValueError(f"MixtureSameFamily: the mixture has {k_mix} categories but the components' last "
                             f"batch dim is {k_comp}")
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = k_mix
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(comp_batch[:-1], component_distribution.event_shape, validate_args=validate_args)

    mixture_distribution = property(lambda self: self._mixture_distribution)
    component_distribution = property(lambda self: self._component_distribution)

    @property
    def support(self):
        return self._component_distribution.support

    def expand(self, batch_shape, _instance=None):
        batch_shape = tuple(batch_shape)
        return MixtureSameFamily(self._mixture_distribution.expand(batch_shape),
                                 self._component_distribution.expand(batch_shape + (self._num_component,)),
                                 validate_args=False)

    def _weights(self):
        """The mixture's probabilities, shaped to multiply the components' (B, K) + event_shape values."""
        probs = self._mixture_distribution.probs
        return probs.reshape(tuple(probs.shape) + (1,) * self._event_ndims)

    @property
    def mean(self):
        return (self._weights() * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self):
        """E[Var(x | k)] + Var(E[x | k]): the law of total variance."""
        w, dim = self._weights(), -1 - self._event_ndims
        means = self._component_distribution.mean
        spread = (means - self.mean.unsqueeze(dim)).pow(2)
        return (w * self._component_distribution.variance).sum(dim) + (w * spread).sum(dim)

    def _pad(self, x):
        """x with a dim of size 1 where the components sit, so that every component scores it."""
        return x.unsqueeze(-1 - self._event_ndims)

    def log_prob(self, value):
        """logsumexp_k (log pi_k + log p_k(value))."""
        if self._validate_args:
            self._validate_sample(value)
        scores = self._component_distribution.log_prob(self._pad(value))
        log_weights = self._mixture_distribution.logits.log_softmax(-1)
        return (scores + log_weights).logsumexp(-1)

    def cdf(self, value):
        return (self._component_distribution.cdf(self._pad(value)) * self._mixture_distribution.probs).sum(-1)

    def sample(self, sample_shape=()):
        """A component index from the mixture, then that component's draw (all components drawn, one kept)."""
        with ddp.no_grad():
            sample_shape = tuple(sample_shape)
            mixture = self._mixture_distribution
            if tuple(mixture.batch_shape) != tuple(self.batch_shape):  # its batch may broadcast: make it B
                mixture = mixture.expand(self.batch_shape)
            index = mixture.sample(sample_shape)  # sample_shape + B
            draws = self._component_distribution.sample(sample_shape)  # sample_shape + B + (K,) + event
            event = tuple(self.event_shape)
            index = index.reshape(tuple(index.shape) + (1,) * (1 + len(event)))
            index = index.expand(tuple(draws.shape[:draws.dim() - 1 - len(event)]) + (1,) + event)
            return draws.gather(-1 - len(event), index).squeeze(-1 - len(event))

    def __repr__(self):
        return f"{type(self).__name__}(\n  {self._mixture_distribution!r},\n  {self._component_distribution!r})"
