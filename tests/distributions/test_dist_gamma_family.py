"""Gamma, Chi2, Beta, Dirichlet and StudentT against torch; sample moments; and the implicit
reparameterization gradient of gamma draws, checked to double precision against mpmath."""
import numpy as np
import pytest

import ddp
import ddp.distributions as D
from ddp.distributions.gamma_reparam import gammainc, standard_gamma_grad

from family_checks import check_moments, compare, same_under_seed

rng = np.random.default_rng(7)
POS = rng.random((2, 3)) * 3 + 0.3
X_POS = rng.random((4, 2, 3)) * 4 + 0.05
X_UNIT = rng.random((4, 2, 3)) * 0.98 + 0.01


@pytest.mark.parametrize("name, params, value", [
    ("Gamma", dict(concentration=POS, rate=POS[::-1].copy() + 0.2), X_POS),
    ("Chi2", dict(df=POS * 2), X_POS),
    ("Beta", dict(concentration1=POS, concentration0=POS[::-1].copy()), X_UNIT),
    ("StudentT", dict(df=np.array([0.7, 1.5, 2.5, 6.0]), loc=rng.standard_normal(4), scale=rng.random(4) + 0.5),
     rng.standard_normal((3, 4)) * 2),
], ids=["Gamma", "Chi2", "Beta", "StudentT"])
def test_matches_torch(name, params, value):
    torch = pytest.importorskip("torch")
    # torch's gammainc has no gradient in its first argument (ddp's has: see the cdf test below)
    d = compare(torch, getattr(D, name), getattr(torch.distributions, name), params, value, no_grad=("cdf",))
    assert d.has_rsample


def test_dirichlet_matches_torch():
    torch = pytest.importorskip("torch")
    conc = rng.random((2, 4)) * 3 + 0.2
    value = rng.dirichlet(np.ones(4), (3, 2))
    compare(torch, D.Dirichlet, torch.distributions.Dirichlet, dict(concentration=conc), value, skip=("mode",))
    peaked = np.array([[2.0, 3.0, 1.5], [0.5, 4.0, 2.0]])  # torch and ddp agree where some c >= 1
    compare(torch, D.Dirichlet, torch.distributions.Dirichlet, dict(concentration=peaked), grad=False)
    vertex = D.Dirichlet(ddp.tensor([0.5, 0.3, 0.9])).mode  # every c < 1: the vertex of the largest c
    assert vertex.tolist() == [0.0, 0.0, 1.0]


@pytest.mark.parametrize("a", [0.05, 0.4, 1.0, 3.0, 30.0, 1000.0])
def test_standard_gamma_grad_is_exact(a):
    """dx/da = -(dP/da)(a, x) / p(x; a), with P and its derivative from mpmath at 40 digits."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    x = np.maximum(np.random.default_rng(int(a * 100)).standard_gamma(a, 6), 1e-300)
    got = standard_gamma_grad(np.full(6, a), x)
    for xi, gi in zip(x, got):
        am, xm = mpmath.mpf(a), mpmath.mpf(xi)
        d_p = mpmath.diff(lambda s: mpmath.gammainc(s, 0, xm, regularized=True), am)
        density = xm ** (am - 1) * mpmath.exp(-xm) / mpmath.gamma(am)
        assert abs(gi - float(-d_p / density)) <= 1e-13 * abs(gi) + 1e-300


def test_standard_gamma_grad_close_to_torch_and_unbiased():
    torch = pytest.importorskip("torch")
    for a in (0.3, 2.0, 50.0):
        x = np.random.default_rng(0).standard_gamma(a, 50000)
        ours = standard_gamma_grad(np.full_like(x, a), x)
        theirs = torch._standard_gamma_grad(torch.tensor(np.full_like(x, a)), torch.tensor(x)).numpy()
        assert np.median(np.abs(ours / theirs - 1)) < 1e-4  # torch's is an approximation
        assert abs(ours.mean() - 1) < 5 * ours.std() / np.sqrt(x.size)  # d E[x] / da = 1


def test_rsample_gradients_are_unbiased():
    """E[d f(x) / d theta] = d E[f(x)] / d theta, for the means of Gamma, Beta, Dirichlet and StudentT draws."""
    n = 100000
    ddp.manual_seed(0)
    c = ddp.tensor([0.6, 4.0], dtype=ddp.float64, requires_grad=True)
    r = ddp.tensor([2.0, 0.5], dtype=ddp.float64, requires_grad=True)
    D.Gamma(c, r).rsample((n,)).mean(0).sum().backward()
    np.testing.assert_allclose(c.grad.numpy(), 1 / r.detach().numpy(), rtol=0.03)  # d(c / r) / dc
    np.testing.assert_allclose(r.grad.numpy(), -(c / r.pow(2)).detach().numpy(), rtol=0.03)
    a = ddp.tensor([2.0], dtype=ddp.float64, requires_grad=True)
    b = ddp.tensor([3.0], dtype=ddp.float64, requires_grad=True)
    D.Beta(a, b).rsample((n,)).mean().backward()
    np.testing.assert_allclose([a.grad.item(), b.grad.item()], [3 / 25, -2 / 25], rtol=0.05)
    conc = ddp.tensor([1.0, 2.0, 3.0], dtype=ddp.float64, requires_grad=True)
    D.Dirichlet(conc).rsample((n,))[:, 0].mean().backward()
    np.testing.assert_allclose(conc.grad.numpy(), [5 / 36, -1 / 36, -1 / 36], rtol=0.1, atol=0.003)
    scale = ddp.tensor(2.0, dtype=ddp.float64, requires_grad=True)
    D.StudentT(5.0, 0.0, scale).rsample((n,)).pow(2).mean().backward()  # E[x^2] = scale^2 df / (df - 2)
    np.testing.assert_allclose(scale.grad.item(), 2 * 2.0 * 5 / 3, rtol=0.05)


def test_samples_moments_shapes_dtypes_and_seed():
    ddp.manual_seed(1)
    n = 100000
    for d in (D.Gamma(ddp.tensor([0.3, 5.0], dtype=ddp.float64), ddp.tensor([1.0, 2.0], dtype=ddp.float64)),
              D.Chi2(ddp.tensor([1.0, 7.0], dtype=ddp.float64)),
              D.Beta(ddp.tensor([0.5, 4.0], dtype=ddp.float64), ddp.tensor([0.5, 2.0], dtype=ddp.float64)),
              D.Dirichlet(ddp.tensor([[0.5, 1.0, 3.0]], dtype=ddp.float64)),
              D.StudentT(ddp.tensor([5.0, 9.0], dtype=ddp.float64))):
        s = d.sample((n,))
        assert bool(d.support.check(s).all())
        check_moments(s.numpy(), d.mean.numpy(), d.variance.numpy())
    for d in (D.Gamma(ddp.ones(2, 3), 2.0), D.Beta(ddp.ones(2, 3), 2.0), D.Dirichlet(ddp.ones(2, 3)),
              D.StudentT(ddp.full((2, 3), 3.0)), D.Chi2(ddp.ones(2, 3))):
        for shape in ((), (4,), (2, 5)):
            assert d.rsample(shape).shape == tuple(shape) + (2, 3) and d.rsample(shape).dtype == ddp.float32
        assert same_under_seed(lambda: d.sample((3,)))
        assert d.log_prob(d.sample()).dtype == ddp.float32 and d.entropy().dtype == ddp.float32
    assert D.Gamma(ddp.ones(3), 1.0).expand((2, 3)).sample().shape == (2, 3)


def test_gamma_cdf_and_gammainc_gradients():
    torch = pytest.importorskip("torch")
    c = ddp.tensor([0.5, 2.0, 40.0], dtype=ddp.float64, requires_grad=True)
    r = ddp.tensor([1.0, 0.7, 2.0], dtype=ddp.float64, requires_grad=True)
    x = ddp.tensor([[0.2, 3.0, 19.0], [2.5, 0.1, 30.0]], dtype=ddp.float64, requires_grad=True)
    tr, tx = (torch.tensor(v.detach().numpy(), requires_grad=True) for v in (r, x))
    tc = torch.tensor(c.detach().numpy())
    ours, theirs = D.Gamma(c, r).cdf(x), torch.distributions.Gamma(tc, tr).cdf(tx)
    # torch's igamma is off by up to ~1e-9 at large shapes; ours matches mpmath there (0.394080632118893451...)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-8)
    assert abs(ours[0, 2].item() - 0.394080632118893451) < 1e-15
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(r.grad.numpy(), tr.grad.numpy(), rtol=1e-10)
    assert ddp.autograd.gradcheck(lambda a, v: gammainc(a, v), (c, x[0]))  # torch has no gradient in a
    assert gammainc(ddp.tensor(2.0), ddp.tensor(0.0)).item() == 0.0


def test_validation_errors_match_torch():
    torch = pytest.importorskip("torch")
    T = torch.distributions
    builds = (lambda m, lib: m.Gamma(lib.tensor(-1.0), 1.0), lambda m, lib: m.Beta(1.0, lib.tensor(0.0)),
              lambda m, lib: m.Dirichlet(lib.tensor([1.0, -1.0])), lambda m, lib: m.StudentT(lib.tensor(-2.0)),
              lambda m, lib: m.Chi2(lib.tensor(0.0)), lambda m, lib: m.Dirichlet(lib.tensor(1.0)))
    for build in builds:
        with pytest.raises(ValueError):
            build(T, torch)
        with pytest.raises(ValueError):
            build(D, ddp)
    with pytest.raises(ValueError, match="must lie in the support"):
        D.Beta(1.0, 1.0).log_prob(ddp.tensor(1.5))
    with pytest.raises(ValueError, match="must lie in the support Simplex"):
        D.Dirichlet(ddp.ones(2)).log_prob(ddp.tensor([0.5, 0.6]))


def test_small_concentrations_keep_float32_gradients_finite():
    """Gamma draws of shape 0.05 underflow float32 often; Beta and Dirichlet normalize them without 0 / 0."""
    c = ddp.full((500, 3), 0.05, requires_grad=True)
    x = D.Dirichlet(c).rsample((20,))
    x[..., 0].sum().backward()
    a = ddp.full((500,), 0.05, requires_grad=True)
    D.Beta(a, a).rsample((20,)).sum().backward()
    assert np.isfinite(c.grad.numpy()).all() and np.isfinite(a.grad.numpy()).all()
    assert bool(D.constraints.simplex.check(x.detach().double()).all())
