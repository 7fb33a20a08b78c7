"""PyTorch-style custom autograd Functions (autograd_function.py): forward and backward on Tensors, several
outputs, mark_dirty / mark_non_differentiable, setup_context, double backward, once_differentiable."""
import numpy as np
import pytest

import ddp

Function = ddp.autograd.Function


class LegendreP3(Function):
    """PyTorch's tutorial example: P3(x) = (5x^3 - 3x) / 2, its derivative written by hand."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x ** 3 - 3 * x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 1.5 * (5 * x ** 2 - 1)


class GradReverse(Function):
    """Domain adaptation's gradient reversal layer: identity forward, -lambda * g backward."""

    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -ctx.lam * g, None


class StraightThroughSign(Function):
    @staticmethod
    def forward(ctx, x):
        return x.sign()

    @staticmethod
    def backward(ctx, g):
        return g


class ExpSavingOutput(Function):
    """Saves its output, as PyTorch's docs' Exp does: a recorded backward must reach x through it."""

    @staticmethod
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class SortWithIndices(Function):
    @staticmethod
    def forward(ctx, x):
        values, index = x.sort()
        ctx.mark_non_differentiable(index)
        ctx.save_for_backward(index)
        return values, index

    @staticmethod
    def backward(ctx, g_values, g_index):
        (index,) = ctx.saved_tensors
        assert g_index.tolist() == [0] * len(g_index)  # zeros for a non-differentiable output
        return ddp.zeros_like(g_values).scatter(0, index, g_values)


class SinCos(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin(), x.cos()

    @staticmethod
    def backward(ctx, g_sin, g_cos):
        (x,) = ctx.saved_tensors
        return g_sin * x.cos() - g_cos * x.sin()


class ScaleSetup(Function):
    """PyTorch 2's form: forward without ctx, setup_context after it."""

    @staticmethod
    def forward(x, k):
        return x * k

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.k = inputs[1]

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


def _x(*shape, seed=0, dtype=ddp.float64):
    return ddp.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=dtype, requires_grad=True)


def test_forward_and_backward_see_tensors():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen["forward"] = (type(x), ddp.is_grad_enabled())
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, g):
            seen["backward"] = type(g)
            return g

    x = _x(3)
    y = Probe.apply(x)
    y.sum().backward()
    assert seen == {"forward": (ddp.Tensor, False), "backward": ddp.Tensor}
    assert y.grad_fn.name() == "ProbeBackward" and repr(y.grad_fn).startswith("<ProbeBackward object at 0x")


@pytest.mark.parametrize("fn", [LegendreP3.apply, ExpSavingOutput.apply, lambda x: SinCos.apply(x)[0] * SinCos.apply(x)[1],
                                lambda x: ScaleSetup.apply(x, 2.5)],
                         ids=["legendre", "exp_saving_output", "sincos", "setup_context"])
def test_gradients_and_second_derivatives_match_finite_differences(fn):
    x = _x(2, 3)
    assert ddp.autograd.gradcheck(fn, (x,))
    assert ddp.autograd.gradgradcheck(fn, (x,))


def test_gradient_reversal_and_straight_through():
    x = _x(4)
    GradReverse.apply(x, 0.3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), -0.3)
    y = _x(4, seed=1)
    StraightThroughSign.apply(y).mul(ddp.arange(4.0, dtype=ddp.float64)).sum().backward()
    assert y.grad.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_non_tensor_arguments_and_trailing_nones():
    x = _x(3)
    y = GradReverse.apply(x, 2.0)
    y.sum().backward()
    assert x.grad.tolist() == [-2.0] * 3


def test_non_differentiable_output_and_zeros_for_it():
    x = ddp.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, index = SortWithIndices.apply(x)
    assert values.requires_grad and not index.requires_grad and index.grad_fn is None
    assert values.grad_fn.name() == "SortWithIndicesBackward"
    values[0].backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_several_outputs_one_used():
    x = _x(3)
    s, c = SinCos.apply(x)
    c.sum().backward()  # s gets no gradient: its share reaches backward as zeros
    np.testing.assert_allclose(x.grad.numpy(), -np.sin(x.detach().numpy()))


def test_mark_dirty_returns_the_input_with_a_new_node():
    class DoubleInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return 2 * g

    leaf = _x(3)
    z = leaf * 1
    out = DoubleInPlace.apply(z)
    assert out is z and out.grad_fn.name() == "DoubleInPlaceBackward"
    out.sum().backward()
    assert leaf.grad.tolist() == [2.0] * 3


def test_no_graph_without_inputs_that_require_grad_or_under_no_grad():
    x = ddp.ones(2)
    assert not LegendreP3.apply(x).requires_grad
    with ddp.no_grad():
        assert not LegendreP3.apply(_x(2)).requires_grad


def test_wrong_number_of_gradients_is_reported_as_pytorch_does():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=r"function BadBackward returned an incorrect number of gradients"):
        Bad.apply(_x(2), _x(2)).sum().backward()


def test_once_differentiable_refuses_a_recorded_backward():
    class Once(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @ddp.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = _x(3)
    (g,) = ddp.autograd.grad(Once.apply(x).sum(), x)
    np.testing.assert_allclose(g.numpy(), 2 * x.detach().numpy())
    with pytest.raises(RuntimeError, match="once_differentiable"):
        ddp.autograd.grad(Once.apply(x).sum(), x, create_graph=True)


def test_saved_input_modified_in_place_is_detected():
    x = _x(3)
    z = x * 1
    y = LegendreP3.apply(z)
    z.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_float32_stays_float32():
    x = _x(3, dtype=ddp.float32)
    y = LegendreP3.apply(x)
    y.sum().backward()
    assert y.dtype == ddp.float32 and x.grad.dtype == ddp.float32


def test_against_pytorch():
    torch = pytest.importorskip("torch")

    def make(lib):
        class P3(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return 0.5 * (5 * x ** 3 - 3 * x)

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * 1.5 * (5 * x ** 2 - 1)
        return P3

    data = np.random.default_rng(3).standard_normal(5)
    results = []
    for lib in (ddp, torch):
        x = lib.tensor(data, requires_grad=True)
        y = make(lib).apply(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        results.append([y.detach().numpy(), g.detach().numpy(), h.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
