"""select, select_scatter, slice_scatter, take, put, index_copy, index_put, masked_scatter and their in-place
forms: values against numpy, float64 gradient checks, PyTorch's gradients where indices repeat, dtypes,
errors, and torch where installed."""
import numpy as np
import pytest

import ddp
from ddp.core import select_functional as S
from op_helpers import against_torch, forward32, gradcheck, leaf, sample


def _torch():
    return pytest.importorskip("torch")


# --------------------------------------------------------------------------------- select and scatters
@pytest.mark.parametrize("shape, dim, index", [((3, 4), 1, -1), ((3, 4), 0, 2), ((2, 3, 4), 2, 0), ((5,), 0, 3)],
                         ids=str)
def test_select_and_select_scatter(shape, dim, index):
    x = sample(shape)
    out = ddp.select(ddp.tensor(x), dim, index)
    np.testing.assert_array_equal(out.numpy(), np.take(x, index, axis=dim))
    assert gradcheck(lambda t: t.select(dim, index), x)
    src = sample(out.shape, seed=1)
    assert gradcheck(lambda a, s: ddp.select_scatter(a, s, dim, index), x, src)

    def reference(a, s):
        out = a.copy()
        np.moveaxis(out, dim, 0)[index] = s
        return out

    forward32(lambda a, s: a.select_scatter(s, dim, index), reference, x, src)
    torch = _torch()
    against_torch(lambda t: ddp.select(t, dim, index), lambda t: torch.select(t, dim, index), x)
    against_torch(lambda a, s: ddp.select_scatter(a, s, dim, index),
                  lambda a, s: torch.select_scatter(a, s, dim, index), x, src)


def test_select_is_a_view_and_checks_its_arguments():
    x = ddp.zeros(2, 3)
    x.select(1, 2).fill_(4.0)
    assert x.tolist() == [[0.0, 0.0, 4.0], [0.0, 0.0, 4.0]]
    with pytest.raises(IndexError, match="select .*index 4 is out of range for a dim of size 4"):
        ddp.select(ddp.zeros(3, 4), 1, 4)
    with pytest.raises(IndexError, match="select: cannot select from a 0-dim tensor"):
        ddp.select(ddp.tensor(1.0), 0, 0)
    with pytest.raises(RuntimeError, match=r"select_scatter: src must have the slice's shape \(3,\)"):
        ddp.select_scatter(ddp.zeros(3, 4), ddp.ones(4), 1, 0)
    assert ddp.select_scatter(ddp.zeros(2, 2), ddp.ones(2, dtype=ddp.int64), 0, 1).tolist() == [[0, 0], [1, 1]]


@pytest.mark.parametrize("dim, start, end, step", [(1, 0, None, 2), (1, -2, None, 1), (0, 1, 3, 1), (1, -100, 100, 1),
                                                   (1, 10, 20, 1), (1, None, None, 3)], ids=str)
def test_slice_scatter(dim, start, end, step):
    x = sample((3, 4))
    where = (slice(None),) * dim + (slice(start, end, step),)
    src = sample(x[where].shape, seed=1)

    def reference(a, s):
        out = a.copy()
        out[where] = s
        return out

    np.testing.assert_array_equal(ddp.slice_scatter(ddp.tensor(x), ddp.tensor(src), dim, start, end, step).numpy(),
                                  reference(x, src))
    assert gradcheck(lambda a, s: a.slice_scatter(s, dim, start, end, step), x, src)
    forward32(lambda a, s: ddp.slice_scatter(a, s, dim, start, end, step), reference, x, src)
    torch = _torch()
    against_torch(lambda a, s: ddp.slice_scatter(a, s, dim, start, end, step),
                  lambda a, s: torch.slice_scatter(a, s, dim, start, end, step), x, src)


def test_slice_scatter_errors():
    with pytest.raises(RuntimeError, match="slice_scatter: step must be positive"):
        ddp.slice_scatter(ddp.zeros(3, 4), ddp.ones(3, 4), 1, 0, None, 0)
    with pytest.raises(RuntimeError, match=r"slice_scatter: src must have the slice's shape \(3, 4\)"):
        ddp.slice_scatter(ddp.zeros(3, 4), ddp.ones(3, 1), 1)


# ----------------------------------------------------------------------------------------- take, put
def test_take_values_gradient_and_integers():
    x = sample((3, 4))
    index = np.array([[0, -1, 5], [5, 5, 2]])
    assert np.array_equal(ddp.take(ddp.tensor(x), ddp.tensor(index)).numpy(), np.take(x, index))
    assert gradcheck(lambda t: t.take(ddp.tensor(index)), x)
    ints = ddp.take(ddp.arange(6).reshape(2, 3), ddp.tensor([[0, -1], [5, 2]]))
    assert ints.dtype == np.int64 and ints.tolist() == [[0, 5], [5, 2]]
    assert ddp.take(ddp.tensor(3.0), ddp.tensor(0)).shape == ()
    torch = _torch()
    against_torch(lambda t: ddp.take(t, ddp.tensor(index)), lambda t: torch.take(t, torch.tensor(index)), x)


def test_take_errors():
    with pytest.raises(IndexError, match="take .*index 12 is out of range"):
        ddp.take(ddp.zeros(3, 4), ddp.tensor([12]))
    for index in (ddp.tensor([1.0]), ddp.tensor([1], dtype=ddp.int32)):
        with pytest.raises(RuntimeError, match="take: expected an index tensor of dtype int64"):
            ddp.take(ddp.zeros(3, 4), index)


@pytest.mark.parametrize("accumulate", [False, True])
def test_put_repeated_indices_match_torch(accumulate):
    x, v = sample((3, 4)), sample((2, 2), seed=1)
    index = np.array([[0, 0], [-1, 5]])
    out = ddp.put(ddp.tensor(x), ddp.tensor(index), ddp.tensor(v), accumulate=accumulate)
    expected = x.copy().reshape(-1)
    if accumulate:
        np.add.at(expected, index.reshape(-1), v.reshape(-1))
    else:
        expected[index.reshape(-1)] = v.reshape(-1)
    np.testing.assert_allclose(out.numpy(), expected.reshape(3, 4))
    if accumulate:
        assert gradcheck(lambda a, s: a.put(ddp.tensor(index), s, True), x, v)
    torch = _torch()
    against_torch(lambda a, s: ddp.put(a, ddp.tensor(index), s, accumulate),
                  lambda a, s: torch.put(a, torch.tensor(index), s, accumulate), x, v)


def test_put_in_place_and_errors():
    x = ddp.arange(6.0)
    assert x.put_(ddp.tensor([0, 0, -1]), ddp.tensor([1.0, 2.0, 3.0]), accumulate=True) is x
    assert x.tolist() == [3.0, 1.0, 2.0, 3.0, 4.0, 8.0]
    a = leaf(sample((4,)))
    y = a * 1.0
    y.put_(ddp.tensor([1]), ddp.tensor([9.0], dtype=ddp.float64))
    y.sum().backward()
    assert a.grad.tolist() == [1.0, 0.0, 1.0, 1.0]
    with pytest.raises(IndexError, match="put: expected as many source elements as indices, got 3 and 2"):
        ddp.put(ddp.zeros(4), ddp.tensor([0, 1]), ddp.ones(3))
    with pytest.raises(RuntimeError, match="put: expected the values to have input's dtype ddp.float32, got ddp.int64"):
        ddp.put(ddp.zeros(4), ddp.tensor([0, 1]), ddp.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="put: expected an index tensor of dtype int64, got int32"):
        ddp.put(ddp.zeros(4), ddp.tensor([0], dtype=ddp.int32), ddp.ones(1))
    with pytest.raises(IndexError, match="put .*index 4 is out of range"):
        ddp.put(ddp.zeros(4), ddp.tensor([4]), ddp.ones(1))


# ------------------------------------------------------------------------------------------ index_copy
@pytest.mark.parametrize("shape, dim, index", [((3, 4), 1, [0, 2]), ((3, 4), 1, [1, 1]), ((4, 2), 0, [3, 0, 1]),
                                               ((2, 3, 4), -1, [2])], ids=str)
def test_index_copy(shape, dim, index):
    x = sample(shape)
    source_shape = list(shape)
    source_shape[dim] = len(index)
    source = sample(source_shape, seed=1)
    idx = ddp.tensor(index)
    expected = x.copy()
    np.moveaxis(expected, dim, 0)[index] = np.moveaxis(source, dim, 0)
    np.testing.assert_array_equal(ddp.index_copy(ddp.tensor(x), dim, idx, ddp.tensor(source)).numpy(), expected)
    if len(set(index)) == len(index):  # a repeated index keeps one of its slices: no derivative
        assert gradcheck(lambda a, s: a.index_copy(dim, idx, s), x, source)
    torch = _torch()
    against_torch(lambda a, s: ddp.index_copy(a, dim, idx, s),
                  lambda a, s: torch.index_copy(a, dim, torch.tensor(index), s), x, source)


def test_index_copy_in_place_scalars_and_errors():
    x = ddp.zeros(3, 4)
    assert x.index_copy_(1, ddp.tensor(0), ddp.ones(3, 1)) is x and x[:, 0].tolist() == [1.0, 1.0, 1.0]
    assert ddp.index_copy(ddp.tensor(0.0), 0, ddp.tensor([0]), ddp.tensor(5.0)).tolist() == 5.0
    with pytest.raises(IndexError, match=r"index_copy: 2 indices for source of size 3 along dim 1"):
        ddp.index_copy(ddp.zeros(3, 4), 1, ddp.tensor([0, 2]), ddp.ones(3, 3))
    with pytest.raises(IndexError, match="index_copy: index must have 0 or 1 dims"):
        ddp.index_copy(ddp.zeros(3, 4), 1, ddp.tensor([[0, 2]]), ddp.ones(3, 2))
    with pytest.raises(IndexError, match="index_copy: source must have input's 2 dims"):
        ddp.index_copy(ddp.zeros(3, 4), 1, ddp.tensor([0]), ddp.ones(3))
    with pytest.raises(RuntimeError, match="index_copy: source of shape \\(2, 1\\) must match"):
        ddp.index_copy(ddp.zeros(3, 4), 1, ddp.tensor([0]), ddp.ones(2, 1))
    with pytest.raises(IndexError, match="index_copy .*index 5 is out of range"):
        ddp.index_copy(ddp.zeros(3, 4), 1, ddp.tensor([0, 5]), ddp.ones(3, 2))
    with pytest.raises(RuntimeError, match="index_copy: expected the values to have input's dtype ddp.float32"):
        ddp.index_copy(ddp.zeros(3, 4), 1, ddp.tensor([0]), ddp.ones(3, 1, dtype=ddp.float64))


# ------------------------------------------------------------------------------------------- index_put
INDEX_PUTS = {
    "pairs_repeated": ((np.array([0, 0, 2]), np.array([1, 1, 3])), (3,)),
    "rows": ((np.array([2, 0]),), (4,)),
    "rows_repeated": ((np.array([1, 1]),), (2, 4)),
    "mask": ((np.array([True, False, True]),), (1, 4)),
    "full_mask": ((np.arange(12).reshape(3, 4) % 5 == 0,), ()),
    "broadcast_indices": ((np.array([[0], [2]]), np.array([1, 3])), (2, 2)),
}


@pytest.mark.parametrize("accumulate", [False, True])
@pytest.mark.parametrize("name", INDEX_PUTS)
def test_index_put_matches_numpy_and_torch(name, accumulate):
    indices, value_shape = INDEX_PUTS[name]
    x, v = sample((3, 4)), sample(value_shape, seed=1)
    as_ddp = tuple(ddp.tensor(i) for i in indices)
    expected = x.copy()
    np_index = tuple(p for i in indices for p in (np.nonzero(i) if i.dtype == bool else (i,)))
    if accumulate:
        np.add.at(expected, np_index, np.broadcast_to(v, expected[np_index].shape))
    else:
        expected[np_index] = v
    out = S.index_put(ddp.tensor(x), as_ddp, ddp.tensor(v), accumulate)
    np.testing.assert_allclose(out.numpy(), expected)
    method = x.copy()
    assert np.allclose(ddp.tensor(x).index_put(as_ddp, ddp.tensor(v), accumulate).numpy(), expected)
    assert np.allclose(ddp.tensor(method).index_put_(as_ddp, ddp.tensor(v), accumulate=accumulate).numpy(), expected)
    if accumulate or "repeated" not in name:  # else the value kept is one of several: no derivative
        assert gradcheck(lambda a, s: S.index_put(a, as_ddp, s, accumulate), x, v)
    torch = _torch()
    as_torch = tuple(torch.tensor(i) for i in indices)
    against_torch(lambda a, s: a.index_put(as_ddp, s, accumulate), lambda a, s: a.index_put(as_torch, s, accumulate),
                  x, v)
    against_torch(lambda a, s: ddp.index_put_(a * 1.0, as_ddp, s, accumulate),
                  lambda a, s: torch.index_put_(a * 1.0, as_torch, s, accumulate), x, v)


def test_index_put_errors():
    x = ddp.zeros(3, 4)
    with pytest.raises(TypeError, match="index_put: indices must be a tuple of tensors, got Tensor"):
        S.index_put(x, ddp.tensor([0]), ddp.tensor(1.0))
    with pytest.raises(TypeError, match="index_put: values must be a tensor, got float"):
        S.index_put(x, (ddp.tensor([0]),), 1.0)
    with pytest.raises(IndexError, match="index_put: index tensors must be integer or bool, got float32"):
        S.index_put(x, (ddp.tensor([0.0]),), ddp.tensor(1.0))
    with pytest.raises(IndexError, match=r"index_put: 3 indexed dims for a tensor of shape \(3, 4\)"):
        S.index_put(x, (ddp.tensor([0]),) * 3, ddp.tensor(1.0))
    with pytest.raises(IndexError, match=r"index_put \(dim 0\): index 5 is out of range"):
        S.index_put(x, (ddp.tensor([5]),), ddp.tensor(1.0))
    with pytest.raises(RuntimeError, match=r"values of shape \(3, 4\) cannot be broadcast to the indexed shape "
                                           r"\(2, 4\)"):
        S.index_put(x, (ddp.tensor([0, 1]),), ddp.ones(3, 4))
    with pytest.raises(RuntimeError, match="index_put: expected the values to have input's dtype ddp.float32, got ddp.int64"):
        S.index_put(x, (ddp.tensor([0]),), ddp.tensor(1))


# -------------------------------------------------------------------------------------- masked_scatter
MASK = np.array([[True, False, True, False], [False, True, True, False], [False, False, False, True]])


@pytest.mark.parametrize("x_shape, mask", [((3, 4), MASK), ((3, 4), MASK[1]), ((4,), MASK)], ids=["same", "row", "x"])
def test_masked_scatter(x_shape, mask):
    x, source = sample(x_shape), sample((3, 5), seed=1)
    full_mask = np.broadcast_to(mask, np.broadcast_shapes(x_shape, mask.shape))
    expected = np.broadcast_to(x, full_mask.shape).copy()
    expected[full_mask] = source.reshape(-1)[:np.count_nonzero(full_mask)]
    out = ddp.masked_scatter(ddp.tensor(x), ddp.tensor(mask), ddp.tensor(source))
    np.testing.assert_array_equal(out.numpy(), expected)
    assert gradcheck(lambda a, s: a.masked_scatter(ddp.tensor(mask), s), x, source)
    forward32(lambda a, s: ddp.masked_scatter(a, ddp.tensor(mask), s), lambda a, s: expected, x, source)
    torch = _torch()
    against_torch(lambda a, s: ddp.masked_scatter(a, ddp.tensor(mask), s),
                  lambda a, s: torch.masked_scatter(a, torch.tensor(mask), s), x, source)


def test_masked_scatter_in_place_and_errors():
    x = ddp.zeros(3, 4)
    assert x.masked_scatter_(ddp.tensor(MASK[0]), ddp.arange(12.0)) is x
    assert x[:, 0].tolist() == [0.0, 2.0, 4.0]
    with pytest.raises(RuntimeError, match="expand"):
        ddp.zeros(4).masked_scatter_(ddp.tensor(MASK), ddp.zeros(12))
    with pytest.raises(RuntimeError, match="masked_scatter: source has 3 elements for 5 True entries of the mask"):
        ddp.masked_scatter(ddp.zeros(3, 4), ddp.tensor(MASK), ddp.zeros(3))
    with pytest.raises(RuntimeError, match="masked_scatter: mask must be a bool tensor, got int64"):
        ddp.masked_scatter(ddp.zeros(3, 4), ddp.tensor(MASK.astype(np.int64)), ddp.zeros(12))
    with pytest.raises(RuntimeError, match="masked_scatter: mask of shape \\(2,\\) does not broadcast"):
        ddp.masked_scatter(ddp.zeros(3, 4), ddp.tensor([True, False]), ddp.zeros(12))
    with pytest.raises(RuntimeError, match="masked_scatter: expected the values to have input's dtype ddp.float32"):
        ddp.masked_scatter(ddp.zeros(3, 4), ddp.tensor(MASK), ddp.arange(12))
