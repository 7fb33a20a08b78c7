"""KL(p || q) rules among the univariate families without gamma functions (the pairs PyTorch registers).

Each is E_p[log p(x) - log q(x)] in closed form; p's entropy appears where it is the simpler way to write
E_p[log p]. Rules that need lgamma / digamma are in kl_gamma.py.
"""
import math

import ddp

from .cauchy import Cauchy
from .continuous_bernoulli import ContinuousBernoulli
from .exponential import Exponential
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .kl import _kl_categorical_categorical, _kl_normal_normal, kl_divergence, register_kl
from .laplace import Laplace
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .pareto import Pareto
from .transformed_distribution import TransformedDistribution
from .uniform import Uniform

_EULER = 0.57721566490153286061
_LOG_2PI = math.log(2 * math.pi)


def _x_log_x(x):
    """x log x, 0 at x = 0 with a finite gradient there; x < 0 gives 0 too (only ever in branches that the
    callers mask with inf), so that no log of a negative number is taken."""
    return x * ddp.where(x <= 0, 1.0, x).log()


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    """log(((s_p + s_q)^2 + (m_p - m_q)^2) / (4 s_p s_q)) (Chyzak and Nielsen, 2019)."""
    return (((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)) / (4 * p.scale * q.scale)).log()


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_cb_cb(p, q):
    """log C_p - log C_q + E_p[x] (logit p - logit q) + log(1 - p) - log(1 - q)."""
    return (p.mean * (p.logits - q.logits) + p._log_normalizer() + ddp.log1p(-p.probs)
            - q._log_normalizer() - ddp.log1p(-q.probs))


@register_kl(ContinuousBernoulli, Exponential)
def _kl_cb_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_cb_normal(p, q):
    """-H(p) + log(sqrt(2 pi) s) + E_p[(x - m)^2] / (2 s^2)."""
    second = p.variance + (p.mean - q.loc).pow(2)
    return -p.entropy() + 0.5 * _LOG_2PI + q.scale.log() + second / (2 * q.scale.pow(2))


@register_kl(ContinuousBernoulli, Uniform)
def _kl_cb_uniform(p, q):
    """-H(p) + log(high - low); inf unless [0, 1] lies inside [low, high]."""
    result = -p.entropy() + (q.high - q.low).log()
    return ddp.where((q.low > 0) | (q.high < 1), math.inf, result)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    ratio = q.rate / p.rate
    return ratio - 1 - ratio.log()


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    """log(r s) - 1 + 1 / (r s) - m / s + exp(m / s) r s / (r s + 1), with r the rate and m, s Gumbel's."""
    rs, ms = p.rate * q.scale, q.loc / q.scale
    return rs.log() - 1 + rs.reciprocal() - ms + ms.exp() * rs / (rs + 1)


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p, q):
    """log(r sqrt(2 pi) s) - 1 + (1 / r^2 - m / r + m^2 / 2) / s^2."""
    var = q.scale.pow(2)
    r2 = p.rate.pow(2)
    return 0.5 * (r2 * var * 2 * math.pi).log() - 1 + (r2.reciprocal() - q.loc / p.rate + 0.5 * q.loc.pow(2)) / var


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    """-H(p) - E_p[k] log(1 - q) - log q, written with logit q."""
    return -p.entropy() - ddp.log1p(-q.probs) / p.probs - q.logits


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    ratio = p.scale / q.scale
    mean_gap = (p.loc + p.scale * _EULER - q.loc) / q.scale
    return -(ratio.log() - 0.5 * _LOG_2PI) + (math.pi * ratio * 0.5).pow(2) / 3 + 0.5 * mean_gap.pow(2) \
        - (_EULER + 1)


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    """-log(b_p / b_q) + |m_p - m_q| / b_q + (b_p / b_q) exp(-|m_p - m_q| / b_p) - 1."""
    ratio, gap = p.scale / q.scale, (p.loc - q.loc).abs()
    return -ratio.log() + gap / q.scale + ratio * (-gap / p.scale).exp() - 1


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p, q):
    var = q.scale.pow(2)
    ratio = p.scale.pow(2) / var
    return -0.5 * (2 * ratio / math.pi).log() + ratio + 0.5 * (p.loc - q.loc).pow(2) / var - 1


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    m, v, ml = p.loc / q.scale, (p.scale / q.scale).pow(2), q.loc / q.scale
    return -0.5 * v.log() + m - ml + (-m + 0.5 * v + ml).exp() - 0.5 * (1 + _LOG_2PI)


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    gap = p.loc - q.loc
    ratio, z = p.scale / q.scale, gap / p.scale
    folded = math.sqrt(2 / math.pi) * p.scale * (-0.5 * z.pow(2)).exp() + gap * ddp.erf(math.sqrt(0.5) * z)
    return -ratio.log() + folded / q.scale - 0.5 * (1 + math.log(0.5 * math.pi))


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    """inf for alpha <= 1 (no mean)."""
    sr = p.scale * q.rate
    a = p.alpha
    result = (a / sr).log() - a.reciprocal() + a * sr / (a - 1) - 1
    return ddp.where(a <= 1, math.inf, result)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    """inf for alpha <= 2 (no variance)."""
    a = p.alpha
    common = p.scale / (a - 1)
    result = (math.sqrt(2 * math.pi) * q.scale * a / p.scale).log() - a.reciprocal() \
        + (a * common.pow(2) / (a - 2) + (a * common - q.loc).pow(2)) / (2 * q.scale.pow(2)) - 1
    return ddp.where(a <= 2, math.inf, result)


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    """a_q log(s_p / s_q) - log(a_q / a_p) + a_q / a_p - 1; inf where p's support starts below q's."""
    ratio = q.alpha / p.alpha
    result = q.alpha * (p.scale / q.scale).log() - ratio.log() + ratio - 1
    return ddp.where(p.scale < q.scale, math.inf, result)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    """KL is invariant under a shared bijection: the bases' KL when the transforms and shapes agree."""
    if p.transforms != q.transforms:
        raise NotImplementedError("kl_divergence: TransformedDistributions with different transforms")
    if p.event_shape != q.event_shape:
        raise NotImplementedError(f"kl_divergence: TransformedDistributions with event shapes {p.event_shape} and "
                                  f"{q.event_shape}")
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_cb(p, q):
    """-H(p) - E_p[x] logit q - log(1 - q) - log C_q; inf unless [low, high] lies inside [0, 1]."""
    result = -p.entropy() - p.mean * q.logits - ddp.log1p(-q.probs) - q._log_normalizer()
    return ddp.where((p.high > 1) | (p.low < 0), math.inf, result)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return ddp.where(p.low < 0, math.inf, result)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    common = q.scale / (p.high - p.low)
    hi, lo = (p.high - q.loc) / q.scale, (p.low - q.loc) / q.scale
    return common.log() + 0.5 * (hi + lo) - common * ((-hi).exp() - (-lo).exp())


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    width = p.high - p.low
    centre_gap = (p.high + p.low - 2 * q.loc) / 2
    return (math.sqrt(2 * math.pi) * q.scale / width).log() + 0.5 * (width.pow(2) / 12 + centre_gap.pow(2)) \
        / q.scale.pow(2)


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    """(a + 1) E_p[log x] - log(a s^a (high - low)); inf where p's support starts below q's scale."""
    width = p.high - p.low
    mean_log = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    result = (q.alpha + 1) * mean_log - (q.alpha * q.scale.pow(q.alpha) * width).log()
    return ddp.where(p.low < q.scale, math.inf, result)
