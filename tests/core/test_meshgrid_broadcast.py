"""broadcast_to, broadcast_tensors, broadcast_shapes and meshgrid: shapes and values against numpy, gradients
summed back to the inputs (float64 checks), dtypes, errors, the indexing warning, and torch where installed."""
import warnings

import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf, sample


# ------------------------------------------------------------------------------------------ broadcast
@pytest.mark.parametrize("shape, target", [((), (2, 3)), ((3,), (2, 3)), ((2, 1), (2, 4)), ((1, 3), (5, 2, 3)),
                                           ((3,), (2, -1)), ((2, 3), (2, 3))], ids=str)
def test_broadcast_to(shape, target):
    x = sample(shape)
    out = ddp.broadcast_to(ddp.tensor(x), target)
    expected = np.broadcast_to(x, tuple(s if s != -1 else shape[-1] for s in target))
    assert out.shape == expected.shape and out.dtype == np.float64
    np.testing.assert_array_equal(out.numpy(), expected)
    assert gradcheck(lambda t: ddp.broadcast_to(t, target) * ddp.arange(float(expected.shape[-1]),
                                                                        dtype=ddp.float64), x)


def test_broadcast_to_gradient_sums_and_float32():
    x = leaf(np.float32([1, 2, 3]), np.float32)
    y = ddp.broadcast_to(x, ddp.Size([4, 3]))
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [4.0, 4.0, 4.0]


def test_broadcast_to_errors():
    with pytest.raises(RuntimeError, match="must match the existing size"):
        ddp.broadcast_to(ddp.zeros(3), (2,))
    with pytest.raises(RuntimeError, match="fewer dims"):
        ddp.broadcast_to(ddp.zeros(2, 3), (3,))


@pytest.mark.parametrize("shapes", [[(2, 1), (3,)], [(), (4,)], [(1, 3), (2, 1), (5, 1, 1)], [(3,)]], ids=str)
def test_broadcast_tensors(shapes):
    arrays = [sample(s, seed=i) for i, s in enumerate(shapes)]
    outs = ddp.broadcast_tensors(*[ddp.tensor(a) for a in arrays])
    expected = np.broadcast_arrays(*arrays)
    assert isinstance(outs, tuple) and len(outs) == len(shapes)
    for o, e in zip(outs, expected):
        assert o.shape == e.shape
        np.testing.assert_array_equal(o.numpy(), e)
    weight = ddp.tensor(sample(expected[0].shape, seed=9))
    assert gradcheck(lambda *ts: sum(((t * weight) * (i + 1)).sum() for i, t in
                                     enumerate(ddp.broadcast_tensors(*ts))), *arrays)
    assert ddp.broadcast_tensors([ddp.tensor(a) for a in arrays])[0].shape == expected[0].shape  # one list


def test_broadcast_tensors_errors_and_empty():
    assert ddp.broadcast_tensors() == ()
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        ddp.broadcast_tensors(ddp.zeros(3), ddp.zeros(2))
    with pytest.raises(TypeError, match="expected Tensor as element 1"):
        ddp.broadcast_tensors(ddp.zeros(3), 1.0)


def test_broadcast_shapes():
    assert ddp.broadcast_shapes((2, 1), (3,)) == (2, 3) and isinstance(ddp.broadcast_shapes((2,)), ddp.Size)
    assert ddp.broadcast_shapes(2, (3, 1)) == (3, 2) and ddp.broadcast_shapes() == ()
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        ddp.broadcast_shapes((2,), (3,))


# ------------------------------------------------------------------------------------------- meshgrid
@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(3,), (3, 2), (2, 3, 4), (0, 3), (1, 2)], ids=str)
def test_meshgrid_matches_numpy(sizes, indexing):
    arrays = [sample((n,), seed=n) for n in sizes]
    outs = ddp.meshgrid(*[ddp.tensor(a) for a in arrays], indexing=indexing)
    expected = np.meshgrid(*arrays, indexing=indexing)
    assert isinstance(outs, tuple) and len(outs) == len(sizes)
    for o, e in zip(outs, expected):
        assert o.shape == e.shape and o.dtype == np.float64
        np.testing.assert_array_equal(o.numpy(), e)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_gradcheck(indexing):
    arrays = [sample((3,), seed=1), sample((2,), seed=2), sample((), seed=3)]
    shape = np.meshgrid(*arrays, indexing=indexing)[0].shape
    w = [ddp.tensor(sample(shape, seed=10 + i)) for i in range(3)]
    assert gradcheck(lambda *ts: sum((g * wi).sum() for g, wi in zip(ddp.meshgrid(*ts, indexing=indexing), w)),
                     *arrays)


def test_meshgrid_accepts_0d_and_a_list_and_keeps_dtypes():
    outs = ddp.meshgrid([ddp.tensor(2.0), ddp.arange(3.0)], indexing="xy")
    assert [o.shape for o in outs] == [(3, 1), (3, 1)] and outs[0].tolist() == [[2.0]] * 3
    ints = ddp.meshgrid(ddp.arange(2), ddp.arange(3), indexing="ij")
    assert all(o.dtype == np.int64 for o in ints)
    assert ddp.meshgrid(ddp.arange(3.0), ddp.arange(2.0), indexing="ij")[0].dtype == np.float32


def test_meshgrid_warns_without_indexing_and_defaults_to_ij():
    with pytest.warns(UserWarning, match="indexing"):
        outs = ddp.meshgrid(ddp.arange(3.0), ddp.arange(2.0))
    assert outs[0].shape == (3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ddp.meshgrid(ddp.arange(3.0), indexing="ij")


def test_meshgrid_errors():
    a = ddp.arange(3.0)
    with pytest.raises(RuntimeError, match="indexing must be 'ij' or 'xy'"):
        ddp.meshgrid(a, a, indexing="foo")
    with pytest.raises(RuntimeError, match="0D or 1D"):
        ddp.meshgrid(ddp.zeros(2, 2), a, indexing="ij")
    with pytest.raises(RuntimeError, match="same dtype"):
        ddp.meshgrid(a, ddp.arange(2), indexing="ij")
    with pytest.raises(RuntimeError, match="non-empty"):
        ddp.meshgrid(indexing="ij")
    with pytest.raises(TypeError, match="expected Tensor"):
        ddp.meshgrid(a, [1.0, 2.0], indexing="ij")


def test_matches_torch():
    torch = pytest.importorskip("torch")
    arrays = [sample((3,), seed=1), sample((2,), seed=2), sample((4,), seed=3)]
    for indexing in ["ij", "xy"]:
        ours = [leaf(a) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        go, gt = ddp.meshgrid(*ours, indexing=indexing), torch.meshgrid(*theirs, indexing=indexing)
        for o, t in zip(go, gt):
            np.testing.assert_array_equal(o.detach().numpy(), t.detach().numpy())
        sum((o * (i + 1) * o).sum() for i, o in enumerate(go)).backward()
        sum((t * (i + 1) * t).sum() for i, t in enumerate(gt)).backward()
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    with pytest.warns(UserWarning):
        assert [o.shape for o in ddp.meshgrid(ddp.arange(3.0), ddp.arange(2.0))] == \
            [tuple(t.shape) for t in torch.meshgrid(torch.arange(3.0), torch.arange(2.0))]
    a, b = sample((2, 1)), sample((3,))
    for o, t in zip(ddp.broadcast_tensors(ddp.tensor(a), ddp.tensor(b)),
                    torch.broadcast_tensors(torch.tensor(a), torch.tensor(b))):
        np.testing.assert_array_equal(o.numpy(), t.numpy())
    np.testing.assert_array_equal(ddp.broadcast_to(ddp.tensor(b), (2, 3)).numpy(),
                                  torch.broadcast_to(torch.tensor(b), (2, 3)).numpy())
    assert tuple(ddp.broadcast_shapes((2, 1), 3)) == tuple(torch.broadcast_shapes((2, 1), 3))
