"""KL(p || q) rules that need lgamma / digamma: the Gamma, Beta, Dirichlet, Poisson, Binomial and Gumbel
pairs PyTorch registers, and the infinite ones among them. E_p[log x] is digamma(a) - digamma(a + b) for
Beta(a, b) and digamma(c) - log(r) for Gamma(c, r)."""
import math

import ddp
import ddp.nn.functional as F

from .bernoulli import Bernoulli
from .beta import Beta, log_beta
from .binomial import Binomial
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Dirichlet
from .exponential import Exponential
from .gamma import Gamma
from .gumbel import Gumbel
from .kl import register_kl
from .kl_infinite import register_infinite
from .kl_univariate import _EULER, _x_log_x
from .laplace import Laplace
from .normal import Normal
from .pareto import Pareto
from .poisson import Poisson
from .uniform import Uniform


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    """(1 - pi) log(1 - pi) + pi log(pi / rate) + rate."""
    pi = p.probs
    return ddp.xlogy(1 - pi, 1 - pi) + ddp.xlogy(pi, pi) - pi * q.rate.log() + q.rate


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    a, b, sp = p.concentration1, p.concentration0, p.concentration1 + p.concentration0
    return (log_beta(q.concentration1, q.concentration0) - log_beta(a, b) + (a - q.concentration1) * ddp.digamma(a)
            + (b - q.concentration0) * ddp.digamma(b)
            + (q.concentration1 + q.concentration0 - sp) * ddp.digamma(sp))


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_cb(p, q):
    return -p.entropy() - p.mean * q.logits - ddp.log1p(-q.probs) - q._log_normalizer()


@register_kl(Beta, Exponential)
@register_kl(Gamma, Exponential)
def _kl_positive_exponential(p, q):
    """-H(p) - log(rate) + rate E_p[x]."""
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    mean_log = ddp.digamma(p.concentration1) - ddp.digamma(p.concentration1 + p.concentration0)
    c = q.concentration
    return -p.entropy() + ddp.lgamma(c) - c * q.rate.log() - (c - 1) * mean_log + q.rate * p.mean


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    a, total = p.concentration1, p.concentration1 + p.concentration0
    second = a * (a + 1) / (total * (total + 1))
    var = q.scale.pow(2)
    return -p.entropy() + 0.5 * (2 * math.pi * var).log() + (second - 2 * q.loc * p.mean + q.loc.pow(2)) / (2 * var)


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    """-H(p) + log(high - low); inf unless [0, 1] lies inside [low, high]."""
    result = -p.entropy() + (q.high - q.low).log()
    return ddp.where((q.low > 0) | (q.high < 1), math.inf, result)


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    """n_p KL(Bernoulli(p) || Bernoulli(q)) for equal counts; inf where n_p > n_q.

    Raises:
        NotImplementedError: some n_p < n_q (no closed form).
    """
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError("kl_divergence: Binomials with p.total_count < q.total_count have no closed form")
    kl = p.total_count * (p.probs * (F.softplus(-q.logits) - F.softplus(-p.logits))
                          + (1 - p.probs) * (F.softplus(q.logits) - F.softplus(p.logits)))
    return ddp.where(p.total_count > q.total_count, math.inf, kl)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    cp, cq = p.concentration, q.concentration
    sp, sq = cp.sum(-1), cq.sum(-1)
    return (ddp.lgamma(sp) - ddp.lgamma(sq) - (ddp.lgamma(cp) - ddp.lgamma(cq)).sum(-1)
            + ((cp - cq) * (ddp.digamma(cp) - ddp.digamma(sp).unsqueeze(-1))).sum(-1))


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    ratio, c = q.rate / p.rate, q.concentration
    return -c * ratio.log() + ratio + ddp.lgamma(c) + c * _EULER - (1 + _EULER)


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    cp, rp, cq, rq = p.concentration, p.rate, q.concentration, q.rate
    return (cq * (rp / rq).log() + ddp.lgamma(cq) - ddp.lgamma(cp) + (cp - cq) * ddp.digamma(cp)
            + (rq - rp) * (cp / rp))


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    c, rs, ms = p.concentration, p.rate * q.scale, q.loc / q.scale
    t1 = (c - 1) * ddp.digamma(c) - ddp.lgamma(c) - c
    return t1 + rs.log() + c / rs + ms.exp() * (1 + rs.reciprocal()).pow(-c) - ms


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    c, r = p.concentration, p.rate
    var, r2 = q.scale.pow(2), r.pow(2)
    t1 = 0.5 * (r2 * var * 2 * math.pi).log() - c - ddp.lgamma(c)
    return t1 + (c - 1) * ddp.digamma(c) + (0.5 * (c.pow(2) + c) / r2 - q.loc * c / r + 0.5 * q.loc.pow(2)) / var


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    ratio, mq, mp = p.scale / q.scale, q.loc / q.scale, p.loc / q.scale
    return -ratio.log() - mq + mp + ratio * _EULER + (mq + ddp.lgamma(1 + ratio) - mp).exp() - (1 + _EULER)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    """inf for alpha <= 1 (no mean)."""
    a, c = p.alpha, q.concentration
    common = p.scale.log() + a.reciprocal()
    result = (a.log() - common + ddp.lgamma(c) - c * q.rate.log() + (1 - c) * common
              + q.rate * a * p.scale / (a - 1) - 1)
    return ddp.where(a <= 1, math.inf, result)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    """inf unless [low, high] lies inside [0, 1]."""
    width = p.high - p.low
    t2 = (q.concentration1 - 1) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    t3 = (q.concentration0 - 1) * (_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + width) / width
    result = t3 + log_beta(q.concentration1, q.concentration0) - width.log() - t2
    return ddp.where((p.high > 1) | (p.low < 0), math.inf, result)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    """inf where p's support reaches below 0."""
    width, c = p.high - p.low, q.concentration
    t1 = c * q.rate.log() - ddp.lgamma(c)
    t2 = (c - 1) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    result = q.rate * (p.high + p.low) / 2 - width.log() - t1 - t2
    return ddp.where(p.low < 0, math.inf, result)


register_infinite([(Gamma, q) for q in (Beta, ContinuousBernoulli, Pareto, Uniform)])
register_infinite([(p, q) for p in (Gumbel, Laplace, Normal) for q in (Beta, Gamma)])
register_infinite([(Exponential, Beta), (Pareto, Beta), (Poisson, Bernoulli), (Poisson, Binomial),
                   (Beta, Pareto)])
