"""xlogy, hypot, copysign, fmax, fmin, nextafter, ldexp (with gradients), heaviside, gcd, lcm and the bit
shifts: float64 gradient checks on broadcasting pairs, values and gradients against torch, the special
points (zeros, nan, ties), dtypes of the results, Python-number operands and errors."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, apart, forward32, gradcheck, leaf, sample

INF, NAN = float("inf"), float("nan")
PAIRS = [((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1), (1, 4)), ((4,), (4,))]

# name: (ddp function, torch function name, how to draw the pair)
DIFFERENTIABLE = {
    "xlogy": (ddp.xlogy, "xlogy", "real-pos"),
    "hypot": (ddp.hypot, "hypot", "real"),
    "copysign": (ddp.copysign, "copysign", "real"),
    "fmax": (ddp.fmax, "fmax", "apart"),
    "fmin": (ddp.fmin, "fmin", "apart"),
    "ldexp": (ddp.ldexp, "ldexp", "real"),
}


def _pair(kind, shapes, seed=0):
    if kind == "apart":
        return apart(*shapes, seed=seed)
    a = sample(shapes[0], seed=seed)
    b = sample(shapes[1], "pos" if kind == "real-pos" else "real", seed=seed + 100)
    return a, b


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
@pytest.mark.parametrize("shapes", PAIRS, ids=str)
def test_gradients_and_torch(name, shapes):
    fn, torch_name, kind = DIFFERENTIABLE[name]
    a, b = _pair(kind, shapes)
    assert gradcheck(fn, a, b)
    assert gradcheck(lambda t, u: getattr(t, name)(u) * 3.0, a, b)  # the method form
    torch = pytest.importorskip("torch")
    against_torch(fn, getattr(torch, torch_name), a, b)


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_float32_stays_float32(name):
    torch = pytest.importorskip("torch")
    fn, torch_name, kind = DIFFERENTIABLE[name]
    a, b = _pair(kind, ((2, 3), (3,)))
    ref = lambda x, y: getattr(torch, torch_name)(torch.tensor(x), torch.tensor(y)).numpy()  # noqa: E731
    forward32(fn, ref, a, b)


def test_special_points_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([0.0, 0.0, 1.0, 2.0, -0.0, 0.0, NAN, 3.0, 2.0])
    b = np.array([0.0, NAN, -1.0, 2.0, 1.0, -0.0, 1.0, NAN, INF])
    for name in ("xlogy", "hypot", "copysign", "fmax", "fmin", "nextafter", "ldexp"):
        x, y = leaf(a), leaf(b)
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        with np.errstate(all="ignore"):
            out = getattr(ddp, name)(x, y)
            expected = getattr(torch, name)(tx, ty)
            np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy(), err_msg=name)
            if name == "ldexp":
                continue  # torch's 2^nan and 0 * inf gradients are its formula's, not worth copying
            out.sum().backward()
            expected.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy(), err_msg=name)
        np.testing.assert_array_equal(y.grad.numpy(), ty.grad.numpy(), err_msg=name)


def test_xlog1py_and_xlogy_zero_rules():
    torch = pytest.importorskip("torch")
    x, y = np.array([0.0, 0.0, 0.0, 2.0]), np.array([NAN, -1.0, 3.0, 0.5])
    for fn, tfn in ((ddp.xlogy, torch.xlogy), (ddp.special.xlog1py, torch.special.xlog1py)):
        np.testing.assert_array_equal(fn(ddp.tensor(x), ddp.tensor(y)).numpy(),
                                      tfn(torch.tensor(x), torch.tensor(y)).numpy())
    a, b = sample((2, 3)), sample((3,), "pos")
    assert gradcheck(ddp.special.xlog1py, a, b)
    against_torch(ddp.special.xlog1py, torch.special.xlog1py, a, b)


def test_python_numbers_and_promotion():
    f32, f64, i64 = ddp.tensor([1.0, 2.0]), ddp.tensor([1.0, 2.0], dtype=ddp.float64), ddp.tensor([1, 2])
    assert ddp.xlogy(2, f32).dtype == np.float32 and ddp.xlogy(f64, 3).dtype == np.float64
    assert ddp.xlogy(i64, 3).dtype == np.float32 and ddp.xlogy(i64, i64).dtype == np.float32
    assert ddp.xlogy(i64, f64).dtype == np.float64 and ddp.xlogy(f32, f64).dtype == np.float64
    assert ddp.copysign(i64, -1).dtype == np.float32 and ddp.copysign(i64, -1).tolist() == [-1.0, -2.0]
    assert ddp.hypot(f32, i64).dtype == np.float32
    assert ddp.ldexp(i64, i64).tolist() == [2.0, 8.0] and ddp.ldexp(i64, i64).dtype == np.float32
    assert ddp.ldexp(f64, ddp.tensor([1000, 2])).tolist() == [2.0 ** 1000, 8.0]
    assert ddp.fmax(i64, ddp.tensor([0, 5])).tolist() == [1, 5] and ddp.fmax(i64, 2).dtype == np.int64
    assert ddp.fmin(i64, ddp.tensor([0.5, NAN])).tolist() == [0.5, 2.0]
    assert ddp.nextafter(f32, ddp.tensor([2.0, 0.0], dtype=ddp.float64)).dtype == np.float64
    assert ddp.nextafter(ddp.tensor([1.0]), 2.0).item() == np.nextafter(np.float32(1), np.float32(2))


def test_non_differentiable_ops_against_torch():
    torch = pytest.importorskip("torch")
    x = np.array([-1.5, 0.0, -0.0, 2.0, NAN])
    for values in (np.array([0.5]), np.array([0.25, 1.0, 2.0, 3.0, 4.0])):
        out = ddp.heaviside(ddp.tensor(x), ddp.tensor(values))
        np.testing.assert_array_equal(out.numpy(), torch.heaviside(torch.tensor(x), torch.tensor(values)).numpy())
    ints = np.array([-1, 0, 3])
    assert ddp.tensor(ints).heaviside(ddp.tensor([7])).tolist() == [0, 7, 1]
    assert ddp.heaviside(ddp.tensor([True, False]), ddp.tensor([True])).tolist() == [True, True]
    assert ddp.heaviside(ddp.tensor([0.0, 1.0]), 0.5).tolist() == [0.5, 1.0]
    a, b = np.array([-4, 6, 0, 12, 0]), np.array([6, -4, 0, 18, 5])
    for name in ("gcd", "lcm"):
        out = getattr(ddp.tensor(a), name)(ddp.tensor(b))
        np.testing.assert_array_equal(out.numpy(), getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy())
        assert out.dtype == np.int64
    assert ddp.gcd(ddp.tensor([4], dtype=ddp.int32), ddp.tensor([6])).dtype == np.int64
    assert ddp.gcd(ddp.tensor([4], dtype=ddp.int16), 6).dtype == np.int16


def test_bit_shifts_against_torch():
    torch = pytest.importorskip("torch")
    a = np.array([1, -8, 3, 5, -1, 7])
    b = np.array([2, 1, 64, 65, 70, -1])
    for name, op in (("bitwise_left_shift", "__lshift__"), ("bitwise_right_shift", "__rshift__")):
        out = getattr(ddp, name)(ddp.tensor(a), ddp.tensor(b))
        expected = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        np.testing.assert_array_equal(out.numpy(), expected.numpy())
        np.testing.assert_array_equal(getattr(ddp.tensor(a), op)(2).numpy(), getattr(torch.tensor(a), op)(2).numpy())
    assert (2 << ddp.tensor([1, 3])).tolist() == [4, 16] and (64 >> ddp.tensor([1, 3])).tolist() == [32, 8]
    small = ddp.tensor([1, -128], dtype=ddp.int8)
    assert (small << 7).tolist() == [-128, 0] and (small << 7).dtype == np.int8
    assert (small >> 9).tolist() == [0, -1] and (small >> 200).tolist() == [0, -1]
    assert (small << -1).tolist() == [0, 0] and (small << 1000).dtype == np.int8
    assert (small << ddp.tensor([1, 1])).dtype == np.int64
    assert (ddp.tensor([True, False]) << 1).tolist() == [2, 0]
    assert ddp.tensor([3, 4]).bitwise_left_shift(1).tolist() == [6, 8]
    assert ddp.tensor([3, 4]).bitwise_right_shift(ddp.tensor([1, 2])).tolist() == [1, 1]


def test_errors():
    f, i = ddp.tensor([1.0]), ddp.tensor([1])
    with pytest.raises(NotImplementedError, match="hypot: needs a floating point input, got ddp.int64 and ddp.int64"):
        ddp.hypot(i, i)
    with pytest.raises(NotImplementedError, match="nextafter: expected floating point tensors, got ddp.int64"):
        ddp.nextafter(i, f)
    with pytest.raises(NotImplementedError, match="gcd: expected integer tensors, got ddp.float32"):
        ddp.gcd(f, i)
    with pytest.raises(NotImplementedError, match="lcm: expected integer tensors, got ddp.bool"):
        ddp.lcm(ddp.tensor([True]), ddp.tensor([True]))
    with pytest.raises(NotImplementedError, match="bitwise_left_shift: expected integer tensors"):
        f << 1
    with pytest.raises(NotImplementedError, match="bitwise_right_shift: expected integer tensors"):
        ddp.tensor([True]) >> ddp.tensor([True])
    with pytest.raises(RuntimeError, match="heaviside: x and values must have the same dtype, got ddp.float32 and ddp.int64"):
        ddp.heaviside(f, i)
    with pytest.raises(RuntimeError, match="xlogy: shapes \\(2,\\) and \\(3,\\) cannot be broadcast"):
        ddp.xlogy(ddp.zeros(2), ddp.zeros(3))
    with pytest.raises(RuntimeError, match="fmax: shapes"):
        ddp.fmax(ddp.zeros(2), ddp.zeros(3))


def test_error_types_match_torch():
    torch = pytest.importorskip("torch")
    cases = [("hypot", [1], [2]), ("nextafter", [1], [2]), ("gcd", [1.0], [2.0]), ("bitwise_left_shift", [1.5], [1])]
    for name, a, b in cases:
        with pytest.raises(Exception) as theirs:
            getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        with pytest.raises(theirs.type):
            getattr(ddp, name)(ddp.tensor(a), ddp.tensor(b))
