"""Factory overloads training code uses: device=/layout=/pin_memory=, size forms, randint's forms, *_like,
and the default dtype."""
import numpy as np
import pytest

import ddp

FACTORIES = [
    lambda **k: ddp.zeros(2, 3, **k), lambda **k: ddp.ones((2, 3), **k), lambda **k: ddp.empty([2, 3], **k),
    lambda **k: ddp.full((2, 3), 1.5, **k), lambda **k: ddp.rand(2, 3, **k), lambda **k: ddp.randn(2, 3, **k),
    lambda **k: ddp.arange(0.0, 6, **k), lambda **k: ddp.linspace(0, 1, 6, **k), lambda **k: ddp.eye(3, **k),
    lambda **k: ddp.tensor([1.0, 2.0], **k), lambda **k: ddp.logspace(0, 1, 6, **k),
]
LIKES = [ddp.zeros_like, ddp.ones_like, ddp.empty_like, ddp.rand_like, ddp.randn_like,
         lambda x, **k: ddp.full_like(x, 2.0, **k)]


@pytest.mark.parametrize("make", FACTORIES)
def test_factories_accept_cpu_devices(make):
    for dev in ("cpu", "cpu:0", ddp.device("cpu"), None):
        t = make(device=dev)
        assert t.device == "cpu" and t.dtype == np.float32
    assert make(dtype=ddp.float64, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="ddp runs on the CPU: device 'cuda' is not available"):
        make(device="cuda")


def test_layout_and_pin_memory_are_accepted():
    assert ddp.zeros(2, layout=ddp.strided, pin_memory=False).shape == (2,)
    assert ddp.empty(2, 2, memory_format=ddp.contiguous_format).shape == (2, 2)
    assert ddp.randperm(4, device="cpu", pin_memory=False).dtype == np.int64


@pytest.mark.parametrize("like", LIKES)
def test_like_factories(like):
    x = ddp.ones(2, 3, dtype=ddp.float64)
    y = like(x, device="cpu")
    assert y.shape == (2, 3) and y.dtype == np.float64
    assert like(x, dtype=ddp.float32, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="ddp runs on the CPU"):
        like(x, device="cuda:0")


def test_out_is_written_rather_than_ignored():
    target = ddp.ones(2)
    assert ddp.zeros(2, out=target) is target and target.tolist() == [0.0, 0.0]


def test_size_forms():
    for t in (ddp.zeros(size=(2, 3)), ddp.randn(size=[2, 3]), ddp.ones(ddp.Size([2, 3])), ddp.rand(2, 3)):
        assert t.shape == (2, 3)
    assert ddp.empty(0).shape == (0,) and ddp.zeros(4).shape == (4,)
    with pytest.raises(TypeError, match=r"zeros\(\) got the size both by position"):
        ddp.zeros(2, size=(2,))
    with pytest.raises(TypeError, match=r"ones\(\): size must be ints"):
        ddp.ones("ab")


def test_randint_forms():
    ddp.manual_seed(0)
    for t, high in ((ddp.randint(10, (50,)), 10), (ddp.randint(3, 6, (50,)), 6), (ddp.randint(high=4, size=(50,)), 4),
                    (ddp.randint(2, size=(5, 10)), 2)):
        assert t.dtype == np.int64 and t.numpy().max() < high and t.numpy().min() >= (3 if high == 6 else 0)
    assert ddp.randint(3, 6, (50,)).numpy().min() >= 3 and ddp.randint(0, 5, size=(2, 2)).shape == (2, 2)
    assert ddp.randint(0, 5, (3,), dtype=ddp.int32).dtype == np.int32
    x = ddp.zeros(4, dtype=ddp.int64)
    assert ddp.randint_like(x, 5).dtype == np.int64 and ddp.randint_like(x, 7, 9).numpy().min() >= 7
    with pytest.raises(TypeError, match=r"randint\(\) missing its size"):
        ddp.randint(10)


def test_default_dtype():
    assert ddp.get_default_dtype() == ddp.float32
    ddp.set_default_dtype(ddp.float64)
    try:
        assert ddp.get_default_dtype() == ddp.float64
        for t in (ddp.tensor(1.5), ddp.zeros(2), ddp.randn(2), ddp.arange(0, 1, 0.5), ddp.full((2,), 0.5),
                  ddp.linspace(0, 1, 3), ddp.eye(2)):
            assert t.dtype == np.float64
        assert ddp.tensor(1).dtype == np.int64 and ddp.arange(3).dtype == np.int64
    finally:
        ddp.set_default_dtype(ddp.float32)
    assert ddp.zeros(1).dtype == np.float32
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        ddp.set_default_dtype(ddp.int64)


def test_same_dtypes_and_shapes_as_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda m: m.zeros(2, 3, device="cpu"), lambda m: m.full((2,), 3), lambda m: m.full((2,), 1.5),
        lambda m: m.arange(0, 1, 0.25), lambda m: m.arange(5), lambda m: m.randint(10, (3,)),
        lambda m: m.randint(2, 5, size=(2, 2)), lambda m: m.zeros_like(m.ones(2, dtype=m.float64)),
        lambda m: m.tensor([1, 2]), lambda m: m.tensor(2.5), lambda m: m.ones(size=(1, 2)),
        lambda m: m.empty(3, pin_memory=False, layout=m.strided), lambda m: m.zeros(2, dtype=float),
    ]
    for case in cases:
        ours, theirs = case(ddp), case(torch)
        assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype.name == str(theirs.dtype)[6:]
