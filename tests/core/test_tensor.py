"""Tensor attributes, conversions, dtypes and repr."""
import numpy as np
import pytest

import ddp


def test_wraps_without_copy_and_numpy_returns_the_array():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ddp.Tensor(a)
    assert t.numpy() is a and t.dtype == np.float32
    f = ddp.from_numpy(a)
    a[0, 0] = 9.0
    assert f[0, 0].item() == 9.0


def test_attributes():
    x = ddp.ones(2, 3, 4)
    assert x.shape == (2, 3, 4) and isinstance(x.shape, tuple) and x.ndim == 3 and x.dim() == 3
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4 and x.numel() == 24
    assert len(x) == 2 and x.device == "cpu" and x.is_floating_point() and x.is_contiguous()
    assert x.requires_grad is False and x.grad is None and x.grad_fn is None and x.is_leaf


def test_item_tolist_and_python_conversions():
    assert ddp.tensor(2.5).item() == 2.5 and isinstance(ddp.tensor(3).item(), int)
    assert ddp.tensor([[1.5]]).item() == 1.5
    assert ddp.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert float(ddp.tensor(1.5)) == 1.5 and int(ddp.tensor(7)) == 7 and bool(ddp.tensor(True))
    assert [10, 20, 30][ddp.tensor(1)] == 20


def test_grad_state_of_results():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and np.shares_memory(d.numpy(), y.numpy())
    z = ddp.ones(2).requires_grad_()
    assert z.requires_grad and z.is_leaf


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype can require gradients"):
        ddp.tensor([1, 2], requires_grad=True)
    y = ddp.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad = False


def test_integer_casts_of_a_tensor_that_requires_grad_do_not_require_grad():
    x = ddp.tensor([1.5, 2.5], requires_grad=True)
    assert not x.long().requires_grad and x.long().tolist() == [1, 2]
    assert x.double().requires_grad


@pytest.mark.parametrize("method,dtype", [("float", np.float32), ("double", np.float64), ("long", np.int64),
                                          ("int", np.int32), ("bool", np.bool_)])
def test_dtype_conversion_methods(method, dtype):
    assert getattr(ddp.tensor([0.0, 1.5]), method)().dtype == dtype


def test_to():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    assert x.to(ddp.float32) is x and x.to("cpu") is x
    y = x.to(ddp.float64)
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [1.0, 1.0]
    assert x.to(dtype=ddp.int64).dtype == np.int64 and x.to("cpu", dtype=ddp.float64).dtype == np.float64


def test_dtypes_are_numpy_dtypes():
    assert ddp.float32 == np.float32 and ddp.float64 == np.float64 and ddp.int64 == np.int64
    assert ddp.bool == np.bool_ and ddp.long == np.int64 and ddp.double == np.float64
    for dt in (ddp.float32, ddp.float64, ddp.int64, ddp.bool):
        assert ddp.zeros(2, dtype=dt).dtype == dt and ddp.tensor([1], dtype=dt).dtype == dt


def test_clone_and_zero():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.tolist() == [1.0, 2.0] and not np.shares_memory(c.numpy(), x.numpy()) and c.requires_grad
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    n = ddp.tensor([1, 2]).clone()
    assert n.dtype == np.int64
    z = ddp.ones(3)
    assert z.zero_() is z and z.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("make,expected", [
    (lambda: ddp.tensor([1.0, 2.5]), "tensor([1.0000, 2.5000])"),
    (lambda: ddp.tensor([1.0, 2.0]), "tensor([1., 2.])"),
    (lambda: ddp.tensor(3.0), "tensor(3.)"),
    (lambda: ddp.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
    (lambda: ddp.tensor([True, False]), "tensor([ True, False])"),
    (lambda: ddp.tensor([[1.0, 2.0], [3.0, 4.0]]), "tensor([[1., 2.],\n        [3., 4.]])"),
    (lambda: ddp.tensor([1.0], requires_grad=True), "tensor([1.], requires_grad=True)"),
    (lambda: ddp.tensor([1.0], dtype=ddp.float64), "tensor([1.], dtype=ddp.float64)"),
    (lambda: ddp.tensor([1.0], requires_grad=True) * 2, "tensor([2.], grad_fn=<MulBackward0>)"),
    (lambda: ddp.zeros(0), "tensor([])"),
    (lambda: ddp.zeros(0, 3), "tensor([], size=(0, 3))"),
    (lambda: ddp.zeros(2, 0, dtype=ddp.int64), "tensor([], size=(2, 0), dtype=ddp.int64)"),
])
def test_repr_looks_like_pytorch(make, expected):
    assert repr(make()) == expected


def test_repr_of_large_tensors_is_summarised():
    text = repr(ddp.zeros(2000))
    assert "..." in text and len(text) < 200


def test_size_repr_and_numel():
    s = ddp.ones(2, 3).shape
    assert repr(s) == "ddp.Size([2, 3])" and s.numel() == 6 and s == (2, 3)


def test_len_of_a_scalar_raises():
    with pytest.raises(TypeError, match="0-d"):
        len(ddp.tensor(1.0))
