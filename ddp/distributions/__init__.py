"""ddp.distributions: probability distributions with PyTorch's API (`torch.distributions`).

log_prob, entropy, kl_divergence and rsample are built from ddp's Tensor ops, so they are differentiable
through ddp's autograd (policy gradients, VAEs); draws come from ddp's default generator, so
`ddp.manual_seed` makes them reproducible.
"""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .independent import Independent
from .kl import kl_divergence, register_kl
from .normal import Normal
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Categorical", "Distribution", "Independent", "Normal", "Uniform", "constraints",
    "kl_divergence", "register_kl",
]
