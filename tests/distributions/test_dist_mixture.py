"""MixtureSameFamily against torch: shapes, log_prob, cdf, mean, variance, gradients, samples, errors."""
import numpy as np
import pytest

import ddp
import ddp.distributions as D

rng = np.random.default_rng(6)


def gmm(lib, dists, w, mu, sigma, event=False):
    comp = dists.Normal(lib.tensor(mu), lib.tensor(sigma))
    if event:
        comp = dists.Independent(comp, 1)
    return dists.MixtureSameFamily(dists.Categorical(logits=lib.tensor(w)), comp)


@pytest.mark.parametrize("event", [False, True])
def test_matches_torch(event):
    torch = pytest.importorskip("torch")
    w = rng.standard_normal((2, 3))
    shape = (2, 3, 4) if event else (2, 3)
    mu, sigma = rng.standard_normal(shape), rng.random(shape) + 0.3
    d, t = gmm(ddp, D, w, mu, sigma, event), gmm(torch, torch.distributions, w, mu, sigma, event)
    assert (d.batch_shape, d.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape))
    assert not d.has_rsample and not t.has_rsample
    x = rng.standard_normal((5, 2) + ((4,) if event else ()))
    np.testing.assert_allclose(d.log_prob(ddp.tensor(x)).numpy(), t.log_prob(torch.tensor(x)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(d.mean.numpy(), t.mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(d.variance.numpy(), t.variance.numpy(), rtol=1e-12)
    if not event:
        np.testing.assert_allclose(d.cdf(ddp.tensor(x)).numpy(), t.cdf(torch.tensor(x)).numpy(), rtol=1e-12)
    assert d.sample((7,)).shape == tuple(t.sample((7,)).shape)
    assert d.expand((4, 2)).sample().shape == (4, 2) + tuple(d.event_shape)


def test_gradients_match_torch():
    torch = pytest.importorskip("torch")
    w, mu, sigma = rng.standard_normal(3), rng.standard_normal(3), rng.random(3) + 0.5
    leaves = [ddp.tensor(a, requires_grad=True) for a in (w, mu, sigma)]
    twins = [torch.tensor(a, requires_grad=True) for a in (w, mu, sigma)]
    x = rng.standard_normal(6)
    d = D.MixtureSameFamily(D.Categorical(logits=leaves[0]), D.Normal(leaves[1], leaves[2]))
    t = torch.distributions.MixtureSameFamily(torch.distributions.Categorical(logits=twins[0]),
                                              torch.distributions.Normal(twins[1], twins[2]))
    (d.log_prob(ddp.tensor(x)).sum() + d.variance).backward()
    (t.log_prob(torch.tensor(x)).sum() + t.variance).backward()
    for a, b in zip(leaves, twins):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10)


def test_samples_follow_the_mixture():
    d = D.MixtureSameFamily(D.Categorical(probs=ddp.tensor([0.25, 0.75], dtype=ddp.float64)),
                            D.Normal(ddp.tensor([-4.0, 4.0], dtype=ddp.float64), ddp.tensor([0.5, 0.5],
                                                                                            dtype=ddp.float64)))
    ddp.manual_seed(0)
    s = d.sample((40000,)).numpy()
    np.testing.assert_allclose((s < 0).mean(), 0.25, atol=0.01)
    assert abs(s.mean() - d.mean.item()) < 5 * np.sqrt(d.variance.item() / 40000)
    ddp.manual_seed(0)
    assert np.array_equal(d.sample((40000,)).numpy(), s)
    # a mixture whose batch broadcasts against the components'
    wide = D.MixtureSameFamily(D.Categorical(logits=ddp.zeros(2)), D.Normal(ddp.zeros(3, 2), 1.0))
    assert wide.batch_shape == (3,) and wide.sample((4,)).shape == (4, 3)


def test_errors_match_torch():
    torch = pytest.importorskip("torch")
    T = torch.distributions
    builds = (lambda m, lib: m.MixtureSameFamily(m.Normal(0.0, 1.0), m.Normal(lib.zeros(3), 1.0)),
              lambda m, lib: m.MixtureSameFamily(m.Categorical(lib.ones(3)), 3),
              lambda m, lib: m.MixtureSameFamily(m.Categorical(lib.ones(4)), m.Normal(lib.zeros(3), 1.0)),
              lambda m, lib: m.MixtureSameFamily(m.Categorical(lib.ones(2, 3)), m.Normal(lib.zeros(4, 3), 1.0)))
    for build in builds:
        with pytest.raises(ValueError):
            build(T, torch)
        with pytest.raises(ValueError, match="MixtureSameFamily"):
            build(D, ddp)
