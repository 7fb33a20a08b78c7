"""LogisticNormal, Wishart (with ExponentialFamily's Bregman entropy and KL), LKJCholesky, and the transforms
and constraints they bring (CorrCholesky, Cat, Stack, CumulativeDistribution): against torch, and without
it by hand-computable properties."""
import math

import numpy as np
import pytest

import ddp
import ddp.distributions as D
from ddp.distributions import constraints, transforms as T

from family_checks import compare

rng = np.random.default_rng(9)
COV = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]])
TRIL = np.linalg.cholesky(COV)


def f64(x):
    return ddp.tensor(np.asarray(x, dtype=np.float64))


def test_logistic_normal_matches_torch_and_by_hand():
    loc, scale = rng.standard_normal((2, 3)), rng.random((2, 3)) + 0.5
    d = D.LogisticNormal(f64(loc), f64(scale))
    assert (d.batch_shape, d.event_shape, d.has_rsample) == ((2,), (4,), True)
    ddp.manual_seed(1)
    x = d.rsample((5,))
    assert bool(constraints.simplex.check(x).all())
    # K = 2: y = sigmoid(x), so the density of y_0 is N(logit y_0) / (y_0 (1 - y_0))
    two = D.LogisticNormal(f64(0.4), f64(1.3))
    y = f64([0.1, 0.5, 0.8])
    expected = D.Normal(f64(0.4), f64(1.3)).log_prob((y / (1 - y)).log()) - (y * (1 - y)).log()
    np.testing.assert_allclose(two.log_prob(ddp.stack([y, 1 - y], -1)).numpy(), expected.numpy(), rtol=1e-12)
    assert two.batch_shape == () and two.event_shape == (2,) and two.expand((3,)).sample().shape == (3, 2)
    torch = pytest.importorskip("torch")
    t = torch.distributions.LogisticNormal(torch.tensor(loc), torch.tensor(scale))
    np.testing.assert_allclose(d.log_prob(x).numpy(), t.log_prob(torch.tensor(x.numpy())).numpy(), rtol=1e-12)


def _wishart(lib, df, **matrix):
    dists = D if lib is ddp else lib.distributions
    return dists.Wishart(df, **matrix)


@pytest.mark.parametrize("which", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart_matches_torch(which):
    torch = pytest.importorskip("torch")
    matrix = {"covariance_matrix": COV, "precision_matrix": np.linalg.inv(COV), "scale_tril": TRIL}[which]
    if which == "scale_tril":
        matrix = np.stack([TRIL, TRIL * 0.7])
    df = np.array([4.0, 6.5])
    d = compare(torch, lambda df, m: D.Wishart(df, **{which: m}), lambda df, m: torch.distributions.Wishart(
        df, **{which: m}), dict(df=df, m=matrix), skip=("mode",))
    ddp.manual_seed(4)
    x = d.sample((3,))
    t = torch.distributions.Wishart(torch.tensor(df), **{which: torch.tensor(matrix)})
    np.testing.assert_allclose(d.log_prob(x).detach().numpy(), t.log_prob(torch.tensor(x.numpy())).numpy(),
                               rtol=1e-10)
    assert np.isnan(D.Wishart(3.5, covariance_matrix=f64(COV)).mode.numpy()).all()  # df <= p + 1
    np.testing.assert_allclose(d.mode.detach().numpy(), t.mode.numpy(), rtol=1e-12)


def test_wishart_kl_matches_torch_per_element():
    """torch's Bregman rule mixes batch elements when batched (it sums df's term over the batch), so each
    element is compared with torch's unbatched KL."""
    torch = pytest.importorskip("torch")
    p = D.Wishart(f64([4.0, 6.0]), covariance_matrix=f64(COV))
    q = D.Wishart(f64([5.0, 3.5]), scale_tril=f64(TRIL * 0.7))
    kl = D.kl_divergence(p, q).numpy()
    for i, (a, b) in enumerate(((4.0, 5.0), (6.0, 3.5))):
        tp = torch.distributions.Wishart(torch.tensor(a, dtype=torch.float64), covariance_matrix=torch.tensor(COV))
        tq = torch.distributions.Wishart(torch.tensor(b, dtype=torch.float64), scale_tril=torch.tensor(TRIL * 0.7))
        np.testing.assert_allclose(kl[i], torch.distributions.kl_divergence(tp, tq).item(), rtol=1e-10)


def test_wishart_by_hand():
    df = ddp.tensor([4.0, 9.0], dtype=ddp.float64, requires_grad=True)
    d = D.Wishart(df, covariance_matrix=f64(COV))
    assert isinstance(d, D.ExponentialFamily) and d.batch_shape == (2,) and d.event_shape == (3, 3)
    # the Bregman entropy of the log normalizer equals the closed form
    np.testing.assert_allclose(D.ExponentialFamily.entropy(d).detach().numpy(), d.entropy().detach().numpy(),
                               rtol=1e-12)
    assert D.kl_divergence(d, d).abs().max().item() < 1e-12
    ddp.manual_seed(0)
    x = d.rsample((4000,))
    assert bool(constraints.positive_definite.check(x.detach()).all())
    np.testing.assert_allclose(x.detach().numpy().mean(0), d.mean.detach().numpy(), rtol=0.1, atol=0.15)
    x.mean(0)[:, 0, 0].sum().backward()  # d E[X_00] / d df = Sigma_00, from the chi-squared implicit gradient
    np.testing.assert_allclose(df.grad.numpy(), COV[0, 0], rtol=0.1)
    # KL by Monte Carlo: E_p[log p - log q]
    p, q = D.Wishart(f64(5.0), covariance_matrix=f64(COV)), D.Wishart(f64(7.0), scale_tril=f64(TRIL * 0.8))
    ddp.manual_seed(1)
    s = p.sample((20000,))
    diff = (p.log_prob(s) - q.log_prob(s)).numpy()
    assert abs(diff.mean() - D.kl_divergence(p, q).item()) < 5 * diff.std() / math.sqrt(diff.size)


def test_wishart_errors_and_expand():
    with pytest.raises(ValueError, match="exactly one"):
        D.Wishart(4.0)
    with pytest.raises(ValueError, match="greater than p - 1"):
        D.Wishart(1.5, covariance_matrix=f64(COV))
    with pytest.raises(ValueError, match="precision_matrix"):
        D.Wishart(4.0, precision_matrix=f64(-COV))
    with pytest.warns(UserWarning, match="singular"):
        D.Wishart(2.5, covariance_matrix=f64(COV))
    d = D.Wishart(f64(5.0), scale_tril=f64(TRIL)).expand((2, 4))
    assert d.batch_shape == (2, 4) and d.sample().shape == (2, 4, 3, 3) and d.scale_tril.shape == (2, 4, 3, 3)


def test_lkj_cholesky_matches_torch():
    torch = pytest.importorskip("torch")
    for dim in (2, 3, 5):
        eta = np.array([0.5, 1.0, 3.0])
        d = D.LKJCholesky(dim, f64(eta))
        t = torch.distributions.LKJCholesky(dim, torch.tensor(eta))
        assert (d.batch_shape, d.event_shape, d.has_rsample) == (t.batch_shape, t.event_shape, t.has_rsample)
        ddp.manual_seed(dim)
        x = d.sample((4,))
        np.testing.assert_allclose(d.log_prob(x).numpy(), t.log_prob(torch.tensor(x.numpy())).numpy(), rtol=1e-12)


def test_lkj_cholesky_by_hand():
    """dim 2: L = [[1, 0], [r, sqrt(1 - r^2)]] and r has density proportional to (1 - r^2)^(eta - 1) on (-1, 1),
    so log_prob integrates to 1 over r and E[r^2] = 1 / (2 eta + 1)."""
    eta = f64([0.7, 1.0, 4.0])
    d = D.LKJCholesky(2, eta)
    r = f64((np.arange(200000) + 0.5) / 100000 - 1).unsqueeze(-1)
    zero = ddp.zeros_like(r)
    low = ddp.stack([ddp.stack([zero + 1, zero], -1), ddp.stack([r, (1 - r * r).sqrt()], -1)], -2)
    np.testing.assert_allclose((d.log_prob(low).exp().mean(0) * 2).numpy(), 1.0, rtol=2e-3)  # 0.7: end spikes
    ddp.manual_seed(3)
    x = D.LKJCholesky(4, eta).sample((20000,))
    assert x.shape == (20000, 3, 4, 4) and bool(constraints.corr_cholesky.check(x).all())
    r2 = x[..., 1, 0].pow(2).numpy()
    expected = 1 / (2 * eta.numpy() + 2 + 1)  # in dim D the marginal is Beta-like with eta + (D - 2) / 2
    assert (np.abs(r2.mean(0) - expected) < 5 * r2.std(0) / math.sqrt(r2.shape[0])).all()
    with pytest.raises(ValueError, match="dim"):
        D.LKJCholesky(1)
    with pytest.raises(ValueError, match="support"):
        d.log_prob(f64([[1.0, 0.0], [0.5, 0.5]]))
    assert d.expand((2, 3)).sample().shape == (2, 3, 2, 2)


def test_corr_cholesky_transform():
    t = T.CorrCholeskyTransform()
    x = f64(rng.standard_normal((2, 6)))
    y = t(x)
    assert y.shape == (2, 4, 4) and bool(constraints.corr_cholesky.check(y).all())
    np.testing.assert_allclose(t.inv(y).numpy(), x.numpy(), rtol=1e-10, atol=1e-12)
    assert t.forward_shape((2, 6)) == (2, 4, 4) and t.inverse_shape((2, 4, 4)) == (2, 6)
    assert isinstance(D.biject_to(constraints.corr_cholesky), T.CorrCholeskyTransform)
    # log |det| of x onto y's strict lower triangle, by central differences of the map
    from ddp.distributions.utils import tril_matrix_to_vec
    x0 = x[0].numpy()
    h = 1e-6
    jac = np.stack([(tril_matrix_to_vec(t(f64(x0 + h * e)), -1) - tril_matrix_to_vec(t(f64(x0 - h * e)), -1)).numpy()
                    / (2 * h) for e in np.eye(6)], -1)
    np.testing.assert_allclose(t.log_abs_det_jacobian(x, y)[0].item(), np.linalg.slogdet(jac)[1], rtol=1e-7)
    torch = pytest.importorskip("torch")
    tt = torch.distributions.transforms.CorrCholeskyTransform()
    ty = tt(torch.tensor(x.numpy()))
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(t.log_abs_det_jacobian(x, y).numpy(),
                               tt.log_abs_det_jacobian(torch.tensor(x.numpy()), ty).numpy(), rtol=1e-12)


def test_cat_and_stack_transforms_and_constraints():
    cat = T.CatTransform([T.ExpTransform(), T.identity_transform], dim=-1, lengths=[2, 3])
    x = f64(rng.standard_normal((4, 5)))
    y = cat(x)
    np.testing.assert_allclose(y.numpy(), np.concatenate([np.exp(x.numpy()[:, :2]), x.numpy()[:, 2:]], -1))
    np.testing.assert_allclose(cat.inv(y).numpy(), x.numpy(), rtol=1e-12)
    np.testing.assert_allclose(cat.log_abs_det_jacobian(x, y).numpy()[:, :2], x.numpy()[:, :2])
    assert cat.bijective and cat.codomain.check(y).all()
    stack = T.StackTransform([T.ExpTransform(), T.SigmoidTransform()], dim=1)
    z = f64(rng.standard_normal((4, 2)))
    w = stack(z)
    np.testing.assert_allclose(w.numpy()[:, 1], 1 / (1 + np.exp(-z.numpy()[:, 1])), rtol=1e-12)
    np.testing.assert_allclose(stack.inv(w).numpy(), z.numpy(), rtol=1e-10)
    bounded = constraints.stack([constraints.positive, constraints.unit_interval], dim=1)
    assert bounded.check(f64([[1.0, 0.5], [2.0, 1.5]])).tolist() == [[True, True], [True, False]]
    both = constraints.cat([constraints.positive, constraints.real], dim=0, lengths=[1, 2])
    assert both.check(f64([-1.0, -2.0, 3.0])).tolist() == [False, True, True]
    onto = D.transform_to(bounded)
    assert isinstance(onto, T.StackTransform) and bool(bounded.check(onto(z)).all())
    assert isinstance(D.biject_to(both), T.CatTransform) and bool(both.check(D.biject_to(both)(f64([-3, 0, 1]))).all())
    with pytest.raises(ValueError, match="must be sum"):
        cat(f64(rng.standard_normal((4, 6))))
    torch = pytest.importorskip("torch")
    TT = torch.distributions.transforms
    tcat = TT.CatTransform([TT.ExpTransform(), TT.identity_transform], dim=-1, lengths=[2, 3])
    tx = torch.tensor(x.numpy())
    np.testing.assert_allclose(cat.log_abs_det_jacobian(x, y).numpy(),
                               tcat.log_abs_det_jacobian(tx, tcat(tx)).numpy(), rtol=1e-12)
    tstack = TT.StackTransform([TT.ExpTransform(), TT.SigmoidTransform()], dim=1)
    tz = torch.tensor(z.numpy())
    np.testing.assert_allclose(stack.log_abs_det_jacobian(z, w).numpy(),
                               tstack.log_abs_det_jacobian(tz, tstack(tz)).numpy(), rtol=1e-12)
    assert (bounded.event_dim, both.event_dim) == (0, 0)


def test_cumulative_distribution_transform_copula():
    """A Gaussian copula: uniform margins, and log_prob = MVN log_prob - sum of the normal log densities."""
    t = T.CumulativeDistributionTransform(D.Normal(f64(0.0), f64(1.0)))
    assert t.sign == 1 and t.codomain is constraints.unit_interval and t.domain is constraints.real
    low = f64([[1.0, 0.0], [0.6, 0.8]])
    copula = D.TransformedDistribution(D.MultivariateNormal(f64([0.0, 0.0]), scale_tril=low), [t])
    ddp.manual_seed(2)
    u = copula.sample((20000,))
    assert bool(((u > 0) & (u < 1)).all())
    assert np.abs(u.numpy().mean(0) - 0.5).max() < 0.01 and np.abs(u.numpy().var(0) - 1 / 12).max() < 0.005
    v = f64([[0.2, 0.7]])
    z = t.inv(v)
    gauss = D.MultivariateNormal(f64([0.0, 0.0]), scale_tril=low)
    expected = gauss.log_prob(z) - D.Normal(0.0, 1.0).log_prob(z).sum(-1)
    np.testing.assert_allclose(copula.log_prob(v).numpy(), expected.numpy(), rtol=1e-10)
