"""Transforms (values, inverses, log-Jacobians, shapes, caching, equality) against torch and against a
numerical Jacobian; TransformedDistribution; biject_to / transform_to."""
import numpy as np
import pytest

import ddp
import ddp.distributions as D
from ddp.distributions import constraints, transforms as T

rng = np.random.default_rng(5)


def elementwise_cases():
    return {
        "ExpTransform": ((), rng.standard_normal((3, 4))),
        "SigmoidTransform": ((), rng.standard_normal((3, 4))),
        "SoftplusTransform": ((), rng.standard_normal((3, 4))),
        "TanhTransform": ((), rng.standard_normal((3, 4))),
        "PowerTransform": ((2.5,), rng.random((3, 4)) + 0.2),
        "AffineTransform": ((1.5, -2.0), rng.standard_normal((3, 4))),
    }


@pytest.mark.parametrize("name", sorted(elementwise_cases()))
def test_elementwise_transforms_match_torch(name):
    torch = pytest.importorskip("torch")
    args, x = elementwise_cases()[name]
    ours, theirs = getattr(T, name)(*args), getattr(torch.distributions.transforms, name)(*args)
    xd = ddp.tensor(x, requires_grad=True)
    y = ours(xd)
    ty = theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), ty.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.inv(y).detach().numpy(), x, rtol=1e-9, atol=1e-12)
    ladj = ours.log_abs_det_jacobian(xd, y)
    np.testing.assert_allclose(ladj.detach().numpy(), theirs.log_abs_det_jacobian(torch.tensor(x), ty).numpy(),
                               rtol=1e-10, atol=1e-12)
    y.sum().backward()  # elementwise: dy/dx is the gradient of sum(y), and log |dy/dx| must match ladj
    np.testing.assert_allclose(np.log(np.abs(xd.grad.numpy())), ladj.detach().numpy(), rtol=1e-9, atol=1e-9)
    assert ours.sign == theirs.sign and ours.bijective == theirs.bijective
    assert repr(ours.domain) == repr(theirs.domain) and repr(ours.codomain) == repr(theirs.codomain)
    assert ours == getattr(T, name)(*args) and ours.inv.inv is ours


def test_abs_softmax_and_stick_breaking_match_torch():
    torch = pytest.importorskip("torch")
    TT = torch.distributions.transforms
    x = rng.standard_normal((2, 4))
    for ours, theirs in ((T.AbsTransform(), TT.AbsTransform()), (T.SoftmaxTransform(), TT.SoftmaxTransform()),
                         (T.StickBreakingTransform(), TT.StickBreakingTransform())):
        y, ty = ours(ddp.tensor(x)), theirs(torch.tensor(x))
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.inv(y).numpy(), theirs.inv(ty).numpy(), rtol=1e-9, atol=1e-12)
    sb = T.StickBreakingTransform()
    y = sb(ddp.tensor(x))
    assert y.shape == (2, 5) and np.allclose(y.numpy().sum(-1), 1) and sb.forward_shape((2, 4)) == (2, 5)
    np.testing.assert_allclose(sb.log_abs_det_jacobian(ddp.tensor(x), y).numpy(),
                               TT.StickBreakingTransform().log_abs_det_jacobian(torch.tensor(x),
                                                                                torch.tensor(y.numpy())).numpy())


def test_stick_breaking_log_det_against_the_jacobian():
    """log |det| of the map from x to the first K - 1 coordinates of y (the last is 1 minus their sum)."""
    x = rng.standard_normal(3)
    sb = T.StickBreakingTransform()
    jac = np.empty((3, 3))
    for i in range(3):
        xi = ddp.tensor(x, requires_grad=True)
        sb(xi)[i].backward()
        jac[i] = xi.grad.numpy()
    expected = np.linalg.slogdet(jac)[1]
    np.testing.assert_allclose(sb.log_abs_det_jacobian(ddp.tensor(x), sb(ddp.tensor(x))).item(), expected)


def test_compose_independent_reshape_and_identity():
    torch = pytest.importorskip("torch")
    TT = torch.distributions.transforms
    x = rng.standard_normal((5, 2, 3))
    ours = T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0), T.ReshapeTransform((2, 3), (6,))])
    theirs = TT.ComposeTransform([TT.ExpTransform(), TT.AffineTransform(1.0, 2.0), TT.ReshapeTransform((2, 3), (6,))])
    y, ty = ours(ddp.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(y.numpy(), ty.numpy())
    np.testing.assert_allclose(ours.log_abs_det_jacobian(ddp.tensor(x), y).numpy(),
                               theirs.log_abs_det_jacobian(torch.tensor(x), ty).numpy())
    assert repr(ours.domain) == repr(theirs.domain) and repr(ours.codomain) == repr(theirs.codomain)
    assert ours.forward_shape((5, 2, 3)) == (5, 6) and ours.inverse_shape((5, 6)) == (5, 2, 3)
    np.testing.assert_allclose(ours.inv(y).numpy(), x, rtol=1e-12)
    ind = T.IndependentTransform(T.ExpTransform(), 1)
    assert ind.domain.event_dim == 1
    assert ind.log_abs_det_jacobian(ddp.tensor(x), ind(ddp.tensor(x))).shape == (5, 2)
    assert T.identity_transform(ddp.tensor(x)).tolist() == ddp.tensor(x).tolist()
    assert T.ComposeTransform([T.ExpTransform()]) == T.ComposeTransform([T.ExpTransform()])
    assert T.AffineTransform(0.0, 2.0) != T.AffineTransform(0.0, 3.0)
    with pytest.raises(ValueError, match="hold different numbers of elements"):
        T.ReshapeTransform((2, 3), (5,))


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # atanh(+-1), on purpose
def test_cache_returns_the_forward_input():
    t = T.TanhTransform(cache_size=1)
    x = ddp.tensor([30.0, -40.0], dtype=ddp.float64)  # tanh rounds to +-1: inverting numerically gives inf
    y = t(x)
    assert t.inv(y) is x and t(x) is y
    assert not np.isfinite(T.TanhTransform().inv(y).numpy()).any()
    assert T.ExpTransform().with_cache(1)._cache_size == 1
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        T.ExpTransform(cache_size=2)


def test_transformed_distribution_matches_torch():
    torch = pytest.importorskip("torch")
    TD = torch.distributions
    loc, scale = rng.standard_normal(3), rng.random(3) + 0.5
    steps = lambda m: [m.ExpTransform(), m.AffineTransform(-1.0, 3.0)]  # noqa: E731
    d = D.TransformedDistribution(D.Normal(ddp.tensor(loc), ddp.tensor(scale)), steps(T))
    t = TD.TransformedDistribution(TD.Normal(torch.tensor(loc), torch.tensor(scale)), steps(TD.transforms))
    y = rng.random((4, 3)) * 5 - 0.9
    np.testing.assert_allclose(d.log_prob(ddp.tensor(y)).numpy(), t.log_prob(torch.tensor(y)).numpy())
    np.testing.assert_allclose(d.cdf(ddp.tensor(y)).numpy(), t.cdf(torch.tensor(y)).numpy())
    q = rng.random((4, 3))
    np.testing.assert_allclose(d.icdf(ddp.tensor(q)).numpy(), t.icdf(torch.tensor(q)).numpy())
    assert d.has_rsample and d.rsample((2,)).shape == (2, 3) and d.batch_shape == (3,)
    assert repr(d.support) == repr(t.support) and d.expand((2, 3)).batch_shape == (2, 3)
    # a decreasing chain: the cdf flips
    flip = D.TransformedDistribution(D.Normal(ddp.tensor(loc), ddp.tensor(scale)), T.AffineTransform(0.0, -1.0))
    tflip = TD.TransformedDistribution(TD.Normal(torch.tensor(loc), torch.tensor(scale)),
                                       TD.transforms.AffineTransform(0.0, -1.0))
    np.testing.assert_allclose(flip.cdf(ddp.tensor(y)).numpy(), tflip.cdf(torch.tensor(y)).numpy())
    # a transform that adds an event dim: a batch of normals becomes one vector on the simplex
    base = D.Normal(ddp.zeros(2, 4, dtype=ddp.float64), 1.0)
    sb = D.TransformedDistribution(base, T.StickBreakingTransform())
    tsb = TD.TransformedDistribution(TD.Normal(torch.zeros(2, 4, dtype=torch.float64), 1.0),
                                     TD.transforms.StickBreakingTransform())
    assert (sb.batch_shape, sb.event_shape) == (tuple(tsb.batch_shape), tuple(tsb.event_shape)) == ((2,), (5,))
    v = sb.sample((3,))
    np.testing.assert_allclose(sb.log_prob(v).numpy(), tsb.log_prob(torch.tensor(v.numpy())).numpy())


def test_tanh_squashed_normal_rsample_and_log_prob():
    """The SAC policy: tanh of a normal, log_prob of its own rsample through the cache."""
    mu = ddp.tensor([0.3, -2.0], dtype=ddp.float64, requires_grad=True)
    d = D.TransformedDistribution(D.Normal(mu, 0.5), [T.TanhTransform(cache_size=1)])
    a = d.rsample((4,))
    lp = d.log_prob(a)
    assert lp.shape == (4, 2) and np.isfinite(lp.detach().numpy()).all()
    (a.sum() + lp.sum()).backward()
    assert np.isfinite(mu.grad.numpy()).all()


def test_biject_to_and_transform_to_match_torch():
    torch = pytest.importorskip("torch")
    TD = torch.distributions
    cases = [(constraints.real, TD.constraints.real), (constraints.positive, TD.constraints.positive),
             (constraints.greater_than(2.0), TD.constraints.greater_than(2.0)),
             (constraints.less_than(1.0), TD.constraints.less_than(1.0)),
             (constraints.unit_interval, TD.constraints.unit_interval),
             (constraints.interval(-1.0, 3.0), TD.constraints.interval(-1.0, 3.0)),
             (constraints.simplex, TD.constraints.simplex), (constraints.real_vector, TD.constraints.real_vector)]
    x = rng.standard_normal((2, 3))
    for ours, theirs in cases:
        for registry, tregistry in ((D.biject_to, TD.biject_to), (D.transform_to, TD.transform_to)):
            t, tt = registry(ours), tregistry(theirs)
            y = t(ddp.tensor(x))
            np.testing.assert_allclose(y.numpy(), tt(torch.tensor(x)).numpy(), rtol=1e-12)
            assert bool(ours.check(y).all())
    lower = D.transform_to(constraints.lower_cholesky)(ddp.tensor(rng.standard_normal((3, 3))))
    assert bool(constraints.lower_cholesky.check(lower))
    pd = D.transform_to(constraints.positive_definite)(ddp.tensor(rng.standard_normal((3, 3))))
    assert bool(constraints.positive_definite.check(pd))
    with pytest.raises(NotImplementedError):
        TD.biject_to(TD.constraints.lower_cholesky)
    with pytest.raises(NotImplementedError, match="no transform is registered"):
        D.biject_to(constraints.lower_cholesky)
