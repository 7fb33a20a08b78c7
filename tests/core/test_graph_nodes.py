"""autograd.graph: node pre-hooks and hooks on recorded ops and on a leaf's AccumulateGrad (in PyTorch's order
relative to tensor hooks), the accumulator as a lasting object (Horovod's gradient-ready trigger),
register_multi_grad_hook in both modes, get_gradient_edge, increment_version. Each scenario runs on ddp and,
where installed, on PyTorch, and must log the same events."""
import gc
import importlib
import weakref

import numpy as np
import pytest

import ddp
from tests.core.op_helpers import each_library


def _graph(lib):
    return importlib.import_module(lib.__name__ + ".autograd.graph")


def _values(grads):
    return [None if g is None else g.detach().numpy().tolist() for g in grads]


@each_library
def test_hooks_run_in_pytorchs_order(lib):
    log = []
    p = lib.ones(2, requires_grad=True)
    acc = p.view_as(p).grad_fn.next_functions[0][0]
    assert acc is p.view_as(p).grad_fn.next_functions[0][0] and acc.name().endswith("AccumulateGrad")
    acc.register_prehook(lambda go: log.append(("acc pre", _values(go), p.grad is None)))
    acc.register_hook(lambda gi, go: log.append(("acc post", _values(gi), _values(go), p.grad is None)))
    p.register_hook(lambda g: log.append(("p hook",)))
    p.register_post_accumulate_grad_hook(lambda t: log.append(("p accumulated",)))
    y = p * 3
    y.grad_fn.register_prehook(lambda go: log.append(("mul pre", _values(go))))
    y.grad_fn.register_hook(lambda gi, go: log.append(("mul post", _values(gi), _values(go))))
    y.register_hook(lambda g: log.append(("y hook",)))
    y.sum().backward()
    assert log == [("y hook",), ("mul pre", [[1.0, 1.0]]), ("mul post", [[3.0, 3.0], None], [[1.0, 1.0]]),
                   ("p hook",), ("acc pre", [[3.0, 3.0]], True), ("p accumulated",),
                   ("acc post", [], [[3.0, 3.0]], False)]


@each_library
def test_hooks_replace_gradients(lib):
    u = lib.ones(2, requires_grad=True)
    v = u * 2
    v.grad_fn.register_prehook(lambda go: (go[0] * 100,))
    v.sum().backward()
    assert u.grad.tolist() == [200.0, 200.0]
    z = lib.ones(2, requires_grad=True)
    w = z * 2 + 1
    w.grad_fn.register_hook(lambda gi, go: tuple(None if g is None else g * 10 for g in gi))
    w.sum().backward()
    assert z.grad.tolist() == [20.0, 20.0]
    a = lib.ones(2, requires_grad=True)
    acc = a.view_as(a).grad_fn.next_functions[0][0]
    acc.register_prehook(lambda go: (go[0] + 5,))
    (a * 1).sum().backward()
    assert a.grad.tolist() == [6.0, 6.0]


@each_library
def test_grad_inputs_have_the_inputs_shapes(lib):
    shapes = []
    a, b = lib.ones(3, 1, requires_grad=True), lib.ones(4, requires_grad=True)
    c = a + b
    c.grad_fn.register_hook(lambda gi, go: shapes.append([tuple(g.shape) for g in gi] + [tuple(go[0].shape)]))
    c.sum().backward()
    assert shapes == [[(3, 1), (4,), (3, 4)]] and a.grad.tolist() == [[4.0]] * 3


@each_library
def test_autograd_grad_runs_only_the_hooks_of_what_it_asks_for(lib):
    log = []
    q, r = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
    acc = q.view_as(q).grad_fn.next_functions[0][0]
    acc.register_hook(lambda gi, go: log.append("acc"))
    q.register_hook(lambda g: log.append("q"))
    r.register_hook(lambda g: log.append("r"))
    (g,) = lib.autograd.grad((q * r).sum(), q)
    assert log == ["q"] and g.tolist() == [1.0, 1.0] and q.grad is None


def test_gradient_ready_trigger_as_horovod_uses_it():
    """One hook per parameter on its accumulator: each fires once its .grad is complete, in backward order."""
    ddp.manual_seed(0)
    model = ddp.nn.Sequential(ddp.nn.Linear(3, 4), ddp.nn.Tanh(), ddp.nn.Linear(4, 2))
    ready, keep = [], []
    for name, p in model.named_parameters():
        acc = p.expand_as(p).grad_fn.next_functions[0][0]
        acc.register_hook(lambda *_, name=name, p=p: ready.append((name, p.grad is not None)))
        keep.append(acc)
    for _ in range(2):
        model.zero_grad()
        ready.clear()
        model(ddp.randn(5, 3)).sum().backward()
        assert sorted(ready) == sorted((n, True) for n, _ in model.named_parameters())
        assert ready[0][0].startswith("2.")  # the last layer's gradients are ready first


def test_the_accumulator_does_not_keep_its_leaf_alive():
    p = ddp.ones(2, requires_grad=True)
    acc = p.view_as(p).grad_fn.next_functions[0][0]
    alive = weakref.ref(p)
    del p
    gc.collect()
    assert alive() is None and acc.variable is None


@each_library
def test_nodes_and_edges(lib):
    graph = _graph(lib)
    x = lib.ones(2, requires_grad=True)
    y = x * 2
    assert isinstance(y.grad_fn, graph.Node) and isinstance(y.grad_fn.next_functions[0][0], graph.Node)
    assert not isinstance(3, graph.Node)
    edge = graph.get_gradient_edge(y)
    assert edge.node is y.grad_fn and edge.output_nr == 0
    assert graph.get_gradient_edge(x).node is y.grad_fn.next_functions[0][0]
    with pytest.raises(RuntimeError, match="does not require gradients"):
        graph.get_gradient_edge(lib.ones(1))
    y.grad_fn.metadata["note"] = "kept"
    assert y.grad_fn.metadata == {"note": "kept"}


@each_library
def test_multi_grad_hook_all_mode(lib):
    graph = _graph(lib)
    calls = []
    a, b = lib.rand(2, 3, requires_grad=True), lib.rand(2, 3, requires_grad=True)
    c, d = a * b, a * b
    handle = graph.register_multi_grad_hook((a, b, c, d), lambda grads: calls.append([g is not None for g in grads]))
    c.sum().backward(retain_graph=True)
    c.sum().backward(inputs=(a,), retain_graph=True)
    (c + d).sum().backward(retain_graph=True)
    assert calls == [[True, True, True, False], [True, False, True, False], [True, True, True, True]]
    handle.remove()
    c.sum().backward()
    assert len(calls) == 3


@each_library
def test_multi_grad_hook_any_mode(lib):
    graph = _graph(lib)
    calls = []
    x1, x2 = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
    graph.register_multi_grad_hook((x1, x2), lambda g: calls.append(g.tolist()), mode="any")
    (x1 * 2 + x2 * 3).sum().backward()
    (x1 * 5).sum().backward()
    assert len(calls) == 2 and calls[0] in ([2.0, 2.0], [3.0, 3.0]) and calls[1] == [5.0, 5.0]
    with pytest.raises(ValueError, match="mode to be one of"):
        graph.register_multi_grad_hook((x1,), print, mode="some")


def test_node_hooks_under_create_graph():
    x = ddp.tensor([1.5, -0.5], dtype=ddp.float64, requires_grad=True)
    y = x ** 3
    y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
    y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, gi[1]))
    (g,) = ddp.autograd.grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 2 * 3 * x.detach().numpy() ** 2 + 1)
    (gg,) = ddp.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 2 * 6 * x.detach().numpy())


def test_a_prehook_must_return_one_gradient():
    y = ddp.ones(2, requires_grad=True) * 2
    y.grad_fn.register_prehook(lambda go: (go[0], go[0]))
    with pytest.raises(RuntimeError, match="tuple of 1 gradient"):
        y.sum().backward()


@each_library
def test_increment_version_invalidates_saved_tensors(lib):
    graph = _graph(lib)
    x = lib.ones(2, requires_grad=True)
    w = lib.ones(2)
    y = (x * w).sum()
    graph.increment_version(w)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    with graph.save_on_cpu():
        (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_accumulator_hooks_and_their_checks_under_create_graph():
    """The recorded backward runs a leaf's AccumulateGrad hooks as the first-order one does, and checks what
    node hooks return the same way."""
    log = []
    x = ddp.tensor([1.0, 2.0], dtype=ddp.float64, requires_grad=True)
    acc = x.view_as(x).grad_fn.next_functions[0][0]
    acc.register_prehook(lambda go: (go[0] * 2,))
    acc.register_hook(lambda gi, go: log.append((gi, go[0].tolist())))
    (x ** 2).sum().backward(create_graph=True)
    assert x.grad.tolist() == [4.0, 8.0] and log == [((), [4.0, 8.0])] and x.grad.requires_grad
    y = x * 3
    y.grad_fn.register_hook(lambda gi, go: (gi[0],))  # one gradient where MulBackward has two inputs
    with pytest.raises(RuntimeError, match="tuple of 2 gradients"):
        ddp.autograd.grad(y.sum(), x, create_graph=True)
