"""Geometric, OneHotCategorical (+ straight-through), Poisson, Binomial, Multinomial and NegativeBinomial
against torch: statistics, log_prob, entropy, gradients, sample frequencies and shapes, validation."""
import itertools

import numpy as np
import pytest

import ddp
import ddp.distributions as D

from family_checks import check_moments, compare, same_under_seed

rng = np.random.default_rng(1)
PROBS = np.array([[0.1, 0.45, 0.8], [0.3, 0.6, 0.95]])
LOGITS = rng.standard_normal((2, 3))
COUNTS = rng.integers(0, 6, (4, 2, 3)).astype(np.float64)


@pytest.mark.parametrize("name", ["probs", "logits"])
def test_geometric_and_negative_binomial_match_torch(name):
    torch = pytest.importorskip("torch")
    T = torch.distributions
    param = PROBS if name == "probs" else LOGITS
    compare(torch, D.Geometric, T.Geometric, {name: param}, COUNTS)
    compare(torch, D.NegativeBinomial, T.NegativeBinomial, {"total_count": PROBS * 4 + 0.5, name: param}, COUNTS)


def test_poisson_and_binomial_match_torch():
    torch = pytest.importorskip("torch")
    T = torch.distributions
    compare(torch, D.Poisson, T.Poisson, dict(rate=PROBS * 5), COUNTS)
    value = np.minimum(COUNTS, 5.0)
    for name, param in (("probs", PROBS), ("logits", LOGITS)):
        compare(torch, D.Binomial, T.Binomial, {"total_count": np.full((2, 3), 5.0), name: param}, value)
        d = compare(torch, D.Binomial, T.Binomial, {"total_count": 5, name: param}, value, grad=False)
        assert d.enumerate_support().tolist() == T.Binomial(5, torch.tensor(PROBS)).enumerate_support().tolist()
    mixed = D.Binomial(ddp.tensor([3.0, 5.0]), ddp.tensor([0.2, 0.7]))
    with pytest.raises(NotImplementedError):
        mixed.entropy()
    assert D.Binomial(10, probs=ddp.tensor(1.0)).log_prob(ddp.tensor(10.0)).item() == 0.0


@pytest.mark.parametrize("name", ["probs", "logits"])
def test_one_hot_and_multinomial_match_torch(name):
    torch = pytest.importorskip("torch")
    T = torch.distributions
    param = PROBS / PROBS.sum(-1, keepdims=True) if name == "probs" else LOGITS
    one_hot = np.eye(3)[rng.integers(0, 3, (4, 2))]
    d = compare(torch, D.OneHotCategorical, T.OneHotCategorical, {name: param}, one_hot)
    t = T.OneHotCategorical(**{name: torch.tensor(param)})
    assert d.enumerate_support().tolist() == t.enumerate_support().tolist()
    assert d.enumerate_support(expand=False).shape == (3, 1, 3)
    counts = rng.multinomial(6, [0.2, 0.3, 0.5], (4, 2)).astype(np.float64)
    d = compare(torch, D.Multinomial, T.Multinomial, {"total_count": 6, name: param}, counts, skip=("entropy",))
    # torch's entropy rounds log(n!) in float32; the exact sum over all count vectors is the reference
    every = np.array([c for c in itertools.product(range(7), repeat=3) if sum(c) == 6], dtype=np.float64)
    log_p = d.log_prob(ddp.tensor(every[:, None, :])).detach().numpy()
    np.testing.assert_allclose(d.entropy().detach().numpy(), -(np.exp(log_p) * log_p).sum(0), rtol=1e-12)


def test_multinomial_zero_probability_class():
    torch = pytest.importorskip("torch")
    probs = np.array([0.0, 0.25, 0.75])
    value = np.array([0.0, 1.0, 3.0])
    d = D.Multinomial(4, ddp.tensor(probs))
    t = torch.distributions.Multinomial(4, torch.tensor(probs))
    for x in (value, np.array([1.0, 0.0, 3.0])):  # a count on the empty class: log(eps), as torch
        np.testing.assert_allclose(d.log_prob(ddp.tensor(x)).item(), t.log_prob(torch.tensor(x)).item())
    assert d.log_prob(ddp.tensor([1.0, 0.0, 3.0])).item() < -30


def test_sample_frequencies_and_moments():
    ddp.manual_seed(4)
    n = 100000
    p = ddp.tensor([0.2, 0.7], dtype=ddp.float64)
    for d in (D.Geometric(p), D.Poisson(ddp.tensor([0.5, 7.0], dtype=ddp.float64)),
              D.Binomial(ddp.tensor([4.0, 9.0], dtype=ddp.float64), p),
              D.NegativeBinomial(ddp.tensor([2.0, 5.5], dtype=ddp.float64), p)):
        s = d.sample((n,))
        assert s.dtype == ddp.float64 and bool(d.support.check(s).all())
        check_moments(s.numpy(), d.mean.numpy(), d.variance.numpy())
    m = D.Multinomial(5, ddp.tensor([[0.1, 0.3, 0.6], [0.5, 0.5, 0.0]], dtype=ddp.float64))
    s = m.sample((n,))
    assert s.shape == (n, 2, 3) and (s.numpy().sum(-1) == 5).all() and (s.numpy()[:, 1, 2] == 0).all()
    check_moments(s.numpy(), m.mean.numpy(), m.variance.numpy())
    oh = D.OneHotCategorical(probs=ddp.tensor([0.2, 0.8])).sample((n,)).numpy()
    assert oh.dtype == np.float32 and (oh.sum(-1) == 1).all()
    np.testing.assert_allclose(oh.mean(0), [0.2, 0.8], atol=0.01)


@pytest.mark.parametrize("sample_shape", [(), (3,), (2, 2)])
def test_sample_shapes_and_seed(sample_shape):
    batch = (2, 3)
    dists = [D.Geometric(ddp.full(batch, 0.3)), D.Poisson(ddp.full(batch, 2.0)),
             D.Binomial(4, ddp.full(batch, 0.3)), D.NegativeBinomial(3.0, ddp.full(batch, 0.3))]
    for d in dists:
        s = d.sample(sample_shape)
        assert s.shape == tuple(sample_shape) + batch and s.dtype == ddp.float32
        assert same_under_seed(lambda: d.sample((4,)))
        assert d.expand((5,) + batch).sample().shape == (5,) + batch
    for d in (D.OneHotCategorical(logits=ddp.zeros(batch)), D.Multinomial(3, logits=ddp.zeros(batch))):
        assert d.sample(sample_shape).shape == tuple(sample_shape) + batch
        assert same_under_seed(lambda: d.sample((4,)))
        assert d.expand((5, 2)).sample().shape == (5, 2, 3)


def test_straight_through_gradient():
    torch = pytest.importorskip("torch")
    logits = ddp.tensor([[0.3, -1.0, 2.0]], dtype=ddp.float64, requires_grad=True)
    d = D.OneHotCategoricalStraightThrough(logits=logits)
    assert d.has_rsample
    ddp.manual_seed(0)
    z = d.rsample((5,))
    assert set(np.unique(z.detach().numpy())) <= {0.0, 1.0}
    weights = ddp.tensor([1.0, 2.0, 3.0], dtype=ddp.float64)
    (z * weights).sum().backward()
    tl = torch.tensor(logits.detach().numpy(), requires_grad=True)
    probs = torch.softmax(tl, -1)
    (5 * probs * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()  # d/dlogits of 5 probs.w
    np.testing.assert_allclose(logits.grad.numpy(), tl.grad.numpy(), rtol=1e-12)


def test_log_prob_gradients_by_finite_differences():
    x = ddp.tensor([0.0, 2.0, 5.0], dtype=ddp.float64)
    p = ddp.tensor([0.2, 0.5, 0.7], dtype=ddp.float64, requires_grad=True)
    n = ddp.tensor([3.0, 6.0, 2.5], dtype=ddp.float64, requires_grad=True)
    assert ddp.autograd.gradcheck(lambda q: D.Geometric(q).log_prob(x) + D.Geometric(q).entropy(), (p,))
    assert ddp.autograd.gradcheck(lambda r: D.Poisson(r).log_prob(x), (n,))
    assert ddp.autograd.gradcheck(lambda c, q: D.NegativeBinomial(c, q).log_prob(x), (n, p))
    assert ddp.autograd.gradcheck(lambda q: D.Binomial(5, q).log_prob(x) + D.Binomial(5, q).entropy(), (p,))


def test_validation_errors_match_torch():
    torch = pytest.importorskip("torch")
    T = torch.distributions
    pairs = [(lambda m: m.Geometric(torch.tensor(0.0) if m is T else ddp.tensor(0.0))),
             (lambda m: m.Poisson(-1.0)),
             (lambda m: m.Binomial(2.5, probs=0.5)),
             (lambda m: m.NegativeBinomial(2.0, probs=1.0)),
             (lambda m: m.OneHotCategorical(probs=(torch if m is T else ddp).tensor([-0.5, 1.5])))]
    for build in pairs:
        with pytest.raises(ValueError):
            build(T)
        with pytest.raises(ValueError):
            build(D)
    for cls in (D.Geometric, D.Binomial, D.NegativeBinomial):
        with pytest.raises(ValueError, match="give exactly one of probs and logits"):
            cls(**({"total_count": 2.0} if cls is not D.Geometric else {}))
    with pytest.raises(NotImplementedError):
        T.Multinomial(torch.tensor(3), torch.tensor([0.5, 0.5]))
    with pytest.raises(NotImplementedError, match="total_count must be an int"):
        D.Multinomial(ddp.tensor(3), ddp.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="must lie in the support"):
        D.Poisson(1.0).log_prob(ddp.tensor(1.5))
    with pytest.raises(ValueError, match="must lie in the support IntegerInterval"):
        D.Binomial(3, probs=ddp.tensor(0.5)).log_prob(ddp.tensor(4.0))
    with pytest.raises(ValueError, match="must lie in the support OneHot"):
        D.OneHotCategorical(probs=ddp.tensor([0.5, 0.5])).log_prob(ddp.tensor([1.0, 1.0]))
