"""The namespace, the Distribution base, Independent's shapes and the validate_args switch."""
import pytest

import ddp
from ddp.distributions import Distribution, Independent, Normal

from helpers import close, to_torch

torch = pytest.importorskip("torch")


def test_namespaces():
    import ddp.distributions as D
    from ddp.distributions import Categorical, constraints

    assert ddp.distributions is D and D.Normal is Normal and D.Categorical is Categorical
    assert repr(constraints.positive) == repr(torch.distributions.constraints.positive)
    assert repr(constraints.simplex) == repr(torch.distributions.constraints.simplex)


def test_float32_stays_float32():
    d = Normal(ddp.zeros(3), 2.0)
    x = d.rsample((2,))
    assert x.dtype == d.log_prob(x).dtype == d.entropy().dtype == d.cdf(x).dtype == ddp.float32
    assert d.icdf(ddp.full((3,), 0.3)).dtype == ddp.float32


def test_validate_args_default_and_switch():
    assert Distribution._validate_args is torch.distributions.Distribution._validate_args is True
    Distribution.set_default_validate_args(False)
    try:
        assert Normal(0.0, -1.0).scale.item() == -1.0
    finally:
        Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        Normal(0.0, -1.0)
    with pytest.raises(ValueError, match="set_default_validate_args: expected True or False"):
        Distribution.set_default_validate_args(2)


def test_base_raises_not_implemented():
    d = Distribution(batch_shape=(2,))
    assert d.batch_shape == (2,) and d.event_shape == () and not d.has_rsample
    for call in (d.rsample, d.entropy, lambda: d.log_prob(ddp.zeros(2)), lambda: d.mean):
        with pytest.raises(NotImplementedError):
            call()


def test_independent_matches_torch():
    loc = ddp.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], dtype=ddp.float64)
    d = Independent(Normal(loc, 2.0), 1)
    t = torch.distributions.Independent(torch.distributions.Normal(to_torch(torch, loc), 2.0), 1)
    assert (d.batch_shape, d.event_shape) == (tuple(t.batch_shape), tuple(t.event_shape)) == ((2,), (3,))
    assert d.has_rsample and d.rsample((5,)).shape == (5, 2, 3)
    x = ddp.zeros(4, 2, 3, dtype=ddp.float64)
    close(d.log_prob(x), t.log_prob(to_torch(torch, x)))
    close(d.entropy(), t.entropy())
    assert d.expand((7, 2)).batch_shape == (7, 2)
    with pytest.raises(ValueError, match="must be at most the base"):
        Independent(Normal(0.0, 1.0), 1)


def test_normal_expand_and_sample_n():
    d = Normal(ddp.zeros(3), 1.0).expand((2, 3))
    assert d.batch_shape == (2, 3) and d.sample((4,)).shape == (4, 2, 3)
    with pytest.warns(UserWarning, match="sample_n\\(n\\) is deprecated"):
        assert d.sample_n(2).shape == (2, 2, 3)
