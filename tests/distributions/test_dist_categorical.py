"""Categorical against torch: normalisation, log_prob, entropy, sample shapes and frequencies, gradients."""
import numpy as np
import pytest

import ddp
from ddp.distributions import Categorical

from helpers import close, leaf, to_torch

torch = pytest.importorskip("torch")


def pair(**kw):
    """The same Categorical in ddp and torch (float64 parameters)."""
    (name, value), = kw.items()
    return Categorical(**{name: value}), torch.distributions.Categorical(**{name: to_torch(torch, value)})


@pytest.mark.parametrize("name", ["probs", "logits"])
@pytest.mark.parametrize("shape", [(4,), (2, 3, 4)])
def test_matches_torch(name, shape):
    rng = np.random.default_rng(0)
    raw = rng.random(shape) + 0.1 if name == "probs" else rng.standard_normal(shape)
    d, t = pair(**{name: ddp.tensor(raw, dtype=ddp.float64)})
    assert d.batch_shape == tuple(t.batch_shape) and d.event_shape == () and d.param_shape == shape
    close(d.probs, t.probs)
    close(d.logits, t.logits)
    close(d.entropy(), t.entropy())
    value = rng.integers(0, shape[-1], size=(5,) + shape[:-1])
    close(d.log_prob(ddp.tensor(value)), t.log_prob(torch.from_numpy(value)))
    close(d.log_prob(ddp.tensor(1)), t.log_prob(torch.tensor(1)))  # a scalar value broadcast over the batch
    assert d.enumerate_support().tolist() == t.enumerate_support().tolist()
    assert d.mode.tolist() == t.mode.tolist()
    assert np.isnan(d.mean.numpy()).all() and d.mean.shape == tuple(t.mean.shape)


def test_zero_probability_class():
    d, t = pair(probs=ddp.tensor([0.0, 0.25, 0.75], dtype=ddp.float64))
    close(d.entropy(), t.entropy())
    close(d.log_prob(ddp.tensor(0)), t.log_prob(torch.tensor(0)))


@pytest.mark.parametrize("sample_shape", [(), (7,), (2, 3)])
def test_sample_shapes_and_dtype(sample_shape):
    d = Categorical(logits=ddp.zeros(4, 5))
    s = d.sample(sample_shape)
    assert s.shape == tuple(sample_shape) + (4,) and s.dtype == ddp.int64
    assert s.shape == tuple(torch.distributions.Categorical(logits=torch.zeros(4, 5)).sample(sample_shape).shape)
    assert ((s >= 0) & (s < 5)).all()


def test_sample_frequencies_and_seed():
    probs = ddp.tensor([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    ddp.manual_seed(3)
    s = Categorical(probs=probs).sample((20000,))
    ddp.manual_seed(3)
    assert Categorical(probs=probs).sample((20000,)).tolist() == s.tolist()
    freq = np.stack([(s.numpy() == k).mean(0) for k in range(3)], -1)
    np.testing.assert_allclose(freq, probs.numpy(), atol=0.015)  # ~4 standard errors at n = 20000
    assert (s.numpy()[:, 1] != 2).all()


def test_gradients_match_torch():
    logits = leaf([[0.3, -1.2, 0.5], [2.0, 0.1, -0.4]])
    tl = to_torch(torch, logits).requires_grad_()
    value = ddp.tensor([2, 0])
    loss = Categorical(logits=logits).log_prob(value).sum() + Categorical(logits=logits).entropy().sum()
    loss.backward()
    t = torch.distributions.Categorical(logits=tl)
    (t.log_prob(torch.tensor([2, 0])).sum() + t.entropy().sum()).backward()
    close(logits.grad, tl.grad)
    probs = leaf([0.2, 0.3, 0.5])
    assert ddp.autograd.gradcheck(lambda p: Categorical(probs=p).entropy(), (probs,))
    assert ddp.autograd.gradcheck(lambda x: Categorical(logits=x).log_prob(ddp.tensor([1, 2])), (logits,))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # [-1, 1] / 0 while normalising, as in torch
def test_errors_match_torch():
    for kw in ({}, {"probs": ddp.ones(2), "logits": ddp.ones(2)}):
        with pytest.raises(ValueError, match="give exactly one of probs and logits"):
            Categorical(**kw)
    with pytest.raises(ValueError, match="probs must have at least one dim"):
        Categorical(ddp.tensor(0.5))
    with pytest.raises(ValueError, match=r"Categorical: parameter probs \(a Tensor of shape \(2,\)\) must satisfy "
                       r"Simplex\(\)"):
        Categorical(probs=ddp.tensor([-1.0, 1.0]))
    with pytest.raises(ValueError, match=r"Categorical: the value \(a Tensor of shape \(\)\) must lie in the support "
                       r"IntegerInterval\(lower_bound=0, upper_bound=1\)"):
        Categorical(probs=ddp.tensor([0.5, 0.5])).log_prob(ddp.tensor(3))
    with pytest.raises(ValueError, match="the value must be a Tensor"):
        Categorical(probs=ddp.tensor([0.5, 0.5])).log_prob(1)
    with pytest.raises(ValueError, match="does not broadcast with batch_shape"):
        Categorical(logits=ddp.zeros(3, 2)).log_prob(ddp.tensor([0, 1]))
    Categorical(probs=ddp.tensor([-1.0, 1.0]), validate_args=False)  # no check when asked for none


def test_expand():
    d = Categorical(logits=ddp.zeros(3)).expand((4, 2))
    assert d.batch_shape == (4, 2) and d.sample().shape == (4, 2) and d.log_prob(ddp.tensor(1)).shape == (4, 2)
