"""Tensor hooks (may replace the gradient) and post-accumulate-grad hooks on leaves."""
import pytest

import ddp


def test_hook_sees_and_replaces_the_gradient_of_a_leaf():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]] and x.grad.tolist() == [30.0, 30.0]


def test_hook_on_a_non_leaf_changes_what_flows_further():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: g + 1)
    (h * 3).sum().backward()
    assert x.grad.tolist() == [8.0, 8.0]


def test_hook_returning_none_keeps_the_gradient():
    x = ddp.ones(2, requires_grad=True)
    x.register_hook(lambda g: None)
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_hooks_run_in_registration_order_and_chain():
    x = ddp.ones(1, requires_grad=True)
    order = []
    x.register_hook(lambda g: order.append("first") or g * 2)
    x.register_hook(lambda g: order.append(("second", g.item())) or g + 1)
    x.sum().backward()
    assert order == ["first", ("second", 2.0)] and x.grad.item() == 3.0


def test_removed_hook_does_not_fire():
    x = ddp.ones(2, requires_grad=True)
    calls = []
    handle = x.register_hook(lambda g: calls.append(1))
    handle.remove()
    handle.remove()  # twice is harmless
    (x * 2).sum().backward()
    assert calls == []


def test_hook_fires_once_with_the_total_gradient():
    x = ddp.tensor(1.0, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.item()))
    (x * 2 + x * 3).backward()
    assert seen == [5.0]


def test_hook_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ddp.ones(2).register_hook(lambda g: g)


def test_post_accumulate_hook_fires_once_per_leaf_per_backward_with_the_final_grad():
    a = ddp.tensor([1.0], requires_grad=True)
    b = ddp.tensor([2.0], requires_grad=True)
    events = []
    a.register_post_accumulate_grad_hook(lambda t: events.append(("a", t.grad.item())))
    b.register_post_accumulate_grad_hook(lambda t: events.append(("b", t.grad.item())))
    y = (a * b + a * 3).sum()  # a gets two contributions, the hook sees their sum
    y.backward(retain_graph=True)
    assert sorted(events) == [("a", 5.0), ("b", 1.0)]
    y.backward()
    assert sorted(events[2:]) == [("a", 10.0), ("b", 2.0)]


def test_post_accumulate_hook_runs_after_the_tensor_hook():
    x = ddp.ones(1, requires_grad=True)
    x.register_hook(lambda g: g * 4)
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.item()))
    x.sum().backward()
    assert seen == [4.0]


def test_post_accumulate_hook_handle_and_errors():
    x = ddp.ones(1, requires_grad=True)
    calls = []
    handle = x.register_post_accumulate_grad_hook(lambda t: calls.append(t))
    handle.remove()
    x.sum().backward()
    assert calls == []
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ddp.ones(1).register_post_accumulate_grad_hook(lambda t: None)


def test_post_accumulate_hook_can_consume_the_grad():
    """An optimizer-in-backward pattern: the hook applies the update and clears .grad."""
    w = ddp.tensor([1.0, 1.0], requires_grad=True)

    def step(t):
        with ddp.no_grad():
            t.sub_(0.5 * t.grad)
        t.grad = None

    w.register_post_accumulate_grad_hook(step)
    (w * ddp.tensor([2.0, 4.0])).sum().backward()
    assert w.tolist() == [0.0, -1.0] and w.grad is None


def test_post_accumulate_hook_does_not_fire_for_autograd_grad():
    x = ddp.ones(1, requires_grad=True)
    calls = []
    x.register_post_accumulate_grad_hook(lambda t: calls.append(1))
    ddp.autograd.grad((x * 2).sum(), x)
    assert calls == [] and x.grad is None


def test_retain_grad_keeps_the_gradient_after_every_hook():
    """As PyTorch: hooks registered after retain_grad() still change what .grad keeps."""
    x = ddp.ones(2, requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: g + 1)
    h.retain_grad()
    h.register_hook(lambda g: g * 10)
    h.sum().backward()
    assert h.grad.tolist() == [20.0, 20.0] and x.grad.tolist() == [40.0, 40.0]
