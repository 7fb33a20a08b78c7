"""RelaxedBernoulli, RelaxedOneHotCategorical (and their log-space bases) and ContinuousBernoulli against
torch: log_prob, statistics, gradients, rsample shapes and gradients, the limits they relax to."""
import numpy as np
import pytest

import ddp
import ddp.distributions as D
from ddp.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
from ddp.distributions.relaxed_categorical import ExpRelaxedCategorical

from family_checks import compare, same_under_seed

rng = np.random.default_rng(2)


@pytest.mark.parametrize("name", ["probs", "logits"])
def test_relaxed_bernoulli_matches_torch(name):
    torch = pytest.importorskip("torch")
    from torch.distributions.relaxed_bernoulli import LogitRelaxedBernoulli as TorchLogit
    param = np.array([[0.2, 0.5, 0.9]]) if name == "probs" else np.array([[-1.0, 0.3, 2.0]])
    temperature = np.array([0.7])
    value = rng.random((4, 1, 3)) * 0.98 + 0.01
    params = {"temperature": temperature, name: param}
    d = compare(torch, D.RelaxedBernoulli, torch.distributions.RelaxedBernoulli, params, value)
    assert d.support is D.constraints.unit_interval and d.temperature.shape == (1,)
    # torch's LogitRelaxedBernoulli has an rsample but leaves has_rsample False; ddp's says True
    reparameterized = type("TorchLogit", (TorchLogit,), {"has_rsample": True})
    compare(torch, LogitRelaxedBernoulli, reparameterized, params, rng.standard_normal((4, 1, 3)))


@pytest.mark.parametrize("name", ["probs", "logits"])
def test_relaxed_one_hot_matches_torch(name):
    torch = pytest.importorskip("torch")
    from torch.distributions.relaxed_categorical import ExpRelaxedCategorical as TorchExp
    raw = rng.random((2, 4)) + 0.1
    param = raw / raw.sum(-1, keepdims=True) if name == "probs" else np.log(raw)
    value = rng.dirichlet(np.ones(4), (3, 2))
    params = {"temperature": np.array(0.5), name: param}
    d = compare(torch, D.RelaxedOneHotCategorical, torch.distributions.RelaxedOneHotCategorical, params, value)
    assert (d.batch_shape, d.event_shape) == ((2,), (4,))
    compare(torch, ExpRelaxedCategorical, TorchExp, params, np.log(value))


def test_relaxed_rsample_shapes_support_gradients_and_limits():
    logits = ddp.tensor([[-1.0, 0.5, 2.0]], dtype=ddp.float64, requires_grad=True)
    d = D.RelaxedBernoulli(0.5, logits=logits)
    assert d.has_rsample and d.temperature.dtype == ddp.float64
    z = d.rsample((6, 2))
    assert z.shape == (6, 2, 1, 3) and bool(d.support.check(z).all())
    z.sum().backward()
    assert logits.grad is not None and (logits.grad.numpy() > 0).all()  # raising a logit raises every draw
    assert same_under_seed(lambda: d.sample((3,)))

    def draw(lg):
        ddp.manual_seed(9)
        return D.RelaxedOneHotCategorical(ddp.tensor(0.8, dtype=ddp.float64), logits=lg).rsample((3,))

    assert ddp.autograd.gradcheck(draw, (ddp.tensor([0.1, -0.4, 0.9], dtype=ddp.float64, requires_grad=True),))
    y = draw(ddp.zeros(2, 5, dtype=ddp.float64))
    assert y.shape == (3, 2, 5) and np.allclose(y.numpy().sum(-1), 1.0)
    ddp.manual_seed(1)  # a cold temperature gives near one-hot draws with the categorical's frequencies
    cold = D.RelaxedOneHotCategorical(0.01, probs=ddp.tensor([0.2, 0.8], dtype=ddp.float64)).sample((20000,))
    assert (cold.numpy().max(-1) > 0.99).mean() > 0.95
    np.testing.assert_allclose(cold.numpy().argmax(-1).mean(), 0.8, atol=0.015)
    hot = D.RelaxedBernoulli(0.01, probs=ddp.tensor(0.3, dtype=ddp.float64)).sample((20000,)).numpy()
    np.testing.assert_allclose((hot > 0.5).mean(), 0.3, atol=0.015)


@pytest.mark.parametrize("name", ["probs", "logits"])
def test_continuous_bernoulli_matches_torch(name):
    torch = pytest.importorskip("torch")
    probs = np.array([[0.05, 0.3, 0.4995], [0.5, 0.7, 0.999]])  # both sides of the Taylor region around 1/2
    param = probs if name == "probs" else np.log(probs / (1 - probs))
    value = rng.random((4, 2, 3))
    d = compare(torch, D.ContinuousBernoulli, torch.distributions.ContinuousBernoulli, {name: param}, value,
                rng.random((4, 2, 3)), rtol=1e-8, atol=1e-10)
    assert d.has_rsample


def test_continuous_bernoulli_samples_and_rsample_gradient():
    probs = ddp.tensor([0.1, 0.5, 0.8], dtype=ddp.float64)
    d = D.ContinuousBernoulli(probs)
    ddp.manual_seed(0)
    s = d.sample((100000,)).numpy()
    assert ((s >= 0) & (s <= 1)).all()
    assert (np.abs(s.mean(0) - d.mean.numpy()) < 5 * np.sqrt(d.variance.numpy() / 1e5)).all()
    lam = ddp.tensor([0.2, 0.7], dtype=ddp.float64, requires_grad=True)

    def draw(p):
        ddp.manual_seed(4)
        return D.ContinuousBernoulli(p).rsample((5,))

    assert ddp.autograd.gradcheck(draw, (lam,))
    assert D.ContinuousBernoulli(ddp.tensor([0.3])).rsample((2,)).dtype == ddp.float32


def test_errors():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="give exactly one of probs and logits"):
        D.RelaxedBernoulli(0.5)
    with pytest.raises(ValueError):  # torch checks probs only when validate_args is given; ddp by default too
        torch.distributions.ContinuousBernoulli(torch.tensor(1.5), validate_args=True)
    with pytest.raises(ValueError, match="must satisfy Interval"):
        D.ContinuousBernoulli(ddp.tensor(1.5))
    with pytest.raises(ValueError, match="must lie in the support Simplex"):
        D.RelaxedOneHotCategorical(0.5, logits=ddp.zeros(3)).log_prob(ddp.tensor([0.5, 0.6, 0.1]))
    with pytest.raises(ValueError, match="must lie in the support Interval"):
        D.ContinuousBernoulli(ddp.tensor(0.3)).log_prob(ddp.tensor(1.2))
