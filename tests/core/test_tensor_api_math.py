"""The elementwise math of the Tensor API (log1p, erf, rounding, atan2, lerp, ...): numpy references in
float32, float64 gradient checks, dtypes, and the same results as torch where it is installed."""
import math

import numpy as np
import pytest

import ddp
from op_helpers import forward32, gradcheck, sample

SHAPES = [(), (3,), (2, 3)]

# name: (fn(module, x) -- module is ddp or torch, numpy reference, domain, kinks)
UNARY = {
    "log1p": (lambda m, x: m.log1p(x), np.log1p, "pos", ()),
    "expm1": (lambda m, x: m.expm1(x), np.expm1, "real", ()),
    "erf": (lambda m, x: m.erf(x), np.vectorize(math.erf), "real", ()),
    "sinh": (lambda m, x: m.sinh(x), np.sinh, "real", ()),
    "cosh": (lambda m, x: m.cosh(x), np.cosh, "real", ()),
    "asin": (lambda m, x: m.asin(x), np.arcsin, "unit", ()),
    "acos": (lambda m, x: m.acos(x), np.arccos, "unit", ()),
    "atan": (lambda m, x: m.atan(x), np.arctan, "real", ()),
    "exp2": (lambda m, x: m.exp2(x), np.exp2, "real", ()),
    "log2": (lambda m, x: m.log2(x), np.log2, "pos", ()),
    "log10": (lambda m, x: m.log10(x), np.log10, "pos", ()),
    "reciprocal": (lambda m, x: m.reciprocal(x), np.reciprocal, "pos", ()),
    "square": (lambda m, x: x.square(), np.square, "real", ()),
    "frac": (lambda m, x: m.frac(x * 3), lambda x: np.modf(x * 3)[0], "real", ()),
    "method_log1p": (lambda m, x: x.log1p(), np.log1p, "pos", ()),
    "method_erf": (lambda m, x: x.erf(), np.vectorize(math.erf), "real", ()),
    "lerp": (lambda m, x: m.lerp(x, x * x, 0.3), lambda x: x + 0.3 * (x * x - x), "real", ()),
    "addcmul": (lambda m, x: m.addcmul(x, x, x + 1, value=0.5), lambda x: x + 0.5 * x * (x + 1), "real", ()),
    "addcdiv": (lambda m, x: x.addcdiv(x, x + 3, value=2), lambda x: x + 2 * x / (x + 3), "pos", ()),
    "clamp_tensor_min": (lambda m, x: x.clamp(min=x * 0 + 0.2), lambda x: np.maximum(x, 0.2), "real", (0.2,)),
    "remainder": (lambda m, x: x % 0.7, lambda x: np.remainder(x, 0.7), "pos", (0.7, 1.4)),
    "fmod": (lambda m, x: m.fmod(-x, 0.7), lambda x: np.fmod(-x, 0.7), "pos", (0.7, 1.4)),
}


def _sample(name, shape):
    return sample(shape, UNARY[name][2], seed=len(shape) + 3, avoid=UNARY[name][3] or (0.0,))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary_grad(name, shape):
    fn = UNARY[name][0]
    assert gradcheck(lambda x: fn(ddp, x), _sample(name, shape))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary_forward_float32(name, shape):
    fn, ref, _, _ = UNARY[name]
    forward32(lambda x: fn(ddp, x), ref, _sample(name, shape))


@pytest.mark.parametrize("name", UNARY)
def test_unary_matches_torch(name):
    torch = pytest.importorskip("torch")
    fn = UNARY[name][0]
    x = _sample(name, (4, 5)).astype(np.float32)
    ours = fn(ddp, ddp.tensor(x)).numpy()
    theirs = fn(torch, torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-6)


def test_erf_float32_is_accurate_everywhere_and_stays_float32():
    x = np.concatenate([np.linspace(-6, 6, 20001), [0.0, 1e-6, -1e-6, 1e-30]]).astype(np.float32)
    out = ddp.erf(ddp.tensor(x))
    assert out.dtype == np.float32
    exact = np.array([math.erf(float(v)) for v in x])
    rel = np.abs(out.numpy() - exact) / np.maximum(np.abs(exact), 1e-30)
    assert rel.max() < 5e-7


def test_erf_float64_is_exact_to_double_precision():
    x = np.linspace(-7, 7, 5001)
    exact = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(ddp.erf(ddp.tensor(x)).numpy(), exact, rtol=1e-13, atol=1e-15)


def test_erf_helper_for_gelu_takes_numpy_arrays():
    from ddp.core.ops.special import erf

    a = np.array([0.5, -1.0], dtype=np.float32)
    assert erf(a).dtype == np.float32
    np.testing.assert_allclose(erf(a), [math.erf(0.5), math.erf(-1.0)], rtol=1e-6)


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "sign"])
def test_rounding_values_dtypes_and_zero_gradient(name):
    x = np.array([-2.5, -1.5, -0.7, 0.2, 0.5, 1.5, 2.5, 3.7])
    ref = {"floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc, "sign": np.sign}[name]
    t = ddp.tensor(x, requires_grad=True)
    out = getattr(ddp, name)(t)
    np.testing.assert_array_equal(out.numpy(), ref(x))
    out.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.zeros(8))
    ints = getattr(ddp.tensor([3, -2]), name)()
    assert ints.dtype == np.int64 and ints.tolist() == ref(np.array([3, -2])).tolist()


def test_round_decimals_and_half_to_even():
    assert ddp.round(ddp.tensor([0.5, 1.5, 2.5, -0.5])).tolist() == [0.0, 2.0, 2.0, -0.0]
    np.testing.assert_allclose(ddp.tensor([1.2345, -2.5678]).round(decimals=2).numpy(), [1.23, -2.57], rtol=1e-6)


def test_integer_inputs_give_float32_as_torch():
    for fn in (ddp.log1p, ddp.erf, ddp.reciprocal, ddp.exp2, ddp.sinh, ddp.atan):
        assert fn(ddp.tensor([1, 2])).dtype == np.float32
    assert ddp.atan2(ddp.tensor([1]), ddp.tensor([2])).dtype == np.float32


def test_atan2_grad_forward_and_broadcast():
    a, b = sample((2, 3), seed=1), sample((3,), "pos", seed=2)
    assert gradcheck(ddp.atan2, a, b)
    forward32(ddp.atan2, np.arctan2, a, b)
    assert gradcheck(lambda y, x: y.atan2(x), sample((), seed=3), sample((2,), seed=4))


def test_div_rounding_modes_and_floor_divide():
    a = ddp.tensor([7.0, -7.0, 5.5])
    assert ddp.div(a, 2, rounding_mode="floor").tolist() == [3.0, -4.0, 2.0]
    assert a.div(2, rounding_mode="trunc").tolist() == [3.0, -3.0, 2.0]
    ints = ddp.tensor([7, -7])
    assert (ints // 2).tolist() == [3, -4] and (ints // 2).dtype == np.int64
    assert ddp.div(ints, 2, rounding_mode="trunc").tolist() == [3, -3]
    assert (ints % 3).tolist() == [1, 2] and ddp.fmod(ints, 3).tolist() == [1, -1]
    assert ddp.div(ints, 2).dtype == np.float32
    with pytest.raises(RuntimeError, match="rounding_mode"):  # as torch
        ddp.div(a, 2, rounding_mode="up")


def test_lerp_rejects_integers():
    with pytest.raises(RuntimeError, match="lerp: expected floating point"):
        ddp.lerp(ddp.tensor([1]), ddp.tensor([2]), 0.5)


def test_logical_and_bitwise_ops():
    a, b = ddp.tensor([True, True, False]), ddp.tensor([True, False, False])
    assert (a & b).tolist() == [True, False, False] and (a | b).tolist() == [True, True, False]
    assert (a ^ b).tolist() == [False, True, False] and (~a).tolist() == [False, False, True]
    assert (a & True).tolist() == [True, True, False]
    assert ddp.logical_and(ddp.tensor([1.0, 0.0]), ddp.tensor([2, 3])).tolist() == [True, False]
    assert ddp.logical_or(ddp.tensor([0, 0]), ddp.tensor([0, 1])).tolist() == [False, True]
    assert ddp.tensor([1.0, 0.0]).logical_xor(ddp.tensor([1.0, 1.0])).tolist() == [False, True]
    ints = ddp.tensor([1, 2]) & ddp.tensor([3, 1])
    assert ints.tolist() == [1, 0] and ints.dtype == np.int64
    assert (~ddp.tensor([1, 2])).tolist() == [-2, -3]
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~ddp.tensor([1.0])
    with pytest.raises(TypeError, match="bitwise_and: only integer and bool"):
        ddp.tensor([1.0]) & ddp.tensor([1.0])


def test_isinf_isnan_isfinite_isclose_allclose():
    x = ddp.tensor([1.0, float("inf"), -float("inf"), float("nan")])
    assert x.isinf().tolist() == [False, True, True, False]
    assert x.isnan().tolist() == [False, False, False, True]
    assert x.isfinite().tolist() == [True, False, False, False]
    assert ddp.isposinf(x).tolist() == [False, True, False, False]
    a, b = ddp.tensor([1.0, 2.0]), ddp.tensor([1.0 + 1e-7, 2.1])
    assert ddp.isclose(a, b).tolist() == [True, False] and not ddp.allclose(a, b)
    assert a.allclose(a + 1e-9) and ddp.allclose(x, x, equal_nan=True) and not ddp.allclose(x, x)
    with pytest.raises(RuntimeError, match="isclose: expected both inputs to have the same dtype"):
        ddp.isclose(ddp.tensor([1]), ddp.tensor([1.0]))


def test_comparison_methods_and_aliases_match_torch():
    torch = pytest.importorskip("torch")
    x, y = np.array([1.0, 2.0, 3.0], dtype=np.float32), np.array([2.0, 2.0, 1.0], dtype=np.float32)
    for name in ("eq", "ne", "lt", "le", "gt", "ge", "greater", "less_equal", "not_equal", "maximum", "minimum"):
        ours = getattr(ddp.tensor(x), name)(ddp.tensor(y)).numpy()
        theirs = getattr(torch.tensor(x), name)(torch.tensor(y)).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=name)
