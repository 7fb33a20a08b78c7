"""Every KL pair that torch registers among ddp's families: values (inf included) and gradients against torch."""
import math

import numpy as np
import pytest

import ddp
import ddp.distributions as D

# two parameter sets per family (p uses the first, q the second), batch shape (3,), float64
PARAMS = {
    "Bernoulli": [dict(probs=[0.2, 0.5, 0.9]), dict(probs=[0.4, 0.1, 0.7])],
    "Beta": [dict(concentration1=[0.7, 2.0, 5.0], concentration0=[1.5, 0.8, 3.0]),
             dict(concentration1=[2.0, 1.1, 0.6], concentration0=[1.0, 3.0, 2.5])],
    "Binomial": [dict(total_count=[5.0, 5.0, 5.0], probs=[0.2, 0.5, 0.9]),
                 dict(total_count=[5.0, 5.0, 3.0], probs=[0.4, 0.1, 0.7])],
    "Categorical": [dict(logits=[[0.1, -1.0], [2.0, 0.3], [0.0, 0.5]]),
                    dict(logits=[[1.0, 0.0], [0.2, 0.3], [-1.0, 1.0]])],
    "Cauchy": [dict(loc=[0.0, 1.0, -2.0], scale=[1.0, 0.5, 2.0]), dict(loc=[0.5, -1.0, 0.0], scale=[2.0, 1.0, 0.3])],
    "ContinuousBernoulli": [dict(probs=[0.2, 0.4999, 0.9]), dict(probs=[0.6, 0.1, 0.5])],
    "Dirichlet": [dict(concentration=[[0.5, 2.0], [1.0, 1.0], [3.0, 0.7]]),
                  dict(concentration=[[1.0, 1.0], [2.0, 0.5], [0.6, 4.0]])],
    "Exponential": [dict(rate=[0.5, 1.0, 3.0]), dict(rate=[2.0, 0.7, 1.0])],
    "Gamma": [dict(concentration=[0.5, 2.0, 5.0], rate=[1.0, 0.5, 3.0]),
              dict(concentration=[2.0, 1.0, 0.8], rate=[0.3, 2.0, 1.0])],
    "Geometric": [dict(probs=[0.2, 0.5, 0.9]), dict(probs=[0.4, 0.1, 0.7])],
    "Gumbel": [dict(loc=[0.0, 1.0, -2.0], scale=[1.0, 0.5, 2.0]), dict(loc=[0.5, -1.0, 0.0], scale=[2.0, 1.0, 0.3])],
    "HalfNormal": [dict(scale=[1.0, 0.5, 2.0]), dict(scale=[2.0, 1.0, 0.3])],
    "Laplace": [dict(loc=[0.0, 1.0, -2.0], scale=[1.0, 0.5, 2.0]), dict(loc=[0.5, -1.0, 0.0], scale=[2.0, 1.0, 0.3])],
    "Normal": [dict(loc=[0.0, 1.0, -2.0], scale=[1.0, 0.5, 2.0]), dict(loc=[0.5, -1.0, 0.0], scale=[2.0, 1.0, 0.3])],
    "OneHotCategorical": [dict(logits=[[0.1, -1.0], [2.0, 0.3], [0.0, 0.5]]),
                          dict(logits=[[1.0, 0.0], [0.2, 0.3], [-1.0, 1.0]])],
    "Pareto": [dict(scale=[0.1, 0.3, 0.05], alpha=[3.0, 0.8, 2.5]),
               dict(scale=[0.05, 0.5, 0.2], alpha=[1.5, 2.0, 4.0])],
    "Poisson": [dict(rate=[0.5, 1.0, 3.0]), dict(rate=[2.0, 0.7, 1.0])],
    "Uniform": [dict(low=[0.2, 0.0, 0.1], high=[0.8, 0.5, 0.3]), dict(low=[0.0, -1.0, 0.2], high=[1.0, 0.6, 2.0])],
}


# Elements where torch's KL is inf only because an interval touches [0, 1] at an end (torch tests q.low >= 0
# rather than q.low > 0): Uniform(0, 1) covers ContinuousBernoulli's support, and Uniform(0, 0.5) lies inside it.
TORCH_TOUCHING_INF = {("ContinuousBernoulli", "Uniform"): [0], ("Uniform", "ContinuousBernoulli"): [1]}


def build(lib, dists, name, which):
    """(distribution, leaves) from PARAMS: every parameter a float64 leaf (total_count a plain tensor)."""
    leaves = {k: lib.tensor(v, dtype=lib.float64, requires_grad=k != "total_count")
              for k, v in PARAMS[name][which].items()}
    return getattr(dists, name)(**leaves), leaves


def registered_pairs():
    """The (p, q) class names torch registers a rule for, both in PARAMS (without torch: none, and a skip)."""
    try:
        from torch.distributions.kl import _KL_REGISTRY
    except ImportError:
        return []
    return sorted((p.__name__, q.__name__) for p, q in _KL_REGISTRY if p.__name__ in PARAMS and q.__name__ in PARAMS)


@pytest.mark.parametrize("pair", registered_pairs(), ids="-".join)
def test_kl_matches_torch(pair):
    torch = pytest.importorskip("torch")
    (p, p_leaves), (q, q_leaves) = build(ddp, D, pair[0], 0), build(ddp, D, pair[1], 1)
    (tp, tp_leaves), (tq, tq_leaves) = build(torch, torch.distributions, pair[0], 0), \
        build(torch, torch.distributions, pair[1], 1)
    ours, theirs = D.kl_divergence(p, q), torch.distributions.kl_divergence(tp, tq)
    got, ref = ours.detach().numpy(), theirs.detach().numpy()
    touching = TORCH_TOUCHING_INF.get(pair, [])
    assert np.isinf(ref[touching]).all() and np.isfinite(got[touching]).all()
    keep = np.setdiff1d(np.arange(3), touching)
    np.testing.assert_allclose(got[keep], ref[keep], rtol=1e-9, atol=1e-11)
    finite = np.isfinite(got)
    finite[touching] = False
    if finite.any() and theirs.requires_grad:
        ours[ddp.tensor(finite)].sum().backward()
        theirs[torch.tensor(finite)].sum().backward()
        for leaves, twins in ((p_leaves, tp_leaves), (q_leaves, tq_leaves)):
            for k, leaf in leaves.items():
                if twins[k].grad is not None:  # torch's is nan where an x log x meets x = 0; ddp's is finite
                    g, tg = leaf.grad.numpy(), twins[k].grad.numpy()
                    assert np.isfinite(g).all()
                    ok = np.isfinite(tg)
                    np.testing.assert_allclose(g[ok], tg[ok], rtol=1e-7, atol=1e-9, err_msg=f"gradient of {k}")


def test_touching_intervals_by_quadrature():
    """E_p[log p - log q] on a fine midpoint grid, for the pairs torch calls infinite at touching ends."""
    cb = D.ContinuousBernoulli(ddp.tensor(0.2, dtype=ddp.float64))
    unit = D.Uniform(ddp.tensor(0.0, dtype=ddp.float64), ddp.tensor(1.0, dtype=ddp.float64))
    x = ddp.tensor((np.arange(200000) + 0.5) / 200000)
    expected = (cb.log_prob(x).exp() * (cb.log_prob(x) - unit.log_prob(x))).mean().item()
    np.testing.assert_allclose(D.kl_divergence(cb, unit).item(), expected, rtol=1e-8)
    half = D.Uniform(ddp.tensor(0.0, dtype=ddp.float64), ddp.tensor(0.5, dtype=ddp.float64))
    expected = (half.log_prob(x * 0.5) - cb.log_prob(x * 0.5)).mean().item()
    np.testing.assert_allclose(D.kl_divergence(half, cb).item(), expected, rtol=1e-8)


def test_support_edges_are_inf_only_when_support_leaves():
    uniform = D.Uniform(ddp.tensor([0.0, -0.5]), ddp.tensor([1.0, 2.0]))
    inside = D.Uniform(ddp.tensor([0.1]), ddp.tensor([0.9]))
    beta, cb = D.Beta(2.0, 3.0), D.ContinuousBernoulli(ddp.tensor(0.3))
    for p in (beta, cb):
        assert np.isfinite(D.kl_divergence(p, uniform).numpy()).all()  # [0, 1] inside [0, 1] and [-0.5, 2]
    assert np.isfinite(D.kl_divergence(inside, beta).item())
    assert math.isinf(D.kl_divergence(D.Uniform(-0.1, 0.5), beta).item())
    assert math.isinf(D.kl_divergence(D.Normal(0.0, 1.0), D.Exponential(1.0)).item())
    assert D.kl_divergence(D.Normal(ddp.zeros(3), 1.0), D.Gamma(1.0, 1.0)).shape == (3,)


def test_transformed_and_binomial_rules():
    torch = pytest.importorskip("torch")
    T = torch.distributions
    p, q = D.LogNormal(ddp.tensor([0.0, 1.0]), 1.0), D.LogNormal(ddp.tensor([0.5, 0.5]), 2.0)
    tp, tq = T.LogNormal(torch.tensor([0.0, 1.0]), 1.0), T.LogNormal(torch.tensor([0.5, 0.5]), 2.0)
    np.testing.assert_allclose(D.kl_divergence(p, q).numpy(), T.kl_divergence(tp, tq).numpy(), rtol=1e-6)
    assert D.kl_divergence(D.HalfCauchy(1.0), D.HalfCauchy(2.0)).item() > 0
    with pytest.raises(NotImplementedError):
        T.kl_divergence(T.Weibull(1.0, 2.0), T.Weibull(1.0, 3.0))
    with pytest.raises(NotImplementedError, match="different transforms"):
        D.kl_divergence(D.Weibull(1.0, 2.0), D.Weibull(1.0, 3.0))
    with pytest.raises(NotImplementedError, match="p.total_count < q.total_count"):
        D.kl_divergence(D.Binomial(3, ddp.tensor(0.5)), D.Binomial(5, ddp.tensor(0.5)))
