"""Every family at once, in float32: dtypes stay float32, expand agrees with broadcasting, samples lie in the
support and repeat under manual_seed, and rsample exists exactly when has_rsample says so."""
import numpy as np
import pytest

import ddp
import ddp.distributions as D

P = ddp.tensor([0.2, 0.6, 0.9])
POS = ddp.tensor([0.5, 1.0, 3.0])
REAL = ddp.tensor([-1.0, 0.0, 2.0])
TRIL = ddp.tensor([[1.0, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.2, 0.1, 1.5]])

FAMILIES = {
    "Bernoulli": lambda: D.Bernoulli(P), "Beta": lambda: D.Beta(POS, POS + 1),
    "Binomial": lambda: D.Binomial(4, P), "Cauchy": lambda: D.Cauchy(REAL, POS), "Chi2": lambda: D.Chi2(POS),
    "ContinuousBernoulli": lambda: D.ContinuousBernoulli(P), "Dirichlet": lambda: D.Dirichlet(POS.expand(2, 3)),
    "Exponential": lambda: D.Exponential(POS), "Gamma": lambda: D.Gamma(POS, 2.0),
    "Geometric": lambda: D.Geometric(P), "Gumbel": lambda: D.Gumbel(REAL, POS),
    "HalfCauchy": lambda: D.HalfCauchy(POS), "HalfNormal": lambda: D.HalfNormal(POS),
    "Laplace": lambda: D.Laplace(REAL, POS), "LogNormal": lambda: D.LogNormal(REAL, POS),
    "LowRankMultivariateNormal": lambda: D.LowRankMultivariateNormal(REAL, TRIL[:, :2], POS),
    "MixtureSameFamily": lambda: D.MixtureSameFamily(D.Categorical(logits=REAL), D.Normal(REAL, POS)),
    "Multinomial": lambda: D.Multinomial(5, probs=P.expand(2, 3)),
    "MultivariateNormal": lambda: D.MultivariateNormal(REAL, scale_tril=TRIL),
    "NegativeBinomial": lambda: D.NegativeBinomial(POS, P * 0.9), "OneHotCategorical": lambda: D.OneHotCategorical(P),
    "Pareto": lambda: D.Pareto(POS, POS + 2), "Poisson": lambda: D.Poisson(POS),
    "RelaxedBernoulli": lambda: D.RelaxedBernoulli(0.5, P),
    "RelaxedOneHotCategorical": lambda: D.RelaxedOneHotCategorical(0.5, P.expand(2, 3)),
    "StudentT": lambda: D.StudentT(POS + 2, REAL, POS), "Weibull": lambda: D.Weibull(POS, POS + 0.5),
    "Kumaraswamy": lambda: D.Kumaraswamy(POS, POS + 1), "VonMises": lambda: D.VonMises(REAL, POS),
    "InverseGamma": lambda: D.InverseGamma(POS + 1, POS), "FisherSnedecor": lambda: D.FisherSnedecor(POS + 1, POS + 4),
    "GeneralizedPareto": lambda: D.GeneralizedPareto(REAL, POS, REAL * 0.3),
    "LogisticNormal": lambda: D.LogisticNormal(REAL, POS), "LKJCholesky": lambda: D.LKJCholesky(3, POS),
    "Wishart": lambda: D.Wishart(POS + 3, scale_tril=TRIL),
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_float32_expand_support_seed_and_rsample(name):
    d = FAMILIES[name]()
    s = d.sample((4,))
    assert s.dtype == ddp.float32 and not s.requires_grad and s.shape == (4,) + d.batch_shape + d.event_shape
    assert bool(d.support.check(s).all())
    lp = d.log_prob(s)
    assert lp.dtype == ddp.float32 and lp.shape == (4,) + d.batch_shape and np.isfinite(lp.numpy()).all()
    for stat in ("mean", "variance", "entropy"):
        try:
            value = getattr(d, stat)() if stat == "entropy" else getattr(d, stat)
        except NotImplementedError:
            continue
        assert value.dtype == ddp.float32, stat
    wide = d.expand((2,) + tuple(d.batch_shape))
    assert wide.batch_shape == (2,) + d.batch_shape and wide.sample().shape == (2,) + d.batch_shape + d.event_shape
    np.testing.assert_allclose(wide.log_prob(s[:2]).numpy(), d.log_prob(s[:2]).numpy(), rtol=1e-6)
    ddp.manual_seed(3)
    a = d.sample((5,)).numpy()
    ddp.manual_seed(3)
    assert np.array_equal(a, d.sample((5,)).numpy())
    if d.has_rsample:
        assert d.rsample((2,)).shape == (2,) + d.batch_shape + d.event_shape
    else:
        with pytest.raises(NotImplementedError):
            d.rsample()
