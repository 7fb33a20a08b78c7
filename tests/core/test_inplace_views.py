"""In-place ops on views (autograd_views.py): the root's gradient sees the write, a view made before its root
was written reads the new graph, a view of a leaf that requires grad refuses, as PyTorch; values checked
against PyTorch's where it is installed, gradients against finite differences."""
import numpy as np
import pytest

import ddp
from tests.core.op_helpers import each_library, gradcheck, sample


def _root_grad(lib, write):
    w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = w * 1
    write(h)
    (h * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    return w.grad.tolist()


WRITES = {
    "slice_mul_": (lambda lib, h: h[:2].mul_(10), [10.0, 20.0, 3.0]),
    "view_setitem": (lambda lib, h: h.view(-1).__setitem__(1, 0), [1.0, 0.0, 3.0]),
    "narrow_zero_": (lambda lib, h: h.narrow(0, 1, 2).zero_(), [1.0, 0.0, 0.0]),
    "slice_copy_": (lambda lib, h: h[:2].copy_(lib.tensor([5.0, 6.0])), [0.0, 0.0, 3.0]),
    "reshape_mul_": (lambda lib, h: h.reshape(3, 1).mul_(2), [2.0, 4.0, 6.0]),
    "select_clamp_": (lambda lib, h: h[1].clamp_(min=0), [1.0, 0.0, 3.0]),
    "view_of_view": (lambda lib, h: h[1:][0:][0].mul_(7), [1.0, 14.0, 3.0]),
    "unbind_mul_": (lambda lib, h: h.unsqueeze(0)[:, 1:].mul_(3), [1.0, 6.0, 9.0]),
}


@each_library
@pytest.mark.parametrize("name", WRITES)
def test_writing_a_view_reaches_the_roots_gradient(lib, name):
    write, expected = WRITES[name]
    assert _root_grad(lib, lambda h: write(lib, h)) == expected


@each_library
def test_views_of_two_dims(lib):
    w = lib.arange(6.0).reshape(2, 3).requires_grad_()
    h = w * 1
    h.t().mul_(lib.tensor([1.0, 2.0]))
    h.diagonal().fill_(0)
    h[:, :2].masked_fill_(lib.tensor([[True, False], [False, True]]), 9)
    (h * lib.arange(6.0).reshape(2, 3)).sum().backward()
    assert h.tolist() == [[9.0, 1.0, 2.0], [6.0, 9.0, 10.0]]
    assert w.grad.tolist() == [[0.0, 1.0, 2.0], [6.0, 0.0, 10.0]]


@each_library
def test_a_view_made_before_its_root_was_written_reads_the_new_graph(lib):
    w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = w * 1
    early = h[:2]
    h.mul_(5)
    early.sum().backward()
    assert w.grad.tolist() == [5.0, 5.0, 0.0]
    w.grad = None
    h = w * 1
    a, b = h[:2], h[1:]
    b.mul_(3)  # a shares h's memory: its element 1 is now 3 * w[1]
    a.sum().backward()
    assert w.grad.tolist() == [1.0, 3.0, 0.0]


@each_library
def test_writing_a_value_that_requires_grad_into_a_plain_tensor(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    h = lib.zeros(4)
    h[1:3].copy_(w * 3)
    (h * lib.arange(4.0)).sum().backward()
    assert h.requires_grad and not h.is_leaf and w.grad.tolist() == [3.0, 6.0]


@each_library
def test_a_view_of_a_leaf_that_requires_grad_refuses(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[:1].mul_(2)
    with lib.no_grad():
        w[:1].mul_(2)  # as an optimizer does
    assert w.tolist() == [2.0, 2.0]


@each_library
def test_second_derivative_through_a_written_view(lib):
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = w * w
    h[1:].mul_(w[1:])
    (gw,) = lib.autograd.grad(h.sum(), w, create_graph=True)
    gw.sum().backward()
    assert gw.tolist() == [2.0, 12.0, 27.0] and w.grad.tolist() == [2.0, 12.0, 18.0]


@each_library
def test_base_names_the_root(lib):
    h = lib.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1
    assert h[1:]._base is h and h[1:][1:]._base is h and h._base is None and h.detach()._base is None
    assert h[None]._is_view() and not h._is_view()


def _written(t, v):
    h = t * 2
    h[1:, ::2].mul_(v)
    h.t()[0, :2].add_(v[0] * 3)
    h.diagonal().exp_()
    return h


def test_gradients_through_written_views_against_finite_differences():
    assert gradcheck(_written, sample((3, 4)), sample((2, 2)))


def test_second_derivatives_through_written_views_against_finite_differences():
    x, v = ddp.tensor(sample((3, 4)), requires_grad=True), ddp.tensor(sample((2, 2)), requires_grad=True)
    assert ddp.autograd.gradgradcheck(_written, (x, v))


def test_a_write_after_the_view_was_saved_is_detected():
    w = ddp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = w * 1
    v = h[1:]
    y = v * v  # saves v
    h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    np.testing.assert_array_equal(v.numpy(), [4.0, 6.0])
