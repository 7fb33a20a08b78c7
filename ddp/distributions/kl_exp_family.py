"""KL(p || q) within one exponential family, as the Bregman divergence of its log normalizer F:
F(theta_q) - F(theta_p) - <theta_q - theta_p, grad F(theta_p)> (the rule PyTorch registers)."""
import ddp

from .exp_family import ExponentialFamily
from .kl import register_kl


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p, q):
    """Raises NotImplementedError for two different families (no Bregman form across families)."""
    if type(p) is not type(q):
        raise NotImplementedError(f"kl_divergence: {type(p).__name__} and {type(q).__name__} are different "
                                  f"exponential families (the Bregman divergence needs one)")
    p_params = [theta.detach().requires_grad_() for theta in p._natural_params]
    q_params = q._natural_params
    log_norm = p._log_normalizer(*p_params)
    grads = ddp.autograd.grad(log_norm.sum(), p_params)
    result = q._log_normalizer(*q_params) - log_norm
    batch = tuple(result.shape)
    for tp, tq, g in zip(p_params, q_params, grads):  # each term summed over what lies beyond the batch
        term = (tq - tp) * g
        result = result - term.expand(batch + tuple(term.shape[len(batch):])).reshape(batch + (-1,)).sum(-1)
    return result
