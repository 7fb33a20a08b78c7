"""MultivariateNormal (three parameterizations) and LowRankMultivariateNormal against torch: log_prob,
entropy, the matrices, KL among them, gradients, sample moments, rsample gradients, errors."""
import numpy as np
import pytest

import ddp
import ddp.distributions as D

rng = np.random.default_rng(3)


def spd(*batch, n=3):
    a = rng.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


LOC = rng.standard_normal((4, 1, 3))
COV = spd(2)
X = rng.standard_normal((5, 4, 2, 3))
W, DIAG = rng.standard_normal((2, 3, 2)), rng.random(3) + 0.5


def both(torch, cls_name, *arrays, **named):
    """The same distribution in ddp and torch from float64 arrays (leaves that require grad), and the leaves."""
    ours = [ddp.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours_kw = {k: ddp.tensor(v, requires_grad=True) for k, v in named.items()}
    theirs_kw = {k: torch.tensor(v, requires_grad=True) for k, v in named.items()}
    d = getattr(D, cls_name)(*ours, **ours_kw)
    t = getattr(torch.distributions, cls_name)(*theirs, **theirs_kw)
    return d, t, ours + list(ours_kw.values()), theirs + list(theirs_kw.values())


def assert_same(a, b, rtol=1e-10, atol=1e-12):
    assert tuple(a.shape) == tuple(b.shape), (tuple(a.shape), tuple(b.shape))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("which", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_mvn_matches_torch(which):
    torch = pytest.importorskip("torch")
    matrix = np.linalg.cholesky(COV) if which == "scale_tril" else COV
    d, t, ours, theirs = both(torch, "MultivariateNormal", LOC, **{which: matrix})
    assert (d.batch_shape, d.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape)) == ((4, 2), (3,))
    for name in ("mean", "mode", "variance", "covariance_matrix", "precision_matrix", "scale_tril"):
        assert_same(getattr(d, name), getattr(t, name))
    lp, tlp = d.log_prob(ddp.tensor(X)), t.log_prob(torch.tensor(X))
    assert_same(lp, tlp)
    assert_same(d.log_prob(ddp.tensor(X[0, 0, 0])), t.log_prob(torch.tensor(X[0, 0, 0])))  # one value, whole batch
    assert_same(d.entropy(), t.entropy())
    (lp.sum() + d.entropy().sum()).backward()
    (tlp.sum() + t.entropy().sum()).backward()
    for a, b in zip(ours, theirs):
        assert_same(a.grad, b.grad, rtol=1e-8, atol=1e-10)


def test_lowrank_matches_torch():
    torch = pytest.importorskip("torch")
    d, t, ours, theirs = both(torch, "LowRankMultivariateNormal", LOC[0, 0], W, DIAG)
    assert (d.batch_shape, d.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape)) == ((2,), (3,))
    for name in ("mean", "variance", "covariance_matrix", "precision_matrix", "scale_tril"):
        assert_same(getattr(d, name), getattr(t, name))
    lp, tlp = d.log_prob(ddp.tensor(X)), t.log_prob(torch.tensor(X))
    assert_same(lp, tlp)
    assert_same(d.entropy(), t.entropy())
    (lp.sum() + d.entropy().sum()).backward()
    (tlp.sum() + t.entropy().sum()).backward()
    for a, b in zip(ours, theirs):
        assert_same(a.grad, b.grad, rtol=1e-8, atol=1e-10)


def test_kl_between_gaussians_matches_torch():
    torch = pytest.importorskip("torch")
    full, tfull, fo, ft = both(torch, "MultivariateNormal", LOC, scale_tril=np.linalg.cholesky(COV))
    prec, tprec, _, _ = both(torch, "MultivariateNormal", LOC[0, 0] + 1, precision_matrix=spd())
    low, tlow, lo, lt = both(torch, "LowRankMultivariateNormal", LOC[0, 0], W, DIAG)
    low2, tlow2, _, _ = both(torch, "LowRankMultivariateNormal", np.zeros(3), W[:, :, :1], DIAG + 1)
    total, ttotal = 0, 0
    for (p, q), (tp, tq) in [((full, prec), (tfull, tprec)), ((full, low), (tfull, tlow)),
                             ((low, full), (tlow, tfull)), ((low, low2), (tlow, tlow2))]:
        kl, tkl = D.kl_divergence(p, q), torch.distributions.kl_divergence(tp, tq)
        assert_same(kl, tkl, rtol=1e-9)
        total, ttotal = total + kl.sum(), ttotal + tkl.sum()
    assert D.kl_divergence(full, full).abs().max().item() < 1e-12
    total.backward()
    ttotal.backward()
    for a, b in zip(fo + lo, ft + lt):
        assert_same(a.grad, b.grad, rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="different event shapes"):
        D.kl_divergence(full, D.MultivariateNormal(ddp.zeros(2, dtype=ddp.float64), ddp.eye(2, dtype=ddp.float64)))


def test_samples_moments_shapes_and_seed():
    cov = spd()
    d = D.MultivariateNormal(ddp.tensor([1.0, -2.0, 0.5]), ddp.tensor(cov, dtype=ddp.float32))
    assert d.rsample().dtype == ddp.float32 and d.log_prob(d.sample()).dtype == ddp.float32
    assert d.sample((4, 2)).shape == (4, 2, 3) and d.expand((5,)).sample((2,)).shape == (2, 5, 3)
    ddp.manual_seed(0)
    s = D.MultivariateNormal(ddp.tensor([1.0, -2.0, 0.5], dtype=ddp.float64),
                             ddp.tensor(cov)).sample((200000,)).numpy()
    se = np.sqrt(np.diag(cov) / 200000)
    assert (np.abs(s.mean(0) - [1.0, -2.0, 0.5]) < 5 * se).all()
    scale = np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    assert (np.abs(np.cov(s.T) - cov) < 0.02 * scale).all()  # ~6 standard errors of a covariance at n = 2e5
    ddp.manual_seed(1)
    low = D.LowRankMultivariateNormal(ddp.zeros(3, dtype=ddp.float64), ddp.tensor(W[0]), ddp.tensor(DIAG))
    s = low.sample((200000,)).numpy()
    assert s.shape == (200000, 3)
    np.testing.assert_allclose(np.cov(s.T), low.covariance_matrix.numpy(), atol=0.05)
    ddp.manual_seed(4)
    a = low.sample((3,)).numpy()
    ddp.manual_seed(4)
    assert np.array_equal(a, low.sample((3,)).numpy())


def test_rsample_gradients():
    loc = ddp.tensor([0.5, -1.0], dtype=ddp.float64, requires_grad=True)
    tril = ddp.tensor([[1.0, 0.0], [0.4, 0.7]], dtype=ddp.float64, requires_grad=True)
    factor = ddp.tensor([[0.3], [-0.2]], dtype=ddp.float64, requires_grad=True)
    diag = ddp.tensor([0.5, 1.5], dtype=ddp.float64, requires_grad=True)

    def full(m, lower):
        ddp.manual_seed(3)
        return D.MultivariateNormal(m, scale_tril=lower, validate_args=False).rsample((4,))  # gradcheck nudges 0s

    def low(m, f, dg):
        ddp.manual_seed(3)
        return D.LowRankMultivariateNormal(m, f, dg).rsample((4,))

    assert ddp.autograd.gradcheck(full, (loc, tril))
    assert ddp.autograd.gradcheck(low, (loc, factor, diag))


def test_errors_match_torch():
    torch = pytest.importorskip("torch")
    T = torch.distributions
    builds = (lambda m, lib: m.MultivariateNormal(lib.zeros(2)),  # no matrix
              lambda m, lib: m.MultivariateNormal(lib.zeros(2), lib.eye(2), scale_tril=lib.eye(2)),  # two
              lambda m, lib: m.MultivariateNormal(lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]])),  # not PD
              lambda m, lib: m.MultivariateNormal(lib.tensor(0.0), lib.eye(1)),  # a scalar loc
              lambda m, lib: m.LowRankMultivariateNormal(lib.zeros(2), lib.zeros(3, 1), lib.ones(2)))  # (3, 1)
    for build in builds:
        with pytest.raises(ValueError):
            build(T, torch)
        with pytest.raises(ValueError):
            build(D, ddp)
    with pytest.raises(ValueError, match="give exactly one of covariance_matrix"):
        D.MultivariateNormal(ddp.zeros(2))
    with pytest.raises(ValueError, match="must satisfy PositiveDefinite"):
        D.MultivariateNormal(ddp.zeros(2), ddp.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="must satisfy LowerCholesky"):
        D.MultivariateNormal(ddp.zeros(2), scale_tril=ddp.tensor([[1.0, 1.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="must lie in the support IndependentConstraint"):
        D.MultivariateNormal(ddp.zeros(2), ddp.eye(2)).log_prob(ddp.tensor([0.0, float("nan")]))
