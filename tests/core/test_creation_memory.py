"""asarray, frombuffer, empty_strided, empty_permuted (memory sharing and layout), range and scalar_tensor,
against torch."""
import array

import numpy as np
import pytest

import ddp


def test_asarray_shares_numpy_memory_unless_asked_not_to():
    a = np.arange(3.0)
    t = ddp.asarray(a)
    assert t.dtype == np.float64 and t.numpy() is a
    t[0] = 9.0
    assert a[0] == 9.0
    c = ddp.asarray(a, copy=True)
    c[1] = 7.0
    assert a[1] == 1.0
    assert ddp.asarray(a, dtype=ddp.float32).dtype == np.float32
    with pytest.raises(ValueError, match="copy=False"):
        ddp.asarray(a, dtype=ddp.float32, copy=False)
    assert ddp.asarray(a, copy=False).numpy() is a
    assert ddp.asarray(a[::2]).stride() == (2,)


def test_asarray_of_tensors():
    x = ddp.ones(3)
    assert ddp.asarray(x) is x and ddp.asarray(x, dtype=ddp.float32) is x
    assert ddp.asarray(x, copy=True).data_ptr() != x.data_ptr()
    assert ddp.asarray(x, dtype=ddp.float64).dtype == np.float64
    with pytest.raises(ValueError):
        ddp.asarray(x, dtype=ddp.float64, copy=False)
    leaf = ddp.ones(3, requires_grad=True)
    assert ddp.asarray(leaf) is leaf
    detached = ddp.asarray(leaf, requires_grad=False)
    assert not detached.requires_grad and detached.data_ptr() == leaf.data_ptr()
    cast = ddp.asarray(leaf, dtype=ddp.float64)
    cast.sum().backward()
    assert leaf.grad.tolist() == [1.0, 1.0, 1.0]  # the cast is differentiable, as torch's
    y = ddp.ones(2)
    assert ddp.asarray(y, requires_grad=True) is y and y.requires_grad


@pytest.mark.filterwarnings("ignore:.*(not writable|read-only).*:UserWarning")
def test_asarray_of_python_data_and_buffers():
    torch = pytest.importorskip("torch")
    for obj in ([1, 2], [1.0, 2], 3.5, True, 3, np.float64(2.5), np.int64(3), [[1, 2], [3, 4]],
                array.array("f", [1, 2, 3]), array.array("d", [1, 2]), b"abcd"):
        d, t = ddp.asarray(obj), torch.asarray(obj)
        assert d.dtype.name == str(t.dtype).split(".")[1], obj
        np.testing.assert_array_equal(d.numpy(), t.numpy())
    assert ddp.asarray([ddp.tensor(1.0), ddp.tensor(2.0)]).tolist() == [1.0, 2.0]
    assert ddp.asarray(bytearray(b"abcd"), dtype=ddp.uint8).tolist() == [97, 98, 99, 100]
    buf = array.array("f", [1.0, 2.0])
    ddp.asarray(buf)[0] = 5.0
    assert buf[0] == 5.0
    assert ddp.asarray([1.0, 2.0], requires_grad=True).requires_grad
    with pytest.raises(RuntimeError):
        ddp.asarray([1, 2], requires_grad=True)
    with pytest.raises(ValueError, match="copy=False"):
        ddp.asarray([1, 2], copy=False)
    with pytest.raises(ValueError):
        ddp.asarray([[1, 2], [3]])


def test_frombuffer():
    torch = pytest.importorskip("torch")
    raw = bytearray(b"\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00")
    f = ddp.frombuffer(raw, dtype=ddp.int32)
    assert f.tolist() == [1, 2, 3] and f.dtype == np.int32
    f[0] = 5
    assert raw[0] == 5
    assert ddp.frombuffer(raw, dtype=ddp.int32, count=2, offset=4).tolist() == [2, 3]
    assert ddp.frombuffer(array.array("f", [1.0, 2.0]), dtype=ddp.float32).tolist() == [1.0, 2.0]
    assert ddp.frombuffer(raw, dtype=ddp.float32, requires_grad=True).requires_grad
    for kwargs in (dict(count=5), dict(offset=13), dict(offset=12), dict(offset=2), dict(count=0)):
        with pytest.raises(ValueError):
            torch.frombuffer(raw, dtype=torch.int32, **kwargs)
        with pytest.raises(ValueError, match="frombuffer"):
            ddp.frombuffer(raw, dtype=ddp.int32, **kwargs)
    for bad in ([1, 2], bytearray()):
        with pytest.raises(ValueError, match="frombuffer"):
            ddp.frombuffer(bad, dtype=ddp.uint8)
    with pytest.warns(UserWarning, match="read-only"):
        ro = ddp.frombuffer(b"abcd", dtype=ddp.uint8)
    assert ro.tolist() == [97, 98, 99, 100]
    with pytest.raises(TypeError):
        ddp.frombuffer(raw)


def test_empty_strided_and_permuted_match_torch_strides():
    torch = pytest.importorskip("torch")
    for size, stride in (((2, 3), (1, 2)), ((2, 3), (0, 1)), ((2, 0), (3, 1)), ((2, 3, 4), (1, 8, 2)), ((), ())):
        d, t = ddp.empty_strided(size, stride), torch.empty_strided(size, stride)
        assert d.stride() == t.stride() and d.shape == t.shape and d.dtype == np.float32
        assert d.is_contiguous() == t.is_contiguous()
    x = ddp.empty_strided((2, 3), (1, 2), dtype=ddp.float64, requires_grad=True)
    assert x.dtype == np.float64 and x.requires_grad
    for size, stride in (((2, 3), (1,)), ((2, 3), (-1, 1))):
        with pytest.raises(RuntimeError):
            torch.empty_strided(size, stride)
        with pytest.raises(RuntimeError, match="empty_strided"):
            ddp.empty_strided(size, stride)
    for layout in ((2, 0, 1), (0, 1, 2), (1, 2, 0)):
        assert ddp.empty_permuted((2, 3, 4), layout).stride() == torch.empty_permuted((2, 3, 4), layout).stride()
    assert ddp.empty_permuted((2, 3, 4), (2, 0, 1)).shape == (2, 3, 4)
    for bad in ((0, 0, 1), (0, 1), (0, 1, 3)):
        with pytest.raises(RuntimeError):
            torch.empty_permuted((2, 3, 4), bad)
        with pytest.raises(RuntimeError, match="empty_permuted"):
            ddp.empty_permuted((2, 3, 4), bad)


def test_range_is_inclusive_and_deprecated():
    torch = pytest.importorskip("torch")
    for args, kwargs in (((1, 4), {}), ((1, 4, 0.5), {}), ((0, 1, 0.3), {}), ((4, 1, -1), {}),
                         ((1, 4), dict(dtype=ddp.int64)), ((0.5, 2.5), {})):
        with pytest.warns(UserWarning, match="deprecated"):
            d = ddp.range(*args, **kwargs)
        with pytest.warns(UserWarning):
            t = torch.range(*args, **{k: getattr(torch, v.name) for k, v in kwargs.items()})
        assert d.dtype.name == str(t.dtype).split(".")[1]
        np.testing.assert_allclose(d.numpy(), t.numpy(), rtol=1e-6)
    with pytest.warns(UserWarning):
        assert ddp.range(1, 3, requires_grad=True).requires_grad
    for args in ((4, 1), (1, 4, 0)):
        with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="range"):
            ddp.range(*args)
    with pytest.raises(TypeError):
        ddp.range(4)


def test_scalar_tensor():
    torch = pytest.importorskip("torch")
    for s, kwargs in ((1, {}), (True, {}), (2.5, {}), (1, dict(dtype=ddp.int64)), (ddp.tensor(2.0), {})):
        d = ddp.scalar_tensor(s, **kwargs)
        t = torch.scalar_tensor(s.item() if isinstance(s, ddp.Tensor) else s,
                                **{k: getattr(torch, v.name) for k, v in kwargs.items()})
        assert d.shape == () and d.dtype.name == str(t.dtype).split(".")[1] and d.item() == t.item()
    assert ddp.scalar_tensor(1.5, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="scalar_tensor"):
        ddp.scalar_tensor("1")
