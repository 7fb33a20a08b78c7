"""KL(p || q) between Gaussians on R^n, full-rank (MultivariateNormal) or low-rank plus diagonal, in one rule:

    KL = (tr(S_q^-1 S_p) + (m_q - m_p)^T S_q^-1 (m_q - m_p) - n + log det S_q - log det S_p) / 2.

Each class supplies log det S, the Mahalanobis form x^T S^-1 x, a root F with S = F F^T, and tr(S^-1 F F^T)
for another distribution's root, each through its own factorization (Cholesky or capacitance)."""
import ddp

from .kl import register_kl
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .multivariate_normal import MultivariateNormal


def _kl_gaussian_gaussian(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError(f"kl_divergence: Gaussians of different event shapes, {p.event_shape} and {q.event_shape}")
    n = p.event_shape[0]
    kl = 0.5 * (q._trace_inv_cov(p._cov_root()) + q._mahalanobis(q.loc - p.loc) - n
                + q._log_det_cov() - p._log_det_cov())
    shape = tuple(ddp.broadcast_shapes(tuple(p.batch_shape), tuple(q.batch_shape)))
    return kl if tuple(kl.shape) == shape else kl.expand(shape)


for _p in (MultivariateNormal, LowRankMultivariateNormal):
    for _q in (MultivariateNormal, LowRankMultivariateNormal):
        register_kl(_p, _q)(_kl_gaussian_gaussian)
