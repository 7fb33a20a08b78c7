"""diagonal, diagonal_scatter, diag_embed, diagflat, trace, fill_diagonal_, tril/triu_indices: values against
numpy, float64 gradient checks, dtypes, views, errors, and torch where installed."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, forward32, gradcheck, leaf, sample

DIAGONALS = [((3, 4), 0, 0, 1), ((3, 4), 1, 0, 1), ((3, 4), -2, 0, 1), ((4, 3), 5, 0, 1), ((2, 3, 4), 1, 2, 0),
             ((2, 3, 4), -1, -1, -2)]


@pytest.mark.parametrize("shape, offset, dim1, dim2", DIAGONALS, ids=str)
def test_diagonal_values_gradient_and_torch(shape, offset, dim1, dim2):
    x = sample(shape)
    out = ddp.diagonal(ddp.tensor(x), offset, dim1, dim2)
    np.testing.assert_array_equal(out.numpy(), np.diagonal(x, offset, dim1, dim2))
    assert gradcheck(lambda t: ddp.diagonal(t, offset, dim1, dim2), x)
    assert gradcheck(lambda t: t.diagonal(offset=offset, dim1=dim1, dim2=dim2), x)
    forward32(lambda t: t.diagonal(offset, dim1, dim2), lambda a: np.diagonal(a, offset, dim1, dim2), x)
    torch = pytest.importorskip("torch")
    against_torch(lambda t: ddp.diagonal(t, offset, dim1, dim2), lambda t: torch.diagonal(t, offset, dim1, dim2), x)


def test_diagonal_is_a_writable_view_and_checks_dims():
    x = ddp.zeros(3, 3)
    x.diagonal().fill_(1.0)
    assert x.tolist() == np.eye(3).tolist()
    assert ddp.diagonal(ddp.arange(6).reshape(2, 3), 1).tolist() == [1, 5]
    with pytest.raises(RuntimeError, match="diagonal: the two diagonal dims must differ"):
        ddp.diagonal(ddp.zeros(2, 3), 0, 1, -1)
    with pytest.raises(IndexError, match="diagonal"):
        ddp.diagonal(ddp.zeros(3))


@pytest.mark.parametrize("shape, offset, dim1, dim2", DIAGONALS, ids=str)
def test_diagonal_scatter(shape, offset, dim1, dim2):
    x = sample(shape)
    src = sample(np.diagonal(x, offset, dim1, dim2).shape, seed=1)

    def reference(a, s):
        out = a.copy()
        idx = np.diagonal(np.arange(a.size).reshape(a.shape), offset, dim1, dim2)
        out.reshape(-1)[idx] = s
        return out

    out = ddp.diagonal_scatter(ddp.tensor(x), ddp.tensor(src), offset, dim1, dim2)
    np.testing.assert_array_equal(out.numpy(), reference(x, src))
    assert gradcheck(lambda a, s: ddp.diagonal_scatter(a, s, offset, dim1, dim2), x, src)
    forward32(lambda a, s: a.diagonal_scatter(s, offset, dim1, dim2), reference, x, src)
    torch = pytest.importorskip("torch")
    against_torch(lambda a, s: ddp.diagonal_scatter(a, s, offset, dim1, dim2),
                  lambda a, s: torch.diagonal_scatter(a, s, offset, dim1, dim2), x, src)


def test_diagonal_scatter_casts_src_and_checks_its_shape():
    out = ddp.diagonal_scatter(ddp.zeros(3, 4), ddp.ones(3, dtype=ddp.int64), 1)
    assert out.dtype == np.float32 and out.diagonal(1).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match=r"diagonal_scatter: src must have the diagonal's shape \(3,\)"):
        ddp.diagonal_scatter(ddp.zeros(3, 4), ddp.ones(2), 1)


@pytest.mark.parametrize("shape, offset, dim1, dim2", [((3,), 0, -2, -1), ((2, 3), 1, 0, 2), ((2, 3), -2, 1, 0),
                                                       ((2, 3), 0, -1, 1), ((4,), 2, 0, 1)], ids=str)
def test_diag_embed(shape, offset, dim1, dim2):
    x = sample(shape)
    out = ddp.diag_embed(ddp.tensor(x), offset, dim1, dim2)
    assert np.array_equal(ddp.diagonal(out, offset, dim1, dim2).numpy(), x)
    assert np.count_nonzero(out.numpy()) == x.size
    assert gradcheck(lambda t: ddp.diag_embed(t, offset, dim1, dim2), x)
    assert gradcheck(lambda t: t.diag_embed(offset, dim1, dim2), x)
    torch = pytest.importorskip("torch")
    against_torch(lambda t: ddp.diag_embed(t, offset, dim1, dim2), lambda t: torch.diag_embed(t, offset, dim1, dim2), x)


def test_diag_embed_errors_and_dtype():
    assert ddp.diag_embed(ddp.tensor([[1, 2]])).dtype == np.int64
    with pytest.raises(IndexError, match="diag_embed"):
        ddp.diag_embed(ddp.tensor(2.0))
    with pytest.raises(RuntimeError, match="diag_embed: the two diagonal dims must differ"):
        ddp.diag_embed(ddp.zeros(2, 3), 0, 0, 0)


@pytest.mark.parametrize("shape, offset", [((3,), 0), ((2, 2), -1), ((), 0), ((2, 3), 2)], ids=str)
def test_diagflat(shape, offset):
    x = sample(shape)
    np.testing.assert_array_equal(ddp.diagflat(ddp.tensor(x), offset).numpy(), np.diagflat(x, offset))
    assert gradcheck(lambda t: t.diagflat(offset), x)
    torch = pytest.importorskip("torch")
    against_torch(lambda t: ddp.diagflat(t, offset), lambda t: torch.diagflat(t, offset), x)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2), (0, 3)], ids=str)
def test_trace(shape):
    x = sample(shape)
    out = ddp.trace(ddp.tensor(x))
    assert out.shape == () and np.isclose(out.item(), np.trace(x))
    assert gradcheck(ddp.trace, x)
    forward32(lambda t: t.trace(), np.trace, x)
    torch = pytest.importorskip("torch")
    against_torch(ddp.trace, torch.trace, x)


def test_trace_dtypes_and_errors():
    for dtype in (ddp.int8, ddp.int32, ddp.int64, ddp.uint8):
        out = ddp.trace(ddp.ones(2, 3, dtype=dtype))
        assert out.dtype == np.int64 and out.item() == 2
    assert ddp.trace(ddp.ones(2, 2, dtype=ddp.float16)).dtype == np.float16
    with pytest.raises(RuntimeError, match=r"trace: expected a matrix \(2 dims\), got a tensor of shape \(2, 3, 3\)"):
        ddp.trace(ddp.ones(2, 3, 3))
    with pytest.raises(NotImplementedError, match="trace"):
        ddp.trace(ddp.ones(2, 2, dtype=ddp.bool))


@pytest.mark.parametrize("shape, wrap", [((3, 3), False), ((7, 3), False), ((7, 3), True), ((3, 7), True),
                                         ((3, 3, 3), False), ((2, 2, 2, 2), True)], ids=str)
def test_fill_diagonal_matches_numpy_and_torch(shape, wrap):
    x = ddp.zeros(*shape)
    assert x.fill_diagonal_(5.0, wrap=wrap) is x
    expected = np.zeros(shape, dtype=np.float32)
    np.fill_diagonal(expected, 5.0, wrap=wrap)
    np.testing.assert_array_equal(x.numpy(), expected)
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(x.numpy(), torch.zeros(*shape).fill_diagonal_(5.0, wrap=wrap).numpy())


def test_fill_diagonal_gradient_and_errors():
    a = leaf(sample((3, 4)))
    y = a * 2.0
    y.fill_diagonal_(7.0)
    (y * ddp.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
    expected = 2.0 * np.arange(12.0).reshape(3, 4)
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_array_equal(a.grad.numpy(), expected)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf(np.zeros((2, 2))).fill_diagonal_(1.0)
    with pytest.raises(RuntimeError, match="fill_diagonal_: needs at least 2 dims"):
        ddp.zeros(3).fill_diagonal_(1)
    with pytest.raises(RuntimeError, match="all dims of equal size"):
        ddp.zeros(3, 3, 2).fill_diagonal_(1)
    ints = ddp.zeros(2, 2, dtype=ddp.int64).fill_diagonal_(3)
    assert ints.dtype == np.int64 and ints.tolist() == [[3, 0], [0, 3]]


@pytest.mark.parametrize("row, col, offset", [(3, 4, 0), (3, 4, 1), (3, 4, -1), (4, 3, -2), (0, 3, 0), (3, 3, 10),
                                              (3, 3, -10), (1, 1, 0)], ids=str)
def test_tril_triu_indices(row, col, offset):
    for name, numpy_fn in (("tril_indices", np.tril_indices), ("triu_indices", np.triu_indices)):
        out = getattr(ddp, name)(row, col, offset)
        assert out.dtype == np.int64 and out.shape[0] == 2
        np.testing.assert_array_equal(out.numpy(), np.stack(numpy_fn(row, offset, col)))
        torch = pytest.importorskip("torch")
        np.testing.assert_array_equal(out.numpy(), getattr(torch, name)(row, col, offset).numpy())


def test_tril_indices_dtype_and_errors():
    assert ddp.tril_indices(3, 3, dtype=ddp.int32).dtype == np.int32
    assert ddp.triu_indices(3, 3, offset=1).tolist() == [[0, 0, 1], [1, 2, 2]]
    with pytest.raises(RuntimeError, match="tril_indices: row and col must be non-negative"):
        ddp.tril_indices(-1, 3)
    with pytest.raises(NotImplementedError, match="triu_indices: dtype must be an integer type"):
        ddp.triu_indices(3, 3, dtype=ddp.float32)
