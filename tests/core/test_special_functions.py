"""ddp.special: the names PyTorch has there, erfcx, log_ndtr, entr, i0e, i1, i1e, zeta, gammainc / gammaincc
(ddp.igamma / igammac) and the aliases; float64 gradient checks, values and gradients against torch over wide
ranges and at the edges, float32, and accuracy against mpmath's high-precision values where it is installed."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, forward32, gradcheck, leaf, sample

INF, NAN = float("inf"), float("nan")
RNG = np.random.default_rng(3)
WIDE = np.concatenate([RNG.uniform(-40, 40, 400), RNG.uniform(-3, 3, 200), 10.0 ** RNG.uniform(-10, 8, 100),
                       -(10.0 ** RNG.uniform(-10, 1.4, 100)), [0.0, -0.0, 12.0, 20.0, -20.0, 26.5, -26.5]])
EDGES = np.array([0.0, -0.0, 1.0, -1.0, 1e300, -1e300, INF, -INF, NAN])

UNARY = ["entr", "erfcx", "log_ndtr", "i0e", "i1", "i1e", "erfc", "i0", "sinc", "digamma", "psi", "gammaln"]
SPECIAL_NAMES = ["digamma", "psi", "gammaln", "polygamma", "multigammaln", "entr", "erfc", "erfcx", "log_ndtr", "xlogy",
                 "xlog1py", "i0", "i0e", "i1", "i1e", "sinc", "gammainc", "gammaincc", "zeta"]


def test_namespace():
    for name in SPECIAL_NAMES:
        assert name in ddp.special.__all__ and callable(getattr(ddp.special, name)), name
    assert ddp.special.psi is ddp.digamma and ddp.special.gammaln is ddp.lgamma
    assert ddp.special.multigammaln is ddp.mvlgamma and ddp.special.xlogy is ddp.xlogy
    assert ddp.special.gammainc is ddp.igamma and ddp.special.gammaincc is ddp.igammac


def _domain(name):
    if name == "entr":
        return sample((3, 4), "pos")
    if name in ("digamma", "psi", "gammaln"):
        return 0.3 + sample((3, 4), "pos")
    if name == "erfcx":  # moderate values: erfcx(-7) ~ 1e21 would swamp gradcheck's weighted sum
        return sample((3, 4), avoid=(0.0,)) * 1.5
    return sample((3, 4), avoid=(0.0,)) * 3


@pytest.mark.parametrize("name", UNARY)
def test_gradients_and_torch(name):
    torch = pytest.importorskip("torch")
    fn = getattr(ddp.special, name)
    x = _domain(name)
    assert gradcheck(fn, x)
    assert gradcheck(fn, np.asarray(x[0, 0]))
    against_torch(fn, getattr(torch.special, name), x)
    ref = lambda a: getattr(torch.special, name)(torch.tensor(a)).numpy()  # noqa: E731
    forward32(fn, ref, x, rtol=2e-6, atol=1e-7)
    assert fn(ddp.tensor([1, 2])).dtype == np.float32


@pytest.mark.parametrize("name", UNARY)
def test_wide_range_and_edges_match_torch(name):
    torch = pytest.importorskip("torch")
    fn = getattr(ddp.special, name)
    with np.errstate(all="ignore"):
        for x in (WIDE, EDGES):
            ours = fn(ddp.tensor(x)).numpy()
            theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
            np.testing.assert_allclose(ours, theirs, rtol=1e-10 if name != "log_ndtr" else 1e-9, atol=1e-300,
                                       equal_nan=True, err_msg=name)


def test_gradients_at_zero_and_in_the_tails():
    torch = pytest.importorskip("torch")
    x = np.array([0.0, -30.0, 30.0, 1e-8, -5.0])
    for name in ("i1", "i1e", "i0e", "log_ndtr", "erfcx"):
        a, t = leaf(x), torch.tensor(x, requires_grad=True)
        getattr(ddp.special, name)(a).sum().backward()
        getattr(torch.special, name)(t).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-300, err_msg=name)
        assert name == "erfcx" or np.isfinite(a.grad.numpy()).all()  # erfcx'(-30) is -inf
    x = leaf([0.0, 1.0])
    ddp.special.entr(x).sum().backward()
    assert x.grad.tolist() == [INF, -1.0]


def test_zeta():
    torch = pytest.importorskip("torch")
    s = np.concatenate([RNG.uniform(1.01, 40, 200), [2.0, 3.0, 2.0, 1.0, 0.5, 2.5, 3.0]])
    q = np.concatenate([10.0 ** RNG.uniform(-3, 4, 200), [-1.5, -2.5, -2.0, 3.0, 1.0, -1.5, 0.0]])
    ours = ddp.special.zeta(ddp.tensor(s), ddp.tensor(q))
    np.testing.assert_allclose(ours.numpy(), torch.special.zeta(torch.tensor(s), torch.tensor(q)).numpy(),
                               rtol=1e-12, atol=1e-300, equal_nan=True)
    assert ddp.special.zeta(2.0, ddp.tensor([1.0], dtype=ddp.float64)).item() == pytest.approx(np.pi ** 2 / 6,
                                                                                               rel=1e-15)
    assert ddp.special.zeta(ddp.tensor([2.0]), 1.0).dtype == np.float32
    assert ddp.special.zeta(ddp.tensor([INF, INF, INF]), ddp.tensor([0.5, 1.0, 2.0])).tolist() == [INF, 1.0, 0.0]
    with pytest.raises(NotImplementedError, match="derivative for 'zeta'"):  # none in s, as in PyTorch
        ddp.special.zeta(leaf([2.0]), 1.0).sum().backward()


def test_zeta_differentiates_in_q():
    s, q = np.array([2.0, 3.5, 5.0]), np.array([0.7, 1.5, 4.0])
    assert gradcheck(lambda b: ddp.special.zeta(ddp.tensor(s), b), q)
    torch = pytest.importorskip("torch")
    against_torch(lambda b: ddp.special.zeta(ddp.tensor(s), b), lambda b: torch.special.zeta(torch.tensor(s), b), q)


def test_gammainc_values_gradient_and_torch():
    torch = pytest.importorskip("torch")
    a = 10.0 ** RNG.uniform(-3, 2.5, 300)
    x = a * 10.0 ** RNG.uniform(-2, 0.7, 300)
    for fn, tfn in ((ddp.igamma, torch.igamma), (ddp.igammac, torch.igammac)):
        np.testing.assert_allclose(fn(ddp.tensor(a), ddp.tensor(x)).numpy(),
                                   tfn(torch.tensor(a), torch.tensor(x)).numpy(), rtol=1e-8, atol=1e-300)
    shape_a, shape_x = (2, 3), (3,)
    a, x = sample(shape_a, "pos") * 3, sample(shape_x, "pos") * 2
    for name in ("igamma", "igammac"):
        fn = getattr(ddp, name)
        assert gradcheck(lambda t: fn(ddp.tensor(a), t), x)
        assert gradcheck(lambda t: getattr(ddp.tensor(a), name)(t), x)
        against_torch(lambda t: fn(ddp.tensor(a), t), lambda t: getattr(torch, name)(torch.tensor(a), t), x)
        forward32(lambda t: fn(ddp.tensor(a, dtype=ddp.float32), t),
                  lambda u: getattr(torch, name)(torch.tensor(a, dtype=torch.float32), torch.tensor(u)).numpy(), x)


def test_gammainc_edges_and_errors():
    torch = pytest.importorskip("torch")
    a = np.array([0.0, 0.0, 1.0, 1.0, INF, INF, -1.0, 1.0, 2.0, NAN, 1.0, 0.5])
    x = np.array([0.0, 1.0, 0.0, INF, 1.0, INF, 1.0, -1.0, INF, 1.0, NAN, 1e-300])
    for fn, tfn in ((ddp.igamma, torch.igamma), (ddp.igammac, torch.igammac)):
        np.testing.assert_allclose(fn(ddp.tensor(a), ddp.tensor(x)).numpy(),
                                   tfn(torch.tensor(a), torch.tensor(x)).numpy(), rtol=1e-14, equal_nan=True)
    assert ddp.igamma(ddp.tensor([2.0]), ddp.tensor([1])).dtype == np.float32
    with pytest.raises(NotImplementedError, match="igamma: needs a floating point input"):
        ddp.igamma(ddp.tensor([2]), ddp.tensor([1]))
    a = leaf([2.0])
    with pytest.raises(NotImplementedError, match="igamma: the derivative with respect to a"):
        ddp.igamma(a, ddp.tensor([1.0], dtype=ddp.float64)).sum().backward()


def test_polygamma_multigammaln_xlogy_in_special():
    torch = pytest.importorskip("torch")
    x = 0.5 + sample((4,), "pos")
    against_torch(lambda t: ddp.special.polygamma(2, t), lambda t: torch.special.polygamma(2, t), x)
    against_torch(lambda t: ddp.special.multigammaln(t, 3), lambda t: torch.special.multigammaln(t, 3), x + 1)
    y = sample((4,), "pos")
    against_torch(ddp.special.xlogy, torch.special.xlogy, x, y)


# ------------------------------------------------------------------------ accuracy against mpmath
def _mp_values(fn, xs):
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    return np.array([float(fn(mp, mp.mpf(float(v)))) for v in xs])


ACCURACY = {  # name: (ddp function, mpmath reference, samples, relative tolerance)
    "lgamma": (ddp.lgamma, lambda mp, v: mp.log(abs(mp.gamma(v))),
               np.concatenate([RNG.uniform(-30, 30, 100), RNG.uniform(0.7, 2.3, 100),
                               10.0 ** RNG.uniform(-30, 30, 50)]), 5e-13),
    "digamma": (ddp.digamma, lambda mp, v: mp.digamma(v),
                np.concatenate([RNG.uniform(-30, 30, 100), RNG.uniform(1.6, 3, 50), 10.0 ** RNG.uniform(-30, 30, 50)]),
                1e-13),
    "trigamma": (lambda t: ddp.polygamma(1, t), lambda mp, v: mp.polygamma(1, v), RNG.uniform(-30, 30, 100), 1e-14),
    "erfc": (ddp.erfc, lambda mp, v: mp.erfc(v), RNG.uniform(-6, 26, 200), 1e-14),
    "erfcx": (ddp.special.erfcx, lambda mp, v: mp.erfc(v) * mp.exp(v * v), RNG.uniform(-20, 1e4, 200), 1e-14),
    "i0": (ddp.i0, lambda mp, v: mp.besseli(0, v), RNG.uniform(-60, 60, 200), 5e-15),
    "i1": (ddp.special.i1, lambda mp, v: mp.besseli(1, v), RNG.uniform(-60, 60, 200), 5e-15),
}


@pytest.mark.parametrize("name", sorted(ACCURACY))
def test_accuracy_against_mpmath(name):
    fn, reference, xs, rtol = ACCURACY[name]
    xs = xs[np.abs(xs - np.round(xs)) > 1e-6] if name in ("lgamma", "digamma", "trigamma") else xs
    np.testing.assert_allclose(fn(ddp.tensor(xs)).numpy(), _mp_values(reference, xs), rtol=rtol, atol=1e-15)


def test_gammainc_accuracy_against_mpmath():
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    a = np.concatenate([10.0 ** RNG.uniform(-8, 3, 150), [1e-300, 1e4]])
    x = np.concatenate([a[:150] * 10.0 ** RNG.uniform(-2, 0.7, 150), [1.0, 1e4 + 50]])
    p = [float(mp.gammainc(mp.mpf(u), 0, mp.mpf(v), regularized=True)) for u, v in zip(a, x)]
    q = [float(mp.gammainc(mp.mpf(u), mp.mpf(v), mp.inf, regularized=True)) for u, v in zip(a, x)]
    np.testing.assert_allclose(ddp.igamma(ddp.tensor(a), ddp.tensor(x)).numpy(), p, rtol=1e-11, atol=1e-300)
    np.testing.assert_allclose(ddp.igammac(ddp.tensor(a), ddp.tensor(x)).numpy(), q, rtol=1e-11, atol=1e-300)
