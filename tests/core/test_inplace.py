"""In-place ops: they either work with the graph or raise a clear error when they would corrupt a saved value."""
import numpy as np
import pytest

import ddp


def test_in_place_on_a_leaf_that_requires_grad_raises():
    w = ddp.ones(2, requires_grad=True)
    for op in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.copy_(ddp.zeros(2))):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place"):
            op()
    assert w.tolist() == [1.0, 1.0]


def test_in_place_on_a_leaf_under_no_grad_is_allowed():
    w = ddp.ones(2, requires_grad=True)
    with ddp.no_grad():
        w.add_(1).mul_(3)
        w.sub_(ddp.tensor([1.0, 2.0]), alpha=2)
    assert w.tolist() == [4.0, 2.0] and w.is_leaf and w.requires_grad and w.grad_fn is None
    with ddp.no_grad():
        w.zero_()
        w.copy_(ddp.tensor([5.0, 6.0], dtype=ddp.float64))
    assert w.tolist() == [5.0, 6.0] and w.dtype == np.float32


def test_in_place_on_a_saved_output_raises_the_version_error():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_in_place_on_a_saved_input_raises_the_version_error():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1.0
    y = h * h
    h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*version 1; expected version 0"):
        y.sum().backward()


def test_in_place_on_a_detached_alias_is_seen_too():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.detach().zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_add_on_a_non_leaf_works_with_the_graph():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    b = ddp.tensor([3.0, 4.0], requires_grad=True)
    h = x * 2
    h.add_(b, alpha=3)
    h.mul_(x)
    assert h.tolist() == [11.0, 32.0]
    h.sum().backward()
    # h = (2x + 3b) x: dh/dx = 4x + 3b, dh/db = 3x
    assert x.grad.tolist() == [13.0, 20.0] and b.grad.tolist() == [3.0, 6.0]


def test_operators_in_place():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1.0
    h += 1
    h *= x
    h -= 1
    h /= 2
    assert h.tolist() == [0.5, 2.5]
    h.sum().backward()
    assert x.grad.tolist() == [1.5, 2.5]  # d/dx ((x + 1) x - 1) / 2 = x + 0.5


def test_in_place_keeps_the_tensor_object_and_memory():
    x = ddp.ones(3)
    buffer = x.numpy()
    y = x.add_(2)
    assert y is x and x.numpy() is buffer and buffer.tolist() == [3.0, 3.0, 3.0]


def test_zero_and_fill_on_a_non_leaf_cut_the_gradient():
    x = ddp.ones(2, requires_grad=True)
    h = x * 2
    h.zero_()
    (h + x).sum().backward()
    assert h.tolist() == [0.0, 0.0] and x.grad.tolist() == [1.0, 1.0]


def test_copy_into_a_plain_tensor_passes_the_gradient_to_the_source():
    w = ddp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = ddp.zeros(3)
    x.copy_(w)
    assert not x.is_leaf
    (x * ddp.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w.grad.tolist() == [1.0, 2.0, 3.0]


def test_copy_broadcasts_and_casts():
    x = ddp.zeros(2, 3)
    x.copy_(ddp.tensor([1, 2, 3]))
    assert x.dtype == np.float32 and x.tolist() == [[1.0, 2.0, 3.0]] * 2


def test_clone_is_an_independent_copy_in_the_graph():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    c = h.clone()
    h.mul_(3)  # does not affect c or its gradient
    assert c.tolist() == [2.0, 4.0]
    (c * c).sum().backward()
    assert x.grad.tolist() == [8.0, 16.0]


@pytest.mark.parametrize("view", [lambda y: y[0], lambda y: y[:1], lambda y: y.view(2)[0], lambda y: y.T])
def test_in_place_through_a_view_is_seen_by_the_base(view):
    """Writing through a view either raises or keeps the base's gradient right; never silently wrong."""
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    v = view(y)
    try:
        v.mul_(2)
        y.sum().backward()
    except RuntimeError as e:
        assert "inplace" in str(e) or "in-place" in str(e)
    else:
        np.testing.assert_allclose(x.grad.numpy(), [2 * np.e, np.exp(2.0)], rtol=1e-6)


def test_writes_through_a_view_reach_the_base():
    y = ddp.tensor([[1.0, 2.0], [3.0, 4.0]])
    y[0].zero_()
    y[1, 1].fill_(7.0)
    y.view(4)[2:3].mul_(2)
    assert y.tolist() == [[0.0, 0.0], [6.0, 7.0]]


def test_dot_data_shares_memory_but_is_not_tracked():
    w = ddp.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert not d.requires_grad and d.is_leaf and np.shares_memory(d.numpy(), w.numpy())
    y = (w * w).sum()
    d.mul_(10)  # as in PyTorch, changes through .data are invisible to autograd's version check
    assert w.tolist() == [10.0, 20.0]
    y.backward()
    assert w.grad.tolist() == [20.0, 40.0]


def test_assigning_dot_data_replaces_the_values():
    w = ddp.tensor([1.0, 2.0], requires_grad=True)
    w.data = ddp.tensor([3.0, 4.0])
    assert w.tolist() == [3.0, 4.0] and w.requires_grad and w.is_leaf


def test_optimizer_style_update_under_no_grad():
    w = ddp.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with ddp.no_grad():
        w -= 0.5 * w.grad
    assert w.tolist() == [0.0, 0.0] and w.is_leaf
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("recording", [False, True])
def test_a_result_that_does_not_fit_raises_runtime_error_and_leaves_the_tensor(recording):
    x = ddp.zeros(3, 1, requires_grad=recording)
    t = x * 1 if recording else x.detach()
    with pytest.raises(RuntimeError, match=r"shape \(3, 3\).*shape \(3, 1\)"):
        t.add_(ddp.ones(1, 3))
    assert t.shape == (3, 1) and float(t.sum()) == 0.0
    if recording:  # the graph is as before the failed call: backward still reaches x through the mul
        t.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.ones((3, 1)))


def test_a_float_result_into_an_integer_tensor_raises_as_in_torch():
    x = ddp.tensor([1, 2])
    for op in (lambda: x.tan_(), lambda: x.add_(0.5), lambda: x.mul_(ddp.tensor([1.5, 2.0]))):
        with pytest.raises(RuntimeError, match="float32.*int64"):
            op()
    assert x.tolist() == [1, 2]
    x.add_(1)  # integer into integer, and comparisons into a float tensor, still write
    y = ddp.tensor([1.0, 2.0]).eq_(1.0)
    assert x.tolist() == [2, 3] and y.tolist() == [1.0, 0.0] and y.dtype == ddp.float32


@pytest.mark.parametrize("op", [lambda x: ddp.linalg.norm(x, dim=1), lambda x: x.amax(dim=1),
                                lambda x: ddp.logsumexp(x, 1), lambda x: ddp.linalg.vector_norm(x)])
def test_reductions_returned_squeezed_still_guard_what_backward_reads(op):
    """A reduction keeps its keepdims result for backward and returns it squeezed (a view): writing the
    result in place must be caught, as in PyTorch, not give a silently wrong gradient."""
    x = ddp.tensor([[3.0, 4.0], [1.0, 0.0]], requires_grad=True)
    n = op(x)
    n += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        n.sum().backward()
