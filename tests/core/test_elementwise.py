"""Elementwise ops: numpy forward in float32, float64 gradient checks over shapes with broadcasting, dtypes."""
import numpy as np
import pytest

import ddp
from op_helpers import apart, forward32, gradcheck, sample

SHAPES = [(), (3,), (2, 3)]
PAIRS = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((3, 1), (1, 4)), ((), (2, 3)), ((2, 1, 3), (4, 1)), ((2, 3), ())]

# name: (ddp function, numpy reference, domain of the samples, kinks to stay away from)
UNARY = {
    "neg": (lambda x: -x, np.negative, "real", ()),
    "exp": (ddp.exp, np.exp, "real", ()),
    "log": (ddp.log, np.log, "pos", ()),
    "sqrt": (ddp.sqrt, np.sqrt, "pos", ()),
    "abs": (ddp.abs, np.abs, "real", (0.0,)),
    "tanh": (ddp.tanh, np.tanh, "real", ()),
    "sigmoid": (ddp.sigmoid, lambda x: 1 / (1 + np.exp(-x)), "real", ()),
    "relu": (ddp.relu, lambda x: np.maximum(x, 0), "real", (0.0,)),
    "sin": (ddp.sin, np.sin, "real", ()),
    "cos": (ddp.cos, np.cos, "real", ()),
    "square": (ddp.square, np.square, "real", ()),
    "rsqrt": (ddp.rsqrt, lambda x: 1 / np.sqrt(x), "pos", ()),
    "clamp": (lambda x: ddp.clamp(x, -0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5), "real", (-0.5, 0.5)),
    "clamp_min": (lambda x: x.clamp(min=0.2), lambda x: np.maximum(x, 0.2), "real", (0.2,)),
    "clamp_max": (lambda x: x.clamp(max=0.2), lambda x: np.minimum(x, 0.2), "real", (0.2,)),
    "pow_scalar": (lambda x: x ** 3, lambda x: x ** 3, "real", ()),
    "pow_frac": (lambda x: x ** 0.5, np.sqrt, "pos", ()),
    "rpow": (lambda x: 2.0 ** x, lambda x: 2.0 ** x, "real", ()),
    "add_scalar": (lambda x: x + 2.5, lambda x: x + 2.5, "real", ()),
    "radd": (lambda x: 2 + x, lambda x: 2 + x, "real", ()),
    "rsub": (lambda x: 1.5 - x, lambda x: 1.5 - x, "real", ()),
    "mul_scalar": (lambda x: x * 3, lambda x: x * 3, "real", ()),
    "rdiv": (lambda x: 1.0 / x, lambda x: 1.0 / x, "pos", ()),
    "div_scalar": (lambda x: x / 4, lambda x: x / 4, "real", ()),
    "method_exp": (lambda x: x.exp(), np.exp, "real", ()),
    "method_relu": (lambda x: x.relu(), lambda x: np.maximum(x, 0), "real", (0.0,)),
    "method_sigmoid": (lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), "real", ()),
}

BINARY = {
    "add": (lambda a, b: a + b, np.add, "real"),
    "sub": (lambda a, b: a - b, np.subtract, "real"),
    "mul": (lambda a, b: a * b, np.multiply, "real"),
    "div": (lambda a, b: a / b, np.divide, "pos"),
    "pow": (lambda a, b: a ** b, np.power, "pos"),
    "fn_add": (ddp.add, np.add, "real"),
    "fn_mul": (ddp.mul, np.multiply, "real"),
    "fn_pow": (ddp.pow, np.power, "pos"),
    "maximum": (ddp.maximum, np.maximum, "apart"),
    "minimum": (ddp.minimum, np.minimum, "apart"),
}


def _unary_sample(name, shape):
    _, _, domain, kinks = UNARY[name]
    return sample(shape, domain, seed=len(shape), avoid=kinks)


def _pair(name, sa, sb):
    domain = BINARY[name][2]
    if domain == "apart":
        return apart(sa, sb)
    return sample(sa, domain, seed=1), sample(sb, domain, seed=2)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary_grad(name, shape):
    assert gradcheck(UNARY[name][0], _unary_sample(name, shape))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary_forward(name, shape):
    fn, ref, _, _ = UNARY[name]
    forward32(fn, ref, _unary_sample(name, shape))


@pytest.mark.parametrize("sa,sb", PAIRS, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_grad(name, sa, sb):
    assert gradcheck(BINARY[name][0], *_pair(name, sa, sb))


@pytest.mark.parametrize("sa,sb", PAIRS, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_forward(name, sa, sb):
    fn, ref, _ = BINARY[name]
    forward32(fn, ref, *_pair(name, sa, sb))


def test_maximum_ties_split_the_gradient():
    a, b = ddp.tensor([1.0, 2.0], requires_grad=True), ddp.tensor([1.0, 0.0], requires_grad=True)
    ddp.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]


def test_relu_gradient_at_zero_is_zero():
    x = ddp.tensor([0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]


def test_sigmoid_is_stable_for_large_inputs():
    x = ddp.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = ddp.sigmoid(x)
        y.sum().backward()
    assert y.tolist() == [0.0, 0.5, 1.0]
    assert x.grad.tolist() == [0.0, 0.25, 0.0]


@pytest.mark.parametrize("fn", [
    lambda x: x + 1, lambda x: x * 2.5, lambda x: x / 3, lambda x: 1 - x, lambda x: x ** 2, lambda x: 2 ** x,
    lambda x: x * np.float64(2.0), lambda x: np.float64(2.0) * x, lambda x: x + ddp.tensor([1, 2, 3]),
    lambda x: x * ddp.tensor(2), lambda x: ddp.maximum(x, 0.5), lambda x: ddp.where(x > 0, x, 0.0),
    lambda x: x.clamp(-1, 1), lambda x: ddp.masked_fill(x, x > 0, -1e9),
], ids=lambda f: "")
def test_float32_stays_float32_with_scalars_and_ints(fn):
    x = ddp.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("fn", [
    lambda x: x + 0.5, lambda x: x / ddp.tensor([2, 2, 2]), lambda x: ddp.exp(x), lambda x: ddp.sqrt(x),
    lambda x: x * 1.5, lambda x: ddp.sigmoid(x), lambda x: x.float(), lambda x: ddp.softmax(x, 0),
], ids=lambda f: "")
def test_integer_tensors_promote_to_float32(fn):
    assert fn(ddp.tensor([1, 2, 3])).dtype == np.float32


def test_integer_arithmetic_stays_int64():
    x = ddp.tensor([1, 2, 3])
    assert (x + 1).dtype == np.int64 and (x * x).dtype == np.int64 and (-x).dtype == np.int64


def test_float64_stays_float64():
    x = ddp.tensor([1.0, 2.0], dtype=ddp.float64, requires_grad=True)
    y = (x * 2.0 + 1).exp()
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float64


def test_float32_with_float64_promotes_like_torch():
    a = ddp.ones(2, requires_grad=True)
    b = ddp.ones(2, dtype=ddp.float64, requires_grad=True)
    y = a * b
    assert y.dtype == np.float64
    y.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparisons_give_bool_without_grad(op):
    a = ddp.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    b = ddp.tensor([[2.0], [1.0]])
    out = getattr(a, op)(b)
    expected = getattr(np, {"eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal",
                            "gt": "greater", "ge": "greater_equal"}[op])(a.numpy(), b.numpy())
    assert out.dtype == np.bool_ and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), expected)


def test_comparison_operators_and_scalars():
    x = ddp.tensor([1.0, 2.0, 3.0])
    assert (x > 1.5).tolist() == [False, True, True]
    assert (x == 2).tolist() == [False, True, False]
    assert (2 < x).tolist() == [False, False, True]
    assert (~(x >= 2)).tolist() == [True, False, False]
    assert ((x > 1) & (x < 3)).tolist() == [False, True, False]


@pytest.mark.parametrize("sc,sx,sy", [((3,), (3,), (3,)), ((2, 3), (3,), ()), ((3, 1), (1, 4), (3, 4)), ((), (2,), (2,))],
                         ids=str)
def test_where(sc, sx, sy):
    cond = np.random.default_rng(0).random(sc) > 0.5
    x, y = sample(sx, seed=1), sample(sy, seed=2)
    assert gradcheck(lambda a, b: ddp.where(ddp.tensor(cond), a, b), x, y)
    forward32(lambda a, b: ddp.where(ddp.tensor(cond), a, b), lambda a, b: np.where(cond, a, b), x, y)


def test_where_method_and_scalar_branches():
    x = ddp.tensor([-1.0, 2.0], requires_grad=True)
    y = x.where(x > 0, 0.0)
    assert y.tolist() == [0.0, 2.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("sx,sm", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 3), (2, 1)), ((), ())], ids=str)
def test_masked_fill(sx, sm):
    mask = np.random.default_rng(1).random(sm) > 0.5
    x = sample(sx)
    assert gradcheck(lambda a: ddp.masked_fill(a, ddp.tensor(mask), -2.0), x)
    forward32(lambda a: a.masked_fill(ddp.tensor(mask), -2.0), lambda a: np.where(mask, np.float32(-2), a), x)


def test_pow_zero_exponent_has_zero_gradient_at_zero():
    x = ddp.tensor([0.0, 2.0], requires_grad=True)
    (x ** 0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_mul_saves_only_the_operand_backward_reads():
    a, b = ddp.randn(3, requires_grad=True), ddp.randn(3)
    z = a * b
    a.detach().add_(0)  # bumps a's version; a is not what a's own gradient reads, so no error
    z.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.numpy())


def test_integer_numpy_arrays_keep_their_dtype():
    assert ddp.tensor(np.arange(3, dtype=np.int32)).dtype == ddp.int32
    assert ddp.tensor([1, 2]).dtype == ddp.int64


def test_sign_is_zero_at_nan_as_in_torch():
    x = np.array([np.nan, -2.0, -0.0, 0.0, 3.0], dtype=np.float32)
    for f in (ddp.sign, ddp.sgn, lambda t: t.sign()):
        out = f(ddp.tensor(x))
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), [0.0, -1.0, 0.0, 0.0, 1.0])
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(ddp.sign(ddp.tensor(x)).numpy(), torch.sign(torch.tensor(x)).numpy())


# -------------------------------------------------------------------------- pow as PyTorch rounds it
@pytest.mark.parametrize("exponent, exact", [
    (2.0, lambda a: a * a), (3.0, lambda a: a * a * a), (-2.0, lambda a: 1 / (a * a)), (0.5, np.sqrt),
    (-0.5, lambda a: 1 / np.sqrt(a)), (-1.0, lambda a: 1 / a), (3, lambda a: a * a * a),
])
def test_pow_of_float32_by_the_exponents_pytorch_writes_out(exponent, exact):
    """PyTorch computes x ** 3 as x * x * x, x ** -0.5 as 1 / sqrt(x), ... (numpy's power rounds otherwise)."""
    x = np.random.default_rng(6).uniform(0.01, 5.0, 1000).astype(np.float32)
    out = ddp.tensor(x) ** exponent
    assert out.dtype == ddp.float32
    np.testing.assert_array_equal(out.numpy(), exact(x))
    torch = pytest.importorskip("torch")
    if exponent != 0.5:  # PyTorch's vectorised sqrt is itself an ulp off the exact one at times
        np.testing.assert_array_equal(out.numpy(), (torch.tensor(x) ** exponent).numpy())


def test_pow_of_float32_otherwise_stays_in_float32_within_an_ulp_of_pytorch():
    """Other exponents use numpy's float32 power (no float64 upcast): within an ulp of PyTorch's."""
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0.01, 5.0, 2000).astype(np.float32), rng.uniform(-3, 3, 2000).astype(np.float32)
    ours = ddp.pow(ddp.tensor(x), ddp.tensor(y)).numpy()
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, (x.astype(np.float64) ** y.astype(np.float64)), rtol=3e-7)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(ours, torch.pow(torch.tensor(x), torch.tensor(y)).numpy(), rtol=3e-7)


@pytest.mark.parametrize("exponent", [2, 3, -2, 0.5, -0.5, -1, 2.7, -2.5, 0])
def test_pow_of_special_values_is_silent_and_as_torch(exponent, recwarn):
    values = [0.0, -0.0, -1.0, 2.0, float("inf"), -float("inf"), float("nan")]
    out = (ddp.tensor(values) ** exponent).tolist()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    torch = pytest.importorskip("torch")
    assert str(out) == str((torch.tensor(values) ** exponent).tolist())


def test_pow_gradient_of_float32_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(8).uniform(0.1, 3.0, 200).astype(np.float32)
    for exponent in (3.0, -2.0, 1.5):
        ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        (ours ** exponent).sum().backward()
        (theirs ** exponent).sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=2e-7)
    assert (ddp.tensor([2, 3]) ** 2).dtype == ddp.int64 and (ddp.tensor([2, 3]) ** 0.5).dtype == ddp.float32
