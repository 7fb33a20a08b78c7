"""Gradients at the points where a formula has 0 / 0 are PyTorch's finite values, not nan: a zero vector
through normalize and cosine_similarity, atan2 at the origin, hardswish at its kinks, and eigh / svd of
matrices with repeated (or zero) eigenvalues when only the values are used. One nan there would poison a
whole training run (zero-padded embeddings, identity-initialised covariances)."""
import numpy as np
import pytest

import ddp
import ddp.nn.functional as F


def _grad(fn, x, dtype=ddp.float32):
    x = ddp.tensor(np.asarray(x, dtype=np.float64), dtype=dtype, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.numpy()


def test_normalize_of_a_zero_row_has_the_eps_gradient():
    got = _grad(lambda x: F.normalize(x, dim=-1), [[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(got, [[1e12, 1e12], [0.032, -0.024]], rtol=1e-5)
    for p in (1, 3, float("inf")):
        assert np.isfinite(_grad(lambda x: F.normalize(x, p=p), [[1.0, -2.0], [0.0, 0.0]])).all()


def test_cosine_similarity_with_a_zero_vector():
    b = ddp.tensor([[1.0, 0.0]])
    np.testing.assert_allclose(_grad(lambda a: F.cosine_similarity(a, b, dim=-1), [[0.0, 0.0]]), [[1e8, 0.0]],
                               rtol=1e-5)


def test_atan2_at_the_origin():
    x = ddp.tensor([0.0, 0.0, 2.0], dtype=ddp.float64)
    np.testing.assert_array_equal(_grad(lambda y: ddp.atan2(y, x), [0.0, 1.0, 0.0], ddp.float64), [0, 0, 0.5])
    y = ddp.tensor([0.0, 1.0, 0.0], dtype=ddp.float64, requires_grad=True)
    xs = ddp.tensor([0.0, 0.0, 2.0], dtype=ddp.float64, requires_grad=True)
    gy, gx = ddp.autograd.grad(ddp.atan2(y, xs).sum(), (y, xs), create_graph=True)
    (gy.sum() + gx.sum()).backward()
    assert np.isfinite(y.grad.numpy()).all() and np.isfinite(xs.grad.numpy()).all()


def test_hardswish_kinks_take_pytorchs_sides():
    np.testing.assert_allclose(_grad(F.hardswish, [-3.0, 3.0, -4.0, 4.0, 0.0]), [0, 1, 0, 1, 0.5])


@pytest.mark.parametrize("diagonal", [[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 0.0]])
def test_spectra_with_repeated_values_have_finite_value_gradients(diagonal):
    eye = np.eye(3)
    np.testing.assert_allclose(_grad(lambda a: ddp.linalg.eigh(a)[0], np.diag(diagonal), ddp.float64), eye)
    np.testing.assert_allclose(_grad(lambda a: ddp.linalg.svd(a)[1], np.diag(diagonal), ddp.float64), eye)
    np.testing.assert_allclose(_grad(lambda a: ddp.linalg.svd(a, full_matrices=False)[1], np.diag(diagonal),
                                     ddp.float64), eye)


def test_against_torch():
    torch = pytest.importorskip("torch")
    rows = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])
    for name in ("normalize", "hardswish"):
        got = _grad(getattr(F, name), rows)
        x = torch.tensor(rows, dtype=torch.float32, requires_grad=True)
        getattr(torch.nn.functional, name)(x).sum().backward()
        np.testing.assert_allclose(got, x.grad.numpy(), rtol=1e-6)
