"""The exact gradient gate of ReLU and max pooling: g passes where the condition holds and is exactly 0
elsewhere, even where g is infinite or NaN (a multiply by a 0/1 mask would give NaN there), as in PyTorch."""
import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
from ddp.core.ops.gate import gate

INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
def test_gate_keeps_or_clears_every_element_exactly(dtype):
    g = np.array([1, -2, 3, 4], dtype=dtype) if dtype == np.int64 else np.array([INF, -INF, NAN, 4], dtype=dtype)
    a = np.array([1.0, -1.0, 2.0, 0.0])
    kept = gate(g, np.greater, a, 0)
    assert kept.dtype == g.dtype
    np.testing.assert_array_equal(kept, np.where(a > 0, g, 0))
    np.testing.assert_array_equal(gate(g, np.greater, a, 0, keep=False), np.where(a > 0, 0, g))


def test_gate_writes_into_a_strided_output():
    g = np.array([INF, 2.0, 3.0], dtype=np.float32)
    target = np.full(6, 7.0, dtype=np.float32)
    result = gate(g, np.equal, np.array([0, 1, 1]), 1, out=target[::2])
    np.testing.assert_array_equal(target, [0, 7, 2, 7, 3, 7])
    assert result.base is target


def test_relu_passes_nan_inputs_and_zeroes_infinite_gradients_where_blocked():
    x = ddp.tensor([NAN, -1.0, 0.0, 2.0], requires_grad=True)
    x.relu().backward(ddp.tensor([5.0, INF, NAN, 1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 0.0, 0.0, 1.0])  # PyTorch's threshold_backward


@pytest.mark.parametrize("kernel, stride, expected", [(2, 2, [INF, 0, 0, INF]), (3, 1, [0, 0, INF, INF])])
def test_max_pool_sends_infinite_gradients_to_the_maximum_only(kernel, stride, expected):
    x = ddp.tensor([[[-1.0, -2.0, 3.0, NAN]]], requires_grad=True)
    F.max_pool1d(x, kernel, stride).backward(ddp.tensor([[[INF, INF]]]))
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)
