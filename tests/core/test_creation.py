"""Factories: default dtypes (float32 for floating data, int64 for integers), shapes, seeding."""
import numpy as np
import pytest

import ddp


@pytest.mark.parametrize("data,dtype", [
    (1.5, np.float32), ([1.0, 2.0], np.float32), ([[1, 2]], np.int64), (3, np.int64), (True, np.bool_),
    (np.array([1.0, 2.0]), np.float64), (np.array([1.0], dtype=np.float32), np.float32),
    (np.array([1, 2], dtype=np.int64), np.int64), ([1, 2.5], np.float32), ([], np.float32),
])
def test_tensor_default_dtypes(data, dtype):
    assert ddp.tensor(data).dtype == dtype


def test_tensor_copies_its_data():
    a = np.zeros(3, dtype=np.float32)
    t = ddp.tensor(a)
    a[0] = 1.0
    assert t.tolist() == [0.0, 0.0, 0.0]
    assert ddp.tensor(t).numpy() is not t.numpy()


def test_tensor_dtype_and_requires_grad():
    t = ddp.tensor([1, 2], dtype=ddp.float64, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad and t.is_leaf
    assert ddp.tensor([1.7], dtype=ddp.int64).tolist() == [1]


def test_tensor_of_a_list_of_tensors():
    assert ddp.tensor([ddp.tensor(1.0), ddp.tensor(2.0)]).tolist() == [1.0, 2.0]


def test_tensor_rejects_non_numeric_data():
    with pytest.raises(RuntimeError, match="tensor"):  # PyTorch: "Could not infer dtype of dict"
        ddp.tensor([{"a": 1}])


@pytest.mark.parametrize("fn,value", [(ddp.zeros, 0.0), (ddp.ones, 1.0)])
def test_zeros_ones(fn, value):
    for args in [(2, 3), ((2, 3),), ([2, 3],)]:
        t = fn(*args)
        assert t.shape == (2, 3) and t.dtype == np.float32 and np.all(t.numpy() == value)
    assert fn(()).shape == () and fn(3, dtype=ddp.int64).dtype == np.int64
    assert fn(2, requires_grad=True).requires_grad


def test_full():
    assert ddp.full((2, 2), 1.5).dtype == np.float32 and ddp.full((2,), 1.5).tolist() == [1.5, 1.5]
    assert ddp.full((2,), 3).dtype == np.int64 and ddp.full((2,), True).dtype == np.bool_
    assert ddp.full((2,), 3, dtype=ddp.float64).dtype == np.float64


def test_arange_linspace_eye():
    assert ddp.arange(4).tolist() == [0, 1, 2, 3] and ddp.arange(4).dtype == np.int64
    assert ddp.arange(1, 7, 2).tolist() == [1, 3, 5]
    r = ddp.arange(0, 1, 0.25)
    assert r.dtype == np.float32 and r.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert ddp.arange(3, dtype=ddp.float32).dtype == np.float32
    lin = ddp.linspace(0, 1, 5)
    assert lin.dtype == np.float32 and lin.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert ddp.eye(3).dtype == np.float32 and ddp.eye(3).numpy().trace() == 3 and ddp.eye(2, 3).shape == (2, 3)


def test_like_factories():
    x = ddp.ones(2, 3, dtype=ddp.float64)
    for fn in (ddp.zeros_like, ddp.ones_like, ddp.randn_like, ddp.rand_like):
        y = fn(x)
        assert y.shape == (2, 3) and y.dtype == np.float64 and not y.requires_grad
    assert ddp.zeros_like(x, dtype=ddp.float32).dtype == np.float32
    assert ddp.full_like(x, 7.0).tolist() == [[7.0] * 3] * 2


def test_random_factories():
    ddp.manual_seed(0)
    u, n = ddp.rand(1000), ddp.randn(2, 500)
    assert u.dtype == np.float32 and n.dtype == np.float32 and n.shape == (2, 500)
    assert 0 <= u.numpy().min() and u.numpy().max() < 1 and abs(n.numpy().mean()) < 0.1
    i = ddp.randint(0, 5, (100,))
    assert i.dtype == np.int64 and set(i.tolist()) == {0, 1, 2, 3, 4}
    assert ddp.randint(3, size=(2, 2)).shape == (2, 2)
    assert sorted(ddp.randperm(5).tolist()) == [0, 1, 2, 3, 4]
    assert ddp.randn(2, dtype=ddp.float64).dtype == np.float64 and ddp.randn(2, requires_grad=True).requires_grad


def test_manual_seed_makes_runs_reproducible():
    ddp.manual_seed(123)
    first = (ddp.randn(5).tolist(), ddp.rand(3).tolist(), ddp.randint(0, 100, (4,)).tolist())
    ddp.manual_seed(123)
    second = (ddp.randn(5).tolist(), ddp.rand(3).tolist(), ddp.randint(0, 100, (4,)).tolist())
    ddp.manual_seed(124)
    third = ddp.randn(5).tolist()
    assert first == second and third != first[0]


def test_explicit_generator():
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    assert ddp.randn(3, generator=g1).tolist() == ddp.randn(3, generator=g2).tolist()


def test_from_numpy_rejects_other_types():
    with pytest.raises(TypeError, match="from_numpy"):
        ddp.from_numpy([1, 2])


@pytest.mark.parametrize("data, dtype", [
    ([np.float64(1.0), 2.0], np.float64),  # a numpy float64 (a gym reward, a numpy mean) in a list wins
    ([2.0, np.float64(1.0)], np.float64), ([[np.float64(1.0)], [2.0]], np.float64),
    ([np.float32(1.0), 2.0], np.float32), ([np.float16(1.0), 2], np.float16), ([np.float16(1.0), 2.0], np.float32),
    ([np.array([1.0]), [2.0]], np.float64), ([np.int32(1)], np.int32), ([np.uint8(1), np.int8(2)], np.int16),
    ([np.int32(1), 2], np.int64), ([np.int32(1), 2.0], np.float32), ([True, np.int8(1)], np.int8),
    ([1j], np.complex64), (1j, np.complex64), ([np.complex128(1j)], np.complex128), ([np.float32(1), 1j], np.complex64),
    ([[]], np.float32),
])
@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
def test_tensor_infers_the_dtype_of_mixed_lists_as_torch(data, dtype):
    """torch.tensor promotes over the leaves: a Python float is the default dtype, a Python complex the default
    complex dtype, a Python int int64, a numpy scalar or array its own dtype (numpy's own promotion differs:
    it makes [np.float16(1), 2] float64)."""
    assert ddp.tensor(data).dtype == dtype
    torch = pytest.importorskip("torch")
    assert str(torch.tensor(data).dtype) == "torch." + np.dtype(dtype).name


def test_tensor_of_python_complex_numbers_follows_the_default_dtype():
    ddp.set_default_dtype(ddp.float64)
    try:
        assert ddp.tensor([1j, 2.0]).dtype == np.complex128 and ddp.tensor([1.0]).dtype == np.float64
        assert ddp.tensor([np.float32(1.0), 2.0]).dtype == np.float64
    finally:
        ddp.set_default_dtype(ddp.float32)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("start, end, steps", [(-1, 1, 11), (0, 1, 7), (-3.3, 7.1, 100), (2, -5, 13), (0.1, 0.7, 333)])
def test_linspace_is_pytorchs_to_the_bit(start, end, steps, dtype):
    """Up from start over the first half, down from end over the second, one fused multiply-add a point:
    torch.linspace(-1, 1, 11)[5] is -4.3e-9, not 0, and a model fed a linspace sees PyTorch's inputs."""
    torch = pytest.importorskip("torch")
    expected = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
    assert np.array_equal(ddp.linspace(start, end, steps, dtype=getattr(ddp, dtype)).numpy(), expected)


def test_linspace_of_complex_ends_is_complex():
    assert ddp.linspace(0, 1j, 3).dtype == np.complex64
    assert ddp.linspace(0, 1j, 3).numpy()[1] == 0.5j
