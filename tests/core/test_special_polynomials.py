"""torch.special's orthogonal polynomials (ops/polynomials.py): closed forms, PyTorch's values for scalar and
tensor degrees in float32 and float64, n < 0, and the refusal to differentiate (PyTorch has no derivative)."""
import numpy as np
import pytest

import ddp

NAMES = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
         "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
         "legendre_polynomial_p"]
X = np.linspace(-1.5, 1.5, 13)


def test_closed_forms():
    x = ddp.tensor(X)
    theta = np.linspace(0.1, 3.0, 7)
    np.testing.assert_allclose(ddp.special.chebyshev_polynomial_t(ddp.tensor(np.cos(theta)), 5).numpy(),
                               np.cos(5 * theta), atol=1e-12)
    np.testing.assert_allclose(ddp.special.chebyshev_polynomial_u(ddp.tensor(np.cos(theta)), 4).numpy(),
                               np.sin(5 * theta) / np.sin(theta), atol=1e-12)
    np.testing.assert_allclose(ddp.special.hermite_polynomial_h(x, 3).numpy(), 8 * X ** 3 - 12 * X, atol=1e-12)
    np.testing.assert_allclose(ddp.special.hermite_polynomial_he(x, 3).numpy(), X ** 3 - 3 * X, atol=1e-12)
    np.testing.assert_allclose(ddp.special.laguerre_polynomial_l(x, 2).numpy(), (X ** 2 - 4 * X + 2) / 2, atol=1e-12)
    np.testing.assert_allclose(ddp.special.legendre_polynomial_p(x, 2).numpy(), (3 * X ** 2 - 1) / 2, atol=1e-12)
    np.testing.assert_allclose(ddp.special.shifted_chebyshev_polynomial_t(x, 3).numpy(),
                               ddp.special.chebyshev_polynomial_t(2 * x - 1, 3).numpy())
    for name in NAMES:
        assert not getattr(ddp.special, name)(x, -2).numpy().any()
        assert (getattr(ddp.special, name)(x, 0).numpy() == 1).all()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_pytorch(name, dtype):
    torch = pytest.importorskip("torch")
    x = X.astype(dtype)
    degrees = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 3])
    for n in [-1, 0, 1, 2, 5, 9, degrees]:
        ours = getattr(ddp.special, name)(ddp.tensor(x), ddp.tensor(n) if isinstance(n, np.ndarray) else n)
        theirs = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n) if isinstance(n, np.ndarray) else n)
        assert ours.dtype == dtype
        tol = 1e-12 if dtype == np.float64 else 2e-5
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=tol, atol=tol, err_msg=f"n={n}")


def test_no_derivative_as_pytorch():
    x = ddp.tensor(X, requires_grad=True)
    y = ddp.special.legendre_polynomial_p(x, 3)
    assert y.requires_grad
    with pytest.raises(NotImplementedError, match="legendre_polynomial_p: ddp has no derivative"):
        y.sum().backward()
    assert ddp.special.modified_bessel_i0 is ddp.special.i0 and ddp.special.modified_bessel_i1 is ddp.special.i1
