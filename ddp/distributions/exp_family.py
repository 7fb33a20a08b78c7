"""`ExponentialFamily`: the base of densities exp(<t(x), theta> - F(theta) + k(x)), whose entropy and KL
follow from the log normalizer F alone (Bregman divergences, Nielsen and Nock, 2010)."""
import ddp

from .distribution import Distribution


class ExponentialFamily(Distribution):
    """A family with natural parameters theta, log normalizer F and carrier measure k, as PyTorch's.

    Subclasses give `_natural_params` (a tuple of Tensors), `_log_normalizer(*theta)` and
    `_mean_carrier_measure` (E[k(x)]); `entropy` is then F(theta) - <theta, grad F(theta)> - E[k(x)],
    with grad F from ddp's autograd (kept in the graph, so the entropy is differentiable too).
    """

    @property
    def _natural_params(self):
        raise NotImplementedError(f"{type(self).__name__}._natural_params is not implemented")

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError(f"{type(self).__name__}._log_normalizer is not implemented")

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError(f"{type(self).__name__}._mean_carrier_measure is not implemented")

    def entropy(self):
        params = [p.detach().requires_grad_() for p in self._natural_params]
        log_norm = self._log_normalizer(*params)
        grads = ddp.autograd.grad(log_norm.sum(), params, create_graph=True)
        result = log_norm - self._mean_carrier_measure
        for theta, g in zip(params, grads):
            result = result - (theta * g).reshape(tuple(self.batch_shape) + (-1,)).sum(-1)
        return result
