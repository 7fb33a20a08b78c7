"""The recorded graph is freed by reference counting alone: no node may hold a reference back to its own
output, or every activation would wait for Python's cyclic collector (memory that grows, then is
freed in bursts, instead of being reused while still in cache)."""
import gc
import weakref

import numpy as np
import pytest

import ddp
import ddp.nn.functional as F


@pytest.fixture
def no_cyclic_gc():
    enabled = gc.isenabled()
    gc.disable()
    yield
    if enabled:
        gc.enable()


def _train(model, opt, x, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()


def _graph(x, w):
    """A small graph whose ops save their outputs (relu, exp, sigmoid, softmax) and their inputs."""
    h = F.relu(F.linear(x, w))
    return (h.exp() + h.sigmoid() + F.softmax(h, dim=1)).sum()


def test_a_graph_never_run_backward_is_freed_when_dropped(no_cyclic_gc):
    x, w = ddp.randn(4, 3), ddp.randn(5, 3, requires_grad=True)
    loss = _graph(x, w)
    nodes = [weakref.ref(loss.grad_fn)]
    stack = [loss.grad_fn]
    while stack:  # every node of the graph
        for child, _ in stack.pop().next_functions:
            if child is not None and hasattr(child, "saved_tensors"):
                nodes.append(weakref.ref(child))
                stack.append(child)
    assert len(nodes) >= 6
    del loss, stack, child
    assert [n() for n in nodes] == [None] * len(nodes)


def test_activations_are_freed_after_backward_without_the_collector(no_cyclic_gc):
    x, w = ddp.randn(4, 3), ddp.randn(5, 3, requires_grad=True)
    h = F.relu(F.linear(x, w))
    kept = weakref.ref(h)
    (h * 2).sum().backward()
    del h
    assert kept() is None
    assert w.grad is not None


def test_an_inplace_write_to_a_saved_output_is_still_caught():
    x = ddp.randn(4, 3, requires_grad=True)
    y = x.exp()  # saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*shape \\(4, 3\\)"):
        y.sum().backward()


def test_memory_stays_flat_over_training_steps(no_cyclic_gc):
    """Steps of an MLP leave no garbage behind for the collector."""
    model = ddp.nn.Sequential(ddp.nn.Linear(8, 16), ddp.nn.ReLU(), ddp.nn.Linear(16, 3))
    opt = ddp.optim.SGD(model.parameters(), lr=0.1)
    x, y = ddp.randn(5, 8), ddp.tensor(np.array([0, 1, 2, 0, 1]))
    _train(model, opt, x, y, 3)
    gc.collect()
    _train(model, opt, x, y, 20)
    assert gc.collect() == 0


@pytest.mark.parametrize("name", ["mlp", "cnn", "cnn2"])
def test_seed_model_steps_leave_no_garbage(name, no_cyclic_gc):
    """Conv, pooling, flatten and the losses too: a momentum-SGD step of each seed model, and of the model
    under DistributedDataParallel (one local rank), frees everything by reference counting."""
    from ddp.models import build
    from ddp.parallel import DistributedDataParallel, LocalCommunicator

    x, y = ddp.randn(2, 1, 28, 28), ddp.tensor(np.array([3, 7]))
    for model in (build(name), DistributedDataParallel(build(name), comm=LocalCommunicator())):
        opt = ddp.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        _train(model, opt, x, y, 2)
        gc.collect()
        _train(model, opt, x, y, 2)
        assert gc.collect() == 0
