"""The engine: accumulation, retain_graph, grad modes, autograd.grad, deep graphs, custom Functions."""
import threading

import numpy as np
import pytest

import ddp
Function = ddp.autograd.Function  # `from ddp.autograd import Function` needs an alias in ddp/__init__.py


def test_backward_accumulates_across_calls():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_a_tensor_used_twice_gets_the_sum_of_both_paths():
    x = ddp.tensor(3.0, requires_grad=True)
    y = x * x + x.exp() * x
    y.backward()
    assert np.isclose(x.grad.item(), 2 * 3 + np.exp(3) * 4, rtol=1e-6)


def test_broadcast_gradients_are_reduced_to_each_input_shape():
    a = ddp.ones(3, 1, requires_grad=True)
    b = ddp.ones(4, requires_grad=True)
    c = ddp.tensor(2.0, requires_grad=True)
    (a * b * c).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[8.0]] * 3
    assert b.grad.shape == (4,) and b.grad.tolist() == [6.0] * 4
    assert c.grad.shape == () and c.grad.item() == 12.0


def test_backward_with_gradient_argument():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(ddp.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 20.0]


def test_grad_does_not_alias_the_given_gradient():
    a, b = ddp.tensor([1.0, 2.0], requires_grad=True), ddp.tensor([3.0, 4.0], requires_grad=True)
    gradient = ddp.tensor([1.0, 1.0])
    (a + b).backward(gradient)
    a.grad.zero_()
    b.grad.add_(1.0)
    (a + b).backward(gradient)
    assert gradient.tolist() == [1.0, 1.0] and a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [3.0, 3.0]


def test_leaf_grads_do_not_alias_each_other():
    a, b = ddp.ones(2, requires_grad=True), ddp.ones(2, requires_grad=True)
    (a + b).sum().backward()
    a.grad.add_(5.0)
    assert b.grad.tolist() == [1.0, 1.0]


def test_second_backward_through_a_freed_graph_raises():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_saved_arrays_are_freed_after_backward():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.sum().backward()
    assert y.grad_fn.saved_tensors is None


def test_backward_stops_at_detach_and_at_tensors_without_grad():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    c = ddp.tensor([5.0, 5.0])
    (x * c + x.detach() * 100).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0] and c.grad is None


def test_non_leaf_grad_is_not_kept_unless_retain_grad():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    h, k = x * 2, x * 3
    k.retain_grad()
    (h * k).sum().backward()
    assert h.grad is None
    assert k.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("depth", [5000])
def test_deep_graph_has_no_recursion_limit(depth):
    x = ddp.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(depth):
        y = y * 1.0001
    y.backward()
    assert np.isclose(x.grad.item(), 1.0001 ** depth, rtol=1e-3)
    del y  # freeing a deep graph must not overflow the stack either


def test_graph_with_many_shared_nodes_is_walked_once_per_node():
    x = ddp.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(200):
        y = y + y * 0.0  # every node consumed twice: 2**200 paths if walked naively
    y.backward()
    assert x.grad.item() == 1.0


# --------------------------------------------------------------------------------------------- grad mode
def test_no_grad_context_records_nothing():
    x = ddp.ones(2, requires_grad=True)
    with ddp.no_grad():
        y = x * 2
        assert not ddp.is_grad_enabled()
    assert ddp.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_no_grad_decorator():
    @ddp.no_grad()
    def f(t):
        return t * 2

    x = ddp.ones(2, requires_grad=True)
    assert not f(x).requires_grad and (x * 2).requires_grad
    assert f.__name__ == "f"


def test_enable_grad_inside_no_grad():
    x = ddp.ones(2, requires_grad=True)
    with ddp.no_grad():
        with ddp.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_set_grad_enabled_as_context_call_and_decorator():
    x = ddp.ones(2, requires_grad=True)
    with ddp.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ddp.is_grad_enabled()
    ddp.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        ddp.set_grad_enabled(True)

    @ddp.set_grad_enabled(False)
    def f():
        return (x * 2).requires_grad

    assert ddp.is_grad_enabled() and f() is False and ddp.is_grad_enabled()


def test_no_grad_restores_on_exception():
    with pytest.raises(ValueError):
        with ddp.no_grad():
            raise ValueError
    assert ddp.is_grad_enabled()


def test_grad_mode_is_per_thread():
    seen = []
    with ddp.no_grad():
        t = threading.Thread(target=lambda: seen.append(ddp.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# ------------------------------------------------------------------------------------------ autograd.grad
def test_autograd_grad_returns_gradients_without_touching_dot_grad():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    (gx, gh) = ddp.autograd.grad((h * 3).sum(), [x, h])
    assert gx.tolist() == [6.0, 12.0] and gh.tolist() == [3.0, 3.0]
    assert x.grad is None


def test_autograd_grad_allow_unused():
    x, unused = ddp.ones(2, requires_grad=True), ddp.ones(2, requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        ddp.autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = ddp.autograd.grad(y, [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gu is None


def test_autograd_grad_with_grad_outputs_and_retain_graph():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    (g1,) = ddp.autograd.grad(y, x, grad_outputs=ddp.tensor([1.0, 0.0]), retain_graph=True)
    (g2,) = ddp.autograd.grad([y], [x], grad_outputs=[ddp.tensor([0.0, 1.0])])
    np.testing.assert_allclose(g1.numpy() + g2.numpy(), np.exp([1.0, 2.0]), rtol=1e-6)


def test_autograd_grad_of_an_input_that_does_not_require_grad_raises():
    x, c = ddp.ones(2, requires_grad=True), ddp.ones(2)
    with pytest.raises(RuntimeError, match="does not require grad"):
        ddp.autograd.grad((x * c).sum(), [c])


def test_autograd_backward_function():
    x = ddp.ones(2, requires_grad=True)
    ddp.autograd.backward([(x * 2).sum(), (x * 3).sum()])
    assert x.grad.tolist() == [5.0, 5.0]


# ------------------------------------------------------------------------------------------ Function
class Cube(Function):
    @staticmethod
    def forward(ctx, x, scale=1.0):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return scale * x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * ctx.scale * x ** 2


class MulAdd(Function):
    """a * b + c, using needs_input_grad to skip work."""

    @staticmethod
    def forward(ctx, a, b, c):
        ctx.save_for_backward(a, b)
        return a * b + c

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = grad * b if ctx.needs_input_grad[0] else None
        gb = grad * a if ctx.needs_input_grad[1] else None
        return ga, gb, grad


def test_custom_function():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x, scale=2.0)
    assert y.tolist() == [2.0, 16.0] and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0]


def test_custom_function_gradcheck_and_broadcasting():
    a = ddp.randn(2, 3, dtype=ddp.float64, requires_grad=True)
    b = ddp.randn(3, dtype=ddp.float64, requires_grad=True)
    c = ddp.randn(1, dtype=ddp.float64, requires_grad=True)
    assert ddp.autograd.gradcheck(MulAdd.apply, (a, b, c))
    assert ddp.autograd.gradcheck(lambda t: Cube.apply(t), (b,))


def test_custom_function_sees_needs_input_grad():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    Probe.apply(ddp.ones(1, requires_grad=True), ddp.ones(1))
    with ddp.no_grad():
        Probe.apply(ddp.ones(1, requires_grad=True), ddp.ones(1))
    assert seen == [(True, False), (False, False)]


def test_custom_function_returning_the_wrong_number_of_gradients_is_reported():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match=r"function BadBackward returned an incorrect number of gradients \(expected 2, got 1\)"):
        Bad.apply(ddp.ones(2, requires_grad=True), ddp.ones(2, requires_grad=True)).sum().backward()

