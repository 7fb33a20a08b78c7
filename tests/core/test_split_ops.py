"""tensor_split, hsplit/vsplit/dsplit, split_with_sizes, ravel, movedim/moveaxis with sequences, Tensor.unfold,
sum_to_size, narrow_copy and the in-place view forms (squeeze_, unsqueeze_, t_, transpose_): values against
numpy, float64 gradient checks, errors, and torch where installed."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, forward32, gradcheck, leaf, sample


def _shapes(pieces):
    return [tuple(p.shape) for p in pieces]


# ---------------------------------------------------------------------------------------------- splits
@pytest.mark.parametrize("how", [3, 12, 1, [1, 5, 20], [5, 1], [-2], (1, 5), [], "tensor0d", "tensor1d"], ids=str)
def test_tensor_split_matches_numpy_and_torch(how):
    x = sample((10, 2))
    arg = ddp.tensor(3) if how == "tensor0d" else ddp.tensor([1, 5]) if how == "tensor1d" else how
    np_how = 3 if how == "tensor0d" else [1, 5] if how == "tensor1d" else how
    pieces = ddp.tensor_split(ddp.tensor(x), arg)
    assert isinstance(pieces, tuple)
    expected = np.array_split(x, np_how) if isinstance(np_how, int) else np.split(x, list(np_how))
    assert _shapes(pieces) == [e.shape for e in expected]
    for p, e in zip(pieces, expected):
        np.testing.assert_array_equal(p.numpy(), e)
    assert gradcheck(lambda t: ddp.cat([p * (i + 1) for i, p in enumerate(t.tensor_split(arg))]), x)
    torch = pytest.importorskip("torch")
    t_arg = torch.tensor(3) if how == "tensor0d" else torch.tensor([1, 5]) if how == "tensor1d" else how
    assert _shapes(pieces) == _shapes(torch.tensor_split(torch.tensor(x), t_arg))


def test_tensor_split_dims_keywords_and_errors():
    x = ddp.arange(24.0).reshape(2, 12)
    assert _shapes(ddp.tensor_split(x, 5, dim=1)) == [(2, 3), (2, 3), (2, 2), (2, 2), (2, 2)]
    assert _shapes(ddp.tensor_split(x, indices=[2], dim=-1)) == [(2, 2), (2, 10)]
    assert _shapes(ddp.tensor_split(x, sections=2)) == [(1, 12), (1, 12)]
    assert _shapes(ddp.tensor_split(x, tensor_indices_or_sections=ddp.tensor([1]))) == [(1, 12), (1, 12)]
    with pytest.raises(RuntimeError, match="tensor_split: the number of sections must be positive, got 0"):
        ddp.tensor_split(x, 0)
    with pytest.raises(RuntimeError, match="tensor_split: expected a tensor of at least 1 dim"):
        ddp.tensor_split(ddp.tensor(1.0), 2)
    with pytest.raises(RuntimeError, match="tensor_split: a tensor of indices or sections must be int64"):
        ddp.tensor_split(x, ddp.tensor([[1, 2]]))
    with pytest.raises(RuntimeError, match="tensor_split: a tensor of indices or sections must be int64"):
        ddp.tensor_split(x, ddp.tensor([1.0]))
    with pytest.raises(TypeError, match="tensor_split: expected an int, a sequence of ints or a tensor, got 2.0"):
        ddp.tensor_split(x, 2.0)


@pytest.mark.parametrize("name, shape, how", [("hsplit", (4, 6, 8), 2), ("hsplit", (4, 6, 8), [1, 3]),
                                              ("hsplit", (6,), 3), ("vsplit", (4, 6, 8), 2),
                                              ("vsplit", (4, 6), [3]), ("dsplit", (4, 6, 8), 4),
                                              ("dsplit", (2, 2, 5), [1, 4])], ids=str)
def test_hsplit_vsplit_dsplit(name, shape, how):
    x = sample(shape)
    pieces = getattr(ddp, name)(ddp.tensor(x), how)
    expected = getattr(np, name)(x, how)
    assert _shapes(pieces) == [e.shape for e in expected]
    for p, e in zip(pieces, expected):
        np.testing.assert_array_equal(p.numpy(), e)
    assert _shapes(getattr(ddp.tensor(x), name)(how)) == _shapes(pieces)
    assert gradcheck(lambda t: getattr(ddp, name)(t, how)[-1] * 2.0, x)


def test_hsplit_vsplit_dsplit_errors():
    with pytest.raises(RuntimeError, match="hsplit: dim 1 of size 6 cannot be split into 4 equal pieces"):
        ddp.hsplit(ddp.zeros(4, 6), 4)
    with pytest.raises(RuntimeError, match="vsplit: dim 0 of size 4 cannot be split into 0 equal pieces"):
        ddp.vsplit(ddp.zeros(4, 6), 0)
    with pytest.raises(RuntimeError, match="hsplit: expected a tensor of at least 1 dims"):
        ddp.hsplit(ddp.tensor(1.0), 1)
    with pytest.raises(RuntimeError, match="vsplit: expected a tensor of at least 2 dims"):
        ddp.vsplit(ddp.zeros(6), 2)
    with pytest.raises(RuntimeError, match="dsplit: expected a tensor of at least 3 dims"):
        ddp.dsplit(ddp.zeros(2, 2), 2)
    with pytest.raises(TypeError, match="hsplit: expected an int or a sequence of ints, got a tensor"):
        ddp.hsplit(ddp.zeros(4, 6), ddp.tensor([1]))


def test_split_with_sizes():
    x = sample((2, 10))
    pieces = ddp.split_with_sizes(ddp.tensor(x), [3, 0, 7], -1)
    assert _shapes(pieces) == [(2, 3), (2, 0), (2, 7)]
    np.testing.assert_array_equal(pieces[2].numpy(), x[:, 3:])
    assert _shapes(ddp.tensor(x).split_with_sizes([1, 1], dim=0)) == [(1, 10), (1, 10)]
    assert gradcheck(lambda t: t.split_with_sizes([3, 7], 1)[1] * 3.0, x)
    with pytest.raises(RuntimeError, match=r"split_with_sizes: sizes \[3, 6\] must be non-negative and sum to 10"):
        ddp.split_with_sizes(ddp.tensor(x), [3, 6], 1)
    with pytest.raises(RuntimeError, match="split_with_sizes: sizes .* must be non-negative"):
        ddp.split_with_sizes(ddp.tensor(x), [3, -1, 8], 1)


# ------------------------------------------------------------------------------ ravel, movedim, copies
def test_ravel():
    x = sample((2, 3))
    out = ddp.ravel(ddp.tensor(x).t())
    assert out.shape == (6,) and out.is_contiguous()
    np.testing.assert_array_equal(out.numpy(), x.T.ravel())
    assert ddp.tensor(2.0).ravel().shape == (1,)
    strided = ddp.arange(6.0)[::2].ravel()
    assert strided.is_contiguous() and strided.tolist() == [0.0, 2.0, 4.0]
    assert gradcheck(lambda t: t.t().ravel(), x)


@pytest.mark.parametrize("source, destination", [((0, 1), (2, 0)), ([0, 1], [-1, 0]), (0, 2), (-1, 0), ((), ()),
                                                 ((2, 0, 1), (0, 1, 2))], ids=str)
def test_movedim_and_moveaxis_take_sequences(source, destination):
    x = sample((2, 3, 4))
    for name in ("movedim", "moveaxis"):
        out = getattr(ddp, name)(ddp.tensor(x), source, destination)
        np.testing.assert_array_equal(out.numpy(), np.moveaxis(x, source, destination))
        assert getattr(ddp.tensor(x), name)(source, destination).shape == out.shape
    assert gradcheck(lambda t: ddp.movedim(t, source, destination), x)
    torch = pytest.importorskip("torch")
    against_torch(lambda t: ddp.moveaxis(t, source, destination), lambda t: torch.moveaxis(t, source, destination), x)


def test_movedim_errors_and_scalars():
    y = ddp.zeros(2, 3, 4)
    assert ddp.movedim(ddp.tensor(1.0), 0, 0).shape == ()
    with pytest.raises(TypeError, match="movedim: source and destination must both be ints or both sequences"):
        ddp.movedim(y, (0,), 1)
    with pytest.raises(RuntimeError, match=r"movedim: source \[0, 1\] and destination \[1\] must name as many dims"):
        ddp.movedim(y, (0, 1), (1,))
    with pytest.raises(RuntimeError, match=r"movedim: repeated dim in source \[0, 0\]"):
        ddp.movedim(y, (0, 0), (1, 2))
    with pytest.raises(RuntimeError, match=r"movedim: repeated dim in destination \[2, -1\]"):
        ddp.movedim(y, (0, 1), (2, -1))
    with pytest.raises(IndexError, match="movedim"):
        ddp.movedim(y, 3, 0)


def test_narrow_copy():
    x = sample((2, 5))
    out = ddp.narrow_copy(ddp.tensor(x), 1, -2, 2)
    np.testing.assert_array_equal(out.numpy(), x[:, 3:])
    assert not np.shares_memory(out.numpy(), x) and ddp.tensor(x).narrow_copy(0, 1, 1).shape == (1, 5)
    assert gradcheck(lambda t: t.narrow_copy(1, 1, 3), x)
    assert ddp.narrow_copy(ddp.arange(10).reshape(2, 5), 1, 1, 3).tolist() == [[1, 2, 3], [6, 7, 8]]
    with pytest.raises(RuntimeError, match="narrow"):
        ddp.narrow_copy(ddp.tensor(x), 1, 4, 2)


# --------------------------------------------------------------------------------------------- unfold
@pytest.mark.parametrize("shape, dim, size, step", [((7,), 0, 3, 1), ((7,), 0, 3, 2), ((7,), -1, 2, 3),
                                                    ((7,), 0, 7, 1), ((7,), 0, 0, 1), ((2, 5, 3), 1, 2, 2),
                                                    ((2, 9, 3), 1, 4, 1), ((4, 6), 0, 2, 1)], ids=str)
def test_unfold_windows_and_overlapping_gradients(shape, dim, size, step):
    x = sample(shape)
    windows = np.lib.stride_tricks.sliding_window_view(x, size, axis=dim)
    expected = windows[(slice(None),) * (dim % len(shape)) + (slice(None, None, step),)]
    out = ddp.tensor(x).unfold(dim, size, step)
    np.testing.assert_array_equal(out.numpy(), expected)
    assert gradcheck(lambda t: t.unfold(dim, size, step), x)
    forward32(lambda t: t.unfold(dim, size, step), lambda a: expected.astype(np.float32), x)
    pytest.importorskip("torch")
    against_torch(lambda t: t.unfold(dim, size, step), lambda t: t.unfold(dim, size, step), x)


def test_unfold_counts_each_element_once_per_window():
    a = leaf(np.zeros(7))
    a.unfold(0, 3, 1).sum().backward()
    assert a.grad.tolist() == [1.0, 2.0, 3.0, 3.0, 3.0, 2.0, 1.0]


def test_unfold_scalars_integers_and_errors():
    assert ddp.tensor(5.0).unfold(0, 1, 1).tolist() == [5.0]
    assert ddp.tensor(5.0).unfold(0, 0, 1).shape == (0,)
    ints = ddp.arange(5).unfold(0, 2, 2)
    assert ints.dtype == np.int64 and ints.tolist() == [[0, 1], [2, 3]]
    with pytest.raises(RuntimeError, match="unfold: window size 8 must be from 0 to the size 7 of dim 0"):
        ddp.zeros(7).unfold(0, 8, 1)
    with pytest.raises(RuntimeError, match="unfold: step must be positive, got 0"):
        ddp.zeros(7).unfold(0, 2, 0)
    with pytest.raises(IndexError, match="unfold"):
        ddp.zeros(7).unfold(1, 2, 1)


# ---------------------------------------------------------------------------------------- sum_to_size
@pytest.mark.parametrize("size", [(1, 3), (3,), (), (2, 1), (1, 1), (2, 3)], ids=str)
def test_sum_to_size(size):
    x = sample((2, 3))
    out = ddp.tensor(x).sum_to_size(*size) if size else ddp.tensor(x).sum_to_size(size)
    lead = 2 - len(size)
    expected = x.sum(axis=tuple(range(lead))).reshape(x.shape[lead:]) if lead else x
    expected = expected.sum(axis=tuple(i for i, s in enumerate(size) if s == 1), keepdims=True).reshape(size)
    np.testing.assert_allclose(out.numpy(), expected)
    assert gradcheck(lambda t: t.sum_to_size(size), x)
    pytest.importorskip("torch")
    against_torch(lambda t: t.sum_to_size(size), lambda t: t.sum_to_size(size), x)


def test_sum_to_size_forms_and_errors():
    x = ddp.zeros(2, 3, dtype=ddp.int32)
    assert x.sum_to_size(ddp.Size([3])).dtype == np.int64 and x.sum_to_size([1, 3]).shape == (1, 3)
    for size in ((4, 3), (1, 2, 3)):
        with pytest.raises(RuntimeError, match=r"sum_to_size: size .* does not expand to the tensor's shape \[2, 3\]"):
            ddp.zeros(2, 3).sum_to_size(size)


# -------------------------------------------------------------------------------- in-place view forms
@pytest.mark.parametrize("name, args, shape", [("squeeze_", (), (2, 3)), ("squeeze_", (1,), (2, 3)),
                                               ("unsqueeze_", (0,), (1, 2, 1, 3)), ("transpose_", (0, 2), (3, 1, 2)),
                                               ("swapaxes_", (0, 2), (3, 1, 2)), ("swapdims_", (0, -1), (3, 1, 2))],
                         ids=str)
def test_inplace_views_change_shape_and_keep_the_graph(name, args, shape):
    x = sample((2, 1, 3))
    z = ddp.tensor(x)
    assert getattr(z, name)(*args) is z and z.shape == shape
    a = leaf(x)
    y = a * 2.0
    getattr(y, name)(*args)
    assert y.shape == shape
    w = sample(shape, seed=1)
    (y * ddp.tensor(w)).sum().backward()
    torch = pytest.importorskip("torch")
    t = torch.tensor(x, requires_grad=True)
    u = t * 2.0
    getattr(u, name)(*args)
    (u * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy())


def test_t_inplace_and_leaf_rules():
    a = leaf(sample((2, 3)))
    y = a * 1.0
    assert y.t_() is y and y.shape == (3, 2)
    (y * ddp.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    assert a.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf(np.zeros(3)).unsqueeze_(0)
    p = leaf(np.zeros((2, 3)))
    with ddp.no_grad():
        p.t_()
    assert p.shape == (3, 2) and p.requires_grad and p.is_leaf
    with pytest.raises(RuntimeError, match=r"t\(\) expects a tensor with <= 2 dimensions"):
        ddp.zeros(2, 3, 4).t_()
    v = ddp.zeros(2, 1, 3)
    v.squeeze_((0, 1))
    assert v.shape == (2, 3) and v._version == 1
    a = leaf(sample((3, 3)))
    y = a * 2.0
    saved = y * y  # saves y, which t_ then changes: backward refuses, as PyTorch's
    y.t_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.sum().backward()


@pytest.mark.parametrize("name, args", [("squeeze_", ()), ("unsqueeze_", (0,)), ("t_", ()), ("transpose_", (0, 1))],
                         ids=str)
def test_ops_recorded_before_an_inplace_view_still_get_gradients_of_the_old_shape(name, args):
    """An op that read y before y.t_() / y.squeeze_() sends y a gradient of y's old shape: the engine checks
    it against the shape recorded with y's node then, not y's shape now (PyTorch's answers, hard-coded)."""
    x = leaf(np.arange(1.0, 7.0).reshape(2, 3) if name in ("t_", "transpose_") else np.arange(1.0, 4.0).reshape(3, 1))
    y = x * 2.0
    before = (y * 3.0).sum()  # recorded on the old shape
    getattr(y, name)(*args)
    after = (y * y).sum()
    (before + after).backward()
    np.testing.assert_allclose(x.grad.numpy(), 6.0 + 8.0 * x.numpy())  # d/dx (6x + 4x^2)
