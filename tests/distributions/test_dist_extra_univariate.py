"""Kumaraswamy, VonMises, InverseGamma, FisherSnedecor and GeneralizedPareto: against torch, and without it
by quadrature (densities integrate to 1, the cdf's derivative is the density), sample moments, and
reparameterized gradients (finite differences under a fixed seed, or unbiasedness of d E[x])."""
import math

import numpy as np
import pytest

import ddp
import ddp.distributions as D

from family_checks import check_moments, compare

F64 = ddp.float64
rng = np.random.default_rng(3)
POS = rng.random((2, 3)) * 3 + 0.3
X_POS = rng.random((4, 2, 3)) * 4 + 0.05
U = rng.random((4, 2, 3)) * 0.98 + 0.01
KAPPA = np.array([[0.01, 0.5, 2.0], [3.7, 3.8, 50.0]])
# 1 - I1(k) / I0(k) for KAPPA, from mpmath at 30 digits
CIRCULAR_VARIANCE = np.array([[0.9950000624989583, 0.757500387419198, 0.302225342035992],
                              [0.14909357504554446, 0.14463377560145824, 0.010051032621502247]])

CASES = {
    # torch's Kumaraswamy.mode is nan everywhere (a log1p(-b) slip); ours is checked by hand below
    "Kumaraswamy": (dict(concentration1=POS, concentration0=POS[::-1].copy()), X_POS / 4.2, U, dict(skip=("mode",))),
    # torch's log I0 / I1 are polynomial fits good to about 1e-7 (variance: see below)
    "VonMises": (dict(loc=rng.standard_normal((2, 3)), concentration=KAPPA), rng.standard_normal((4, 2, 3)) * 3,
                 None, dict(rtol=1e-6, atol=1e-7, skip=("variance", "stddev"))),
    "InverseGamma": (dict(concentration=np.array([[0.5, 1.5, 2.5], [3.0, 4.0, 10.0]]), rate=POS), X_POS, U,
                     dict(no_grad=("cdf", "icdf"))),  # torch's gammainc has no gradient in its first argument
    "FisherSnedecor": (dict(df1=np.array([[1.0, 2.5, 3.0], [5.0, 10.0, 0.7]]),
                            df2=np.array([[1.5, 3.0, 4.5], [6.0, 20.0, 5.0]])), X_POS, None, {}),
    "GeneralizedPareto": (dict(loc=rng.standard_normal((2, 3)), scale=POS,
                               concentration=np.array([[-0.4, 0.0, 0.3], [0.6, 1.2, -1.0]])), None, U, {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    params, value, probs, kw = CASES[name]
    d = compare(torch, getattr(D, name), getattr(torch.distributions, name), params, value, probs, **kw)
    assert d.has_rsample == (name != "VonMises")


def test_generalized_pareto_in_support_matches_torch():
    torch = pytest.importorskip("torch")
    params = dict(CASES["GeneralizedPareto"][0])
    # at xi = -1 torch's gradient in xi takes a branch's stand-in; ours is checked by differences below
    params["concentration"] = np.where(params["concentration"] == -1.0, -0.8, params["concentration"])
    x = D.GeneralizedPareto(*(ddp.tensor(params[k]) for k in ("loc", "scale", "concentration"))).icdf(
        ddp.tensor(U))
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch's log_prob compares with a default-dtype zero
    try:
        compare(torch, D.GeneralizedPareto, torch.distributions.GeneralizedPareto, params, x.numpy())
    finally:
        torch.set_default_dtype(default)


def test_generalized_pareto_uniform_case():
    """xi = -1 is Uniform(loc, loc + scale): log_prob -log(scale) up to the end, and its xi-gradient is
    d/dxi [-(1 / xi + 1) log1p(xi z)] = log1p(-z) there (finite differences agree)."""
    z = np.array([0.0, 0.3, 0.9, 1.0])
    xi = ddp.tensor(-1.0, dtype=ddp.float64, requires_grad=True)
    lp = D.GeneralizedPareto(0.0, 2.0, xi).log_prob(ddp.tensor(2 * z))
    np.testing.assert_allclose(lp.detach().numpy(), -math.log(2.0), rtol=1e-14)
    lp[:3].sum().backward()
    h = 1e-6
    x = ddp.tensor(2 * z[:3], dtype=F64)
    fd = sum(D.GeneralizedPareto(0.0, 2.0, ddp.tensor(-1.0 + s * h, dtype=F64)).log_prob(x).sum().item() * s
             for s in (1, -1)) / (2 * h)
    np.testing.assert_allclose(xi.grad.item(), fd, rtol=1e-6)
    np.testing.assert_allclose(xi.grad.item(), np.log1p(-z[:3]).sum(), rtol=1e-9)


def test_von_mises_variance_is_exact():
    torch = pytest.importorskip("torch")
    d = D.VonMises(ddp.zeros(2, 3, dtype=F64), ddp.tensor(KAPPA))
    np.testing.assert_allclose(d.variance.numpy(), CIRCULAR_VARIANCE, rtol=1e-12)
    t = torch.distributions.VonMises(torch.zeros(2, 3, dtype=torch.float64), torch.tensor(KAPPA))
    np.testing.assert_allclose(d.variance.numpy(), t.variance.numpy(), rtol=1e-4)  # torch: a polynomial fit


def _log_grid(lo, hi, n=200001):
    """Midpoints and widths of a geometric grid on (lo, hi), as float64 Tensors."""
    edges = np.geomspace(lo, hi, n)
    return ddp.tensor((edges[1:] + edges[:-1]) / 2), ddp.tensor(np.diff(edges))


@pytest.mark.parametrize("make, lo, hi", [
    (lambda: D.Kumaraswamy(ddp.tensor([1.0, 2.0, 5.0], dtype=F64), ddp.tensor([1.5, 3.0, 1.0], dtype=F64)), 1e-9, 1.0),
    (lambda: D.InverseGamma(ddp.tensor([0.8, 2.0, 6.0], dtype=F64), ddp.tensor([1.0, 0.5, 3.0], dtype=F64)), 1e-5, 1e9),
    (lambda: D.FisherSnedecor(ddp.tensor([2.0, 5.0, 30.0], dtype=F64), ddp.tensor([3.0, 12.0, 8.0], dtype=F64)),
     1e-9, 1e9),
    (lambda: D.GeneralizedPareto(0.0, ddp.tensor([1.0, 2.0, 0.5], dtype=F64), ddp.tensor([-0.3, 0.0, 0.25], dtype=F64)),
     1e-9, 1e8),
], ids=["Kumaraswamy", "InverseGamma", "FisherSnedecor", "GeneralizedPareto"])
def test_density_integrates_to_one_and_is_the_cdfs_derivative(make, lo, hi):
    d = make()
    x, dx = _log_grid(lo, hi)
    xs = x.unsqueeze(-1)
    if isinstance(d, D.GeneralizedPareto):  # keep inside the bounded support of xi = -0.3
        xs = ddp.minimum(xs, d.support.upper_bound * (1 - 1e-12))
    with ddp.no_grad():
        dens = d.log_prob(xs).exp()
    np.testing.assert_allclose((dens * dx.unsqueeze(-1)).sum(0).numpy(), 1.0, rtol=2e-4)
    if isinstance(d, D.FisherSnedecor):
        return  # no cdf, as torch
    scale = 1.0 if isinstance(d, D.Kumaraswamy) else 2.0
    for j in range(3):  # d cdf_j / dx = density_j, one column at a time
        p = ddp.tensor(np.array([0.2, 0.5, 0.9]) * scale, requires_grad=True)
        d.cdf(p.unsqueeze(-1))[:, j].sum().backward()
        np.testing.assert_allclose(p.grad.numpy(), d.log_prob(p.unsqueeze(-1)).exp()[:, j].detach().numpy(),
                                   rtol=1e-9)
    if isinstance(d, D.InverseGamma):
        return  # no icdf (Gamma has none), as torch
    u = ddp.tensor([[0.01], [0.3], [0.97]], dtype=F64)
    np.testing.assert_allclose(d.cdf(d.icdf(u)).detach().numpy(), np.broadcast_to(u.numpy(), (3, 3)), rtol=1e-10)


def test_kumaraswamy_closed_forms():
    a, b = ddp.tensor([2.0, 1.0, 0.5, 3.0], dtype=F64), ddp.tensor([3.0, 1.0, 2.0, 0.8], dtype=F64)
    d = D.Kumaraswamy(a, b)
    x = ddp.tensor(0.3, dtype=F64)
    np.testing.assert_allclose(d.cdf(x).numpy(), 1 - (1 - 0.3 ** a.numpy()) ** b.numpy(), rtol=1e-12)
    mode = d.mode.numpy()
    np.testing.assert_allclose(mode[0], (1 / 5) ** 0.5, rtol=1e-12)  # ((a - 1) / (a b - 1))^(1 / a)
    assert np.isnan(mode[1:]).all()  # uniform; a < 1; b < 1
    np.testing.assert_allclose(D.Kumaraswamy(1.0, 1.0).entropy().item(), 0.0, atol=1e-7)  # the uniform


@pytest.mark.parametrize("make", [
    lambda: D.Kumaraswamy(ddp.tensor([0.7, 3.0], dtype=F64), ddp.tensor([2.0, 0.9], dtype=F64)),
    lambda: D.InverseGamma(ddp.tensor([6.0, 9.0], dtype=F64), ddp.tensor([1.0, 4.0], dtype=F64)),
    lambda: D.FisherSnedecor(ddp.tensor([5.0, 20.0], dtype=F64), ddp.tensor([12.0, 15.0], dtype=F64)),
    lambda: D.GeneralizedPareto(ddp.tensor([0.0, 1.0], dtype=F64), 2.0, ddp.tensor([-0.5, 0.1], dtype=F64)),
], ids=["Kumaraswamy", "InverseGamma", "FisherSnedecor", "GeneralizedPareto"])
def test_sample_moments(make):
    d = make()
    ddp.manual_seed(11)
    x = d.sample((40000,))
    assert bool(d.support.check(x).all())
    check_moments(x.numpy(), d.mean.numpy(), d.variance.numpy())


def test_von_mises_samples():
    k = ddp.tensor([1e-6, 0.3, 2.0, 40.0], dtype=F64)
    loc = ddp.tensor([3.0, -1.0, 0.5, -3.1], dtype=F64)
    d = D.VonMises(loc, k)
    ddp.manual_seed(2)
    x = d.sample((40000,))
    assert x.shape == (40000, 4) and not x.requires_grad
    assert bool(((x >= -math.pi) & (x < math.pi)).all())
    cos = (x - loc).cos().numpy()  # E[cos(x - loc)] = I1(k) / I0(k) = 1 - circular variance
    se = cos.std(0) / math.sqrt(cos.shape[0])
    assert (np.abs(cos.mean(0) - (1 - d.variance.numpy())) < 5 * se + 1e-12).all()
    sin = (x - loc).sin().numpy()  # symmetric about loc
    assert (np.abs(sin.mean(0)) < 5 * sin.std(0) / math.sqrt(sin.shape[0])).all()
    ddp.manual_seed(2)
    f32 = D.VonMises(loc.float(), k.float()).sample((3,))
    assert f32.dtype == ddp.float32 and f32.shape == (3, 4)


def test_von_mises_density_integrates_to_one():
    d = D.VonMises(ddp.tensor([0.3, -2.0, 1.0], dtype=F64), ddp.tensor([0.2, 5.0, 60.0], dtype=F64))
    x = ddp.tensor((np.arange(20000) + 0.5) / 20000 * 2 * math.pi - math.pi).unsqueeze(-1)
    total = d.log_prob(x).exp().mean(0) * 2 * math.pi
    np.testing.assert_allclose(total.numpy(), 1.0, rtol=1e-10)
    with pytest.raises(NotImplementedError):
        d.rsample()


@pytest.mark.parametrize("build, params", [
    (lambda a, b: D.Kumaraswamy(a, b), [1.7, 2.4]),
    (lambda loc, s, xi: D.GeneralizedPareto(loc, s, xi), [0.3, 1.5, 0.2]),
    (lambda loc, s, xi: D.GeneralizedPareto(loc, s, xi), [0.3, 1.5, -0.35]),
], ids=["Kumaraswamy", "GeneralizedPareto+", "GeneralizedPareto-"])
def test_rsample_gradient_by_finite_differences(build, params):
    """The same uniform draws (same seed) make rsample a smooth function of the parameters."""
    def total(values):
        ddp.manual_seed(5)
        return build(*values).rsample((50,)).sum()

    leaves = [ddp.tensor(v, dtype=ddp.float64, requires_grad=True) for v in params]
    total(leaves).backward()
    h = 1e-6
    for i, leaf in enumerate(leaves):
        up = [ddp.tensor(v + (h if j == i else 0.0), dtype=F64) for j, v in enumerate(params)]
        down = [ddp.tensor(v - (h if j == i else 0.0), dtype=F64) for j, v in enumerate(params)]
        fd = (total(up).item() - total(down).item()) / (2 * h)
        np.testing.assert_allclose(leaf.grad.item(), fd, rtol=1e-6, atol=1e-8)


def test_gamma_based_rsample_gradients_are_unbiased():
    """d E[x] / d theta from pathwise gradients: InverseGamma's mean r / (c - 1), FisherSnedecor's d2 / (d2 - 2)."""
    n = 60000
    ddp.manual_seed(0)
    c = ddp.tensor(7.0, dtype=ddp.float64, requires_grad=True)
    r = ddp.tensor(2.0, dtype=ddp.float64, requires_grad=True)
    D.InverseGamma(c, r).rsample((n,)).mean().backward()
    np.testing.assert_allclose([c.grad.item(), r.grad.item()], [-2 / 36, 1 / 6], rtol=0.05)
    d1 = ddp.tensor(8.0, dtype=ddp.float64, requires_grad=True)
    d2 = ddp.tensor(14.0, dtype=ddp.float64, requires_grad=True)
    D.FisherSnedecor(d1, d2).rsample((n,)).mean().backward()
    np.testing.assert_allclose(d2.grad.item(), -2 / 144, rtol=0.15)
    assert abs(d1.grad.item()) < 2e-3  # the mean does not depend on df1


def test_validation_and_shapes():
    with pytest.raises(ValueError, match="concentration"):
        D.VonMises(0.0, -1.0)
    with pytest.raises(ValueError, match="scale"):
        D.GeneralizedPareto(0.0, 0.0, 0.1)
    with pytest.raises(ValueError, match="df2"):
        D.FisherSnedecor(1.0, ddp.tensor([1.0, -2.0]))
    with pytest.raises(ValueError, match="support"):
        D.GeneralizedPareto(0.0, 1.0, -0.5).log_prob(ddp.tensor(2.5))  # support [0, 2]
    with pytest.raises(ValueError, match="support"):
        D.Kumaraswamy(1.0, 2.0).log_prob(ddp.tensor(1.5))
    assert D.GeneralizedPareto(0.0, 1.0, 0.1).batch_shape == ()
    d = D.InverseGamma(ddp.tensor([2.0, 3.0]), 1.0, validate_args=False).expand((4, 2))
    assert d.batch_shape == (4, 2) and d.concentration.shape == (4, 2) and d.sample((3,)).shape == (3, 4, 2)
    assert D.VonMises(0.0, -1.0, validate_args=False).concentration.item() == -1.0
