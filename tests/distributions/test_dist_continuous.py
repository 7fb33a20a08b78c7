"""Normal and Uniform against torch: densities, entropy, cdf/icdf, sample moments, rsample gradients."""
import math

import numpy as np
import pytest

import ddp
from ddp.distributions import Normal, Uniform

from helpers import close, leaf, to_torch

torch = pytest.importorskip("torch")
T = torch.distributions


def test_normal_matches_torch():
    loc, scale = leaf([[0.5], [-1.0]]), leaf([0.7, 1.3, 2.0])  # broadcast to batch (2, 3)
    d, t = Normal(loc, scale), T.Normal(to_torch(torch, loc), to_torch(torch, scale))
    assert d.batch_shape == (2, 3) == tuple(t.batch_shape) and d.has_rsample
    x = ddp.tensor(np.random.default_rng(0).standard_normal((4, 2, 3)))
    close(d.log_prob(x), t.log_prob(to_torch(torch, x)), rtol=1e-12)
    close(d.cdf(x), t.cdf(to_torch(torch, x)), rtol=1e-10, atol=1e-12)
    q = ddp.tensor([0.01, 0.3, 0.5, 0.97], dtype=ddp.float64).reshape(4, 1, 1)
    close(d.icdf(q), t.icdf(to_torch(torch, q)), rtol=1e-10, atol=1e-12)
    close(d.entropy(), t.entropy(), rtol=1e-12)
    close(d.mean, t.mean)
    close(d.stddev, t.stddev)
    close(d.variance, t.variance)


def test_python_floats_and_dtypes():
    d = Normal(0.0, 1.0)
    assert d.batch_shape == () and d.loc.dtype == ddp.float32 and d.sample().dtype == ddp.float32
    d64 = Normal(ddp.zeros(2, dtype=ddp.float64), 1.0)
    assert d64.scale.dtype == ddp.float64 and d64.rsample((3,)).dtype == ddp.float64
    assert T.Normal(torch.zeros(2, dtype=torch.float64), 1.0).scale.dtype == torch.float64
    assert Uniform(0.0, ddp.ones(3)).rsample((5,)).shape == (5, 3)


@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
def test_sample_shapes(sample_shape):
    for d, t in ((Normal(ddp.zeros(4), 1.0), T.Normal(torch.zeros(4), 1.0)),
                 (Uniform(ddp.zeros(4), 2.0), T.Uniform(torch.zeros(4), 2.0))):
        assert d.sample(sample_shape).shape == tuple(t.sample(sample_shape).shape)
        assert d.rsample(sample_shape).shape == tuple(t.rsample(sample_shape).shape)
        assert not d.sample(sample_shape).requires_grad


def test_moments_and_seed():
    n = 200000
    ddp.manual_seed(0)
    x = Normal(ddp.tensor([1.0, -2.0]), ddp.tensor([0.5, 3.0])).sample((n,)).numpy().astype(np.float64)
    ddp.manual_seed(0)
    again = Normal(ddp.tensor([1.0, -2.0]), ddp.tensor([0.5, 3.0])).sample((n,))
    assert again.dtype == ddp.float32 and again.numpy()[:5].tolist() == x[:5].tolist()
    sd = np.array([0.5, 3.0])
    assert (np.abs(x.mean(0) - [1.0, -2.0]) < 5 * sd / math.sqrt(n)).all()  # 5 standard errors
    assert (np.abs(x.var(0) / sd ** 2 - 1) < 5 * math.sqrt(2 / n)).all()
    u = Uniform(ddp.tensor([0.0, -1.0]), ddp.tensor([1.0, 3.0])).sample((n,)).numpy().astype(np.float64)
    assert (u >= [0.0, -1.0]).all() and (u < [1.0, 3.0]).all()
    assert (np.abs(u.mean(0) - [0.5, 1.0]) < 5 * np.array([1.0, 4.0]) / math.sqrt(12 * n)).all()
    np.testing.assert_allclose(u.var(0), np.array([1.0, 16.0]) / 12, rtol=0.02)


def test_rsample_gradients():
    loc, scale = leaf([0.3, -0.5]), leaf([1.2, 0.4])

    def draw(mu, sigma):
        ddp.manual_seed(1)  # the same eps on every call, so that finite differences see a smooth function
        return Normal(mu, sigma).rsample((3,))

    assert ddp.autograd.gradcheck(draw, (loc, scale))
    ddp.manual_seed(1)
    z = Normal(loc, scale).rsample((3,))
    z.pow(2).sum().backward()
    eps = (z.detach() - loc.detach()) / scale.detach()
    tl, ts = to_torch(torch, loc).requires_grad_(), to_torch(torch, scale).requires_grad_()
    (tl + to_torch(torch, eps) * ts).pow(2).sum().backward()  # torch's rsample with the same eps
    close(loc.grad, tl.grad, rtol=1e-12)
    close(scale.grad, ts.grad, rtol=1e-12)

    low, high = leaf([0.0, 1.0]), leaf([2.0, 1.5])

    def uniform_draw(a, b):
        ddp.manual_seed(2)
        return Uniform(a, b).rsample((4,))

    assert ddp.autograd.gradcheck(uniform_draw, (low, high))


def test_log_prob_entropy_gradients_match_torch():
    loc, scale = leaf([0.3, -0.5]), leaf([1.2, 0.4])
    x = ddp.tensor([0.1, 0.9], dtype=ddp.float64)
    assert ddp.autograd.gradcheck(lambda m, s: Normal(m, s).log_prob(x) + Normal(m, s).entropy(), (loc, scale))
    assert ddp.autograd.gradcheck(lambda m, s: Normal(m, s).cdf(x), (loc, scale))
    q = leaf([0.2, 0.7])
    assert ddp.autograd.gradcheck(lambda p: Normal(loc.detach(), scale.detach()).icdf(p), (q,))
    (Normal(loc, scale).log_prob(x).sum() + Normal(loc, scale).entropy().sum()).backward()
    tl, ts = to_torch(torch, loc).requires_grad_(), to_torch(torch, scale).requires_grad_()
    t = T.Normal(tl, ts)
    (t.log_prob(to_torch(torch, x)).sum() + t.entropy().sum()).backward()
    close(loc.grad, tl.grad, rtol=1e-12)
    close(scale.grad, ts.grad, rtol=1e-12)
    low, high = leaf([0.0, -1.0]), leaf([2.0, 1.5])
    assert ddp.autograd.gradcheck(lambda a, b: Uniform(a, b).log_prob(x) + Uniform(a, b).entropy(), (low, high))


def test_uniform_matches_torch():
    low, high = ddp.tensor([0.0, -1.0], dtype=ddp.float64), ddp.tensor([2.0, 1.5], dtype=ddp.float64)
    d, t = Uniform(low, high), T.Uniform(to_torch(torch, low), to_torch(torch, high))
    x = ddp.tensor([[0.5, 1.4], [0.0, -1.0]], dtype=ddp.float64)
    close(d.log_prob(x), t.log_prob(to_torch(torch, x)))
    close(d.cdf(x), t.cdf(to_torch(torch, x)))
    close(d.icdf(x.clamp(min=0)), t.icdf(to_torch(torch, x.clamp(min=0))))
    close(d.entropy(), t.entropy())
    for name in ("mean", "stddev", "variance"):
        close(getattr(d, name), getattr(t, name))
    out = Uniform(low, high, validate_args=False).log_prob(ddp.tensor([3.0, 1.5], dtype=ddp.float64))
    assert out.tolist() == [-math.inf, -math.inf]  # outside [low, high), as torch


def test_validation_errors_name_the_parameter_and_the_constraint():
    with pytest.raises(ValueError, match=r"Normal: parameter scale \(a Tensor of shape \(2,\)\) must satisfy "
                       r"GreaterThan\(lower_bound=0.0\), and some of its values do not \(Normal\(loc: ddp.Size\(\[2\]\), "
                       r"scale: ddp.Size\(\[2\]\)\)\):\ntensor\(\[ 1., -1.\]\)"):
        Normal(ddp.tensor([0.0, 1.0]), ddp.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"parameter loc .* must satisfy Real\(\)"):
        Normal(math.nan, 1.0)
    with pytest.raises(ValueError, match=r"Normal: the value \(a Tensor of shape \(\)\) must lie in the support "
                       r"Real\(\), and some of it does not \(Normal\(loc: 0.0, scale: 1.0\)\):\nnan"):
        Normal(0.0, 1.0).log_prob(ddp.tensor(math.nan))
    with pytest.raises(ValueError, match=r"Uniform: parameter low \(a Tensor of shape \(\)\) must satisfy "
                       r"LessThan\(upper_bound=0.0\)"):
        Uniform(1.0, 0.0)
    with pytest.raises(ValueError, match=r"must lie in the support Interval\(lower_bound=0.0, upper_bound=1.0\)"):
        Uniform(0.0, 1.0).log_prob(ddp.tensor(2.0))
    for torch_call in (lambda: T.Normal(0.0, -1.0), lambda: T.Uniform(1.0, 0.0)):
        with pytest.raises(ValueError):  # the same exception type in torch
            torch_call()
    assert Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
    with pytest.raises(RuntimeError, match="shape mismatch"):
        Normal(ddp.zeros(2), ddp.ones(3))
