"""histc, take_along_dim and rot90: values against numpy, float64 gradient checks for the differentiable
ones, histc's range rules, dtypes, errors, and torch where installed."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf, sample

NAN, INF = float("nan"), float("inf")


# ---------------------------------------------------------------------------------------------- histc
def test_histc_counts_and_edges():
    assert ddp.histc(ddp.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3).tolist() == [0, 2, 1, 0]
    # outside the range and NaN are dropped; max falls in the last bin
    assert ddp.histc(ddp.tensor([1.0, 2.0, 1.0, 3.0, 3.0001, -1.0, NAN]), bins=3, min=0, max=3).tolist() == [0, 2, 2]
    assert ddp.histc(ddp.arange(11.0), bins=3, min=0, max=10).tolist() == [4, 3, 4]
    assert ddp.histc(ddp.tensor([0.1, 0.2, 0.3]), bins=3, min=0.1, max=0.3).tolist() == [1, 1, 1]


def test_histc_range_from_the_data():
    assert ddp.histc(ddp.tensor([1.0, 2.0, 1.0]), bins=4).tolist() == [2, 0, 0, 1]
    assert ddp.histc(ddp.tensor([2.0, 2.0, 2.0]), bins=4).tolist() == [0, 0, 3, 0]  # widened to [1, 3]
    assert ddp.histc(ddp.tensor([1.0, 2.0, 3.0]), bins=3, min=5, max=5).tolist() == [1, 1, 1]
    assert ddp.histc(ddp.tensor([]), bins=3).tolist() == [0, 0, 0]


def test_histc_matches_numpy_and_has_no_gradient():
    x = sample((6, 50), seed=2)
    counts = ddp.histc(ddp.tensor(x), bins=7, min=-1.5, max=1.5)
    inside = x[(x >= -1.5) & (x <= 1.5)]
    np.testing.assert_array_equal(counts.numpy(), np.histogram(inside, bins=7, range=(-1.5, 1.5))[0])
    assert counts.dtype == np.float64 and counts.shape == (7,)
    y = leaf(np.float32([1, 2, 3]), np.float32)
    out = y.histc(bins=2)
    assert out.dtype == np.float32 and not out.requires_grad and out.tolist() == [1, 2]


def test_histc_errors():
    with pytest.raises(NotImplementedError, match="histc: needs a floating point"):
        ddp.histc(ddp.tensor([1, 2]), bins=2)
    with pytest.raises(RuntimeError, match="histc: bins must be a positive int"):
        ddp.histc(ddp.tensor([1.0]), bins=0)
    with pytest.raises(RuntimeError, match="histc: max"):
        ddp.histc(ddp.tensor([1.0]), bins=2, min=3, max=1)
    for data, lo, hi in (([1.0, NAN], 0, 0), ([1.0, INF], 0, 0), ([1.0], 0, INF)):
        with pytest.raises(RuntimeError, match="histc: the range .* must be finite"):
            ddp.histc(ddp.tensor(data), bins=2, min=lo, max=hi)


# ------------------------------------------------------------------------------------- take_along_dim
@pytest.mark.parametrize("x_shape, idx_shape, dim", [((3, 4), (3, 2), 1), ((3, 4), (5, 4), 0), ((1, 4), (3, 2), 1),
                                                     ((3, 4), (1, 2), 1), ((2, 3, 4), (2, 1, 4), -2),
                                                     ((5,), (7,), 0)], ids=str)
def test_take_along_dim(x_shape, idx_shape, dim):
    x = sample(x_shape)
    rng = np.random.default_rng(1)
    idx = rng.integers(-x_shape[dim], x_shape[dim], idx_shape)
    out = ddp.take_along_dim(ddp.tensor(x), ddp.tensor(idx), dim)
    d = dim % len(x_shape)
    common = np.broadcast_shapes(x_shape[:d] + (1,) + x_shape[d + 1:], idx_shape[:d] + (1,) + idx_shape[d + 1:])
    xs, ids = list(common), list(common)
    xs[d], ids[d] = x_shape[d], idx_shape[d]
    expected = np.take_along_axis(np.broadcast_to(x, xs), np.broadcast_to(idx, ids), d)
    np.testing.assert_array_equal(out.numpy(), expected)
    assert gradcheck(lambda t: ddp.take_along_dim(t, ddp.tensor(idx), dim), x)
    assert gradcheck(lambda t: t.take_along_dim(ddp.tensor(idx), dim), x)


def test_take_along_dim_flattened():
    x = sample((2, 3))
    idx = np.array([[0, 5], [1, 1]])
    out = ddp.take_along_dim(ddp.tensor(x), ddp.tensor(idx))
    np.testing.assert_array_equal(out.numpy(), x.reshape(-1)[idx.reshape(-1)])
    assert out.shape == (4,)
    assert gradcheck(lambda t: ddp.take_along_dim(t, ddp.tensor(idx)), x)
    assert ddp.take_along_dim(ddp.tensor(5.0), ddp.tensor(0)).tolist() == [5.0]
    y = leaf(np.float32([1, 2, 3]), np.float32)
    out = ddp.take_along_dim(y, ddp.tensor([0, 0, 2]))
    assert out.dtype == np.float32
    out.sum().backward()
    assert y.grad.tolist() == [2.0, 0.0, 1.0]


def test_take_along_dim_errors():
    x = ddp.zeros(3, 4)
    with pytest.raises(RuntimeError, match="take_along_dim: indices must be int64"):
        ddp.take_along_dim(x, ddp.tensor([[0]], dtype=ddp.int32), 1)
    with pytest.raises(RuntimeError, match="take_along_dim: indices of shape"):
        ddp.take_along_dim(x, ddp.tensor([0, 1]), 1)
    with pytest.raises(RuntimeError, match="do not broadcast"):
        ddp.take_along_dim(x, ddp.tensor([[0], [1], [0], [1]]), 1)
    with pytest.raises(RuntimeError, match="take_along_dim: index 4 is out of range"):
        ddp.take_along_dim(x, ddp.tensor([[4]]), 1)
    with pytest.raises(RuntimeError, match="take_along_dim: index -1 is out of range"):
        ddp.take_along_dim(x, ddp.tensor([-1]))
    with pytest.raises(IndexError, match="take_along_dim"):
        ddp.take_along_dim(x, ddp.tensor([[0]]), 2)
    with pytest.raises(IndexError, match="0-d"):
        ddp.take_along_dim(ddp.tensor(5.0), ddp.tensor(0), 0)


# ---------------------------------------------------------------------------------------------- rot90
@pytest.mark.parametrize("k", [-5, -1, 0, 1, 2, 3, 4, 6])
@pytest.mark.parametrize("shape, dims", [((2, 3), (0, 1)), ((2, 3), (1, 0)), ((2, 3, 4), (2, 0)),
                                         ((2, 3, 4), (-1, 1))], ids=str)
def test_rot90(k, shape, dims):
    x = sample(shape)
    out = ddp.rot90(ddp.tensor(x), k, dims)
    np.testing.assert_array_equal(out.numpy(), np.rot90(x, k, dims))
    weight = ddp.tensor(sample(out.shape, seed=4))
    assert gradcheck(lambda t: t.rot90(k, dims) * weight, x)


def test_rot90_default_copy_and_errors():
    x = ddp.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert ddp.rot90(x).tolist() == [[2.0, 4.0], [1.0, 3.0]]
    same = ddp.rot90(x, 4)
    same[0, 0] = 9.0
    assert x[0, 0].item() == 1.0  # a new tensor, even for whole turns
    assert ddp.rot90(ddp.zeros(2, 3, dtype=ddp.float32)).dtype == np.float32
    with pytest.raises(RuntimeError, match="rot90: the rotation dims must differ"):
        ddp.rot90(x, 1, (0, -2))
    with pytest.raises(RuntimeError, match="rot90: expected 2 rotation dims"):
        ddp.rot90(x, 1, (0,))
    with pytest.raises(RuntimeError, match="rot90: expected a tensor of at least 2 dims"):
        ddp.rot90(ddp.zeros(3))
    with pytest.raises(IndexError, match="rot90"):
        ddp.rot90(x, 1, (0, 2))
    with pytest.raises(TypeError, match="rot90: k must be an int"):
        ddp.rot90(x, 1.0)


# ---------------------------------------------------------------------------------------------- torch
def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        data = rng.standard_normal(500).astype(dtype)
        data[::50] = data[0]  # repeated values
        for bins, lo, hi in ((10, 0, 0), (7, -1, 1), (3, 0.5, 0.5), (13, -2.25, 0.75)):
            want = torch.histc(torch.tensor(data), bins=bins, min=lo, max=hi)
            got = ddp.histc(ddp.tensor(data), bins=bins, min=lo, max=hi)
            assert got.dtype == dtype
            np.testing.assert_array_equal(got.numpy(), want.numpy())
    x = sample((3, 4), seed=6)
    idx = rng.integers(0, 4, (3, 6))
    tx, dx = torch.tensor(x, requires_grad=True), leaf(x)
    want, got = torch.take_along_dim(tx, torch.tensor(idx), 1), ddp.take_along_dim(dx, ddp.tensor(idx), 1)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    want.sum().backward()
    got.sum().backward()
    np.testing.assert_array_equal(dx.grad.numpy(), tx.grad.numpy())
    flat = rng.integers(0, 12, (5,))
    np.testing.assert_array_equal(ddp.take_along_dim(ddp.tensor(x), ddp.tensor(flat)).numpy(),
                                  torch.take_along_dim(torch.tensor(x), torch.tensor(flat)).numpy())
    y = sample((2, 3, 4), seed=7)
    for k in (-1, 1, 2, 3):
        for dims in ((0, 1), (2, 0), (1, -1)):
            np.testing.assert_array_equal(ddp.rot90(ddp.tensor(y), k, dims).numpy(),
                                          torch.rot90(torch.tensor(y), k, dims).numpy())
