"""gradcheck itself: it must fail on a backward that is off by a relative 1e-4, at its default tolerances."""
import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
from ddp.core.gradcheck import GradcheckError
from ddp.core.ops import conv as conv_ops, elementwise, reduce
from op_helpers import gradcheck, sample

Function = ddp.autograd.Function


class Square(Function):
    """x^2; d/dx = 2x, or a planted `factor` times that."""

    factor = 2.0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Square.factor * x


def scale_backward(monkeypatch, op, factor, which):
    """Plant a bug: `op.backward` returns the gradient of input `which` multiplied by `factor`."""
    original = op.backward

    def backward(ctx, g):
        grads = original(ctx, g)
        single = not isinstance(grads, tuple)
        grads = [grads] if single else list(grads)
        grads[which] = grads[which] * factor
        return grads[0] if single else tuple(grads)

    monkeypatch.setattr(op, "backward", staticmethod(backward))


# (name, function, input arrays, Function class whose backward gets the planted error, index of that input)
CASES = [
    ("mul_a", lambda a, b: a * b, (sample((3, 4)), sample((4,), seed=1)), elementwise.Mul, 0),
    ("mul_b", lambda a, b: a * b, (sample((3, 4)), sample((4,), seed=1)), elementwise.Mul, 1),
    ("softmax", lambda x: ddp.softmax(x, 1), (sample((3, 5)),), reduce.Softmax, 0),
    ("log_softmax", lambda x: ddp.log_softmax(x, 0), (sample((4, 3)),), reduce.LogSoftmax, 0),
    ("conv2d_input", lambda x, w, b: F.conv2d(x, w, b, padding=1),
     (sample((2, 2, 4, 4)), sample((3, 2, 3, 3), seed=1), sample((3,), seed=2)), conv_ops.Conv2d, 0),
    ("conv2d_weight", lambda x, w, b: F.conv2d(x, w, b, padding=1),
     (sample((2, 2, 4, 4)), sample((3, 2, 3, 3), seed=1), sample((3,), seed=2)), conv_ops.Conv2d, 1),
    ("conv2d_bias", lambda x, w, b: F.conv2d(x, w, b, padding=1),
     (sample((2, 2, 4, 4)), sample((3, 2, 3, 3), seed=1), sample((3,), seed=2)), conv_ops.Conv2d, 2),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, fn, arrays, op, which", CASES, ids=IDS)
def test_the_correct_backward_passes_with_room_to_spare(name, fn, arrays, op, which):
    assert gradcheck(fn, *arrays)
    assert gradcheck(fn, *arrays, atol=1e-8, rtol=1e-6)  # 10x tighter still passes: the defaults are not marginal


@pytest.mark.parametrize("factor", [1 + 1e-4, 1 - 1e-4, 1 + 1e-3])
@pytest.mark.parametrize("name, fn, arrays, op, which", CASES, ids=IDS)
def test_a_planted_relative_error_of_1e4_fails(monkeypatch, name, fn, arrays, op, which, factor):
    scale_backward(monkeypatch, op, factor, which)
    with pytest.raises(GradcheckError, match=f"gradient of input {which} "):
        gradcheck(fn, *arrays)


@pytest.mark.parametrize("factor", [2.0 * (1 + 1e-4), 2.0 * (1 - 1e-4), 2.0 * (1 + 1e-3)])
def test_a_custom_function_off_by_a_little_fails(monkeypatch, factor):
    monkeypatch.setattr(Square, "factor", factor)
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(5,\)\) differs at"):
        gradcheck(Square.apply, sample((5,), seed=3))
    assert gradcheck(Square.apply, sample((5,), seed=3), raise_exception=False) is False


def test_a_custom_function_with_the_right_derivative_passes():
    assert gradcheck(Square.apply, sample((5,), seed=3))


def test_gradcheck_wants_float64():
    with pytest.raises(ValueError, match="input 0 is ddp.float32; finite differences need float64"):
        ddp.autograd.gradcheck(lambda t: t * 2, (ddp.ones(2, requires_grad=True),))


def test_gradcheck_handles_tuple_outputs_at_its_defaults():
    x = ddp.tensor([0.5, 1.5], dtype=ddp.float64, requires_grad=True)
    assert ddp.autograd.gradcheck(lambda t: (t.exp(), t.sin()), x)


def test_an_error_in_one_output_of_a_tuple_is_seen(monkeypatch):
    scale_backward(monkeypatch, elementwise.Mul, 1 + 1e-4, 0)
    x = ddp.tensor([0.5, 1.5], dtype=ddp.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="input 0"):
        ddp.autograd.gradcheck(lambda t: (t.exp(), t * 3.0), x)


def test_a_missing_gradient_counts_as_zero_and_fails():
    x, y = (ddp.tensor(np.array([0.5, 1.5]), dtype=ddp.float64, requires_grad=True) for _ in range(2))
    with pytest.raises(GradcheckError, match="gradient of input 1"):
        ddp.autograd.gradcheck(lambda a, b: a * b.detach(), (x, y))


def test_perturbs_non_contiguous_inputs_in_place():
    # a transposed leaf: reshape(-1) would perturb a copy, and the numerical gradient would read zero
    x = ddp.tensor(sample((3, 4)).T, dtype=ddp.float64, requires_grad=True)
    assert not x.numpy().flags.c_contiguous
    assert ddp.autograd.gradcheck(lambda t: Square.apply(t), (x,))
    Square.factor = 2.0001
    try:
        with pytest.raises(GradcheckError):
            ddp.autograd.gradcheck(lambda t: Square.apply(t), (x,))
    finally:
        Square.factor = 2.0
