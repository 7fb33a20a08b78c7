"""Views, joins and splits: numpy forward and float64 gradient checks."""
import numpy as np
import pytest

import ddp
from op_helpers import forward32, gradcheck, sample

# name: (shape, ddp function, numpy reference)
VIEWS = {
    "reshape": ((2, 3), lambda x: x.reshape(3, 2), lambda a: a.reshape(3, 2)),
    "reshape_tuple": ((2, 3), lambda x: x.reshape((-1,)), lambda a: a.reshape(-1)),
    "reshape_fn": ((2, 3, 4), lambda x: ddp.reshape(x, (4, -1)), lambda a: a.reshape(4, -1)),
    "reshape_scalar": ((), lambda x: x.reshape(1, 1), lambda a: a.reshape(1, 1)),
    "view": ((2, 3), lambda x: x.view(6), lambda a: a.reshape(6)),
    "view_as": ((2, 3), lambda x: x.view_as(ddp.zeros(3, 2)), lambda a: a.reshape(3, 2)),
    "flatten": ((2, 3, 4), lambda x: x.flatten(), lambda a: a.reshape(-1)),
    "flatten_from1": ((2, 3, 4), lambda x: x.flatten(1), lambda a: a.reshape(2, 12)),
    "flatten_scalar": ((), lambda x: x.flatten(), lambda a: a.reshape(1)),
    "squeeze": ((1, 3, 1), lambda x: x.squeeze(), lambda a: a.squeeze()),
    "squeeze_dim": ((1, 3, 1), lambda x: x.squeeze(-1), lambda a: a.squeeze(-1)),
    "squeeze_noop": ((2, 3), lambda x: x.squeeze(0), lambda a: a),
    "unsqueeze": ((2, 3), lambda x: x.unsqueeze(1), lambda a: a[:, None]),
    "unsqueeze_last": ((2, 3), lambda x: x.unsqueeze(-1), lambda a: a[..., None]),
    "unsqueeze_scalar": ((), lambda x: x.unsqueeze(0), lambda a: a.reshape(1)),
    "transpose": ((2, 3, 4), lambda x: x.transpose(0, 2), lambda a: a.swapaxes(0, 2)),
    "transpose_neg": ((2, 3), lambda x: ddp.transpose(x, -1, -2), lambda a: a.T),
    "permute": ((2, 3, 4), lambda x: x.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    "permute_tuple": ((2, 3, 4), lambda x: x.permute((1, 2, 0)), lambda a: a.transpose(1, 2, 0)),
    "T": ((2, 3), lambda x: x.T, lambda a: a.T),
    "t": ((2, 3), lambda x: x.t(), lambda a: a.T),
    "T_scalar": ((), lambda x: x.T, lambda a: a),
    "expand": ((3, 1), lambda x: x.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4))),
    "expand_keep": ((3, 1), lambda x: x.expand(-1, 5), lambda a: np.broadcast_to(a, (3, 5))),
    "expand_scalar": ((), lambda x: x.expand(2, 2), lambda a: np.broadcast_to(a, (2, 2))),
    "expand_as": ((1, 3), lambda x: x.expand_as(ddp.zeros(4, 3)), lambda a: np.broadcast_to(a, (4, 3))),
    "contiguous": ((2, 3), lambda x: x.T.contiguous(), lambda a: np.ascontiguousarray(a.T)),
    "movedim": ((2, 3, 4), lambda x: x.movedim(0, -1), lambda a: np.moveaxis(a, 0, -1)),
    "pad": ((2, 3), lambda x: ddp.pad(x, (1, 2)), lambda a: np.pad(a, ((0, 0), (1, 2)))),
    "pad_2d": ((2, 3), lambda x: ddp.pad(x, (1, 0, 0, 2), value=1.5),
               lambda a: np.pad(a, ((0, 2), (1, 0)), constant_values=1.5)),
}


@pytest.mark.parametrize("name", VIEWS)
def test_view_ops(name):
    shape, fn, ref = VIEWS[name]
    x = sample(shape)
    assert gradcheck(fn, x)
    forward32(fn, ref, x)


def test_contiguous_makes_a_contiguous_copy_only_when_needed():
    x = ddp.ones(2, 3)
    assert x.contiguous() is x
    y = x.T.contiguous()
    assert y.is_contiguous() and not x.T.is_contiguous()


def test_reshape_shares_memory():
    x = ddp.zeros(2, 3)
    x.view(6).numpy()[0] = 5.0
    assert x[0, 0].item() == 5.0


JOINS = {
    "cat0": ([(2, 3), (1, 3), (4, 3)], lambda *xs: ddp.cat(xs, 0), lambda *a: np.concatenate(a, 0)),
    "cat1": ([(2, 3), (2, 1)], lambda *xs: ddp.cat(list(xs), dim=1), lambda *a: np.concatenate(a, 1)),
    "cat_neg": ([(2, 2, 1), (2, 2, 3)], lambda *xs: ddp.cat(xs, -1), lambda *a: np.concatenate(a, -1)),
    "cat_one": ([(3,)], lambda *xs: ddp.cat(xs), lambda *a: np.concatenate(a)),
    "stack0": ([(2, 3), (2, 3)], lambda *xs: ddp.stack(xs), lambda *a: np.stack(a)),
    "stack_last": ([(2, 3)] * 3, lambda *xs: ddp.stack(xs, dim=-1), lambda *a: np.stack(a, -1)),
    "stack_scalars": ([(), ()], lambda *xs: ddp.stack(xs), lambda *a: np.stack(a)),
}


@pytest.mark.parametrize("name", JOINS)
def test_joins(name):
    shapes, fn, ref = JOINS[name]
    xs = [sample(s, seed=i) for i, s in enumerate(shapes)]
    assert gradcheck(fn, *xs)
    forward32(fn, ref, *xs)


def test_cat_the_same_tensor_twice_accumulates():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    (ddp.cat([x, x]) * ddp.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert x.grad.tolist() == [4.0, 6.0]


SPLITS = {
    "split_size": ((5, 2), lambda x: x.split(2), lambda a: np.split(a, [2, 4])),
    "split_sizes": ((6, 2), lambda x: ddp.split(x, [1, 3, 2]), lambda a: np.split(a, [1, 4])),
    "split_dim1": ((2, 5), lambda x: x.split(3, dim=1), lambda a: np.split(a, [3], axis=1)),
    "chunk": ((5, 2), lambda x: x.chunk(3), lambda a: np.split(a, [2, 4])),
    "chunk_even": ((2, 6), lambda x: ddp.chunk(x, 3, dim=-1), lambda a: np.split(a, 3, axis=-1)),
}


@pytest.mark.parametrize("name", SPLITS)
def test_splits(name):
    shape, fn, ref = SPLITS[name]
    x = sample(shape)
    pieces = fn(ddp.tensor(x, dtype=ddp.float32, requires_grad=True))
    expected = ref(x.astype(np.float32))
    assert len(pieces) == len(expected)
    for p, e in zip(pieces, expected):
        np.testing.assert_array_equal(p.numpy(), e)
    assert gradcheck(lambda t: fn(t), x)
    assert gradcheck(lambda t: fn(t)[-1] * 2, x)  # pieces that are not used get zero gradient


@pytest.mark.parametrize("shape,dim,index", [
    ((3, 4), 1, [[0, 0, 3], [1, 2, 1], [3, 3, 3]]),
    ((3, 4), 0, [[0, 1, 2, 2]]),
    ((2, 3, 4), 2, np.zeros((2, 3, 1), dtype=np.int64)),
    ((4,), 0, [3, 3, 0]),
], ids=str)
def test_gather(shape, dim, index):
    index = np.asarray(index)
    x = sample(shape)
    fn = lambda t: ddp.gather(t, dim, ddp.tensor(index))  # noqa: E731
    assert gradcheck(fn, x)
    forward32(lambda t: t.gather(dim, ddp.tensor(index)), lambda a: np.take_along_axis(a, index, dim), x)


def test_index_select():
    x = sample((3, 4))
    fn = lambda t: t.index_select(1, ddp.tensor([3, 0, 3]))  # noqa: E731
    assert gradcheck(fn, x)
    forward32(fn, lambda a: a[:, [3, 0, 3]], x)


def test_shape_ops_on_python_floats_stay_float32():
    assert ddp.cat([[1.0], [2.0]]).dtype == ddp.float32
    assert ddp.stack([[1.0], [2.0]]).dtype == ddp.float32
    assert ddp.reshape([1.0, 2.0], (2, 1)).dtype == ddp.float32


# (method or function, positional call, the same call by PyTorch's keyword)
KEYWORD_FORMS = {
    "reshape": (lambda x: x.reshape(3, 2), lambda x: x.reshape(shape=(3, 2))),
    "fn_reshape": (lambda x: ddp.reshape(x, (3, 2)), lambda x: ddp.reshape(x, shape=(3, 2))),
    "view": (lambda x: x.view(6), lambda x: x.view(size=(6,))),
    "permute": (lambda x: x.permute(1, 0), lambda x: x.permute(dims=(1, 0))),
    "fn_permute": (lambda x: ddp.permute(x, (1, 0)), lambda x: ddp.permute(x, dims=[1, 0])),
    "expand": (lambda x: x[:1].expand(4, 3), lambda x: x[:1].expand(size=(4, -1))),
    "repeat": (lambda x: x.repeat(2, 1), lambda x: x.repeat(repeats=(2, 1))),
    "tile": (lambda x: x.tile(2), lambda x: x.tile(dims=(2,))),
    "flip": (lambda x: x.flip(0), lambda x: x.flip(dims=[0])),
    "fn_flip": (lambda x: ddp.flip(x, [0, 1]), lambda x: ddp.flip(x, dims=(0, 1))),
    "new_zeros": (lambda x: x.new_zeros(2, 2) + x[:, :2], lambda x: x.new_zeros(size=(2, 2)) + x[:, :2]),
    "new_ones": (lambda x: x.new_ones(3) * x, lambda x: x.new_ones(size=(3,)) * x),
}


@pytest.mark.parametrize("name", KEYWORD_FORMS)
def test_shape_arguments_by_pytorchs_keyword(name):
    """`torch.flip(x, dims=[0])`, `x.permute(dims=...)`, `x.view(size=...)`: the varargs' PyTorch names."""
    positional, keyword = KEYWORD_FORMS[name]
    x = sample((2, 3))
    np.testing.assert_array_equal(keyword(ddp.tensor(x)).numpy(), positional(ddp.tensor(x)).numpy())
    assert gradcheck(keyword, x)


def test_shape_arguments_by_position_and_keyword_at_once_raise():
    x = ddp.zeros(2, 3)
    for call in (lambda: x.permute(1, 0, dims=(1, 0)), lambda: ddp.flip(x, 0, dims=[0]),
                 lambda: x.reshape(6, shape=(6,)), lambda: x.new_zeros(2, size=(2,))):
        with pytest.raises(TypeError, match="multiple values for argument"):
            call()


def test_shape_keywords_as_torch():
    torch = pytest.importorskip("torch")
    x = sample((2, 3)).astype(np.float32)
    t = torch.tensor(x)
    pairs = [(ddp.flip(ddp.tensor(x), dims=[0]), torch.flip(t, dims=[0])),
             (ddp.tensor(x).permute(dims=(1, 0)), t.permute(dims=(1, 0))),
             (ddp.reshape(ddp.tensor(x), shape=(3, 2)), torch.reshape(t, shape=(3, 2))),
             (ddp.tensor(x).tile(dims=(2, 1)), t.tile(dims=(2, 1)))]
    for ours, theirs in pairs:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_view_never_copies():
    x = ddp.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match="view size is not compatible .* Use .reshape"):
        x.t().view(6)
    assert x.t().reshape(6).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    v = x[:, :2].view(2, 2, 1)  # strided, yet viewable: writes reach x
    v[0, 0, 0] = 9.0
    assert x[0, 0].item() == 9.0
    assert x.t().view(3, 2).shape == (3, 2) and x.t().contiguous().view(6).shape == (6,)
