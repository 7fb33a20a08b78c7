"""tensordot, kron, cross (ddp.cross, ddp.linalg.cross, Tensor.cross), cartesian_prod and block_diag: values
against numpy, float64 gradient checks, dtypes, error types and messages, and torch where installed."""
import itertools
import warnings

import numpy as np
import pytest

import ddp
from op_helpers import forward32, gradcheck, sample


def _torch_matches(out, expected):
    """ddp's `out` has torch's shape, dtype and values."""
    assert tuple(out.shape) == tuple(expected.shape)
    assert str(out.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------------------------------ tensordot
TENSORDOT = [((3, 4, 5), (4, 5, 6), 2, 2), ((3, 4), (4, 5), 1, 1), ((2, 3), (4,), 0, 0), ((), (), 0, 0),
             ((3, 4, 5), (4, 5, 6), ([1, 2], [0, 1]), 2), ((3, 4, 5), (5, 6, 4), [[2, 1], [0, 2]], ([2, 1], [0, 2])),
             ((3, 4, 5), (4, 2), ([-2], [-2]), ([1], [0])), ((2, 3), (3, 2), ([0, 1], [1, 0]), ([0, 1], [1, 0]))]


@pytest.mark.parametrize("sa, sb, dims, np_dims", TENSORDOT, ids=str)
def test_tensordot_values_and_gradient(sa, sb, dims, np_dims):
    a, b = sample(sa, seed=1), sample(sb, seed=2)
    out = ddp.tensordot(ddp.tensor(a), ddp.tensor(b), dims=dims)
    expected = np.tensordot(a, b, axes=np_dims)
    assert out.shape == expected.shape and out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, y: ddp.tensordot(x, y, dims=dims), a, b)


def test_tensordot_size_one_dim_is_summed_against_the_other():
    a, b = sample((1, 5), seed=1), sample((3, 5), seed=2)
    out = ddp.tensordot(ddp.tensor(a), ddp.tensor(b), dims=([0], [0]))
    np.testing.assert_allclose(out.numpy(), np.outer(a[0], b.sum(0)), rtol=1e-12)
    assert gradcheck(lambda x, y: ddp.tensordot(x, y, dims=([0], [0])), a, b)
    assert gradcheck(lambda x, y: ddp.tensordot(y, x, dims=([0], [0])), a, b)


def test_tensordot_dims_as_a_tensor_float32_and_ints():
    a, b = sample((3, 4, 5), seed=1), sample((4, 5, 6), seed=2)
    np.testing.assert_allclose(ddp.tensordot(ddp.tensor(a), ddp.tensor(b), dims=ddp.tensor(2)).numpy(),
                               np.tensordot(a, b, 2), rtol=1e-12)
    out = ddp.tensordot(ddp.tensor(a), ddp.tensor(b), dims=ddp.tensor([[1, 2], [0, 1]]))
    np.testing.assert_allclose(out.numpy(), np.tensordot(a, b, 2), rtol=1e-12)
    forward32(lambda x, y: ddp.tensordot(x, y, dims=2), lambda x, y: np.tensordot(x, y, 2), a, b)
    ints = ddp.tensordot(ddp.arange(6).reshape(2, 3), ddp.arange(3), dims=1)
    assert ints.dtype == np.int64 and ints.tolist() == [5, 14]
    empty = ddp.tensordot(ddp.ones(2, 0), ddp.ones(0, 3), dims=1)
    assert empty.shape == (2, 3) and empty.tolist() == [[0.0] * 3] * 2


@pytest.mark.parametrize("dims, error, message", [
    (-1, RuntimeError, "dims must be >= 0"), (4, RuntimeError, "more than the dims"),
    (2.0, RuntimeError, "must be an int"), (([1, 2],), ValueError, "two lists"),
    (([1, 2], [0, 1], [0]), ValueError, "two lists"), ((1, 0), TypeError, "list of ints"),
    (([1, 2], [0]), RuntimeError, "same length"), (([1, 1], [0, 0]), RuntimeError, "more than once"),
    (([5], [0]), IndexError, "out of range"), (3, RuntimeError, "contracted sizes differ"),
], ids=str)
def test_tensordot_errors(dims, error, message):
    with pytest.raises(error, match=message) as info:
        ddp.tensordot(ddp.zeros(3, 4, 5), ddp.zeros(4, 5, 6), dims=dims)
    assert "tensordot" in str(info.value)


def test_tensordot_needs_one_dtype():
    with pytest.raises(RuntimeError, match="tensordot: a and b need the same dtype"):
        ddp.tensordot(ddp.zeros(3, 4), ddp.zeros(4, dtype=ddp.float64), dims=1)


@pytest.mark.parametrize("sa, sb, dims", [(s[0], s[1], s[2]) for s in TENSORDOT]
                         + [((1, 5), (3, 5), ([0], [0])), ((3, 5), (1, 5), ([0], [0]))], ids=str)
def test_tensordot_matches_torch(sa, sb, dims):
    torch = pytest.importorskip("torch")
    a, b = sample(sa, seed=1), sample(sb, seed=2)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    da, db = ddp.tensor(a, requires_grad=True), ddp.tensor(b, requires_grad=True)
    expected, out = torch.tensordot(ta, tb, dims=dims), ddp.tensordot(da, db, dims=dims)
    _torch_matches(out, expected.detach())
    weight = sample(tuple(expected.shape), seed=3)
    (expected * torch.tensor(weight)).sum().backward()
    (out * ddp.tensor(weight)).sum().backward()
    np.testing.assert_allclose(da.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------------------------- kron
KRON = [((2, 3), (4, 5)), ((3,), (2, 2)), ((2, 3, 2), (3,)), ((), (4,)), ((), ()), ((2, 1), (1, 3)), ((0, 2), (3,))]


@pytest.mark.parametrize("sa, sb", KRON, ids=str)
def test_kron_values_and_gradient(sa, sb):
    a, b = sample(sa, seed=1), sample(sb, seed=2)
    out = ddp.kron(ddp.tensor(a), ddp.tensor(b))
    expected = np.kron(a, b)
    assert out.shape == expected.shape and out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    if out.numel():
        assert gradcheck(lambda x, y: ddp.kron(x, y), a, b)
        assert gradcheck(lambda x, y: x.kron(y), a, b)


def test_kron_dtypes_and_errors():
    a, b = sample((2, 2), seed=1), sample((3,), seed=2)
    forward32(ddp.kron, np.kron, a, b)
    assert ddp.kron(ddp.ones(2), ddp.arange(3)).dtype == np.float32  # float32 with int64 stays float32
    assert ddp.kron(ddp.ones(2, dtype=ddp.int32), ddp.arange(3)).dtype == np.int64
    with pytest.raises(TypeError, match="kron: argument 1 must be a Tensor"):
        ddp.kron(ddp.ones(2), 3)


@pytest.mark.parametrize("sa, sb", KRON, ids=str)
def test_kron_matches_torch(sa, sb):
    torch = pytest.importorskip("torch")
    a, b = sample(sa, seed=1), sample(sb, seed=2)
    _torch_matches(ddp.kron(ddp.tensor(a), ddp.tensor(b)), torch.kron(torch.tensor(a), torch.tensor(b)))
    _torch_matches(ddp.tensor(a).kron(ddp.tensor(b)), torch.tensor(a).kron(torch.tensor(b)))
    _torch_matches(ddp.kron(ddp.tensor(a, dtype=ddp.float32), ddp.arange(2)),
                   torch.kron(torch.tensor(a, dtype=torch.float32), torch.arange(2)))


# ---------------------------------------------------------------------------------------------- cross
CROSS = [((3,), (3,), 0), ((4, 3), (4, 3), -1), ((3, 4), (3, 4), 0), ((1, 3), (4, 3), 1), ((2, 3, 5), (1, 3, 5), 1),
         ((2, 3, 1), (1, 3, 4), 1)]


@pytest.mark.parametrize("sa, sb, dim", CROSS, ids=str)
def test_cross_values_and_gradient(sa, sb, dim):
    a, b = sample(sa, seed=1), sample(sb, seed=2)
    expected = np.cross(a, b, axisa=dim, axisb=dim, axisc=dim)
    for op in (ddp.cross, ddp.linalg.cross, lambda x, y, dim: x.cross(y, dim)):
        out = op(ddp.tensor(a), ddp.tensor(b), dim=dim)
        assert out.shape == expected.shape and out.dtype == np.float64
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, y: ddp.linalg.cross(x, y, dim=dim), a, b)


def test_cross_defaults():
    a, b = sample((3, 4, 3), seed=1), sample((3, 4, 3), seed=2)
    ta, tb = ddp.tensor(a), ddp.tensor(b)
    with pytest.warns(UserWarning, match="cross: calling it without dim is deprecated"):
        first = ddp.cross(ta, tb)  # the first dim of size 3: dim 0
    np.testing.assert_allclose(first.numpy(), np.cross(a, b, axis=0), rtol=1e-12)
    with pytest.warns(UserWarning, match="without dim"):
        np.testing.assert_allclose(ta.cross(tb).numpy(), first.numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(ddp.linalg.cross(ta, tb).numpy(), np.cross(a, b), rtol=1e-12)
        ddp.cross(ta, tb, dim=2)


def test_cross_dtypes():
    a, b = sample((4, 3), seed=1), sample((4, 3), seed=2)
    forward32(lambda x, y: ddp.linalg.cross(x, y), np.cross, a, b)
    ints = ddp.linalg.cross(ddp.tensor([1, 0, 0]), ddp.tensor([0, 1, 0]))
    assert ints.dtype == np.int64 and ints.tolist() == [0, 0, 1]


@pytest.mark.parametrize("op, sa, sb, kwargs, error, message", [
    (ddp.linalg.cross, (3, 4), (3, 4), {}, RuntimeError, "dim -1 needs size 3"),
    (ddp.linalg.cross, (3,), (4, 3), {}, RuntimeError, "same number of dims"),
    (ddp.linalg.cross, (3, 3), (2, 3), {}, RuntimeError, "cannot be broadcast"),
    (ddp.linalg.cross, (3, 3), (1, 3), {"dim": 0}, RuntimeError, "dim 0 needs size 3"),
    (ddp.linalg.cross, (3, 3), (3, 3), {"dim": 5}, IndexError, "out of range"),
    (ddp.cross, (4, 4), (4, 4), {}, RuntimeError, "first dim of size 3"),
    (ddp.cross, (1, 4), (3, 4), {}, RuntimeError, "first dim of size 3"),
    (ddp.cross, (4, 3), (4, 3), {"dim": 2}, IndexError, "out of range"),
], ids=str)
def test_cross_errors(op, sa, sb, kwargs, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=message) as info:
            op(ddp.zeros(*sa), ddp.zeros(*sb), **kwargs)
    assert "cross" in str(info.value)


def test_cross_needs_one_dtype():
    with pytest.raises(RuntimeError, match="linalg.cross: a and b need the same dtype"):
        ddp.linalg.cross(ddp.zeros(3), ddp.zeros(3, dtype=ddp.float64))


@pytest.mark.parametrize("sa, sb, dim", CROSS + [((3, 4, 3), (3, 4, 3), None), ((3, 1), (3, 4), None)], ids=str)
def test_cross_matches_torch(sa, sb, dim):
    torch = pytest.importorskip("torch")
    a, b = sample(sa, seed=1), sample(sb, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _torch_matches(ddp.cross(ddp.tensor(a), ddp.tensor(b), dim=dim),
                       torch.cross(torch.tensor(a), torch.tensor(b), dim=dim))
    if dim is not None:
        _torch_matches(ddp.linalg.cross(ddp.tensor(a), ddp.tensor(b), dim=dim),
                       torch.linalg.cross(torch.tensor(a), torch.tensor(b), dim=dim))


# ------------------------------------------------------------------------------------- cartesian_prod
def test_cartesian_prod_values_and_gradient():
    xs = [sample((2,), seed=1), sample((3,), seed=2), sample((4,), seed=3)]
    out = ddp.cartesian_prod(*(ddp.tensor(x) for x in xs))
    expected = np.array(list(itertools.product(*xs)))
    assert out.shape == (24, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(out.numpy(), expected)
    assert gradcheck(lambda *t: ddp.cartesian_prod(*t), *xs)
    assert gradcheck(lambda x, y: ddp.cartesian_prod(x, y), xs[0], xs[1])


def test_cartesian_prod_special_cases():
    one = ddp.tensor([1.0, 2.0])
    assert ddp.cartesian_prod(one) is one
    assert ddp.cartesian_prod(one, ddp.zeros(0)).shape == (0, 2)
    ints = ddp.cartesian_prod(ddp.tensor([1, 2]), ddp.tensor([3, 4, 5]))
    assert ints.dtype == np.int64 and ints.tolist() == [[1, 3], [1, 4], [1, 5], [2, 3], [2, 4], [2, 5]]
    floats = ddp.cartesian_prod(ddp.tensor([1.0, 2.0]), ddp.tensor([3.0]))
    assert floats.dtype == np.float32


@pytest.mark.parametrize("args, error, message", [
    ((), RuntimeError, "at least one tensor"), ((ddp.tensor(1.0),), RuntimeError, "1-D"),
    ((ddp.ones(2, 2), ddp.ones(2)), RuntimeError, "tensor 0 has shape"),
    ((ddp.ones(2), ddp.arange(2)), RuntimeError, "same dtype"), ((ddp.ones(2), [1.0]), TypeError, "element 1"),
], ids=str)
def test_cartesian_prod_errors(args, error, message):
    with pytest.raises(error, match=message):
        ddp.cartesian_prod(*args)


def test_cartesian_prod_matches_torch():
    torch = pytest.importorskip("torch")
    xs = [sample((2,), seed=1), sample((3,), seed=2), sample((2,), seed=3)]
    _torch_matches(ddp.cartesian_prod(*(ddp.tensor(x) for x in xs)),
                   torch.cartesian_prod(*(torch.tensor(x) for x in xs)))
    _torch_matches(ddp.cartesian_prod(ddp.arange(3), ddp.arange(2)), torch.cartesian_prod(torch.arange(3),
                                                                                          torch.arange(2)))


# ---------------------------------------------------------------------------------------- block_diag
def _block_diag(*arrays):
    """numpy reference: each array as a 2-D block, placed down the diagonal."""
    blocks = [np.atleast_2d(a) for a in arrays]
    out = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)),
                   dtype=np.result_type(*blocks))
    r = c = 0
    for b in blocks:
        out[r:r + b.shape[0], c:c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out


BLOCKS = [[(2, 3), (1, 2), (), (2,)], [(2, 2)], [(3,), (3,)], [(0, 2), (2, 0), (1, 1)]]


@pytest.mark.parametrize("shapes", BLOCKS, ids=str)
def test_block_diag_values_and_gradient(shapes):
    arrays = [sample(s, seed=i) for i, s in enumerate(shapes)]
    out = ddp.block_diag(*(ddp.tensor(a) for a in arrays))
    expected = _block_diag(*arrays)
    assert out.shape == expected.shape and out.dtype == np.float64
    np.testing.assert_array_equal(out.numpy(), expected)
    assert gradcheck(lambda *t: ddp.block_diag(*t), *arrays)


def test_block_diag_dtypes_and_errors():
    forward32(lambda x, y: ddp.block_diag(x, y), _block_diag, sample((2, 3)), sample((2,), seed=1))
    assert ddp.block_diag(ddp.ones(2, 3), ddp.arange(2)).dtype == np.float32
    assert ddp.block_diag(ddp.ones(2, dtype=ddp.int32), ddp.arange(2)).dtype == np.int64
    assert ddp.block_diag(ddp.ones(2, dtype=ddp.bool), ddp.ones(1, dtype=ddp.bool)).tolist() == [
        [True, True, False], [False, False, True]]
    empty = ddp.block_diag()
    assert empty.shape == (1, 0) and empty.dtype == np.float32
    with pytest.raises(RuntimeError, match="block_diag: expected tensors of at most 2 dims, but tensor 1"):
        ddp.block_diag(ddp.ones(2), ddp.ones(2, 2, 2))
    with pytest.raises(TypeError, match="block_diag: expected Tensor as element 1"):
        ddp.block_diag(ddp.ones(2), 3)


@pytest.mark.parametrize("shapes", BLOCKS, ids=str)
def test_block_diag_matches_torch(shapes):
    torch = pytest.importorskip("torch")
    arrays = [sample(s, seed=i) for i, s in enumerate(shapes)]
    _torch_matches(ddp.block_diag(*(ddp.tensor(a) for a in arrays)),
                   torch.block_diag(*(torch.tensor(a) for a in arrays)))
    _torch_matches(ddp.block_diag(ddp.ones(2, 3), ddp.arange(2)),
                   torch.block_diag(torch.ones(2, 3), torch.arange(2)))
    _torch_matches(ddp.block_diag(), torch.block_diag())
