"""hstack, vstack (row_stack), dstack, column_stack and atleast_1d/2d/3d: shapes and values against numpy,
float64 gradient checks, dtypes, errors, and torch where installed."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf, sample

JOINS = {"hstack": np.hstack, "vstack": np.vstack, "dstack": np.dstack, "column_stack": np.column_stack}
SHAPE_SETS = [[(), ()], [(3,), (2,)], [(3,), (3,)], [(2, 3), (2, 1)], [(2, 3), (2, 3)], [(2, 3, 4), (2, 3, 4)],
              [(3,), (3,), (3,)], [(2, 2, 1), (2, 2, 3)], [(1, 3), (3,)]]


def _numpy_fits(fn, arrays):
    try:
        return fn(arrays)
    except ValueError:
        return None


@pytest.mark.parametrize("name", sorted(JOINS))
@pytest.mark.parametrize("shapes", SHAPE_SETS, ids=str)
def test_join_matches_numpy_and_gradient(name, shapes):
    arrays = [sample(s, seed=i) for i, s in enumerate(shapes)]
    expected = _numpy_fits(JOINS[name], arrays)
    fn = getattr(ddp, name)
    if expected is None:
        with pytest.raises(RuntimeError, match=name):
            fn([ddp.tensor(a) for a in arrays])
        return
    out = fn([ddp.tensor(a) for a in arrays])
    assert out.shape == expected.shape and out.dtype == np.float64
    np.testing.assert_array_equal(out.numpy(), expected)
    weight = ddp.tensor(sample(expected.shape, seed=7))
    assert gradcheck(lambda *ts: (fn(ts) * weight).sum(), *arrays)  # a tuple is accepted as a list


def test_row_stack_is_vstack():
    a, b = ddp.tensor([1.0, 2.0]), ddp.tensor([3.0, 4.0])
    assert ddp.row_stack([a, b]).tolist() == ddp.vstack([a, b]).tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_joins_keep_float32_and_promote_like_cat():
    x = leaf(np.float32([1, 2]), np.float32)
    out = ddp.hstack([x, ddp.tensor([3, 4])])
    assert out.dtype == np.float32 and out.tolist() == [1.0, 2.0, 3.0, 4.0]
    out.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [1.0, 1.0]
    assert ddp.vstack([ddp.tensor([1, 2]), ddp.tensor([3, 4])]).dtype == np.int64


@pytest.mark.parametrize("name", sorted(JOINS))
def test_join_errors(name):
    fn = getattr(ddp, name)
    with pytest.raises(RuntimeError, match=f"{name}: expected a non-empty"):
        fn([])
    with pytest.raises(TypeError, match=f"{name}: expected a list or tuple"):
        fn(ddp.zeros(3))
    with pytest.raises(TypeError, match=f"{name}: expected Tensors, got float at position 1"):
        fn([ddp.zeros(2), 3.0])


def test_join_mismatch_names_shapes():
    with pytest.raises(RuntimeError, match=r"vstack: tensor 1 \(shape \(4,\), joined as \(1, 4\)\)"):
        ddp.vstack([ddp.zeros(3), ddp.zeros(4)])


# ------------------------------------------------------------------------------------------ atleast
PROMOTIONS = {1: {(): (1,), (3,): (3,), (2, 3): (2, 3)},
              2: {(): (1, 1), (3,): (1, 3), (2, 3): (2, 3), (2, 3, 4): (2, 3, 4)},
              3: {(): (1, 1, 1), (3,): (1, 3, 1), (2, 3): (2, 3, 1), (2, 3, 4, 5): (2, 3, 4, 5)}}


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_atleast_shapes_values_and_gradient(ndim):
    fn = getattr(ddp, f"atleast_{ndim}d")
    ref = getattr(np, f"atleast_{ndim}d")
    for shape, promoted in PROMOTIONS[ndim].items():
        x = sample(shape)
        out = fn(ddp.tensor(x))
        assert out.shape == promoted == ref(x).shape
        np.testing.assert_array_equal(out.numpy(), ref(x))
        assert gradcheck(lambda t: (fn(t) * ddp.tensor(sample(promoted, seed=3))).sum(), x)


def test_atleast_returns_the_tensor_itself_when_it_has_the_dims():
    x = ddp.zeros(2, 3)
    assert ddp.atleast_1d(x) is x and ddp.atleast_2d(x) is x


def test_atleast_argument_forms():
    a, b = ddp.tensor(1.0), ddp.zeros(3)
    pair = ddp.atleast_2d(a, b)
    assert isinstance(pair, tuple) and [p.shape for p in pair] == [(1, 1), (1, 3)]
    listed = ddp.atleast_1d([a, b])
    assert isinstance(listed, tuple) and [p.shape for p in listed] == [(1,), (3,)]
    one = ddp.atleast_3d([a])
    assert isinstance(one, tuple) and one[0].shape == (1, 1, 1)
    assert ddp.atleast_1d() == ()
    with pytest.raises(TypeError, match="atleast_1d: expected Tensors, got float"):
        ddp.atleast_1d(3.0)


def test_against_torch():
    torch = pytest.importorskip("torch")
    for shapes in SHAPE_SETS:
        arrays = [sample(s, seed=i) for i, s in enumerate(shapes)]
        for name in list(JOINS) + ["row_stack"]:
            try:
                expected = getattr(torch, name)([torch.tensor(a) for a in arrays]).numpy()
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    getattr(ddp, name)([ddp.tensor(a) for a in arrays])
                continue
            got = getattr(ddp, name)([ddp.tensor(a) for a in arrays])
            assert got.shape == expected.shape, (name, shapes)
            np.testing.assert_array_equal(got.numpy(), expected)
    for ndim in (1, 2, 3):
        for shape in PROMOTIONS[ndim]:
            x = sample(shape)
            got = getattr(ddp, f"atleast_{ndim}d")(ddp.tensor(x), ddp.tensor(x))
            expected = getattr(torch, f"atleast_{ndim}d")(torch.tensor(x), torch.tensor(x))
            assert [g.shape for g in got] == [tuple(e.shape) for e in expected]


def test_cat_leaves_out_legacy_1d_empties():
    """PyTorch's legacy rule: torch.tensor([]) joins anything (an accumulator's start), yet its dtype counts."""
    acc = ddp.tensor([])
    for _ in range(3):
        acc = ddp.cat([acc, ddp.ones(2, 3)])
    assert acc.shape == (6, 3)
    assert ddp.cat([ddp.tensor([]), ddp.ones(2, 3, dtype=ddp.int64)]).dtype == ddp.float32
    assert ddp.cat([ddp.ones(2, 3), ddp.tensor([])], dim=1).shape == (2, 3)
    assert ddp.cat([ddp.tensor([]), ddp.tensor([])]).shape == (0,)
    with pytest.raises(RuntimeError, match="sizes of tensors must match"):
        ddp.cat([ddp.zeros(0, 2), ddp.ones(2, 3)])  # only 1-D empties are left out
