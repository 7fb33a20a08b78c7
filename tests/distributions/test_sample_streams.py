"""After the same seed, `sample()` and `rsample()` give PyTorch's numbers and leave the generator where
PyTorch leaves it: each distribution draws through the ops PyTorch's draws through (`randn` / `normal_`,
`rand`, `uniform_`, `exponential_`, `cauchy_`, `bernoulli`, `multinomial`), in the same dtype, shape and order.

Without PyTorch: the same seed repeats a sample, and rsample still backpropagates.
"""
import numpy as np
import pytest

import ddp
import ddp.distributions as D


def _params(m, dtype):
    t = lambda v: m.tensor(v, dtype=getattr(m, dtype))  # noqa: E731
    return dict(loc=t([0.5, -1.0, 2.0]), scale=t([1.0, 2.0, 0.5]), p=t([0.2, 0.5, 0.9]),
                probs=t([[0.1, 0.3, 0.6], [0.5, 0.25, 0.25]]), low_rank=t([[1.0, 0.0], [0.5, 0.2], [0.1, 0.3]]),
                cov=t([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 0.5]]), xi=t([0.1, -0.2, 0.3]), t=t)


# name -> builder(D, params): the same construction in either framework
EXACT = {
    "Normal": lambda D, q: D.Normal(q["loc"], q["scale"]),
    "Uniform": lambda D, q: D.Uniform(q["loc"], q["loc"] + q["scale"]),
    "Bernoulli": lambda D, q: D.Bernoulli(q["p"]),
    "Categorical": lambda D, q: D.Categorical(q["probs"]),
    "OneHotCategorical": lambda D, q: D.OneHotCategorical(q["probs"]),
    "Multinomial": lambda D, q: D.Multinomial(6, q["probs"]),
    "Exponential": lambda D, q: D.Exponential(q["scale"]),
    "Laplace": lambda D, q: D.Laplace(q["loc"], q["scale"]),
    "Cauchy": lambda D, q: D.Cauchy(q["loc"], q["scale"]),
    "HalfCauchy": lambda D, q: D.HalfCauchy(q["scale"]),
    "Gumbel": lambda D, q: D.Gumbel(q["loc"], q["scale"]),
    "LogNormal": lambda D, q: D.LogNormal(q["loc"], q["scale"]),
    "HalfNormal": lambda D, q: D.HalfNormal(q["scale"]),
    "MultivariateNormal": lambda D, q: D.MultivariateNormal(q["loc"], q["cov"]),
    "LowRankMultivariateNormal": lambda D, q: D.LowRankMultivariateNormal(q["loc"], q["low_rank"], q["scale"]),
    "RelaxedBernoulli": lambda D, q: D.RelaxedBernoulli(q["t"](0.5), probs=q["p"]),
    "RelaxedOneHotCategorical": lambda D, q: D.RelaxedOneHotCategorical(q["t"](0.7), probs=q["probs"]),
    "Geometric": lambda D, q: D.Geometric(q["p"]),
    "ContinuousBernoulli": lambda D, q: D.ContinuousBernoulli(q["p"]),
    "Kumaraswamy": lambda D, q: D.Kumaraswamy(q["scale"], q["scale"] + 1),
    "Pareto": lambda D, q: D.Pareto(q["scale"], q["scale"] + 1),
    "Weibull": lambda D, q: D.Weibull(q["scale"], q["scale"] + 1),
    "GeneralizedPareto": lambda D, q: D.GeneralizedPareto(q["loc"], q["scale"], q["xi"]),
    "LogisticNormal": lambda D, q: D.LogisticNormal(q["loc"], q["scale"]),
    "Independent": lambda D, q: D.Independent(D.Normal(q["loc"], q["scale"]), 1),
    "MixtureSameFamily": lambda D, q: D.MixtureSameFamily(D.Categorical(q["probs"][0]), D.Normal(q["loc"], q["scale"])),
}
SHAPES = [(), (5,), (4, 7)]  # () and (5,) take the small-normal path, (4, 7) the blocks of 16


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _draw(m, dist_module, name, dtype, method, shape):
    d = EXACT[name](dist_module, _params(m, dtype))
    m.manual_seed(7)
    x = getattr(d, method)(shape)
    return x.detach().numpy(), str(x.dtype).split(".")[-1], tuple(x.shape), m.rand(3).numpy()


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(EXACT))
def test_samples_are_pytorchs(torch, name, dtype, shape):
    import torch.distributions as TD

    methods = ["sample"] + (["rsample"] if EXACT[name](D, _params(ddp, dtype)).has_rsample else [])
    for method in methods:
        ours, dtype_ours, shape_ours, after_ours = _draw(ddp, D, name, dtype, method, shape)
        theirs, dtype_theirs, shape_theirs, after_theirs = _draw(torch, TD, name, dtype, method, shape)
        assert (dtype_ours, shape_ours) == (dtype_theirs, shape_theirs), method
        rtol = 1e-6 if dtype == "float32" else 1e-12
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol, err_msg=method)
        assert after_ours.tolist() == after_theirs.tolist(), f"{method} left the generator elsewhere"


def test_a_generator_state_from_pytorch_continues_the_same_samples(torch):
    torch.manual_seed(3)
    torch.rand(5)
    state = torch.get_rng_state()
    ddp.set_rng_state(state)
    theirs = torch.distributions.Laplace(torch.tensor(0.0), torch.tensor(1.0)).sample((9,))
    ours = D.Laplace(ddp.tensor(0.0), ddp.tensor(1.0)).sample((9,))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


# ------------------------------------------------------------------------------------------ torch-free
@pytest.mark.parametrize("name", list(EXACT))
def test_the_same_seed_repeats_a_sample(name):
    d = EXACT[name](D, _params(ddp, "float32"))
    ddp.manual_seed(5)
    first = d.sample((3,)).numpy()
    ddp.manual_seed(5)
    assert np.array_equal(d.sample((3,)).numpy(), first)


@pytest.mark.parametrize("name", [n for n in EXACT if EXACT[n](D, _params(ddp, "float64")).has_rsample])
def test_rsample_backpropagates(name):
    q = _params(ddp, "float64")
    leaves = [v for k, v in q.items() if k != "t"]
    for v in leaves:
        v.requires_grad_(True)
    d = EXACT[name](D, q)
    d.rsample((4,)).sum().backward()
    assert any(v.grad is not None and np.isfinite(v.grad.numpy()).all() and np.abs(v.grad.numpy()).sum() > 0
               for v in leaves), name
