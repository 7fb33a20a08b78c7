"""Exponential, Laplace, Cauchy, Gumbel, HalfNormal, HalfCauchy, LogNormal, Pareto and Weibull against torch:
statistics, log_prob, cdf/icdf, entropy and their gradients; samples; rsample gradients; validation."""
import math

import numpy as np
import pytest

import ddp
import ddp.distributions as D

from family_checks import check_moments, compare, same_under_seed

rng = np.random.default_rng(0)
POS = rng.random((2, 3)) + 0.5
REAL = rng.standard_normal((2, 3))
X_REAL = rng.standard_normal((4, 2, 3))
X_POS = rng.random((4, 2, 3)) * 3 + 0.05
Q = rng.random((4, 2, 3)) * 0.9 + 0.05

CASES = {
    "Exponential": (dict(rate=POS), X_POS),
    "Laplace": (dict(loc=REAL, scale=POS), X_REAL),
    "Cauchy": (dict(loc=REAL, scale=POS), X_REAL),
    "Gumbel": (dict(loc=REAL, scale=POS), X_REAL),
    "HalfNormal": (dict(scale=POS), X_POS),
    "HalfCauchy": (dict(scale=POS), X_POS),
    "LogNormal": (dict(loc=REAL, scale=POS), X_POS),
    "Pareto": (dict(scale=POS, alpha=POS * 4), X_POS + 1.6),
    "Weibull": (dict(scale=POS, concentration=POS * 2), X_POS),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    params, value = CASES[name]
    d = compare(torch, getattr(D, name), getattr(torch.distributions, name), params, value, Q)
    assert d.has_rsample


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 1)])
def test_sample_shapes_dtype_and_seed(name, sample_shape):
    params, _ = CASES[name]
    d = getattr(D, name)(**{k: ddp.tensor(v, dtype=ddp.float32) for k, v in params.items()})
    s = d.sample(sample_shape)
    assert s.shape == tuple(sample_shape) + (2, 3) and s.dtype == ddp.float32 and not s.requires_grad
    assert bool(d.support.check(s).all())
    assert d.log_prob(s).dtype == ddp.float32 and d.entropy().dtype == ddp.float32
    assert same_under_seed(lambda: d.sample((3,)))
    assert d.expand((4, 2, 3)).sample().shape == (4, 2, 3)


MOMENT_CASES = [
    (D.Exponential, dict(rate=[0.5, 2.0])),
    (D.Laplace, dict(loc=[0.0, -1.0], scale=[1.0, 0.3])),
    (D.Gumbel, dict(loc=[0.0, 2.0], scale=[1.0, 0.5])),
    (D.HalfNormal, dict(scale=[1.0, 2.5])),
    (D.LogNormal, dict(loc=[0.0, 0.5], scale=[0.25, 0.5])),
    (D.Pareto, dict(scale=[1.0, 2.0], alpha=[5.0, 9.0])),
    (D.Weibull, dict(scale=[1.0, 2.0], concentration=[0.8, 3.0])),
]


@pytest.mark.parametrize("cls, params", MOMENT_CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_sample_moments(cls, params):
    d = cls(**{k: ddp.tensor(v, dtype=ddp.float64) for k, v in params.items()})
    ddp.manual_seed(11)
    check_moments(d.sample((100000,)).numpy(), d.mean.numpy(), d.variance.numpy())


def test_cauchy_quartiles():
    ddp.manual_seed(3)
    d = D.Cauchy(ddp.tensor([0.0, 3.0], dtype=ddp.float64), ddp.tensor([1.0, 0.5], dtype=ddp.float64))
    s = d.sample((100000,)).numpy()
    # the quartiles are loc -+ scale; a sample quartile's standard error here is 0.0086 scale (0.022 at seed 3)
    for half, q in ((-1, 0.25), (1, 0.75)):
        np.testing.assert_allclose(np.quantile(s, q, axis=0), [half * 1.0, 3.0 + half * 0.5], atol=0.035)
    half_cauchy = D.HalfCauchy(ddp.tensor(2.0, dtype=ddp.float64)).sample((100000,)).numpy()
    assert abs(np.median(half_cauchy) - 2.0) < 0.05 and (half_cauchy >= 0).all()


@pytest.mark.parametrize("name", ["Exponential", "Laplace", "Cauchy", "Gumbel", "LogNormal", "Pareto", "Weibull"])
def test_rsample_gradients_by_finite_differences(name):
    params, _ = CASES[name]
    leaves = tuple(ddp.tensor(v[0], dtype=ddp.float64, requires_grad=True) for v in params.values())

    def draw(*values):
        ddp.manual_seed(5)  # the same noise on every call: a smooth function of the parameters
        return getattr(D, name)(*values).rsample((4,))

    if name == "Pareto":  # its constructor takes (scale, alpha) in that order, as CASES does
        assert list(params) == ["scale", "alpha"]
    assert ddp.autograd.gradcheck(draw, leaves)


def test_exponential_rsample_gradient_is_pathwise():
    rate = ddp.tensor([0.5, 2.0], dtype=ddp.float64, requires_grad=True)
    ddp.manual_seed(2)
    x = D.Exponential(rate).rsample((6,))
    x.sum().backward()
    np.testing.assert_allclose(rate.grad.numpy(), -(x.detach().numpy() / rate.detach().numpy()).sum(0))


def test_pareto_and_cauchy_infinite_moments_match_torch():
    torch = pytest.importorskip("torch")
    alpha = np.array([0.5, 1.5, 3.0])
    compare(torch, D.Pareto, torch.distributions.Pareto, dict(scale=np.ones(3), alpha=alpha), skip=("entropy",))
    d = D.HalfCauchy(ddp.ones(3))
    assert math.isinf(d.mean[0].item()) and math.isinf(d.variance[0].item())


def test_validation_errors_match_torch():
    torch = pytest.importorskip("torch")
    T = torch.distributions
    for ours, theirs in ((lambda: D.Exponential(-1.0), lambda: T.Exponential(-1.0)),
                         (lambda: D.Laplace(0.0, 0.0), lambda: T.Laplace(0.0, 0.0)),
                         (lambda: D.Gumbel(0.0, -2.0), lambda: T.Gumbel(0.0, -2.0)),
                         (lambda: D.HalfNormal(-1.0), lambda: T.HalfNormal(-1.0)),
                         (lambda: D.Pareto(1.0, -1.0), lambda: T.Pareto(1.0, -1.0)),
                         (lambda: D.Weibull(1.0, 0.0), lambda: T.Weibull(1.0, 0.0))):
        with pytest.raises(ValueError):
            theirs()
        with pytest.raises(ValueError, match="must satisfy GreaterThan"):
            ours()
    with pytest.raises(ValueError, match="must lie in the support"):
        D.Exponential(1.0).log_prob(ddp.tensor(-1.0))
    with pytest.raises(ValueError, match="must lie in the support"):
        D.Pareto(2.0, 1.0).log_prob(ddp.tensor(1.5))
    assert D.HalfNormal(1.0, validate_args=False).log_prob(ddp.tensor(-1.0)).item() == -math.inf


def test_repr_names_parameters():
    assert repr(D.LogNormal(0.0, 1.0)) == "LogNormal(loc: 0.0, scale: 1.0)"
    assert repr(D.Exponential(ddp.ones(3))) == "Exponential(rate: ddp.Size([3]))"
