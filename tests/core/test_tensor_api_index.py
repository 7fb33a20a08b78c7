"""Ops that pick, place or rearrange elements, and the matrix products of the Tensor API: float64 gradient
checks, numpy references, errors, and torch's results where it is installed."""
import numpy as np
import pytest

import ddp
from op_helpers import forward32, gradcheck, sample

IDX = np.array([[0, 2, 1], [1, 0, 0]])

# name: (fn(module, x) for ddp and torch alike, numpy reference, shape)
DIFFERENTIABLE = {
    "narrow": (lambda m, x: x.narrow(1, 1, 2), lambda x: x[:, 1:3], (2, 4)),
    "narrow_negative_start": (lambda m, x: m.narrow(x, 0, -2, 2), lambda x: x[-2:], (3, 2)),
    "unbind": (lambda m, x: x.unbind(1)[2], lambda x: x[:, 2], (2, 3)),
    "unflatten": (lambda m, x: x.unflatten(1, (2, -1)), lambda x: x.reshape(2, 2, 3), (2, 6)),
    "swapaxes": (lambda m, x: x.swapaxes(0, 2), lambda x: np.swapaxes(x, 0, 2), (2, 3, 4)),
    "flip": (lambda m, x: x.flip(0, 1), lambda x: x[::-1, ::-1], (2, 3)),
    "flip_list": (lambda m, x: m.flip(x, [1]), lambda x: x[:, ::-1], (2, 3)),
    "roll": (lambda m, x: x.roll(1, 1), lambda x: np.roll(x, 1, 1), (2, 3)),
    "roll_dims": (lambda m, x: m.roll(x, (1, -1), (0, 1)), lambda x: np.roll(x, (1, -1), (0, 1)), (3, 3)),
    "roll_flat": (lambda m, x: x.roll(2), lambda x: np.roll(x, 2), (2, 3)),
    "repeat": (lambda m, x: x.repeat(2, 3), lambda x: np.tile(x, (2, 3)), (2, 3)),
    "repeat_new_dims": (lambda m, x: x.repeat(2, 1, 2), lambda x: np.tile(x, (2, 1, 2)), (3,)),
    "tile": (lambda m, x: m.tile(x, (2,)), lambda x: np.tile(x, (1, 2)), (2, 3)),
    "repeat_interleave": (lambda m, x: x.repeat_interleave(2, dim=0), lambda x: np.repeat(x, 2, 0), (2, 3)),
    "repeat_interleave_flat": (lambda m, x: m.repeat_interleave(x, 2), lambda x: np.repeat(x, 2), (2, 2)),
    "tril": (lambda m, x: x.tril(), lambda x: np.tril(x), (3, 4)),
    "triu_offset": (lambda m, x: m.triu(x, 1), lambda x: np.triu(x, 1), (2, 3, 3)),
    "tril_negative": (lambda m, x: m.tril(x, -1), lambda x: np.tril(x, -1), (4, 3)),
    "diag_embed": (lambda m, x: m.diag(x), lambda x: np.diag(x), (3,)),
    "diag_embed_offset": (lambda m, x: m.diag(x, -1), lambda x: np.diag(x, -1), (3,)),
    "diag_extract": (lambda m, x: x.diag(1), lambda x: np.diag(x, 1), (3, 4)),
    "gather": (lambda m, x: x.gather(1, m.tensor(IDX)), lambda x: np.take_along_axis(x, IDX, 1), (2, 3)),
    "index_select": (lambda m, x: x.index_select(0, m.tensor([1, 0, 1])), lambda x: x[[1, 0, 1]], (2, 3)),
    "masked_select": (lambda m, x: x.masked_select(m.tensor([True, False, True])), lambda x: x[:, [0, 2]].ravel(),
                      (2, 3)),
    "index_fill": (lambda m, x: x.index_fill(1, m.tensor([0, 2]), -1.0),
                   lambda x: np.where(np.array([True, False, True]), -1.0, x), (2, 3)),
    "scatter_value": (lambda m, x: x.scatter(1, m.tensor(IDX[:, :2]), 5.0), None, (2, 3)),
    "outer": (lambda m, x: m.outer(x, x * 2), lambda x: np.outer(x, x * 2), (3,)),
    "einsum_matmul": (lambda m, x: m.einsum("ij,kj->ik", x, x), lambda x: x @ x.T, (2, 3)),
    "einsum_sum_away": (lambda m, x: m.einsum("ij->j", x), lambda x: x.sum(0), (2, 3)),
    "einsum_ellipsis": (lambda m, x: m.einsum("...ij,...jk->...ik", x, x.transpose(-1, -2)),
                        lambda x: x @ np.swapaxes(x, -1, -2), (2, 2, 3)),
    "einsum_implicit": (lambda m, x: m.einsum("ij,jk", x, x.t()), lambda x: x @ x.T, (2, 3)),
    "einsum_list": (lambda m, x: m.einsum("bi,bi->b", [x, x + 1]), lambda x: (x * (x + 1)).sum(1), (2, 3)),
}


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_grad(name):
    fn, _, shape = DIFFERENTIABLE[name]
    assert gradcheck(lambda x: fn(ddp, x), sample(shape, seed=5))


@pytest.mark.parametrize("name", [n for n, (_, ref, _) in DIFFERENTIABLE.items() if ref is not None])
def test_forward_float32(name):
    fn, ref, shape = DIFFERENTIABLE[name]
    forward32(lambda x: fn(ddp, x), ref, sample(shape, seed=5))


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    fn, _, shape = DIFFERENTIABLE[name]
    x = sample(shape, seed=5)
    ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    a, b = fn(ddp, ours), fn(torch, theirs)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)
    w = np.random.default_rng(1).standard_normal(b.shape)
    (a * ddp.tensor(w)).sum().backward()
    (b * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


# (fn(module, x, src), shapes of x and src): differentiable in both inputs
TWO_INPUTS = {
    "scatter": (lambda m, x, s: x.scatter(1, m.tensor(IDX[:, :2]), s), (2, 3), (2, 2)),
    "scatter_larger_src": (lambda m, x, s: x.scatter(0, m.tensor([[1, 0]]), s), (2, 3), (2, 2)),
    "scatter_add": (lambda m, x, s: m.scatter_add(x, 1, m.tensor(IDX), s), (2, 3), (2, 3)),
    "scatter_add_dim0": (lambda m, x, s: x.scatter_add(0, m.tensor([[0, 1, 0]]), s), (2, 3), (1, 3)),
    "index_add": (lambda m, x, s: x.index_add(0, m.tensor([1, 1, 0]), s, alpha=2.0), (2, 3), (3, 3)),
    "baddbmm": (lambda m, x, s: m.baddbmm(x, s, s.transpose(1, 2), beta=0.5, alpha=2.0), (2, 3, 3), (2, 3, 4)),
    "addmm": (lambda m, x, s: m.addmm(x, s, s.t(), alpha=0.5), (3,), (3, 4)),
    "bmm": (lambda m, x, s: x.bmm(s), (2, 3, 4), (2, 4, 2)),
    "dot": (lambda m, x, s: m.dot(x, s), (3,), (3,)),
    "mv": (lambda m, x, s: x.mv(s), (2, 3), (3,)),
    "einsum_two": (lambda m, x, s: m.einsum("bij,bjk->bik", x, s), (2, 2, 3), (2, 3, 2)),
    "lerp_tensor_weight": (lambda m, x, s: m.lerp(x, s, m.sigmoid(s)), (2, 3), (2, 3)),
    "where": (lambda m, x, s: m.where(x > 0, x, s), (2, 3), (3,)),
    "where_scalar": (lambda m, x, s: m.where(x > 0, x, 0.5) * s, (2, 3), (3,)),
    "clamp_tensors": (lambda m, x, s: x.clamp(min=s - 3.0, max=s + 3.0), (2, 3), (3,)),
}


@pytest.mark.parametrize("name", TWO_INPUTS)
def test_two_input_grad(name):
    fn, sa, sb = TWO_INPUTS[name]
    assert gradcheck(lambda x, s: fn(ddp, x, s), sample(sa, seed=1), sample(sb, seed=2))


@pytest.mark.parametrize("name", [n for n in TWO_INPUTS if n != "scatter_larger_src"])  # torch's backward refuses it
def test_two_input_matches_torch(name):
    torch = pytest.importorskip("torch")
    fn, sa, sb = TWO_INPUTS[name]
    x, s = sample(sa, seed=1), sample(sb, seed=2)
    ours = [ddp.tensor(v, requires_grad=True) for v in (x, s)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (x, s)]
    a, b = fn(ddp, *ours), fn(torch, *theirs)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)
    a.sum().backward()
    b.sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_scatter_and_scatter_add_values():
    x = ddp.zeros(2, 3)
    out = x.scatter_add(1, ddp.tensor([[0, 0], [1, 2]]), ddp.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert out.tolist() == [[3.0, 0.0, 0.0], [0.0, 3.0, 4.0]]
    assert ddp.scatter(x, 0, ddp.tensor([[1, 0, 1]]), value=7.0).tolist() == [[0, 7, 0], [7, 0, 7]]
    with pytest.raises(RuntimeError, match="scatter\\(\\): Expected dtype int64 for index"):
        x.scatter(0, ddp.tensor([[0.0]]), 1.0)
    with pytest.raises(RuntimeError, match="scatter_add: index 5 is out of bounds for dimension 1 with size 3"):
        x.scatter_add(1, ddp.tensor([[5]]), ddp.ones(1, 1))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.scatter(1, ddp.tensor([0]), 1.0)


def test_nonzero_argwhere_and_where_of_one_argument():
    x = ddp.tensor([[0.0, 1.5], [2.0, 0.0]])
    assert x.nonzero().tolist() == [[0, 1], [1, 0]] and x.nonzero().dtype == np.int64
    rows, cols = ddp.nonzero(x, as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]
    assert [t.tolist() for t in ddp.where(x > 0)] == [[0, 1], [1, 0]]
    assert ddp.argwhere(ddp.tensor([0, 3, 0, 4])).tolist() == [[1], [3]]
    assert tuple(ddp.tensor(3.0).nonzero().shape) == (1, 0) and tuple(ddp.tensor(0).nonzero().shape) == (0, 0)


def test_masked_select_broadcasts_and_checks_the_mask():
    x = ddp.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.masked_select(x > 2.5).tolist() == [3.0, 4.0]
    assert ddp.masked_select(x, ddp.tensor([True, False])).tolist() == [1.0, 3.0]
    with pytest.raises(RuntimeError, match="masked_select: expected BoolTensor for mask"):
        x.masked_select(ddp.tensor([1, 0]))


def test_shape_op_errors_name_the_op():
    x = ddp.arange(5)
    with pytest.raises(RuntimeError, match="start \\(3\\) \\+ length \\(3\\) exceeds dimension size \\(5\\)"):
        x.narrow(0, 3, 3)
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        ddp.tril(ddp.ones(3))
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims can not be smaller"):
        ddp.ones(2, 3).repeat(2)
    with pytest.raises(RuntimeError, match="roll: shifts and dimensions must align"):
        ddp.ones(2, 3).roll((1, 2), (0,))
    with pytest.raises(RuntimeError, match="zero-dimensional tensor \\(at position 1\\) cannot be concatenated"):
        ddp.cat([ddp.ones(1), ddp.tensor(2.0)])
    with pytest.raises(RuntimeError, match="diag: expected a 1-D or 2-D tensor"):
        ddp.diag(ddp.ones(2, 2, 2))
    with pytest.raises(RuntimeError, match="outer: expected 1-D tensors"):
        ddp.outer(ddp.ones(2, 2), ddp.ones(2))
    with pytest.raises(NotImplementedError, match="repeated subscript"):
        ddp.einsum("ii->i", ddp.ones(2, 2, requires_grad=True))


def test_integer_and_bool_shape_ops_keep_their_dtype():
    x = ddp.tensor([[1, 2], [3, 4]])
    for out in (x.flip(0), x.roll(1), x.repeat(2, 1), x.tril(), ddp.diag(x), x.repeat_interleave(2), x.narrow(0, 0, 1),
                x.scatter(1, ddp.tensor([[0], [1]]), 9), x.index_fill(0, ddp.tensor([0]), 0)):
        assert out.dtype == np.int64
    assert ddp.tensor([True, False]).repeat(2).tolist() == [True, False, True, False]
    assert x.repeat_interleave(ddp.tensor([1, 2]), dim=0).tolist() == [[1, 2], [3, 4], [3, 4]]


@pytest.mark.parametrize("make", [lambda x: x.repeat(1, 1), lambda x: x.repeat(2, 1), lambda x: x[:1].repeat(3, 1),
                                  lambda x: x.repeat(2, 1, 1), lambda x: ddp.tile(x, (2,))])
def test_repeat_and_tile_are_writable_copies(make):
    """PyTorch's repeat never returns a view: in-place ops on it work and leave x alone (as in
    `style.repeat(n, 1, 1, 1).div_(255)`), also where no dim is actually repeated."""
    x = ddp.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = make(x)
    reference = y.numpy().copy()
    y.div_(2.0)
    np.testing.assert_array_equal(y.numpy(), reference / 2)
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    leaf = ddp.tensor([[1.0, 2.0]], requires_grad=True)
    (leaf.repeat(3, 2).mul_(2.0) * ddp.arange(12.0).reshape(3, 4)).sum().backward()  # in place in the graph
    np.testing.assert_array_equal(leaf.grad.numpy(), [[2 * (0 + 4 + 8 + 2 + 6 + 10), 2 * (1 + 5 + 9 + 3 + 7 + 11)]])


def test_flip_is_a_copy():
    x = ddp.tensor([1.0, 2.0, 3.0])
    y = x.flip(0)
    y[0] = 10.0
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_einsum_sublist_form():
    a, b = np.random.default_rng(0).random((2, 3)), np.random.default_rng(1).random((3, 4))
    ta, tb = ddp.tensor(a), ddp.tensor(b)
    np.testing.assert_allclose(ddp.einsum(ta, [0, 1], tb, [1, 2], [0, 2]).numpy(), a @ b)
    np.testing.assert_allclose(ddp.einsum(ta, [0, 1], tb, [1, 2]).numpy(), a @ b)
    np.testing.assert_allclose(ddp.einsum(ta, [Ellipsis, 1], [Ellipsis]).numpy(), a.sum(-1))
    with pytest.raises(ValueError, match="valid range"):
        ddp.einsum(ta, [0, 99])
