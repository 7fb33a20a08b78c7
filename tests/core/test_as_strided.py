"""as_strided / as_strided_: views with given element strides over a tensor's storage, against torch: values,
strides and storage offsets of views of views, memory sharing, the gradient (scatter-add through storage
positions, overlaps accumulating, overlapping inputs sharing it), float64 gradient checks, and errors."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf

BASE = np.arange(12.0) / 4 - 1


# each case: a view of the base (the same ops in ddp and torch), then as_strided's arguments
def _flat(x):
    return x


def _matrix_t(x):
    return x.reshape(3, 4).t()


def _tail(x):
    return x[3:]


def _expanded(x):
    return x.reshape(1, 12).expand(2, 12)


def _strided_rows(x):
    return x.reshape(3, 4)[1:, ::2]


CASES = [
    (_flat, (3, 4), (4, 1), None), (_flat, (3, 3), (1, 1), None), (_flat, (2, 2), (0, 1), 2),
    (_flat, (), (), 5), (_flat, (4, 0), (1, 1), 11), (_flat, (2, 3, 2), (1, 3, 4), 0),
    (_matrix_t, (2, 3), (1, 2), None), (_matrix_t, (3,), (4,), 1), (_tail, (4,), (2,), None), (_tail, (3,), (1,), 0),
    (_expanded, (4,), (2,), 1), (_expanded, (2, 2), (1, 1), 0), (_strided_rows, (2, 2), (3, 1), None),
]
IDS = [f"{view.__name__}-{size}-{stride}-{offset}" for view, size, stride, offset in CASES]


def _both(view, size, stride, offset, dtype=np.float64):
    torch = pytest.importorskip("torch")
    x, t = leaf(BASE, dtype), torch.tensor(BASE.astype(dtype), requires_grad=True)
    return (x, ddp.as_strided(view(x), size, stride, offset)), (t, torch.as_strided(view(t), size, stride, offset))


@pytest.mark.parametrize("view,size,stride,offset", CASES, ids=IDS)
def test_values_strides_and_offset_match_torch(view, size, stride, offset):
    (_, y), (_, yt) = _both(view, size, stride, offset)
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())
    assert y.shape == tuple(yt.shape) and y.stride() == tuple(yt.stride())
    if y.numel():
        assert y.storage_offset() == yt.storage_offset()


@pytest.mark.parametrize("view,size,stride,offset", CASES, ids=IDS)
def test_gradient_matches_torch(view, size, stride, offset):
    (x, y), (t, yt) = _both(view, size, stride, offset)
    w = np.random.default_rng(1).standard_normal(tuple(y.shape))
    (y * ddp.tensor(w)).sum().backward()
    (yt * pytest.importorskip("torch").tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("view,size,stride,offset", CASES[:8], ids=IDS[:8])
def test_gradcheck(view, size, stride, offset):
    assert gradcheck(lambda x: ddp.as_strided(view(x * 1.0), size, stride, offset), BASE)


def test_float32_stays_float32():
    x = leaf(BASE, np.float32)
    y = x.as_strided((3, 3), (1, 1))
    assert y.dtype == ddp.float32
    y.sum().backward()
    assert x.grad.dtype == ddp.float32
    np.testing.assert_array_equal(x.grad.numpy(), [1, 2, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0])


def test_the_view_shares_memory_and_version():
    x = ddp.tensor(BASE)
    y = x.as_strided((2, 2), (1, 2), 1)
    x.add_(1.0)
    np.testing.assert_array_equal(y.numpy(), BASE[[[1, 3], [2, 4]]] + 1)
    assert y._version == x._version == 1
    y[0, 0] = 100.0
    assert x[1].item() == 100.0


def test_as_strided_in_place_like_torch():
    torch = pytest.importorskip("torch")
    x, t = ddp.tensor(BASE), torch.tensor(BASE)
    assert ddp.as_strided_(x, (2, 2), (1, 2)) is x and torch.as_strided_(t, (2, 2), (1, 2)) is t
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    assert x.shape == (2, 2) and x.as_strided_((3,), (1,), 4) is x and x.tolist() == BASE[4:7].tolist()
    ours, theirs = leaf(BASE), torch.tensor(BASE, requires_grad=True)
    for source in (ours, theirs):
        z = source * 2
        z.as_strided_((2, 2), (1, 2), 1)
        (z * z).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy())
    assert gradcheck(lambda v: (v * 1.0).as_strided_((2, 3), (2, 1), 1), BASE)


def test_as_strided_in_place_refuses_a_leaf_that_requires_grad():
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf(BASE).as_strided_((2,), (1,))
    with ddp.no_grad():
        x = leaf(BASE)
        assert x.as_strided_((2,), (1,)).shape == (2,)


@pytest.mark.parametrize("size,stride,offset,match", [
    ((3,), (5,), 2, "out of bounds"), ((13,), (1,), None, "out of bounds"), ((3,), (-1,), 5, "Negative strides"),
    ((3, 2), (1,), 0, "mismatch in length"), ((3,), (1,), -1, "storage offset"), ((-3,), (1,), 1, ">= 0"),
], ids=str)
def test_errors_like_torch(size, stride, offset, match):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.as_strided(torch.tensor(BASE), size, stride, offset)
    with pytest.raises(RuntimeError, match=match):
        ddp.as_strided(ddp.tensor(BASE), size, stride, offset)


def test_argument_types():
    with pytest.raises(TypeError, match="stride"):
        ddp.as_strided(ddp.tensor(BASE), (2,), (1.5,))
    with pytest.raises(TypeError, match="must be Tensor"):
        ddp.as_strided(BASE.tolist(), (2,), (1,))
    assert ddp.as_strided(ddp.tensor(BASE), ddp.Size([2]), [3]).tolist() == BASE[[0, 3]].tolist()
