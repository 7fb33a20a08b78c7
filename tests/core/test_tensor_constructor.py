"""`Tensor(...)` as PyTorch's legacy constructor (old tutorials use it): data becomes the default float
dtype, ints are a shape, and a numpy array is wrapped without a copy (ddp's own use)."""
import numpy as np
import pytest

import ddp


def test_data_takes_the_default_float_dtype():
    assert ddp.Tensor([1, 2]).dtype == ddp.float32
    assert ddp.Tensor([[1, 2], [3, 4]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert ddp.Tensor((True, False)).tolist() == [1.0, 0.0]
    ddp.set_default_dtype(ddp.float64)
    try:
        assert ddp.Tensor([1, 2]).dtype == ddp.float64
    finally:
        ddp.set_default_dtype(ddp.float32)


def test_ints_and_sizes_are_shapes():
    assert tuple(ddp.Tensor(3).shape) == (3,)
    assert tuple(ddp.Tensor(2, 3).shape) == (2, 3)
    assert tuple(ddp.Tensor(ddp.zeros(4, 1).shape).shape) == (4, 1)
    assert tuple(ddp.Tensor().shape) == (0,)
    assert ddp.Tensor(2, 3).dtype == ddp.float32


def test_arrays_and_tensors_share_memory():
    a = np.arange(3)
    assert ddp.Tensor(a).numpy() is a  # no copy, dtype kept
    t = ddp.ones(2)
    ddp.Tensor(t).numpy()[0] = 5
    assert t.tolist() == [5.0, 1.0]


@pytest.mark.parametrize("bad, error, match", [
    (2.5, TypeError, "data must be a sequence"),
    (True, TypeError, "data must be a sequence"),
    (-1, RuntimeError, "negative dimension"),
])
def test_bad_arguments(bad, error, match):
    with pytest.raises(error, match=match):
        ddp.Tensor(bad)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    for args in (([1, 2],), (3,), (2, 3), (), ([[1.5], [2]],)):
        ours, theirs = ddp.Tensor(*args), torch.Tensor(*args)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        if ours.numel() and args and isinstance(args[0], list):
            assert ours.tolist() == theirs.tolist()
