"""The complex views and queries at top level for real tensors (`ddp.real(x) is x`, `ddp.imag(x)` raises,
`ddp.angle`), their Tensor methods, and the aliases absolute, adjoint and concatenate: against torch."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf

VALUES = [1.5, -2.0, np.nan, 0.0, -0.0, -np.inf, np.inf]


@pytest.mark.parametrize("name", ["real", "conj", "conj_physical", "resolve_conj", "resolve_neg"])
def test_identity_views_return_the_tensor_itself(name):
    torch = pytest.importorskip("torch")
    x, t = ddp.tensor([1.0, -2.0]), torch.tensor([1.0, -2.0])
    assert getattr(ddp, name)(x) is x and getattr(torch, name)(t) is t
    assert getattr(x, name)() is x if name != "real" else x.real is x
    with pytest.raises(TypeError, match=f"{name}.*must be Tensor"):
        getattr(ddp, name)([1.0])


def test_is_conj_and_is_neg_are_false():
    x = ddp.ones(2)
    assert ddp.is_conj(x) is False and ddp.is_neg(x) is False and x.is_conj() is False


def test_conj_physical_in_place():
    x = ddp.tensor([1.0, -2.0])
    assert ddp.conj_physical_(x) is x and x.conj_physical_() is x
    np.testing.assert_array_equal(x.numpy(), [1.0, -2.0])
    z = ddp.Tensor(np.array([1 + 2j, -3j]))
    assert ddp.conj_physical_(z) is z
    np.testing.assert_array_equal(z.numpy(), [1 - 2j, 3j])


def test_imag_of_a_real_tensor_raises_like_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.imag(torch.ones(2))
    with pytest.raises(RuntimeError, match="imag"):
        ddp.imag(ddp.ones(2))
    np.testing.assert_array_equal(ddp.imag(ddp.Tensor(np.array([1 + 2j]))).numpy(), [2.0])


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "bool"])
def test_angle_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    values = VALUES if dtype.startswith("float") else [1, -2, 0, 3] if dtype == "int64" else [True, False]
    ours = ddp.angle(ddp.tensor(np.array(values, dtype=dtype)))
    theirs = torch.angle(torch.tensor(np.array(values, dtype=dtype)))
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(ddp.tensor(np.array(values, dtype=dtype)).angle().numpy(), ours.numpy())


def test_angle_of_complex_is_numpys():
    z = np.array([1 + 1j, -1.0 + 0j, -2j])
    np.testing.assert_allclose(ddp.angle(ddp.Tensor(z)).numpy(), np.angle(z))


def test_angle_gradient_is_zero_like_torch():
    torch = pytest.importorskip("torch")
    x, t = leaf(VALUES), torch.tensor(VALUES, requires_grad=True)
    ddp.angle(x).sum().backward()
    torch.angle(t).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(len(VALUES)))
    assert gradcheck(ddp.angle, np.array([[0.5, -1.5], [2.0, -0.25]]))
    y = ddp.angle(leaf([1.0], np.float32))
    assert y.requires_grad and y.dtype == ddp.float32


def test_absolute_is_abs():
    x = ddp.tensor([-1.5, 2.0])
    np.testing.assert_array_equal(ddp.absolute(x).numpy(), [1.5, 2.0])
    assert x.absolute().tolist() == [1.5, 2.0] and x.clone().absolute_().tolist() == [1.5, 2.0]
    assert gradcheck(ddp.absolute, np.array([0.5, -1.2]))


@pytest.mark.parametrize("shape", [(2, 3), (4, 2, 3)], ids=str)
def test_adjoint_is_a_transposed_view(shape):
    torch = pytest.importorskip("torch")
    a = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    x = ddp.tensor(a)
    y = ddp.adjoint(x)
    np.testing.assert_array_equal(y.numpy(), torch.adjoint(torch.tensor(a)).numpy())
    assert y.stride() == tuple(torch.adjoint(torch.tensor(a)).stride())
    x[..., 0, 1] = -7.0  # a view: the write shows through
    assert y[..., 1, 0].tolist() == (-7.0 if len(shape) == 2 else [-7.0] * 4)
    assert gradcheck(ddp.adjoint, a)


def test_adjoint_needs_two_dims():
    with pytest.raises(RuntimeError, match="matri"):
        ddp.adjoint(ddp.ones(3))


def test_concatenate_takes_dim_or_axis():
    torch = pytest.importorskip("torch")
    a, b = np.ones((1, 2)), np.zeros((1, 2))
    for kwargs in ({}, {"dim": 1}, {"axis": 1}, {"axis": -2}):
        ours = ddp.concatenate([ddp.tensor(a), ddp.tensor(b)], **kwargs)
        theirs = torch.concatenate([torch.tensor(a), torch.tensor(b)], **kwargs)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(ddp.concatenate((ddp.tensor(a), ddp.tensor(b)), 1).numpy(), [[1, 1, 0, 0]])
    with pytest.raises(TypeError):
        torch.concatenate([torch.tensor(a)], dim=0, axis=0)
    with pytest.raises(TypeError, match="dim or axis"):
        ddp.concatenate([ddp.tensor(a)], dim=0, axis=0)
    assert gradcheck(lambda x, y: ddp.concatenate([x, y], axis=0), a, b)
