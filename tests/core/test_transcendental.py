"""tan, the inverse hyperbolics, sinc, erfc, lgamma, digamma, polygamma, mvlgamma, i0 and the sign / angle
helpers: float64 gradient checks, values and gradients against torch over wide ranges (negative
non-integers, tiny and huge arguments), edge values, float32 and integer inputs, errors."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, forward32, gradcheck, leaf, sample

INF, NAN = float("inf"), float("nan")
RNG = np.random.default_rng(42)
WIDE = np.concatenate([RNG.uniform(-30, 30, 300), RNG.uniform(0, 3, 200), 10.0 ** RNG.uniform(-300, 300, 100),
                       -(10.0 ** RNG.uniform(-8, 6, 100)) - 0.37, [1 - 1e-9, 1 + 1e-9, 2 - 1e-12, 2 + 1e-8, 0.5,
                                                                   1.5, 2.5, 9.99, 10.0, 10.01, -0.5, -1.5]])
EDGES = np.array([0.0, -0.0, 1.0, 2.0, -1.0, -2.0, -2.5, INF, -INF, NAN])

# name: (ddp function, torch function name, domain of the gradient samples)
UNARY = {
    "tan": (ddp.tan, "tan", "unit"),
    "asinh": (ddp.asinh, "asinh", "real"),
    "acosh": (ddp.acosh, "acosh", "pos+1"),
    "atanh": (ddp.atanh, "atanh", "unit"),
    "sinc": (ddp.sinc, "sinc", "real"),
    "erfc": (ddp.erfc, "erfc", "real"),
    "lgamma": (ddp.lgamma, "lgamma", "gamma"),
    "digamma": (ddp.digamma, "digamma", "gamma"),
    "i0": (ddp.i0, "i0", "real"),
}


def _samples(domain, shape=(3, 4), seed=0):
    if domain == "pos+1":
        return 1 + sample(shape, "pos", seed)
    if domain == "gamma":  # positive and negative non-integers, at least 0.25 off the poles
        x = sample(shape, "real", seed) * 3
        return np.where(np.abs(x - np.round(x)) < 0.25, x + 0.5, x)
    return sample(shape, domain, seed)


def _torch_fn(torch, name):
    return getattr(torch, name)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradient_and_torch(name):
    fn, torch_name, domain = UNARY[name]
    x = _samples(domain)
    assert gradcheck(fn, x)
    assert gradcheck(lambda t: getattr(t, name)() * 2.0, _samples(domain, (5,), seed=1))  # the method
    assert gradcheck(fn, _samples(domain, (), seed=2))  # a 0-d tensor
    torch = pytest.importorskip("torch")
    against_torch(fn, _torch_fn(torch, torch_name), x)


@pytest.mark.parametrize("name", ["tan", "asinh", "acosh", "atanh", "sinc", "erfc", "lgamma", "digamma", "i0"])
def test_unary_wide_range_and_edges_match_torch(name):
    torch = pytest.importorskip("torch")
    fn, torch_name, _ = UNARY[name]
    with np.errstate(all="ignore"):
        for x in (WIDE, EDGES):
            ours = fn(ddp.tensor(x)).numpy()
            theirs = _torch_fn(torch, torch_name)(torch.tensor(x)).numpy()
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13, equal_nan=True)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_float32_and_integers(name):
    torch = pytest.importorskip("torch")
    fn, torch_name, domain = UNARY[name]
    ref = lambda a: _torch_fn(torch, torch_name)(torch.tensor(a)).numpy()  # noqa: E731
    forward32(fn, ref, _samples(domain), rtol=2e-6, atol=1e-6)
    ints = np.array([1, 2, 3, 5])
    out = fn(ddp.tensor(ints))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), ref(ints), rtol=2e-6, equal_nan=True)


def test_lgamma_digamma_accuracy_near_zeros_and_poles():
    torch = pytest.importorskip("torch")
    x = np.array([1 - 1e-12, 1 + 1e-7, 2 - 1e-9, 2 + 3e-10, 1.1, 0.9, 1.9, 2.1, -0.999999, -1.000001, 1e-300])
    np.testing.assert_allclose(ddp.lgamma(ddp.tensor(x)).numpy(), torch.lgamma(torch.tensor(x)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ddp.digamma(ddp.tensor(x)).numpy(), torch.digamma(torch.tensor(x)).numpy(),
                               rtol=1e-11)
    assert ddp.digamma(ddp.tensor([0.0, -0.0])).tolist() == [-INF, INF]
    assert ddp.lgamma(ddp.tensor([0.0, -3.0, -INF])).tolist() == [INF, INF, INF]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5])
def test_polygamma_values_gradient_and_torch(n):
    torch = pytest.importorskip("torch")
    # high orders: moderate values only, or the finite differences of gradcheck's weighted sum lose digits
    x = _samples("gamma") if n < 3 else 1 + sample((3, 4), "pos")
    assert gradcheck(lambda t: ddp.polygamma(n, t), x)
    against_torch(lambda t: ddp.polygamma(n, t), lambda t: torch.polygamma(n, t), x)
    wide = np.concatenate([RNG.uniform(-20, 30, 200), 10.0 ** RNG.uniform(-100, 8, 100)])
    wide = np.where(np.abs(wide - np.round(wide)) < 1e-3, wide + 0.25, wide)
    # 1e-9: torch's own trigamma is only good to about 5e-10 (ours to 1e-15; see test_special_functions.py)
    np.testing.assert_allclose(ddp.polygamma(n, ddp.tensor(wide)).numpy(),
                               torch.polygamma(n, torch.tensor(wide)).numpy(), rtol=1e-9, atol=1e-300)
    assert ddp.tensor(x).polygamma(n).shape == x.shape


def test_polygamma_edges_orders_and_errors():
    torch = pytest.importorskip("torch")
    for n in (1, 2, 3):
        x = np.array([0.0, -0.0, NAN])
        np.testing.assert_array_equal(ddp.polygamma(n, ddp.tensor(x)).numpy(), torch.polygamma(n, torch.tensor(x)))
        poles = ddp.polygamma(n, ddp.tensor([-1.0, -3.0])).tolist()  # torch: its series' huge finite values
        assert poles == [INF * (-1) ** (n + 1)] * 2
    assert ddp.polygamma(1, ddp.tensor([INF])).item() == 0.0
    one = ddp.tensor([1.0], dtype=ddp.float64)
    assert ddp.polygamma(ddp.tensor(1), one).item() == pytest.approx(np.pi ** 2 / 6, rel=1e-14)
    x = leaf([2.5])
    ddp.polygamma(2, x).sum().backward()
    assert x.grad.item() == pytest.approx(torch.polygamma(3, torch.tensor([2.5], dtype=torch.float64)).item())
    with pytest.raises(RuntimeError, match="polygamma: the order n must be non-negative, got -1"):
        ddp.polygamma(-1, ddp.tensor([1.0]))
    with pytest.raises(TypeError, match="polygamma: the order n must be an int"):
        ddp.polygamma(1.5, ddp.tensor([1.0]))


@pytest.mark.parametrize("p", [1, 2, 3, 5])
def test_mvlgamma(p):
    torch = pytest.importorskip("torch")
    x = 3 + sample((2, 3), "pos")
    assert gradcheck(lambda t: ddp.mvlgamma(t, p), x)
    against_torch(lambda t: ddp.mvlgamma(t, p), lambda t: torch.mvlgamma(t, p), x)
    assert ddp.tensor(x).mvlgamma(p).shape == (2, 3)
    assert ddp.mvlgamma(ddp.tensor(2.5), p).shape == ()
    out = ddp.mvlgamma(ddp.tensor([3, 4]), p)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), torch.mvlgamma(torch.tensor([3, 4]), p).numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="mvlgamma: p must be at least 1, got 0"):
        ddp.mvlgamma(ddp.tensor([2.0]), 0)


def test_tan_and_inverse_hyperbolic_edges():
    assert ddp.atanh(ddp.tensor([1.0, -1.0, 2.0])).numpy().tolist()[:2] == [INF, -INF]
    assert np.isnan(ddp.acosh(ddp.tensor([0.5])).item())
    assert ddp.asinh(ddp.tensor([1e300, -INF], dtype=ddp.float64)).tolist() == [np.arcsinh(1e300), -INF]
    assert ddp.arcsinh is ddp.asinh and ddp.arccosh is ddp.acosh and ddp.arctanh is ddp.atanh
    x = ddp.tensor([0.3])
    assert x.arcsinh().item() == x.asinh().item() and x.arctanh().item() == x.atanh().item()


def test_sinc_at_zero_and_integers():
    x = leaf([0.0, 1.0, -2.0, 1e-20])
    out = ddp.sinc(x)
    np.testing.assert_allclose(out.numpy(), [1.0, 0.0, 0.0, 1.0], atol=1e-16)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, -1.0, -0.5, 0.0], atol=1e-15)


def test_erfc_right_tail_keeps_its_digits():
    import math
    x = np.array([0.0, 0.5, 3.0, 10.0, 26.0, -5.0])
    expected = [math.erfc(v) for v in x]
    np.testing.assert_allclose(ddp.erfc(ddp.tensor(x)).numpy(), expected, rtol=1e-14)
    assert ddp.erfc(ddp.tensor([INF, -INF])).tolist() == [0.0, 2.0]


def test_i0_large_and_infinite():
    torch = pytest.importorskip("torch")
    x = np.array([25.0, -100.0, 700.0, 720.0, INF, -INF])
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(ddp.i0(ddp.tensor(x)).numpy(), torch.i0(torch.tensor(x)).numpy(), rtol=1e-13,
                                   equal_nan=True)


# --------------------------------------------------------------------------- sign and angle helpers
def test_sgn_signbit_isreal_positive():
    torch = pytest.importorskip("torch")
    for x in (np.array([-2.0, -0.0, 0.0, 3.0, NAN]), np.array([-2, 0, 5]), np.array([True, False])):
        t = torch.tensor(x)
        for name in ("sgn", "signbit", "isreal"):
            ours, theirs = getattr(ddp, name)(ddp.tensor(x)), getattr(torch, name)(t)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
            assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
            np.testing.assert_array_equal(getattr(ddp.tensor(x), name)().numpy(), theirs.numpy())
    x = leaf([-1.5, 2.0])
    ddp.sgn(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    y = ddp.tensor([1, 2])
    assert ddp.positive(y) is y and y.positive() is y
    with pytest.raises(RuntimeError, match="positive: unary \\+ is not defined for bool tensors"):
        ddp.positive(ddp.tensor([True]))
    assert ddp.tensor([-INF, 1.0]).isneginf().tolist() == [True, False]
    assert ddp.tensor([INF, 1.0]).isposinf().tolist() == [True, False]


@pytest.mark.parametrize("name", ["deg2rad", "rad2deg"])
def test_deg2rad_rad2deg(name):
    torch = pytest.importorskip("torch")
    x = sample((2, 3))
    assert gradcheck(getattr(ddp, name), x)
    against_torch(getattr(ddp, name), getattr(torch, name), x)
    for ints in (np.array([0, 90, 180]), np.array([True, False])):
        out = getattr(ddp.tensor(ints), name)()
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), getattr(torch, name)(torch.tensor(ints)).numpy(), rtol=1e-7)


def test_frexp():
    torch = pytest.importorskip("torch")
    x = np.array([8.0, 0.3, 0.0, -5.0, 1e-40, -1e30, INF, NAN])  # 1e-40: subnormal in float32
    for dtype in (np.float64, np.float32):
        mantissa, exponent = ddp.frexp(ddp.tensor(x.astype(dtype)))
        tm, te = torch.frexp(torch.tensor(x.astype(dtype)))
        np.testing.assert_array_equal(mantissa.numpy(), tm.numpy())
        np.testing.assert_array_equal(exponent.numpy(), te.numpy())
        assert mantissa.dtype == dtype and exponent.dtype == np.int32
    result = ddp.tensor([3.0]).frexp()
    assert result.mantissa.item() == 0.75 and result.exponent.item() == 2
    assert gradcheck(lambda t: ddp.frexp(t).mantissa, sample((3, 2)) * 10)
    x = leaf([12.0])
    ddp.frexp(x).mantissa.backward(ddp.tensor([1.0], dtype=ddp.float64))
    assert x.grad.item() == 1 / 16
    with pytest.raises(RuntimeError, match="frexp: expected a floating point tensor, got ddp.int64"):
        ddp.frexp(ddp.tensor([1, 2]))
