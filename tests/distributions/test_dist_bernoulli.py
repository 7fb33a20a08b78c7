"""Bernoulli against torch: probs/logits, log_prob, entropy, samples, gradients, validation."""
import numpy as np
import pytest

import ddp
from ddp.distributions import Bernoulli

from helpers import close, leaf, to_torch

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["probs", "logits"])
def test_matches_torch(name):
    raw = [[0.1, 0.5, 0.97]] if name == "probs" else [[-3.0, 0.0, 25.0]]
    p = ddp.tensor(raw, dtype=ddp.float64)
    d, t = Bernoulli(**{name: p}), torch.distributions.Bernoulli(**{name: to_torch(torch, p)})
    assert d.batch_shape == tuple(t.batch_shape)
    x = ddp.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], dtype=ddp.float64)
    for a, b in ((d.probs, t.probs), (d.logits, t.logits), (d.entropy(), t.entropy()), (d.mean, t.mean),
                 (d.variance, t.variance), (d.log_prob(x), t.log_prob(to_torch(torch, x)))):
        close(a, b, rtol=1e-10, atol=1e-12)
    assert d.enumerate_support().tolist() == t.enumerate_support().tolist()


def test_scalar_mode_and_samples():
    d = Bernoulli(0.3)
    assert d.batch_shape == () and d.probs.dtype == ddp.float32 and d.sample((4, 2)).shape == (4, 2)
    assert Bernoulli(ddp.tensor([0.2, 0.5, 0.9])).mode.numpy().tolist()[::2] == [0.0, 1.0]
    assert np.isnan(Bernoulli(ddp.tensor([0.5])).mode.item())
    ddp.manual_seed(5)
    s = Bernoulli(ddp.tensor([0.2, 0.9], dtype=ddp.float64)).sample((40000,))
    assert s.dtype == ddp.float64 and set(np.unique(s.numpy())) <= {0.0, 1.0}
    np.testing.assert_allclose(s.numpy().mean(0), [0.2, 0.9], atol=0.01)  # ~5 standard errors


def test_gradients():
    probs, logits = leaf([0.2, 0.6]), leaf([-1.0, 2.0])
    x = ddp.tensor([1.0, 0.0], dtype=ddp.float64)
    assert ddp.autograd.gradcheck(lambda p: Bernoulli(p).log_prob(x) + Bernoulli(p).entropy(), (probs,))
    assert ddp.autograd.gradcheck(lambda z: Bernoulli(logits=z).log_prob(x) + Bernoulli(logits=z).entropy(),
                                  (logits,))
    (Bernoulli(logits=logits).log_prob(x).sum() + Bernoulli(logits=logits).entropy().sum()).backward()
    tl = to_torch(torch, logits).requires_grad_()
    t = torch.distributions.Bernoulli(logits=tl)
    (t.log_prob(to_torch(torch, x)).sum() + t.entropy().sum()).backward()
    close(logits.grad, tl.grad, rtol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="give exactly one of probs and logits"):
        Bernoulli()
    with pytest.raises(ValueError, match=r"Bernoulli: parameter probs \(a Tensor of shape \(\)\) must satisfy "
                       r"Interval\(lower_bound=0.0, upper_bound=1.0\), and some of its values do not "
                       r"\(Bernoulli\(probs: 1.5\)\):\n1.5"):
        Bernoulli(probs=ddp.tensor(1.5))
    with pytest.raises(ValueError, match=r"must lie in the support Boolean\(\)"):
        Bernoulli(ddp.tensor(0.3)).log_prob(ddp.tensor(0.5))
    with pytest.raises(ValueError):
        torch.distributions.Bernoulli(probs=torch.tensor(1.5))
