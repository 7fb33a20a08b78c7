"""scatter_reduce and index_reduce (sum, prod, mean, amax, amin; include_self): values against a plain
reference, float64 gradient checks off ties, PyTorch's gradients at ties and zeros, integer dtypes, in-place
forms, errors, and torch where installed."""
import warnings

import numpy as np
import pytest

import ddp
from op_helpers import against_torch, forward32, gradcheck, leaf

REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]
PY_REDUCE = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}
# (input shape, dim, index, src shape): index may be smaller than src, and repeats positions
CASES = [
    ((4,), 0, [0, 0, 2, 2, 2, 1], (6,)),
    ((3, 4), 1, [[0, 0, 3], [1, 2, 2], [3, 3, 3]], (3, 5)),
    ((3, 4), 0, [[0, 1, 0, 0], [0, 1, 2, 0]], (2, 4)),
    ((2, 3, 2), 1, [[[2, 0], [2, 2]], [[0, 0], [1, 1]]], (3, 2, 2)),
]


def reference(x, dim, index, src, reduce, include_self):
    """A plain loop over the positions of index."""
    out, gathered = x.copy(), {}
    for pos in np.ndindex(index.shape):
        target = pos[:dim] + (index[pos],) + pos[dim + 1:]
        gathered.setdefault(target, [x[target]] if include_self else []).append(src[pos])
    for target, values in gathered.items():
        out[target] = PY_REDUCE[reduce](values)
    return out


def distinct(shape_a, shape_b, seed=0):
    """Two float64 samples whose values are all distinct (no ties in amax or amin), away from 0."""
    rng = np.random.default_rng(seed)
    values = rng.permutation(np.r_[np.linspace(-2.0, -0.5, 40), np.linspace(0.5, 2.0, 40)])
    na, nb = int(np.prod(shape_a)), int(np.prod(shape_b))
    return values[:na].reshape(shape_a), values[na:na + nb].reshape(shape_b)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("case", range(len(CASES)))
def test_scatter_reduce_values_gradients_and_torch(case, reduce, include_self):
    shape, dim, index, src_shape = CASES[case]
    index = np.array(index)
    x, src = distinct(shape, src_shape, seed=case)
    idx = ddp.tensor(index)
    out = ddp.scatter_reduce(ddp.tensor(x), dim, idx, ddp.tensor(src), reduce, include_self=include_self)
    np.testing.assert_allclose(out.numpy(), reference(x, dim, index, src, reduce, include_self), rtol=1e-12)
    assert gradcheck(lambda a, s: ddp.scatter_reduce(a, dim, idx, s, reduce, include_self=include_self), x, src)
    forward32(lambda a, s: a.scatter_reduce(dim, idx, s, reduce, include_self=include_self),
              lambda a, s: reference(a, dim, index, s, reduce, include_self), x, src)
    torch = pytest.importorskip("torch")
    torch_fn = lambda a, s: torch.scatter_reduce(a, dim, torch.tensor(index), s, reduce,  # noqa: E731
                                                 include_self=include_self)
    if index.shape == src.shape:
        against_torch(lambda a, s: ddp.scatter_reduce(a, dim, idx, s, reduce, include_self=include_self), torch_fn,
                      x, src)
    else:  # torch's backward rejects an index smaller than src: compare the values only
        np.testing.assert_allclose(out.numpy(), torch_fn(torch.tensor(x), torch.tensor(src)).numpy(), rtol=1e-12)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_scatter_reduce_ties_and_zeros_match_torch(reduce, include_self):
    x = np.array([5.0, 2.0, 0.0, 3.0, 1.0])
    src = np.array([5.0, 5.0, 1.0, 0.0, 0.0, 3.0, 4.0, 3.0])  # ties with each other and with x; zeros for prod
    index = np.array([0, 0, 1, 2, 1, 3, 3, 3])
    if not include_self:  # no ties with x's own elements, which take no part (see the next test)
        x = x + 0.5
    torch = pytest.importorskip("torch")
    against_torch(lambda a, s: ddp.scatter_reduce(a, 0, ddp.tensor(index), s, reduce, include_self=include_self),
                  lambda a, s: torch.scatter_reduce(a, 0, torch.tensor(index), s, reduce, include_self=include_self),
                  x, src)


def test_amax_splits_the_gradient_among_ties():
    a, s = leaf([5.0, 2.0]), leaf([5.0, 5.0, 1.0])
    ddp.scatter_reduce(a, 0, ddp.tensor([0, 0, 1]), s, "amax").sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [1 / 3, 1.0])
    np.testing.assert_allclose(s.grad.numpy(), [1 / 3, 1 / 3, 0.0])
    # include_self=False: x's element takes no part, so the two tied sources share all of the gradient
    # (PyTorch 2.13 still counts x's tie and hands out 1/3 each, losing a third)
    a, s = leaf([5.0, 2.0]), leaf([5.0, 5.0, 1.0])
    ddp.scatter_reduce(a, 0, ddp.tensor([0, 0, 1]), s, "amax", include_self=False).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0] and s.grad.tolist() == [0.5, 0.5, 1.0]


def test_prod_gradient_is_exact_at_zeros():
    a, s = leaf([0.0, 2.0, 1.0]), leaf([3.0, 0.0, 4.0, 0.0, 0.0])
    ddp.scatter_reduce(a, 0, ddp.tensor([0, 1, 1, 2, 2]), s, "prod").sum().backward()
    assert a.grad.tolist() == [3.0, 0.0, 0.0] and s.grad.tolist() == [0.0, 8.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("dtype", [ddp.int64, ddp.int32])
def test_scatter_reduce_integers(dtype):
    x = ddp.tensor([1, 2, 3, 4], dtype=dtype)
    src = ddp.tensor([-5, 2, 6, 7, 9], dtype=dtype)
    index = ddp.tensor([0, 0, 1, 3, 3])
    expected = {("mean", True): [-1, 4, 3, 6], ("mean", False): [-2, 6, 3, 8], ("amax", False): [2, 6, 3, 9],
                ("amin", True): [-5, 2, 3, 4], ("prod", False): [-10, 6, 3, 63], ("sum", True): [-2, 8, 3, 20]}
    for (reduce, include_self), values in expected.items():
        out = ddp.scatter_reduce(x, 0, index, src, reduce, include_self=include_self)
        assert out.dtype == dtype and out.tolist() == values, (reduce, include_self)
    torch = pytest.importorskip("torch")
    for reduce in REDUCTIONS:
        for include_self in (True, False):
            t = torch.scatter_reduce(torch.tensor(x.numpy()), 0, torch.tensor(index.numpy()), torch.tensor(src.numpy()),
                                     reduce, include_self=include_self)
            assert ddp.scatter_reduce(x, 0, index, src, reduce, include_self=include_self).tolist() == t.tolist()


def test_scatter_reduce_in_place_scalar_and_int32_index():
    x = ddp.zeros(3)
    assert x.scatter_reduce_(0, ddp.tensor([0, 0]), ddp.tensor([1.0, 2.0, 5.0]), "mean") is x
    assert x.tolist() == [1.0, 0.0, 0.0]
    assert ddp.scatter_reduce(ddp.tensor(1.0), 0, ddp.tensor(0), ddp.tensor(4.0), "sum").tolist() == 5.0
    assert ddp.scatter_reduce(ddp.zeros(2), 0, ddp.tensor([1, 1], dtype=ddp.int32), ddp.ones(2), "sum").tolist() == [0, 2]
    a = leaf([1.0, 2.0])
    y = a * 1.0
    y.scatter_reduce_(0, ddp.tensor([1]), ddp.tensor([5.0], dtype=ddp.float64), "amax")
    y.sum().backward()
    assert a.grad.tolist() == [1.0, 0.0]


def test_scatter_reduce_errors():
    x, src = ddp.zeros(2, 3), ddp.ones(3, 4)
    with pytest.raises(RuntimeError, match="scatter_reduce: reduce must be one of sum, prod, mean, amax, amin, "
                                           "got 'max'"):
        ddp.scatter_reduce(x, 1, ddp.tensor([[0]]), src, "max")
    with pytest.raises(RuntimeError, match="scatter_reduce: expected an index tensor of dtype int64 or int32"):
        ddp.scatter_reduce(x, 1, ddp.tensor([[0.0]]), src, "sum")
    with pytest.raises(RuntimeError, match="scatter_reduce: index, input and src must have the same number of dims"):
        ddp.scatter_reduce(x, 1, ddp.tensor([0]), src, "sum")
    for index in ([[0, 0, 1, 1]], [[0], [1], [0]]):
        with pytest.raises(RuntimeError, match="scatter_reduce: index of shape .* must be no larger than src"):
            ddp.scatter_reduce(x, 1, ddp.tensor(index), ddp.ones(3, 3), "sum")
    with pytest.raises(RuntimeError, match=r"scatter_reduce \(dim 1\): index -1 is out of range"):
        ddp.scatter_reduce(x, 1, ddp.tensor([[-1]]), src, "sum")
    with pytest.raises(RuntimeError, match="scatter_reduce: expected the values to have input's dtype ddp.float32"):
        ddp.scatter_reduce(x, 1, ddp.tensor([[0]]), ddp.ones(3, 4, dtype=ddp.int64), "sum")


# ------------------------------------------------------------------------------------------ index_reduce
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS[1:])
@pytest.mark.parametrize("dim, index", [(0, [0, 0, 2]), (1, [1, 0, 1, 1])], ids=str)
def test_index_reduce(dim, index, reduce, include_self):
    x, source = distinct((3, 2), (3, 2) if dim == 0 else (3, 4), seed=len(index))
    full = np.broadcast_to(np.array(index).reshape((-1,) + (1,) * (1 - dim)), source.shape)
    idx = ddp.tensor(index)
    out = ddp.index_reduce(ddp.tensor(x), dim, idx, ddp.tensor(source), reduce, include_self=include_self)
    np.testing.assert_allclose(out.numpy(), reference(x, dim, full, source, reduce, include_self), rtol=1e-12)
    assert gradcheck(lambda a, s: a.index_reduce(dim, idx, s, reduce, include_self=include_self), x, source)
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "index_reduce is in beta"
        against_torch(lambda a, s: ddp.index_reduce(a, dim, idx, s, reduce, include_self=include_self),
                      lambda a, s: torch.index_reduce(a, dim, torch.tensor(index), s, reduce, include_self=include_self),
                      x, source)
        tied = np.array([[1.0, 3.0], [1.0, 0.0], [2.0, 2.0]])  # rows 0 and 1 go to row 0: ties in column 0
        x_tied = np.array([[1.0, 3.0], [2.0, 7.0], [4.0, 4.0]]) + (0.0 if include_self else 0.5)
        against_torch(lambda a, s: ddp.index_reduce(a, 0, ddp.tensor([0, 0, 1]), s, reduce, include_self=include_self),
                      lambda a, s: torch.index_reduce(a, 0, torch.tensor([0, 0, 1]), s, reduce,
                                                      include_self=include_self), x_tied, tied)


def test_index_reduce_in_place_integers_and_errors():
    x = ddp.tensor([1, 2, 3])
    assert x.index_reduce_(0, ddp.tensor([0, 0]), ddp.tensor([-5, 2]), "mean", include_self=False) is x
    assert x.tolist() == [-2, 2, 3]
    with pytest.raises(RuntimeError, match="index_reduce: reduce must be one of prod, mean, amax, amin, got 'sum'"):
        ddp.index_reduce(ddp.zeros(3, 2), 0, ddp.tensor([0]), ddp.ones(1, 2), "sum")
    with pytest.raises(IndexError, match=r"index_reduce \(dim 0\): index -1 is out of range"):
        ddp.index_reduce(ddp.zeros(3, 2), 0, ddp.tensor([-1]), ddp.ones(1, 2), "amax")
    with pytest.raises(RuntimeError, match="index_reduce: 2 indices for source of size 3 along dim 0"):
        ddp.index_reduce(ddp.zeros(3, 2), 0, ddp.tensor([0, 0]), ddp.ones(3, 2), "amax")
    with pytest.raises(RuntimeError, match=r"index_reduce: source of shape \(1, 3\) must match"):
        ddp.index_reduce(ddp.zeros(3, 2), 0, ddp.tensor([0]), ddp.ones(1, 3), "amax")


@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_takes_the_deprecated_reduce_argument(reduce):
    x, idx, src = np.array([1.0, 2.0, 3.0]), np.array([0, 0, 2]), np.array([4.0, 5.0, 6.0])
    want = np.array([10.0, 2.0, 9.0]) if reduce == "add" else np.array([20.0, 2.0, 18.0])
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter with Tensor src is deprecated"):
        got = ddp.tensor(x).scatter(0, ddp.tensor(idx), ddp.tensor(src), reduce=reduce)
    np.testing.assert_array_equal(got.numpy(), want)
    t = ddp.tensor(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a number src: no warning, as PyTorch
        assert t.scatter_(0, ddp.tensor(idx), 2.0, reduce=reduce) is t
    np.testing.assert_array_equal(t.numpy(), [5.0, 2.0, 5.0] if reduce == "add" else [4.0, 2.0, 6.0])
    assert gradcheck(lambda a, s: a.scatter(0, ddp.tensor(idx), s, reduce=reduce), x, src)
    with pytest.raises(RuntimeError, match="either add or multiply"):
        ddp.tensor(x).scatter(0, ddp.tensor(idx), ddp.tensor(src), reduce="max")
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.tensor(x).scatter(0, torch.tensor(idx), torch.tensor(src), reduce=reduce)
    np.testing.assert_array_equal(got.numpy(), ref.numpy())
