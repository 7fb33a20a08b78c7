"""torch.autograd.graph.saved_tensors_hooks (autograd_saved_hooks.py): pack at save, unpack at backward, on
built-in ops and custom Functions, as PyTorch; the innermost hooks apply; disable_saved_tensors_hooks refuses."""
import numpy as np
import pytest

from tests.core.op_helpers import each_library


def _logging_hooks(lib, log, x):
    def pack(t):
        log.append(("pack", tuple(t.shape), t is x))
        return t * 1  # a computation inside the hook saves nothing through it
    def unpack(t):
        log.append(("unpack", tuple(t.shape)))
        return t
    return lib.autograd.graph.saved_tensors_hooks(pack, unpack)


@each_library
def test_pack_when_saved_and_unpack_when_read(lib):
    log = []
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with _logging_hooks(lib, log, x):
        z = (x * x).exp().sum()
    assert log == [("pack", (3,), True), ("pack", (3,), True), ("pack", (3,), False)]
    z.backward()
    assert log[3:] == [("unpack", (3,))] * 3
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.arange(1.0, 4.0) * np.exp(np.arange(1.0, 4.0) ** 2), rtol=1e-6)


@each_library
def test_hooks_that_transform_keep_the_gradient(lib):
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(lambda t: (t * 2).numpy(), lambda a: lib.tensor(a) / 2):
        (x.sin() * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos(x.detach().numpy()) * x.detach().numpy()
                               + np.sin(x.detach().numpy()), rtol=1e-6)


@each_library
def test_custom_functions_pack_their_saved_tensors(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return 2 * a * grad

    log = []
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with _logging_hooks(lib, log, x):
        y = Square.apply(x).sum()
    y.backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0] and log == [("pack", (3,), True), ("unpack", (3,))]


@each_library
def test_the_innermost_hooks_apply_and_outside_nothing_is_packed(lib):
    outer, inner = [], []
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    graph = lib.autograd.graph
    with graph.saved_tensors_hooks(lambda t: outer.append(1) or t, lambda t: t):
        with graph.saved_tensors_hooks(lambda t: inner.append(1) or t, lambda t: t):
            a = x.exp()
        b = x.exp()
    c = x.exp()
    (a + b + c).sum().backward()
    assert (len(inner), len(outer)) == (1, 1)
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.exp([1.0, 2.0]), rtol=1e-6)


@each_library
def test_disable_refuses_and_save_on_cpu_is_harmless(lib):
    graph = lib.autograd.graph
    with graph.disable_saved_tensors_hooks("not in this region"):
        with pytest.raises(RuntimeError, match="not in this region"):
            with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with graph.save_on_cpu(pin_memory=True):
        y = (x * x).sum()
    y.backward()
    assert x.grad.tolist() == [2.0, 4.0]


@each_library
def test_a_retained_graph_unpacks_again_and_a_freed_one_refuses(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    unpacked = []
    with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: unpacked.append(1) or t):
        y = x.exp().sum()
    y.backward(retain_graph=True)
    y.backward()
    assert len(unpacked) == 2 and x.grad.tolist() == pytest.approx(list(2 * np.exp([1.0, 2.0])))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_second_derivatives_read_unpacked_values():
    import ddp

    x = ddp.tensor([0.5, 1.5], dtype=ddp.float64, requires_grad=True)
    with ddp.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
        y = (x ** 3).sum()
    (g,) = ddp.autograd.grad(y, x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy())
