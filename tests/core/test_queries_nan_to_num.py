"""is_tensor / is_floating_point / numel, and nan_to_num (function, method, in place): values, dtypes, the
gradient (1 where finite, 0 at replaced positions), errors, and torch's results where it is installed."""
import numpy as np
import pytest

import ddp
from op_helpers import forward32, gradcheck, sample

SPECIAL = [np.nan, np.inf, -np.inf, 1.5, -2.0, 0.0]


def test_is_tensor():
    assert ddp.is_tensor(ddp.zeros(2)) and ddp.is_tensor(ddp.nn.Parameter(ddp.zeros(2)))
    assert not ddp.is_tensor(np.zeros(2)) and not ddp.is_tensor([1.0]) and not ddp.is_tensor(1.0)


@pytest.mark.parametrize("dtype, expected", [(ddp.float32, True), (ddp.float64, True), (ddp.float16, True),
                                             (ddp.int64, False), (ddp.bool, False)])
def test_is_floating_point(dtype, expected):
    assert ddp.is_floating_point(ddp.zeros(2, dtype=dtype)) is expected


@pytest.mark.parametrize("shape, n", [((), 1), ((0,), 0), ((2, 3), 6), ((2, 0, 4), 0)])
def test_numel(shape, n):
    assert ddp.numel(ddp.zeros(shape)) == n and isinstance(ddp.numel(ddp.zeros(shape)), int)


@pytest.mark.parametrize("fn", [ddp.is_floating_point, ddp.numel])
def test_queries_refuse_non_tensors(fn):
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        fn([1.0])


def test_queries_match_torch():
    torch = pytest.importorskip("torch")
    for shape in [(), (3,), (2, 0)]:
        assert ddp.numel(ddp.zeros(shape)) == torch.numel(torch.zeros(shape))
    for name in ["float32", "float64", "int32", "bool"]:
        ours, theirs = ddp.zeros(2, dtype=getattr(ddp, name)), torch.zeros(2, dtype=getattr(torch, name))
        assert ddp.is_floating_point(ours) == torch.is_floating_point(theirs)
    assert ddp.is_tensor(np.zeros(1)) == torch.is_tensor(np.zeros(1))


# ------------------------------------------------------------------------------------------ nan_to_num
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_nan_to_num_defaults_are_the_dtype_limits(dtype):
    out = ddp.nan_to_num(ddp.tensor(np.array(SPECIAL, dtype=dtype)))
    info = np.finfo(dtype)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.numpy(), np.array([0, info.max, info.min, 1.5, -2, 0], dtype=dtype))


def test_nan_to_num_values_and_shapes():
    x = ddp.tensor(np.array(SPECIAL, dtype=np.float32))
    np.testing.assert_array_equal(ddp.nan_to_num(x, nan=7.0, posinf=8.0, neginf=-9.0).numpy(),
                                  np.float32([7, 8, -9, 1.5, -2, 0]))
    np.testing.assert_array_equal(ddp.nan_to_num(x, nan=None).numpy()[0], 0.0)  # None means 0, as in PyTorch
    assert ddp.nan_to_num(ddp.tensor(np.float32(np.nan))).shape == ()
    assert ddp.nan_to_num(ddp.zeros(0, 3)).shape == (0, 3)
    assert np.isinf(ddp.nan_to_num(x, posinf=1e300).numpy()[1])  # beyond float32's range: inf, as in PyTorch


def test_nan_to_num_keeps_integers_and_bools():
    for t in [ddp.tensor([1, 2]), ddp.tensor([True, False])]:
        out = ddp.nan_to_num(t, nan=1.5)
        assert out.dtype == t.dtype and out.tolist() == t.tolist()
        assert out._data is not t._data


def test_nan_to_num_gradient_is_zero_at_replaced_positions():
    x = ddp.tensor(np.array(SPECIAL), requires_grad=True)
    (ddp.nan_to_num(x, 1.0, 2.0, 3.0) * ddp.arange(6.0, dtype=ddp.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 0, 3, 4, 5])


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)], ids=str)
def test_nan_to_num_gradcheck_and_float32(shape):
    assert gradcheck(lambda x: ddp.nan_to_num(x, posinf=1.0), sample(shape, seed=len(shape)))
    assert gradcheck(lambda x: x.nan_to_num(neginf=0.0), sample(shape, seed=len(shape)))
    forward32(ddp.nan_to_num, np.nan_to_num, sample(shape))


def test_nan_to_num_in_place():
    x = ddp.tensor([np.nan, 1.0, np.inf])
    assert x.nan_to_num_(posinf=5.0) is x and x.tolist() == [0.0, 1.0, 5.0]
    leaf = ddp.tensor([np.nan, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf.nan_to_num_()
    y = leaf * 2
    y.nan_to_num_(nan=-1.0)
    y.sum().backward()
    assert y.tolist() == [-1.0, 2.0] and leaf.grad.tolist() == [0.0, 2.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nan_to_num_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    data = np.array(SPECIAL, dtype=dtype)
    for kwargs in [{}, {"nan": 2.0}, {"posinf": 1e3, "neginf": -1e3}, {"nan": -1.0, "posinf": 1e300}]:
        ours = ddp.tensor(data, requires_grad=True)
        theirs = torch.tensor(data, requires_grad=True)
        a, b = ddp.nan_to_num(ours, **kwargs), torch.nan_to_num(theirs, **kwargs)
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
        assert a.dtype.name == str(b.dtype).replace("torch.", "")
        a.sum().backward()
        b.sum().backward()
        np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
