"""Random draws (`ddp.normal`, `poisson`, `binomial`, `Tensor.random_`, `cauchy_`, `geometric_`, `log_normal_`):
their values cannot match torch's streams, so these check distributions with fixed seeds and tolerant
bounds, shapes, dtypes, reproducibility through `manual_seed` and generators, and error types against torch."""
import warnings

import numpy as np
import pytest

import ddp

N = 20000


def _same_draws(draw):
    ddp.manual_seed(11)
    a = draw(None)
    ddp.manual_seed(11)
    b = draw(None)
    c, d = draw(ddp.Generator().manual_seed(5)), draw(ddp.Generator().manual_seed(5))
    assert a.equal(b) and c.equal(d)


def test_normal_overloads():
    ddp.manual_seed(0)
    mean, std = ddp.full((N,), 3.0), ddp.full((N,), 2.0)
    for out in (ddp.normal(mean, std), ddp.normal(3.0, std), ddp.normal(mean, 2.0), ddp.normal(3.0, 2.0, (N,))):
        assert out.shape == (N,) and out.dtype == np.float32
        assert abs(out.mean().item() - 3.0) < 0.1 and abs(out.std().item() - 2.0) < 0.1
    assert ddp.normal(ddp.zeros(N)).std().item() == pytest.approx(1.0, abs=0.05)
    assert ddp.normal(ddp.zeros(2, 1), ddp.ones(3)).shape == (2, 3)
    assert ddp.normal(0, 1, size=(2, 3), dtype=ddp.float64).dtype == np.float64
    assert ddp.normal(0.0, 1.0, (2,), requires_grad=True).requires_grad
    assert ddp.normal(ddp.zeros(3, dtype=ddp.float64), 1.0).dtype == np.float64
    assert ddp.normal(ddp.zeros(3), ddp.tensor([0.0, 0.0, 0.0])).tolist() == [0.0, 0.0, 0.0]
    _same_draws(lambda g: ddp.normal(ddp.zeros(5), ddp.ones(5), generator=g))
    _same_draws(lambda g: ddp.normal(0.0, 1.0, (5,), generator=g))


def test_normal_errors_match_torch_types():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda m: m.normal(m.zeros(2), m.ones(3)), RuntimeError),
        (lambda m: m.normal(0.0, -1.0, (2,)), RuntimeError),
        (lambda m: m.normal(m.zeros(2), -m.ones(2)), RuntimeError),
        (lambda m: m.normal(m.zeros(2, dtype=m.int64), 1.0), NotImplementedError),
        (lambda m: m.normal(0, 1), TypeError),
    ]
    for call, error in cases:
        with pytest.raises(error):
            call(torch)
        with pytest.raises(error):
            call(ddp)


def test_normal_keeps_the_graph_with_zero_gradient_as_torch():
    m, s = ddp.zeros(3, requires_grad=True), ddp.ones(3, requires_grad=True)
    out = ddp.normal(m, s)
    assert out.requires_grad
    out.sum().backward()
    assert m.grad.tolist() == [0.0, 0.0, 0.0] and s.grad.tolist() == [0.0, 0.0, 0.0]
    m2 = ddp.zeros(2, 1, requires_grad=True)
    ddp.normal(m2, ddp.ones(3)).sum().backward()
    assert m2.grad.shape == (2, 1)
    with ddp.no_grad():
        assert not ddp.normal(m, s).requires_grad


def test_poisson():
    ddp.manual_seed(1)
    rates = ddp.tensor([0.5, 4.0, 30.0]).expand(N, 3).contiguous()
    out = ddp.poisson(rates)
    assert out.dtype == np.float32 and out.shape == (N, 3)
    assert (out.numpy() == np.round(out.numpy())).all() and (out.numpy() >= 0).all()
    np.testing.assert_allclose(out.mean(0).numpy(), [0.5, 4.0, 30.0], rtol=0.05)
    np.testing.assert_allclose(out.var(0).numpy(), [0.5, 4.0, 30.0], rtol=0.1)
    assert ddp.poisson(ddp.tensor([1.0], dtype=ddp.float64)).dtype == np.float64
    r = ddp.tensor([1.0, 2.0], requires_grad=True)
    ddp.poisson(r).sum().backward()
    assert r.grad.tolist() == [0.0, 0.0]
    _same_draws(lambda g: ddp.poisson(ddp.full((6,), 3.0), generator=g))
    torch = pytest.importorskip("torch")
    for call, error in ((lambda m: m.poisson(m.tensor([-1.0])), RuntimeError),
                        (lambda m: m.poisson(m.tensor([1, 2])), NotImplementedError)):
        with pytest.raises(error):
            call(torch)
        with pytest.raises(error):
            call(ddp)


def test_binomial():
    ddp.manual_seed(2)
    count, prob = ddp.full((N,), 10.0), ddp.full((N,), 0.3)
    out = ddp.binomial(count, prob)
    assert out.dtype == np.float32 and out.shape == (N,)
    assert 0 <= out.min().item() and out.max().item() <= 10
    assert out.mean().item() == pytest.approx(3.0, abs=0.05) and out.var().item() == pytest.approx(2.1, rel=0.1)
    assert ddp.binomial(ddp.tensor([[5.0], [7.0]]), ddp.tensor([1.0, 0.0, 1.0])).tolist() == [[5.0, 0.0, 5.0],
                                                                                              [7.0, 0.0, 7.0]]
    _same_draws(lambda g: ddp.binomial(ddp.full((6,), 9.0), ddp.full((6,), 0.5), generator=g))
    torch = pytest.importorskip("torch")
    for call, error in ((lambda m: m.binomial(m.tensor([10, 20]), m.tensor([0.5, 0.1])), ValueError),
                        (lambda m: m.binomial(m.tensor([10.0]), m.tensor([0.5], dtype=m.float64)), RuntimeError),
                        (lambda m: m.binomial(m.tensor([10.0, 2.0]), 0.5), TypeError)):
        with pytest.raises(error):
            call(torch)
        with pytest.raises(error):
            call(ddp)
    for bad_count, bad_prob in (([-1.0], [0.5]), ([2.5], [0.5]), ([3.0], [1.5])):
        with pytest.raises(RuntimeError, match="binomial"):
            ddp.binomial(ddp.tensor(bad_count), ddp.tensor(bad_prob))


def test_random_fills_ranges_by_dtype():
    ddp.manual_seed(3)
    assert ddp.empty(N).random_().max().item() <= 2 ** 24 and ddp.empty(N).random_().max().item() > 2 ** 23
    assert ddp.empty(N, dtype=ddp.float64).random_().max().item() > 2 ** 50
    assert ddp.empty(N, dtype=ddp.uint8).random_().max().item() == 255
    b = ddp.empty(N, dtype=ddp.bool).random_()
    assert b.dtype == np.bool_ and 0.45 < b.float().mean().item() < 0.55
    assert ddp.empty(N, dtype=ddp.int64).random_().min().item() >= 0
    assert ddp.empty(N, dtype=ddp.int8).random_().unique().numel() == 128
    assert sorted(ddp.empty(N).random_(5).unique().tolist()) == [0, 1, 2, 3, 4]
    assert sorted(ddp.empty(N).random_(2, 5).unique().tolist()) == [2, 3, 4]
    assert sorted(ddp.empty(N).random_(to=3).unique().tolist()) == [0, 1, 2]
    low = ddp.empty(N, dtype=ddp.int8).random_(-3, None)
    assert low.min().item() == -3 and low.max().item() == 127
    assert sorted(ddp.empty(100, dtype=ddp.uint8).random_(250, None).unique().tolist()) == list(range(250, 256))
    full = ddp.empty(N, dtype=ddp.int64).random_(-2 ** 63, None)
    assert full.min().item() < -2 ** 60 and full.max().item() > 2 ** 60
    counts = np.bincount(ddp.empty(N, dtype=ddp.int64).random_(4).numpy(), minlength=4)
    assert (np.abs(counts / N - 0.25) < 0.02).all()
    _same_draws(lambda g: ddp.empty(10).random_(0, 100, generator=g))


def test_random_fill_errors_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda m: m.empty(3).random_(5, 2), RuntimeError),
        (lambda m: m.empty(3).random_(0), RuntimeError),
        (lambda m: m.empty(3, dtype=m.uint8).random_(300), RuntimeError),
        (lambda m: m.empty(3, dtype=m.uint8).random_(-1, 3), RuntimeError),
        (lambda m: m.empty(3, dtype=m.bool).random_(0, 3), RuntimeError),
        (lambda m: m.empty(3).random_(2.5), TypeError),
        (lambda m: m.ones(3, requires_grad=True).random_(), RuntimeError),
    ]
    for call, error in cases:
        with pytest.raises(error):
            call(torch)
        with pytest.raises(error):
            call(ddp)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ddp.empty(10).random_(2 ** 25)
    assert any("float32" in str(w.message) for w in caught)


def test_continuous_fills():
    ddp.manual_seed(4)
    c = ddp.empty(N).cauchy_(1.0, 2.0)
    assert c.dtype == np.float32 and c.median().item() == pytest.approx(1.0, abs=0.1)
    q25, q75 = np.quantile(c.numpy(), [0.25, 0.75])
    assert (q75 - q25) / 2 == pytest.approx(2.0, rel=0.1)  # half the interquartile range is sigma
    g = ddp.empty(N).geometric_(0.25)
    assert g.min().item() == 1 and (g.numpy() == np.round(g.numpy())).all()
    assert g.mean().item() == pytest.approx(4.0, rel=0.05)
    assert ddp.empty(N, dtype=ddp.int64).geometric_(0.5).dtype == np.int64
    ln = ddp.empty(N, dtype=ddp.float64).log_normal_(0.5, 0.25)
    assert ln.dtype == np.float64 and (ln.numpy() > 0).all()
    assert np.log(ln.numpy()).mean() == pytest.approx(0.5, abs=0.01)
    assert np.log(ln.numpy()).std() == pytest.approx(0.25, rel=0.05)
    assert np.log(ddp.empty(N).log_normal_().numpy()).mean() == pytest.approx(1.0, abs=0.05)
    for fill in (lambda t, g: t.cauchy_(generator=g), lambda t, g: t.geometric_(0.3, generator=g),
                 lambda t, g: t.log_normal_(generator=g)):
        _same_draws(lambda g: fill(ddp.empty(8), g))


def test_continuous_fill_errors_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda m: m.empty(3).cauchy_(sigma=0), RuntimeError),
        (lambda m: m.empty(3, dtype=m.int64).cauchy_(), RuntimeError),
        (lambda m: m.empty(3).geometric_(0), RuntimeError),
        (lambda m: m.empty(3).geometric_(1.5), RuntimeError),
        (lambda m: m.empty(3).log_normal_(0, -1), RuntimeError),
    ]
    for call, error in cases:
        with pytest.raises(error):
            call(torch)
        with pytest.raises(error):
            call(ddp)


def test_fills_cut_a_non_leaf_from_the_graph_and_bump_the_version():
    x = ddp.ones(3, requires_grad=True)
    y = x * 2
    version = y._version
    y.cauchy_()
    assert not y.requires_grad and y._version == version + 1
    t = ddp.empty(4)
    assert t.random_(3) is t and t.geometric_(0.5) is t and t.log_normal_() is t and t.cauchy_() is t
