"""Context.grad_buffer: Linear and Conv2d write a leaf's fresh gradient straight into its `_grad_buffer`
(DistributedDataParallel's bucket views), and only where that gradient becomes the leaf's `.grad` whole."""
import numpy as np
import pytest

import ddp
import ddp.nn.functional as F


def _reference(fn, params):
    """Gradients of fn() for copies of `params`, with no buffers."""
    copies = [ddp.tensor(p.numpy().copy(), requires_grad=True) for p in params]
    fn(*copies).backward()
    return [c.grad.numpy() for c in copies]


def _give_buffers(params):
    flat = np.full(sum(p.numel() for p in params) + 1, np.nan, np.float32)  # offset 1: unaligned views too
    views, start = [], 1
    for p in params:
        views.append(flat[start:start + p.numel()].reshape(p.shape))
        p._grad_buffer = views[-1]
        start += p.numel()
    return views


def _linear(x):
    return lambda w, b: F.linear(x, w, b).tanh().sum()


def _conv(x):
    return lambda w, b: F.conv2d(x, w, b, padding=1).tanh().sum()


@pytest.mark.parametrize("make, x_shape, shapes, in_place", [
    (_linear, (6, 7), [(5, 7), (5,)], [True, True]),
    (_conv, (2, 1, 5, 5), [(8, 1, 2, 2), (8,)], [True, True]),  # C*KH*KW < OC: gw = g @ cols^T
    (_conv, (2, 3, 5, 5), [(4, 3, 3, 3), (4,)], [True, True]),  # gw = (cols @ g^T)^T, summed into the buffer
])
def test_fresh_gradients_are_written_into_the_buffers(make, x_shape, shapes, in_place):
    rng = np.random.default_rng(0)
    x = ddp.tensor(rng.standard_normal(x_shape).astype(np.float32))
    params = [ddp.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in shapes]
    views = _give_buffers(params)
    ref = _reference(make(x), params)
    make(x)(*params).backward()
    for p, view, r, direct in zip(params, views, ref, in_place):
        assert (p.grad.numpy() is view) == direct
        np.testing.assert_allclose(p.grad.numpy(), r, rtol=1e-6, atol=1e-6)


def test_existing_grads_hooks_shared_weights_and_autograd_grad_leave_the_buffers_alone():
    rng = np.random.default_rng(1)
    x = ddp.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    w = ddp.tensor(rng.standard_normal((4, 4)).astype(np.float32), requires_grad=True)
    view = _give_buffers([w])[0]

    def loss(w):
        return F.linear(x, w).sum()

    (gw,) = ddp.autograd.grad(loss(w), [w])             # nothing accumulates: no buffer
    assert w.grad is None and np.isnan(view).all()
    F.linear(F.linear(x, w), w).sum().backward()        # w feeds two ops: the engine sums, then copies
    assert not np.shares_memory(w.grad.numpy(), view) and np.isnan(view).all()
    first = w.grad.numpy().copy()
    loss(w).backward()                                  # .grad exists: accumulated into it
    np.testing.assert_allclose(w.grad.numpy(), first + gw.numpy(), rtol=1e-6)
    w.grad = None
    w.register_hook(lambda g: g * 2)                    # a hook may replace the gradient
    loss(w).backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * gw.numpy(), rtol=1e-6)
    assert np.isnan(view).all()
