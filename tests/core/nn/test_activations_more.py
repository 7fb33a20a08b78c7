"""The activations beyond ReLU/sigmoid/tanh/GELU: numpy references, float64 gradchecks off the kinks,
float32 in and out, module reprs, errors, and torch parity of outputs and gradients."""
import sys
from pathlib import Path

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/core, for op_helpers
from op_helpers import forward32, gradcheck, sample  # noqa: E402

A, S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name: (ddp function, numpy reference, kinks to keep samples away from, torch.nn.functional call)
CASES = {
    "elu": (lambda x: F.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1)), (0.0,),
            lambda tf, x: tf.elu(x, 0.7)),
    "celu": (lambda x: F.celu(x, 1.5), lambda x: np.maximum(x, 0) + np.minimum(0, 1.5 * (np.exp(x / 1.5) - 1)),
             (0.0,), lambda tf, x: tf.celu(x, 1.5)),
    "selu": (F.selu, lambda x: S * np.where(x > 0, x, A * (np.exp(x) - 1)), (0.0,), lambda tf, x: tf.selu(x)),
    "softplus": (lambda x: F.softplus(x, beta=2.0, threshold=1.0), lambda x: _softplus(x, 2.0, 1.0), (0.5,),
                 lambda tf, x: tf.softplus(x, beta=2.0, threshold=1.0)),
    "softplus_default": (F.softplus, _softplus, (), lambda tf, x: tf.softplus(x)),
    "mish": (F.mish, lambda x: x * np.tanh(_softplus(x)), (), lambda tf, x: tf.mish(x)),
    "logsigmoid": (F.logsigmoid, lambda x: np.log(_sigmoid(x)), (), lambda tf, x: tf.logsigmoid(x)),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x)), (0.0,), lambda tf, x: tf.softsign(x)),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x), (), lambda tf, x: tf.tanhshrink(x)),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 0.8), lambda x: np.clip(x, -0.5, 0.8), (-0.5, 0.8),
                 lambda tf, x: tf.hardtanh(x, -0.5, 0.8)),
    "relu6": (lambda x: F.relu6(4 * x), lambda x: np.clip(4 * x, 0, 6), (0.0, 1.5), lambda tf, x: tf.relu6(4 * x)),
    "hardsigmoid": (lambda x: F.hardsigmoid(3 * x), lambda x: np.clip(3 * x + 3, 0, 6) / 6, (-1.0, 1.0),
                    lambda tf, x: tf.hardsigmoid(3 * x)),
    "hardswish": (lambda x: F.hardswish(3 * x), lambda x: 3 * x * np.clip(3 * x + 3, 0, 6) / 6, (-1.0, 1.0),
                  lambda tf, x: tf.hardswish(3 * x)),
    "threshold": (lambda x: F.threshold(x, 0.3, -2.0), lambda x: np.where(x > 0.3, x, -2.0), (0.3,),
                  lambda tf, x: tf.threshold(x, 0.3, -2.0)),
    "hardshrink": (lambda x: F.hardshrink(x, 0.4), lambda x: np.where(np.abs(x) > 0.4, x, 0), (-0.4, 0.4),
                   lambda tf, x: tf.hardshrink(x, 0.4)),
    "softshrink": (lambda x: F.softshrink(x, 0.4), lambda x: np.where(np.abs(x) > 0.4, x - np.sign(x) * 0.4, 0),
                   (-0.4, 0.4), lambda tf, x: tf.softshrink(x, 0.4)),
}


def _samples(shape, kinks, seed=0):
    return sample(shape, seed=seed, avoid=kinks)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("shape", [(), (7,), (2, 3, 4)])
def test_gradient_matches_finite_differences(name, shape):
    fn, _, kinks, _ = CASES[name]
    assert gradcheck(fn, _samples(shape, kinks))


@pytest.mark.parametrize("name", CASES)
def test_forward_matches_numpy_and_stays_float32(name):
    fn, ref, kinks, _ = CASES[name]
    forward32(fn, ref, _samples((3, 5), kinks))


def test_softplus_and_logsigmoid_do_not_overflow():
    x = ddp.tensor([-200.0, -30.0, 0.0, 30.0, 200.0])
    np.testing.assert_allclose(F.softplus(x).numpy(), [0, np.exp(-30), np.log(2), 30, 200], rtol=1e-6)
    np.testing.assert_allclose(F.logsigmoid(x).numpy(), [-200, -30, -np.log(2), -np.exp(-30), 0], rtol=1e-6)
    assert np.isfinite(F.mish(x).numpy()).all()


def test_prelu_gradients_for_shared_and_per_channel_weights():
    x = sample((2, 3, 4), avoid=(0.0,))
    assert gradcheck(lambda x, w: F.prelu(x, w), x, np.array([0.25]))
    assert gradcheck(lambda x, w: F.prelu(x, w), x, np.array([0.1, -0.3, 0.7]))
    assert gradcheck(lambda x, w: F.prelu(x, w), sample((5,), avoid=(0.0,)), np.array([0.4]))
    w = np.array([0.1, -0.3, 0.7])
    out = F.prelu(ddp.tensor(x), ddp.tensor(w)).numpy()
    np.testing.assert_allclose(out, np.where(x > 0, x, x * w[:, None]))


def test_glu_and_softmin_references_and_gradients():
    x = sample((3, 4, 2))
    a, b = x[:, :2], x[:, 2:]
    np.testing.assert_allclose(F.glu(ddp.tensor(x), dim=1).numpy(), a / (1 + np.exp(-b)), rtol=1e-12)
    e = np.exp(-x)
    np.testing.assert_allclose(F.softmin(ddp.tensor(x), dim=-1).numpy(), e / e.sum(-1, keepdims=True), rtol=1e-12)
    assert gradcheck(lambda t: F.glu(t, 1), x)
    assert gradcheck(lambda t: F.softmin(t, 0), x)
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is size 3"):
        F.glu(ddp.randn(2, 3), dim=1)
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
        nn.Softmax2d()(ddp.randn(2, 3))


def test_prelu_module_parameter_and_init():
    m = nn.PReLU(3, init=0.1)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == [("weight", (3,))]
    np.testing.assert_array_equal(m.weight.numpy(), np.full(3, 0.1, dtype=np.float32))
    assert m.weight.dtype == np.float32 and repr(m) == "PReLU(num_parameters=3)"


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.hardtanh(ddp.randn(3), 2.0, 1.0), ValueError, "min_val cannot be greater than max_val"),
    (lambda: nn.Hardtanh(2.0, 1.0), ValueError, "min_val cannot be greater than max_val"),
    (lambda: F.celu(ddp.randn(3), 0.0), RuntimeError, "alpha cannot be 0 for CELU"),
    (lambda: F.prelu(ddp.randn(2, 3), ddp.ones(4)), RuntimeError, "parameter numbers = 4 and channel size = 3"),
    (lambda: F.prelu(ddp.randn(3), ddp.ones(3)), RuntimeError, "parameter numbers = 3 and channel size = 1"),
    (lambda: F.prelu(ddp.randn(2, 3), ddp.ones(1, 3)), RuntimeError, "scalar or 1D tensor, but got: ndim = 2"),
    (lambda: F.elu(ddp.arange(3)), NotImplementedError, "elu: expected a floating point input, got ddp.int64"),
    (lambda: F.softshrink(ddp.randn(3), -1.0), RuntimeError, "softshrink: lambda must be non-negative"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


MODULES = [  # (ddp module, torch module name, arguments)
    ("ELU", ()), ("ELU", (0.5, True)), ("CELU", (2.0,)), ("SELU", ()), ("SELU", (True,)), ("PReLU", ()),
    ("PReLU", (6, 0.1)), ("Softplus", ()), ("Softplus", (2.0, 5.0)), ("Hardtanh", ()), ("Hardtanh", (0, 6, True)),
    ("ReLU6", ()), ("ReLU6", (True,)), ("Threshold", (0.1, 20)), ("Hardsigmoid", ()), ("Hardswish", (True,)),
    ("Mish", ()), ("LogSigmoid", ()), ("Softsign", ()), ("Tanhshrink", ()), ("Hardshrink", ()), ("Softshrink", (0.3,)),
    ("GLU", ()), ("GLU", (1,)), ("Softmin", (1,)), ("Softmax2d", ()),
]


@pytest.mark.parametrize("name, args", MODULES)
def test_modules_match_torch_repr_outputs_and_gradients(name, args):
    torch = pytest.importorskip("torch")
    m, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(m) == repr(tm)
    x = (np.random.default_rng(1).standard_normal((4, 6, 8)) * 4).astype(np.float32)
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(xd), tm(xt.clone() if getattr(tm, "inplace", False) else xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = np.random.default_rng(2).standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    for (k, p), (tk, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert k == tk
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", CASES)
def test_functional_forms_match_torch(name):
    torch = pytest.importorskip("torch")
    fn, _, _, tfn = CASES[name]
    x = (np.random.default_rng(3).standard_normal((6, 7)) * 3).astype(np.float32)
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = fn(xd), tfn(torch.nn.functional, xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


EXTREMES = [-np.inf, -100.0, -1e-6, 0.0, 1e-6, 100.0, np.inf]


def test_infinities_and_extremes_without_overflow():
    x = ddp.tensor(EXTREMES)
    with np.errstate(divide="raise", over="raise"):
        elu, sp, ls = F.elu(x).numpy(), F.softplus(x).numpy(), F.logsigmoid(x).numpy()
    np.testing.assert_allclose(elu, [-1, -1, -1e-6, 0, 1e-6, 100, np.inf], rtol=1e-6)
    np.testing.assert_allclose(sp, [0, 0, np.log(2), np.log(2), np.log(2), 100, np.inf], rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(ls, [-np.inf, -100, -np.log(2), -np.log(2), -np.log(2), 0, 0], rtol=1e-6, atol=1e-30)
    y = ddp.tensor([-np.inf, -5.0, 1.0, np.inf], requires_grad=True)
    with np.errstate(invalid="ignore"):  # hardswish(-inf) = -inf * 0 is nan, as in PyTorch
        F.hardswish(y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [0, 0, 1 / 3 + 0.5, 1])


@pytest.mark.parametrize("name", ["elu", "celu", "selu", "softplus", "logsigmoid", "mish", "hardswish", "hardsigmoid",
                                  "tanhshrink"])  # softsign: ours is the limit at +-inf where PyTorch's is nan
def test_infinities_and_extremes_match_torch_values_and_gradients(name):
    torch = pytest.importorskip("torch")
    xd = ddp.tensor(EXTREMES, requires_grad=True)
    xt = torch.tensor(EXTREMES, dtype=torch.float32, requires_grad=True)
    with np.errstate(invalid="ignore"):  # where PyTorch gives nan (inf * 0), so do we
        out = getattr(F, name)(xd)
        out.sum().backward()
    tout = getattr(torch.nn.functional, name)(xt)
    tout.sum().backward()
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-10)
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-10)  # tanh(1e-6)^2: 1e-12


def test_expm1_and_log1p_stand_ins_are_accurate_to_a_few_ulps_in_float32():
    from ddp.core.ops import nonlinearity as nl
    x = -np.logspace(-12, 2, 20001).astype(np.float32)
    rel = np.abs(nl._expm1_nonpositive(x) - np.expm1(x.astype(np.float64))) / -np.expm1(x.astype(np.float64))
    assert rel.max() < 8 * 2.0 ** -24
    u = np.logspace(-30, 0, 20001).astype(np.float32)
    rel = np.abs(nl._log1p_unit(u) - np.log1p(u.astype(np.float64))) / np.log1p(u.astype(np.float64))
    assert rel.max() < 8 * 2.0 ** -24
