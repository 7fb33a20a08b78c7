"""kl_divergence against torch, register_kl dispatch, and NotImplementedError for unregistered pairs."""
import math

import numpy as np
import pytest

import ddp
from ddp.distributions import Bernoulli, Categorical, Distribution, Independent, Normal, Uniform, kl_divergence
from ddp.distributions import register_kl

from helpers import close, leaf, to_torch

torch = pytest.importorskip("torch")
T = torch.distributions


def test_normal_normal():
    m1, s1, m2, s2 = leaf([0.1, -1.0]), leaf([0.5, 2.0]), leaf([[0.3], [1.0]]), leaf([1.5])
    kl = kl_divergence(Normal(m1, s1), Normal(m2, s2))
    ts = [to_torch(torch, v).requires_grad_() for v in (m1, s1, m2, s2)]
    tkl = T.kl_divergence(T.Normal(ts[0], ts[1]), T.Normal(ts[2], ts[3]))
    close(kl, tkl, rtol=1e-12)
    kl.sum().backward()
    tkl.sum().backward()
    for a, b in zip((m1, s1, m2, s2), ts):
        close(a.grad, b.grad, rtol=1e-12)
    assert ddp.autograd.gradcheck(lambda a, b: kl_divergence(Normal(a, b), Normal(0.0, 1.0)), (m1, s1))
    assert kl_divergence(Normal(0.0, 1.0), Normal(0.0, 1.0)).item() == 0.0


def test_categorical_categorical_with_zeros():
    p = ddp.tensor([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]], dtype=ddp.float64)
    q = ddp.tensor([[0.1, 0.9, 0.0], [0.3, 0.3, 0.4]], dtype=ddp.float64)
    kl = kl_divergence(Categorical(probs=p), Categorical(probs=q))
    close(kl, T.kl_divergence(T.Categorical(probs=to_torch(torch, p)), T.Categorical(probs=to_torch(torch, q))))
    assert kl[0].item() == math.inf
    logits = leaf([[0.3, -1.0, 2.0]])
    other = Categorical(logits=ddp.tensor([0.0, 1.0, -1.0], dtype=ddp.float64))
    assert ddp.autograd.gradcheck(lambda z: kl_divergence(Categorical(logits=z), other), (logits,))


def test_bernoulli_uniform_independent():
    p, q = ddp.tensor([0.2, 0.0, 1.0], dtype=ddp.float64), ddp.tensor([0.5, 0.3, 0.0], dtype=ddp.float64)
    close(kl_divergence(Bernoulli(p), Bernoulli(q)),
          T.kl_divergence(T.Bernoulli(to_torch(torch, p)), T.Bernoulli(to_torch(torch, q))))
    lo1, hi1 = ddp.tensor([0.0, 0.0], dtype=ddp.float64), ddp.tensor([1.0, 1.0], dtype=ddp.float64)
    lo2, hi2 = ddp.tensor([-1.0, 0.5], dtype=ddp.float64), ddp.tensor([2.0, 2.0], dtype=ddp.float64)
    close(kl_divergence(Uniform(lo1, hi1), Uniform(lo2, hi2)),
          T.kl_divergence(T.Uniform(*map(lambda v: to_torch(torch, v), (lo1, hi1))),
                          T.Uniform(*map(lambda v: to_torch(torch, v), (lo2, hi2)))))
    loc = ddp.tensor(np.random.default_rng(0).standard_normal((4, 3)))
    kl = kl_divergence(Independent(Normal(loc, 1.0), 1), Independent(Normal(0.0 * loc, 2.0), 1))
    tloc = to_torch(torch, loc)
    close(kl, T.kl_divergence(T.Independent(T.Normal(tloc, 1.0), 1), T.Independent(T.Normal(0 * tloc, 2.0), 1)))


def test_unregistered_pair_and_register_kl():
    with pytest.raises(NotImplementedError, match="no KL\\(p \\|\\| q\\) rule for p of type Normal and q of "
                       "type Bernoulli"):
        kl_divergence(Normal(0.0, 1.0), Bernoulli(0.5))
    with pytest.raises(NotImplementedError):
        T.kl_divergence(T.Normal(0.0, 1.0), T.Bernoulli(0.5))

    class Shifted(Normal):
        pass

    assert kl_divergence(Shifted(0.0, 1.0), Normal(1.0, 1.0)).item() == 0.5  # the base class's rule

    @register_kl(Shifted, Normal)
    def _kl_shifted(p, q):
        return ddp.tensor(-1.0)

    assert kl_divergence(Shifted(0.0, 1.0), Normal(1.0, 1.0)).item() == -1.0  # the most specific rule
    with pytest.raises(TypeError, match="register_kl: expected type_q to be a Distribution subclass"):
        register_kl(Normal, int)
    assert issubclass(Shifted, Distribution)
